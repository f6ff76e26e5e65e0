/**
 * Reference candidates from Replicate text-to-image: one prediction per candidate (the default
 * model, google/imagen-4, draws one image per call), square, over the chain
 * REPLICATE_REFERENCE_MODELS (default imagen-4, then flux-schnell), two tries per model.
 */
import { type ReplicateImageOptions, replicateImageDrawer } from "./replicate-image.ts";
import type { ReferenceProvider, ReferenceRequest } from "./types.ts";

export const DEFAULT_REFERENCE_MODELS = ["google/imagen-4", "black-forest-labs/flux-schnell"] as const;

/**
 * What a candidate shows: the subject alone, whole and plain, so it can be placed in any scene.
 * The candidate's number makes the siblings' prompts differ (imagen-4 takes no seed).
 */
export function referencePrompt(
  request: Pick<ReferenceRequest, "description" | "kind" | "style" | "index" | "count">,
): string {
  const subject = request.description.trim().replace(/[.\s]+$/, "");
  const shot =
    request.kind === "character"
      ? `Character reference of ${subject}: one person, full figure, facing the camera, neutral pose, plain light background`
      : `Product reference photo of ${subject}: the whole product, centred on a plain seamless background, studio lighting`;
  return [
    shot,
    request.style ? `${request.style} style` : "photographic, sharp focus",
    "no text, no captions, no watermark",
    `variation ${request.index + 1} of ${request.count}`,
  ].join(". ");
}

/** Creates the Replicate-backed reference provider. */
export function createReplicateReferenceProvider(options: ReplicateImageOptions): ReferenceProvider {
  const models = options.models?.length ? options.models : DEFAULT_REFERENCE_MODELS;
  const draw = replicateImageDrawer(options, models);
  return {
    name: "replicate",
    model: models[0]!,
    drawReference: (request, ctx) =>
      draw({ prompt: referencePrompt(request), aspect_ratio: "1:1", seed: request.seed }, ctx),
  };
}
