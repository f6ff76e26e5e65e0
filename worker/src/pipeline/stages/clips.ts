/**
 * clips (30-70 %): one clip per scene, in parallel, each stored in R2 as soon as it exists.
 * Per scene: skip it if R2 already has it (a crash after storing), else make it once for the
 * group (or copy the identical one another variation made), then price it from the journal.
 */
import pLimit from "p-limit";
import type { ClipState, GenerationState } from "../../groups/state.ts";
import type { ClipJournal, ClipRequest } from "../../providers/types.ts";
import { clipKey, posterKey } from "../media-keys.ts";
import { videoCost } from "../prices.ts";
import { clipDuration } from "../scene-plan.ts";
import { outputSize } from "../settings.ts";
import { brandOf } from "../spec.ts";
import type { StageContext } from "./context.ts";

/** Scenes rendered at once per generation; the render container queues beyond its CPU budget. */
const CLIP_CONCURRENCY = 3;
const MP4 = { httpMetadata: { contentType: "video/mp4" } };
const JPEG = { httpMetadata: { contentType: "image/jpeg" } };
const posterOf = (request: ClipRequest) => posterKey(request.generationId, request.scene.index);

function clipsProgress(s: GenerationState): { progress: number; currentStep: string } {
  const done = s.clips.filter((c) => c.status === "ready").length;
  return {
    progress: 30 + Math.round((40 * done) / s.clips.length),
    currentStep: `Rendering clips (${done}/${s.clips.length})`,
  };
}

/** What the video provider is asked for scene `index`. */
function clipRequest(s: GenerationState, index: number): ClipRequest {
  const scenePlan = s.plan!;
  const spec = s.spec!;
  const { width, height } = outputSize(s.settings.aspect_ratio);
  return {
    generationId: s.id,
    scene: scenePlan.scenes[index]!,
    brand: brandOf(spec),
    width,
    height,
    fps: 24,
    durationS: clipDuration(scenePlan, index),
    referenceImageKey: s.settings.reference_image,
    targetKey: clipKey(s.id, index),
  };
}

/**
 * Makes the clip through the provider, once for the group: identical scenes across
 * variations (same provider, prompt, seed, size, reference) share one. A variation that
 * reuses another's gets its own copy, so deleting one never breaks another.
 */
async function makeOrCopyClip(
  ctx: StageContext,
  s: GenerationState,
  request: ClipRequest,
  journal: ClipJournal,
): Promise<void> {
  const { video } = ctx.providers;
  const identity = [
    video.name,
    video.models,
    request.scene.visual_prompt,
    request.scene.seed,
    request.width,
    request.height,
    request.durationS,
    request.referenceImageKey,
  ];
  const made = await ctx.shared(`clip:${JSON.stringify(identity)}`, s.id, async () => {
    await video.generateClip(request, {
      signal: ctx.signal,
      journal,
      store: async (body, size) => {
        await ctx.env.MEDIA.put(request.targetKey, size ? body : await new Response(body).arrayBuffer(), MP4);
      },
      storePoster: async (body, size) => {
        await ctx.env.MEDIA.put(
          posterOf(request),
          size ? body : await new Response(body).arrayBuffer(),
          JPEG,
        );
      },
      referenceImageUrl: async () =>
        s.settings.reference_image ? ctx.publicMediaUrl(s.settings.reference_image) : null,
    });
    return {
      key: request.targetKey,
      generationId: s.id,
      scene: request.scene.index,
      model: (await journal.read())?.model ?? video.models[0] ?? "unknown",
    };
  });
  if (!made.reused) return;
  const source = await ctx.env.MEDIA.get(made.value.key);
  if (!source)
    throw new Error(
      `the shared clip ${made.value.key} is gone; scene ${request.scene.index} will be made again`,
    );
  await ctx.env.MEDIA.put(request.targetKey, source.body, MP4);
  const poster = await ctx.env.MEDIA.get(posterKey(made.value.generationId, made.value.scene));
  if (poster) await ctx.env.MEDIA.put(posterOf(request), poster.body, JPEG);
  await journal.write({ modelIndex: 0, model: made.value.model, attempts: 0, reusedFrom: made.value.key });
}

/**
 * The clip's bill, from the journal, so a clip found in R2 after a crash is still billed
 * right; a clip copied from another variation's was paid for there.
 */
async function priceClip(ctx: StageContext, request: ClipRequest, journal: ClipJournal): Promise<ClipState> {
  const { video } = ctx.providers;
  const entry = await journal.read();
  const model = entry?.model ?? video.models[0] ?? "unknown";
  const seconds = entry?.reusedFrom ? 0 : video.billedSeconds(model, request.durationS);
  const poster = (await ctx.env.MEDIA.head(posterOf(request))) ? posterOf(request) : null;
  return {
    status: "ready",
    key: request.targetKey,
    posterKey: poster,
    model,
    seconds,
    cost: videoCost(model, seconds),
  };
}

/** Scene `index` from pending to ready: made (unless stored before a crash), priced, saved, announced. */
async function renderScene(ctx: StageContext, s: GenerationState, index: number): Promise<void> {
  // A scene that waited its turn does not start once the stage is cancelled or has failed.
  ctx.signal.throwIfAborted();
  const request = clipRequest(s, index);
  const journal = ctx.journal(s, index);
  if (!(await ctx.env.MEDIA.head(request.targetKey))) {
    s.clips[index] = { ...s.clips[index]!, status: "rendering" };
    // Saved, not only announced: REST reads (from D1) and live views must show the same scene.
    await ctx.save(s);
    await ctx.sceneChanged(s, index);
    await makeOrCopyClip(ctx, s, request, journal);
  }
  const clip = await priceClip(ctx, request, journal);
  s.clips[index] = clip;
  s.costs = {
    ...s.costs,
    clips: [
      ...s.costs.clips.filter((c) => c.scene !== index),
      { scene: index, model: clip.model!, seconds: clip.seconds, cost: clip.cost },
    ],
  };
  Object.assign(s, clipsProgress(s));
  ctx.log.info("clip ready", { scene: index, model: clip.model, seconds: clip.seconds, cost: clip.cost });
  await ctx.save(s);
  await ctx.sceneChanged(s, index);
}

/**
 * Every scene not yet ready, at most {@link CLIP_CONCURRENCY} at once. The first failure stops
 * the rest (queued scenes never start, running ones are aborted) and the stage only throws once
 * every scene has settled: no scene may save the state after the coordinator took the failure
 * over, or its older copy would overwrite the failed attempt's count.
 */
export async function clips(ctx: StageContext, s: GenerationState): Promise<void> {
  if (!s.plan || !s.spec) throw new Error("clips stage without a plan");
  Object.assign(s, clipsProgress(s));
  await ctx.save(s);
  const stop = new AbortController();
  const sceneCtx: StageContext = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) };
  const limit = pLimit({ concurrency: CLIP_CONCURRENCY, rejectOnClear: true });
  const pending = s.plan.scenes.map((_, i) => i).filter((i) => s.clips[i]?.status !== "ready");
  let failure: { error: unknown } | null = null;
  await Promise.allSettled(
    pending.map((index) =>
      limit(() => renderScene(sceneCtx, s, index)).catch((error: unknown) => {
        if (failure) return;
        failure = { error };
        limit.clearQueue();
        stop.abort(error);
      }),
    ),
  );
  if (failure) throw (failure as { error: unknown }).error;
  Object.assign(s, { stage: "compose", stageAttempts: 0 });
  await ctx.save(s);
}
