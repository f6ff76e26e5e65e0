/**
 * Offline reference candidates: the motion renderer draws a square still per candidate from the
 * description's category palette (one palette per candidate), one look per candidate (the four
 * looks of the scene types: glow, float, panels, burst), the subject as the large word, and the
 * label "Offline draft", so nobody takes it for a photograph. Costs nothing.
 */
import type { Env } from "../env.ts";
import { releaseJob } from "../render/client.ts";
import { categorize, extractProduct, titleCase } from "./offline-planner.ts";
import { stagedOutput, synthesize } from "./offline-synth.ts";
import type { KeyframeContext, ReferenceProvider, ReferenceRequest } from "./types.ts";

export const OFFLINE_REFERENCE_MODEL = "motion-renderer-v1";
/** What every offline candidate says over itself. */
export const OFFLINE_DRAFT_LABEL = "Offline draft";

/** One scene type per look, so the candidates of a batch never share one. */
const LOOK_TYPES = ["attention", "interest", "desire", "action"] as const;

/** The synthesis input of candidate `request.index`. */
export function offlineReferenceScene(request: ReferenceRequest) {
  const category = categorize(request.description);
  const palette = category.palettes[(request.seed + request.index) % category.palettes.length]!;
  return {
    brand: {
      // The subject is the candidate's large word; 24 characters keep it on the square.
      name: titleCase(extractProduct(request.description)).slice(0, 24).trim() || "Reference",
      colours: palette,
      mood: category.mood,
      style: request.style ?? category.style,
    },
    width: request.width,
    height: request.height,
    durationS: 2,
    scene: {
      index: request.index,
      type: LOOK_TYPES[request.index % LOOK_TYPES.length]!,
      duration_s: 2,
      visual_prompt: request.description,
      overlay: { text: "", position: "bottom" as const, animation: "none" as const },
      seed: request.seed,
    },
    label: `${OFFLINE_DRAFT_LABEL} ${request.index + 1}/${request.count}`,
  };
}

/** Creates the provider over the render container reachable from `env`. */
export function createOfflineReferenceProvider(env: Env): ReferenceProvider {
  return {
    name: "offline",
    model: OFFLINE_REFERENCE_MODEL,
    async drawReference(request: ReferenceRequest, ctx: KeyframeContext) {
      const jobId = `ref-${request.batchId}-${request.index}-${crypto.randomUUID().slice(0, 8)}`;
      try {
        await synthesize(
          env,
          jobId,
          offlineReferenceScene(request),
          { still: { file: "reference.jpg" } },
          ctx.signal,
        );
        const still = await stagedOutput(env, jobId, "reference.jpg");
        await ctx.store(still.body, still.size);
        return { model: OFFLINE_REFERENCE_MODEL, images: 1 };
      } finally {
        await releaseJob(env, jobId);
      }
    },
  };
}
