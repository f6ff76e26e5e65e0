/**
 * The video provider over the Replicate SDK: a model fallback chain, image-to-video when a
 * reference image is set, our own Retry-After backoff, outputs copied to R2 at once (they
 * expire about an hour after the prediction), and `predictions.cancel` on cancel.
 *
 * Durability: before `create` the journal records an intent; after it, the prediction id.
 * A restart with an intent but no id lists recent predictions and adopts the one with our
 * model and input, so a crash between create and persist never pays for a second clip.
 */
import type { Prediction } from "replicate";
import { findLostPrediction, type ReplicateClientOptions, replicateClient } from "./replicate-client.ts";
import { sleep } from "./retry-after-fetch.ts";
import type { ClipContext, ClipJournalEntry, ClipRequest, ClipUsage, VideoProvider } from "./types.ts";

export const DEFAULT_VIDEO_MODELS = ["minimax/video-01", "kwaivgi/kling-v1.6-standard"] as const;
/** Predictions per model before falling back to the next one. */
const ATTEMPTS_PER_MODEL = 2;

export interface ReplicateOptions extends ReplicateClientOptions {
  models?: readonly string[];
  /** Predictions of one generation running at once (an account's limit); default: every scene at once. */
  maxConcurrent?: number;
}

/** Attempts at one create that failed on the way (timeouts, 5xx) before the clip stage hears of it. */
const CREATE_TRIES = 3;

/** A create failure that says nothing about the request itself: it may be tried again. */
function retryableCreateFailure(err: unknown): boolean {
  const status = (err as { response?: { status?: unknown } }).response?.status;
  return typeof status === "number" && (status === 429 || status >= 500);
}

/** Seconds of video a model renders for a requested duration (what it bills). */
export function billedSeconds(model: string, durationS: number): number {
  if (model.startsWith("minimax/")) return 6;
  if (model.startsWith("kwaivgi/kling")) return durationS > 5 ? 10 : 5;
  return Math.ceil(durationS);
}

/** The model-specific input. Deterministic for a request, so a lost prediction can be recognised. */
export function modelInput(
  model: string,
  request: ClipRequest,
  imageUrl: string | null,
): Record<string, unknown> {
  const aspect = request.width === request.height ? "1:1" : request.width > request.height ? "16:9" : "9:16";
  if (model.startsWith("kwaivgi/kling")) {
    return {
      prompt: request.scene.visual_prompt,
      duration: billedSeconds(model, request.durationS),
      aspect_ratio: aspect,
      negative_prompt: "text, watermark, logo, blurry, distorted",
      ...(imageUrl ? { start_image: imageUrl } : {}),
    };
  }
  return {
    prompt: request.scene.visual_prompt,
    prompt_optimizer: true,
    ...(imageUrl ? { first_frame_image: imageUrl } : {}),
  };
}

function outputUrl(prediction: Prediction): string {
  const out: unknown = prediction.output;
  const url = Array.isArray(out) ? out[0] : out;
  if (typeof url !== "string") throw new Error(`prediction ${prediction.id} has no output URL`);
  return url;
}

/** Creates the Replicate-backed provider. */
export function createReplicateProvider(options: ReplicateOptions): VideoProvider {
  const models = options.models?.length ? options.models : DEFAULT_VIDEO_MODELS;
  const { replicate, waitFor } = replicateClient(options);

  const findLost = (entry: ClipJournalEntry, input: Record<string, unknown>) =>
    findLostPrediction(replicate, entry.model, input, entry.intentAt ?? 0);

  /**
   * Creates the prediction. A create that failed on the way (a timeout or a 5xx: it may have been
   * acted on) is first looked for among recent predictions and adopted, so it is never paid twice;
   * only when it is not there is it tried again, a few times.
   */
  async function createOrAdopt(
    entry: ClipJournalEntry,
    input: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Prediction> {
    for (let tries = 1; ; tries++) {
      try {
        return await replicate.predictions.create({ model: entry.model, input, signal });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const lost = await findLost(entry, input);
        if (lost) return lost;
        if (tries >= CREATE_TRIES || !retryableCreateFailure(err)) throw err;
        await sleep(500 * 2 ** tries, signal);
      }
    }
  }

  return {
    name: "replicate",
    models,
    ...(options.maxConcurrent ? { maxConcurrentClips: options.maxConcurrent } : {}),
    async generateClip(request: ClipRequest, ctx: ClipContext): Promise<ClipUsage> {
      const imageUrl = await ctx.referenceImageUrl();
      let entry: ClipJournalEntry = (await ctx.journal.read()) ?? {
        modelIndex: 0,
        model: models[0]!,
        attempts: 0,
      };
      const failures: string[] = [];
      for (;;) {
        const input = modelInput(entry.model, request, imageUrl);
        if (!entry.predictionId && entry.intentAt) {
          const lost = await findLost(entry, input);
          if (lost) {
            entry = { ...entry, predictionId: lost.id };
            await ctx.journal.write(entry);
          }
        }
        if (!entry.predictionId) {
          entry = { ...entry, intentAt: Date.now(), attempts: entry.attempts + 1 };
          await ctx.journal.write(entry);
          const created = await createOrAdopt(entry, input, ctx.signal);
          entry = { ...entry, predictionId: created.id };
          await ctx.journal.write(entry);
        }
        const done = await waitFor(entry.predictionId!, ctx.signal);
        let failure: string;
        if (done.status === "succeeded") {
          const file = await fetch(outputUrl(done), { signal: ctx.signal });
          if (file.ok && file.body) {
            const size = Number(file.headers.get("content-length")) || undefined;
            await ctx.store(file.body, size);
            return { model: entry.model, videoSeconds: billedSeconds(entry.model, request.durationS) };
          }
          await file.body?.cancel();
          failure = `${entry.model}: output unavailable (${file.status}), it may have expired`;
        } else {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          failure = `${entry.model}: prediction ${done.status}${done.error ? `: ${String(done.error)}` : ""}`;
        }
        failures.push(failure);
        // Same model again while it has attempts left, then the next model in the chain.
        if (entry.attempts < ATTEMPTS_PER_MODEL) {
          entry = { modelIndex: entry.modelIndex, model: entry.model, attempts: entry.attempts };
        } else if (entry.modelIndex + 1 < models.length) {
          entry = { modelIndex: entry.modelIndex + 1, model: models[entry.modelIndex + 1]!, attempts: 0 };
        } else {
          throw new Error(`Every video model failed: ${failures.join("; ")}`);
        }
        await ctx.journal.write(entry);
      }
    },
    billedSeconds,
    async cancelClip(entry) {
      if (entry?.predictionId) await replicate.predictions.cancel(entry.predictionId);
    },
  };
}
