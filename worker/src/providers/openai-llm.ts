/**
 * The LLM provider over the OpenAI SDK with structured outputs: the answer must match
 * AdSpecificationSchema (strict JSON schema), and is validated again before use.
 * OPENAI_BASE_URL points it at any OpenAI-compatible server.
 */
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
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

const REFINE_SCENE = `You edit one scene of a short video ad's storyboard from the user's plain-language
instruction. Keep the brand, product and framework role. Overlay text is at most 8 words, literal and
in the language of the current text unless the instruction asks otherwise. The visual prompt describes
one continuous shot. Set duration_s only when the instruction asks for a different length, else null.`;

/** What a scene refinement must answer (strict: every field present, duration nullable). */
export const SceneRefinementSchema = z.object({
  overlay_text: z.string().min(1).max(120),
  visual_prompt: z.string().min(1).max(600),
  duration_s: z.number().min(1.5).max(30).nullable(),
});

const REFINE = `You refine the scenes of an ad specification for visual consistency: the same subject,
wardrobe, set and light across scenes, one camera language, the brand colours in every shot. Keep the
framework, scene types, count and overlay text; rewrite only the visual prompts.`;

export interface OpenAiOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model?: string | undefined;
  fetch?: typeof fetch;
  /** Time one request may take (ms); the SDK abandons it and tries again. Default 60 s. */
  timeoutMs?: number | undefined;
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
    timeout: options.timeoutMs ?? 60_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const format = zodResponseFormat(AdSpecificationSchema, "ad_specification");

  const refinementFormat = zodResponseFormat(SceneRefinementSchema, "scene_refinement");

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
    async refineScene(request, opts = {}) {
      const completion = await client.chat.completions.parse(
        {
          model,
          messages: [
            { role: "system", content: REFINE_SCENE },
            {
              role: "user",
              content: `Brief: ${request.prompt}\nBrand: ${request.spec.brand.name}\nScene: ${JSON.stringify({
                type: request.scene.type,
                overlay_text: request.scene.overlay.text,
                visual_prompt: request.scene.visual_prompt,
                duration_s: request.scene.duration_s,
              })}\nInstruction: ${request.instruction}`,
            },
          ],
          response_format: refinementFormat,
          temperature: 0.5,
        },
        { signal: opts.signal },
      );
      const choice = completion.choices[0];
      if (choice?.message.refusal) throw new Error(`The model refused: ${choice.message.refusal}`);
      return { scene: SceneRefinementSchema.parse(choice?.message.parsed), usage: usageOf(completion) };
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
