/**
 * The LLM provider over the OpenAI SDK with structured outputs: the answer must match
 * AdSpecificationSchema (strict JSON schema), and is validated again before use.
 * OPENAI_BASE_URL points it at any OpenAI-compatible server.
 *
 * Durability: the pipeline's calls (the specification and its refinement) are background
 * responses of the Responses API when the caller hands a journal: the response id is journalled
 * as soon as OpenAI has accepted the request, and a coordinator restarted mid-call polls that
 * response again instead of asking (and paying) twice. OpenAI has no idempotency key and no list
 * of responses, so a restart in the milliseconds between the create's answer and its journal
 * write still asks again. `background: false` (OPENAI_BACKGROUND=0, for compatible servers
 * without the Responses API) uses one chat completion per call, as interactive edits always do.
 */
import OpenAI from "openai";
import { zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import type { Response as OpenAiResponse } from "openai/resources/responses/responses";
import { z } from "zod";
import { sha256Hex } from "../lib/hash.ts";
import { type AdSpecification, AdSpecificationSchema, FRAMEWORK_STAGES } from "../pipeline/spec.ts";
import { sleep } from "./retry-after-fetch.ts";
import type { LlmJournal, LlmProvider, LlmUsage, SpecRequest } from "./types.ts";

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
  /** Pipeline calls as background responses, resumable through a journal (default true). */
  background?: boolean | undefined;
  /** Time a background response may take in all, across restarts (ms). Default 10 × timeoutMs. */
  backgroundDeadlineMs?: number | undefined;
}

/** Polling a background response: first after this, doubling up to POLL_MAX_MS. */
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 2_000;
const isUnsettled = (r: OpenAiResponse) => r.status === "queued" || r.status === "in_progress";
/** A background response still unfinished at its deadline. */
class AnswerOverdue extends Error {}

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

  const textFormat = zodTextFormat(AdSpecificationSchema, "ad_specification");
  const background = options.background ?? true;
  const deadlineMs = options.backgroundDeadlineMs ?? 10 * (options.timeoutMs ?? 60_000);

  /** A journalled response, or null when OpenAI no longer has it (background responses expire). */
  async function retrieveOrNull(id: string, signal?: AbortSignal): Promise<OpenAiResponse | null> {
    try {
      return await client.responses.retrieve(id, {}, { signal });
    } catch (err) {
      if (err instanceof OpenAI.NotFoundError) return null;
      throw err;
    }
  }

  /** Polls until the response has ended, within the deadline counted from its first request. */
  async function untilSettled(response: OpenAiResponse, since: number, signal?: AbortSignal) {
    let current = response;
    for (let wait = POLL_FIRST_MS; isUnsettled(current); wait = Math.min(2 * wait, POLL_MAX_MS)) {
      if (Date.now() - since > deadlineMs)
        throw new AnswerOverdue(`OpenAI did not finish the answer within ${Math.round(deadlineMs / 1000)} s`);
      await sleep(wait, signal);
      current = await client.responses.retrieve(current.id, {}, { signal });
    }
    return current;
  }

  /**
   * Asks as a background response, resumed from `journal` after a restart. A poll that fails on
   * the way leaves the journal as it is (the stage's next try polls the same response); a cancel
   * or a missed deadline cancels the response and forgets it, so the next try asks anew.
   */
  async function askInBackground(system: string, user: string, journal: LlmJournal, signal?: AbortSignal) {
    const body = {
      model,
      instructions: system,
      input: user,
      text: { format: textFormat },
      temperature: 0.7,
      background: true,
      store: true,
    };
    const fingerprint = await sha256Hex(JSON.stringify(body));
    const earlier = await journal.read(fingerprint);
    let response = earlier?.responseId ? await retrieveOrNull(earlier.responseId, signal) : null;
    const intentAt = response && earlier ? earlier.intentAt : Date.now();
    if (!response) {
      await journal.write(fingerprint, { intentAt });
      response = await client.responses.create(body, { signal });
      await journal.write(fingerprint, { intentAt, responseId: response.id });
    }
    try {
      response = await untilSettled(response, intentAt, signal);
    } catch (err) {
      if (!signal?.aborted && !(err instanceof AnswerOverdue)) throw err;
      await client.responses.cancel(response.id).catch(() => undefined);
      await journal.write(fingerprint, undefined);
      throw signal?.aborted ? signal.reason : err;
    }
    if (response.status !== "completed") {
      await journal.write(fingerprint, undefined);
      const why = response.error?.message ?? response.incomplete_details?.reason;
      throw new Error(`The OpenAI response ended ${response.status}${why ? `: ${why}` : ""}`);
    }
    try {
      const refusal = response.output
        .flatMap((item) => (item.type === "message" ? item.content : []))
        .find((part) => part.type === "refusal");
      if (refusal) throw new Error(`The model refused: ${refusal.refusal}`);
      const spec = AdSpecificationSchema.parse(JSON.parse(response.output_text));
      const usage = {
        inputTokens: response.usage?.input_tokens ?? 0,
        outputTokens: response.usage?.output_tokens ?? 0,
      };
      return { spec, usage };
    } catch (err) {
      // An answer we cannot use: the stage's next try asks anew, as a completion's retry would.
      await journal.write(fingerprint, undefined);
      throw err;
    }
  }

  /** One pipeline call: a resumable background response when a journal is given, else a completion. */
  function askPipeline(system: string, user: string, opts: { signal?: AbortSignal; journal?: LlmJournal }) {
    return background && opts.journal
      ? askInBackground(system, user, opts.journal, opts.signal)
      : ask(system, user, opts.signal);
  }

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
      const result = await askPipeline(SYSTEM, brief, opts);
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
      const result = await askPipeline(
        REFINE,
        `Brief: ${request.prompt}\nSpecification:\n${JSON.stringify(spec)}`,
        opts,
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
