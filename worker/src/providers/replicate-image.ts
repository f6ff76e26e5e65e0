/**
 * The keyframe provider over the Replicate SDK: text-to-image with a model fallback chain
 * (flux-schnell by default), our own Retry-After backoff, polling like the video provider,
 * the first output copied to R2 at once (outputs expire about an hour after the prediction),
 * and `predictions.cancel` when the stage is aborted mid-prediction.
 *
 * flux-schnell at `megapixels: "1"` draws 768x1344 for 9:16, 1024x1024 for 1:1 and 1344x768
 * for 16:9; the keyframe is stored as the model drew it (the web app scales stills to fit).
 * Durability, as for clips: with a journal (the storyboard's keyframes), the intent is noted
 * before `create` and the prediction id after it; a restart resumes that prediction, or finds one
 * created just before a crash among recent predictions, instead of paying for another image.
 */
import type { Prediction } from "replicate";
import {
  findLostPrediction,
  finished,
  type ReplicateClientOptions,
  replicateClient,
} from "./replicate-client.ts";
import type { ImageProvider, KeyframeContext, KeyframeRequest } from "./types.ts";

export const DEFAULT_IMAGE_MODELS = ["black-forest-labs/flux-schnell"] as const;
/** Predictions per model before falling back to the next one. */
const ATTEMPTS_PER_MODEL = 2;
/** Models with flux-schnell's input schema (aspect_ratio, num_outputs, megapixels, go_fast, ...). */
const FLUX_SCHEMA = /^black-forest-labs\/flux-(schnell|dev)$/;
/** Models with google/imagen-4's input schema (prompt, aspect_ratio, output_format, safety_filter_level). */
const IMAGEN_SCHEMA = /^google\/imagen-4(-fast|-ultra)?$/;

export interface ReplicateImageOptions extends ReplicateClientOptions {
  models?: readonly string[];
}

/** The aspect ratio of a keyframe's size, as the models' `aspect_ratio` enum spells it. */
export function aspectOf(width: number, height: number): "1:1" | "16:9" | "9:16" {
  return width === height ? "1:1" : width > height ? "16:9" : "9:16";
}

/** What the image shows: the scene's shot in the brand's look, without lettering (overlays come later). */
export function keyframePrompt({ scene, brand }: Pick<KeyframeRequest, "scene" | "brand">): string {
  const shot = scene.visual_prompt.trim().replace(/[.\s]+$/, "");
  return [
    shot,
    `Advertising still for ${brand.name}, ${brand.style} style, ${brand.mood} mood`,
    `colour palette ${brand.colours.join(", ")}`,
    "photographic, sharp focus, no text, no captions, no watermark",
  ].join(". ");
}

/** What an image is asked for, whatever the model. */
export interface ImageAsk {
  prompt: string;
  aspect_ratio: "1:1" | "16:9" | "9:16";
  seed: number;
}

/**
 * The model-specific input: flux-schnell's and google/imagen-4's per their Replicate schemas
 * (imagen-4 takes no seed and draws one image per call); other models get the common fields.
 */
export function imageInput(model: string, ask: ImageAsk): Record<string, unknown> {
  if (IMAGEN_SCHEMA.test(model))
    return {
      prompt: ask.prompt,
      aspect_ratio: ask.aspect_ratio,
      output_format: "jpg",
      safety_filter_level: "block_medium_and_above",
    };
  const common = { ...ask, output_format: "jpg" };
  if (!FLUX_SCHEMA.test(model)) return common;
  return {
    ...common,
    num_outputs: 1,
    output_quality: 90,
    megapixels: "1",
    // The fp8 fast path ignores the seed; bf16 keeps an image reproducible.
    go_fast: false,
  };
}

/** The prediction's outputs (flux: an array of URLs; imagen and others: one URL). */
function outputUrls(prediction: Prediction): string[] {
  const out: unknown = prediction.output;
  const urls = (Array.isArray(out) ? out : [out]).filter((u): u is string => typeof u === "string");
  if (!urls.length) throw new Error(`prediction ${prediction.id} has no output URL`);
  return urls;
}

/**
 * Draws one image over a chain of models (each tried {@link ATTEMPTS_PER_MODEL} times), stores
 * the first output through `ctx.store`, and answers the model that drew it and the images billed.
 */
export function replicateImageDrawer(options: ReplicateClientOptions, models: readonly string[]) {
  const { replicate, waitFor } = replicateClient(options);

  /**
   * The prediction this attempt waits for: the journalled one when a restart finds the same ask
   * under way (or created just before the crash), else a new one, noted before and after `create`.
   */
  async function predictionFor(model: string, input: Record<string, unknown>, ctx: KeyframeContext) {
    const { journal } = ctx;
    const asked = JSON.stringify(input);
    const earlier = await journal?.read();
    if (earlier && earlier.model === model && earlier.input === asked) {
      if (earlier.predictionId)
        return replicate.predictions.get(earlier.predictionId, { signal: ctx.signal });
      const lost = await findLostPrediction(replicate, model, input, earlier.intentAt);
      if (lost) {
        await journal?.write({ ...earlier, predictionId: lost.id });
        return lost;
      }
    }
    const intent = { model, input: asked, intentAt: Date.now() };
    await journal?.write(intent);
    const created = await replicate.predictions.create({ model, input, signal: ctx.signal });
    await journal?.write({ ...intent, predictionId: created.id });
    return created;
  }

  /** One prediction of `model`, its first output stored; a failure message, or the usage. */
  async function attempt(model: string, ask: ImageAsk, ctx: KeyframeContext) {
    const created = await predictionFor(model, imageInput(model, ask), ctx);
    try {
      return await settle(model, created, ctx);
    } finally {
      // This prediction has ended for us (stored, failed or given up): the next attempt, or a
      // redraw after an edit, asks anew. A crash skips this, and the restart resumes it.
      await ctx.journal?.write(undefined).catch(() => undefined);
    }
  }

  /** Waits for a prediction and stores its first output; a failure message, or the usage. */
  async function settle(model: string, created: Prediction, ctx: KeyframeContext) {
    let done: Prediction;
    try {
      done = finished(created) ? created : await waitFor(created.id, ctx.signal);
    } catch (err) {
      // Aborted (cancel, or the stage given up) while drawing: stop paying for it, best effort.
      if (ctx.signal.aborted) await replicate.predictions.cancel(created.id).catch(() => undefined);
      throw err;
    }
    if (done.status !== "succeeded") {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return { failure: `${model}: prediction ${done.status}${done.error ? `: ${String(done.error)}` : ""}` };
    }
    const urls = outputUrls(done);
    // Only the URL the API returned is fetched.
    const file = await fetch(urls[0]!, { signal: ctx.signal });
    if (!file.ok || !file.body) {
      await file.body?.cancel();
      return { failure: `${model}: output unavailable (${file.status}), it may have expired` };
    }
    const size = Number(file.headers.get("content-length")) || undefined;
    await ctx.store(file.body, size);
    return { usage: { model, images: urls.length } };
  }

  return async function draw(
    ask: ImageAsk,
    ctx: KeyframeContext,
  ): Promise<{ model: string; images: number }> {
    const failures: string[] = [];
    // Each model of the chain gets its attempts in turn.
    for (const model of models) {
      for (let i = 0; i < ATTEMPTS_PER_MODEL; i++) {
        ctx.signal.throwIfAborted();
        const result = await attempt(model, ask, ctx);
        if (result.usage) return result.usage;
        failures.push(result.failure);
      }
    }
    throw new Error(`Every image model failed: ${failures.join("; ")}`);
  };
}

/** Creates the Replicate-backed keyframe provider. */
export function createReplicateImageProvider(options: ReplicateImageOptions): ImageProvider {
  const models = options.models?.length ? options.models : DEFAULT_IMAGE_MODELS;
  const draw = replicateImageDrawer(options, models);
  return {
    name: "replicate",
    model: models[0]!,
    generateKeyframe: (request: KeyframeRequest, ctx: KeyframeContext) =>
      draw(
        {
          prompt: keyframePrompt(request),
          aspect_ratio: aspectOf(request.width, request.height),
          seed: request.scene.seed,
        },
        ctx,
      ),
  };
}
