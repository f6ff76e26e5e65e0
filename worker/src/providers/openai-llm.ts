/**
 * The LLM provider over the OpenAI SDK with structured outputs: the answer must match
 * AdSpecificationSchema (strict JSON schema), and is validated again before use.
 * OPENAI_BASE_URL points it at any OpenAI-compatible server.
 */
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { type AdSpecification, AdSpecificationSchema, FRAMEWORK_STAGES } from "../pipeline/spec.ts";
import type { LlmProvider, LlmUsage, SpecRequest } from "./types.ts";

const SYSTEM = `You are a senior performance-marketing creative director. From a one-line brief you write
the specification of a short vertical video ad. Pick the framework by intent: PAS when the brief speaks
of a problem or pain, BAB when it speaks of a transformation (before/after), else AIDA. Scene types
follow the framework in order (${Object.entries(FRAMEWORK_STAGES)
  .map(([f, s]) => `${f}: ${s.join(", ")}`)
  .join("; ")}); 4 scenes for 15 s, 5 for longer ads (repeat the middle beat).
Overlay text is at most 8 words, punchy and literal. Visual prompts describe one continuous shot for a
video model: subject, setting, camera move, light, brand colours. Colours are 6-digit hex.`;

const REFINE = `You refine the scenes of an ad specification for visual consistency: the same subject,
wardrobe, set and light across scenes, one camera language, the brand colours in every shot. Keep the
framework, scene types, count and overlay text; rewrite only the visual prompts.`;

export interface OpenAiOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model?: string | undefined;
  fetch?: typeof fetch;
}

function usageOf(completion: {
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}): LlmUsage {
  return {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
  };
}

/** Creates the OpenAI-backed provider. */
export function createOpenAiProvider(options: OpenAiOptions): LlmProvider {
  const model = options.model ?? "gpt-4o-mini";
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    // The coordinator retries whole stages with its own backoff; keep SDK retries short.
    maxRetries: 2,
    timeout: 60_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const format = zodResponseFormat(AdSpecificationSchema, "ad_specification");

  async function ask(system: string, user: string, signal?: AbortSignal) {
    const completion = await client.chat.completions.parse(
      {
        model,
        messages: [
          { role: "system", content: system },
          { role: "user", content: user },
        ],
        response_format: format,
        temperature: 0.7,
      },
      { signal },
    );
    const choice = completion.choices[0];
    if (choice?.message.refusal) throw new Error(`The model refused: ${choice.message.refusal}`);
    // parse() already validated with zod; parse again so a lenient server cannot slip through.
    const spec: AdSpecification = AdSpecificationSchema.parse(choice?.message.parsed);
    return { spec, usage: usageOf(completion) };
  }

  return {
    name: "openai",
    model,
    async generateSpec(request: SpecRequest, opts = {}) {
      const brief = `Brief: ${request.prompt}\nTarget duration: ${request.durationS} s. Aspect ratio: ${request.aspectRatio}. Seed: ${request.seed}.`;
      const result = await ask(SYSTEM, brief, opts.signal);
      return { spec: { ...result.spec, target_duration_s: request.durationS }, usage: result.usage };
    },
    async refineScenes(request, spec, opts = {}) {
      const result = await ask(
        REFINE,
        `Brief: ${request.prompt}\nSpecification:\n${JSON.stringify(spec)}`,
        opts.signal,
      );
      // Only the visual prompts may change; anything else the model altered is ignored.
      const scenes = spec.scenes.map((s, i) => ({
        ...s,
        visual_prompt: result.spec.scenes[i]?.visual_prompt ?? s.visual_prompt,
      }));
      return { spec: { ...spec, scenes }, usage: result.usage };
    },
  };
}
