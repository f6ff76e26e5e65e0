/**
 * clips (30-70 %): one clip per scene, in parallel, each stored in R2 as soon as it exists.
 * Per scene: reuse an earlier version's clip of the same identity (a re-render after edits), or
 * skip it if R2 already has it (a crash after storing), else make it once for the group (or copy
 * the identical one another variation made), then price it from the journal.
 */
import pLimit from "p-limit";
import type { ClipState, GenerationState } from "../../groups/state.ts";
import { sha256Hex } from "../../lib/hash.ts";
import type { ClipJournal, ClipRequest } from "../../providers/types.ts";
import { clipIdentity, reusableClip } from "../clip-identity.ts";
import { clipKey, posterKey, referenceKey } from "../media-keys.ts";
import { videoCost } from "../prices.ts";
import { clipDuration } from "../scene-plan.ts";
import { outputSize } from "../settings.ts";
import { brandOf } from "../spec.ts";
import type { StageContext } from "./context.ts";

const MP4 = { httpMetadata: { contentType: "video/mp4" } };
const JPEG = { httpMetadata: { contentType: "image/jpeg" } };

function clipsProgress(s: GenerationState): { progress: number; currentStep: string } {
  const done = s.clips.filter((c) => c.status === "ready").length;
  return {
    progress: 30 + Math.round((40 * done) / s.clips.length),
    currentStep: `Rendering clips (${done}/${s.clips.length})`,
  };
}

/** What the video provider is asked for scene `index`, the clip's identity and where it and its poster go. */
async function clipRequest(ctx: StageContext, s: GenerationState, index: number) {
  const scenePlan = s.plan!;
  const { width, height } = outputSize(s.settings.aspect_ratio);
  const scene = scenePlan.scenes[index]!;
  const referenceAsset = s.settings.reference_image;
  const referenceImageKey = referenceAsset ? referenceKey(s.id) : null;
  const durationS = clipDuration(scenePlan, index);
  const identity = clipIdentity(ctx.providers.video, { scene, width, height, referenceAsset });
  const hash = (await sha256Hex(JSON.stringify([identity, durationS]))).slice(0, 16);
  const request: ClipRequest = {
    generationId: s.id,
    scene,
    brand: brandOf(s.spec!),
    width,
    height,
    fps: 24,
    durationS,
    referenceImageKey,
    targetKey: clipKey(s.id, hash),
  };
  return { request, identity, poster: posterKey(s.id, hash) };
}

/**
 * Makes the clip through the provider, once for the group: identical scenes across
 * variations (same provider, prompt, seed, size, reference) share one. A variation that
 * reuses another's gets its own copy, so deleting one never breaks another.
 */
async function makeOrCopyClip(
  ctx: StageContext,
  s: GenerationState,
  { request, identity, poster }: Awaited<ReturnType<typeof clipRequest>>,
  journal: ClipJournal,
): Promise<void> {
  const { video } = ctx.providers;
  const key = `clip:${JSON.stringify([identity, request.durationS])}`;
  const made = await ctx.shared(
    key,
    s.id,
    async () => {
      await video.generateClip(request, {
        signal: ctx.signal,
        journal,
        store: async (body, size) => {
          await ctx.env.MEDIA.put(
            request.targetKey,
            size ? body : await new Response(body).arrayBuffer(),
            MP4,
          );
        },
        storePoster: async (body, size) => {
          await ctx.env.MEDIA.put(poster, size ? body : await new Response(body).arrayBuffer(), JPEG);
        },
        referenceImageUrl: async () =>
          request.referenceImageKey ? ctx.publicMediaUrl(request.referenceImageKey) : null,
      });
      return {
        key: request.targetKey,
        posterKey: poster,
        model: (await journal.read())?.model ?? video.models[0] ?? "unknown",
      };
    },
    // Another variation's clip is reused only while its file exists (a cancel or a delete
    // sweeps it); otherwise this variation makes its own.
    async (value) => (await ctx.env.MEDIA.head(value.key)) !== null,
  );
  if (!made.reused) return;
  const source = await ctx.env.MEDIA.get(made.value.key);
  if (!source)
    throw new Error(
      `the shared clip ${made.value.key} is gone; scene ${request.scene.index} will be made again`,
    );
  await ctx.env.MEDIA.put(request.targetKey, source.body, MP4);
  const sourcePoster = await ctx.env.MEDIA.get(made.value.posterKey);
  if (sourcePoster) await ctx.env.MEDIA.put(poster, sourcePoster.body, JPEG);
  await journal.write({ modelIndex: 0, model: made.value.model, attempts: 0, reusedFrom: made.value.key });
}

/**
 * The clip's bill, from the journal, so a clip found in R2 after a crash is still billed
 * right; a clip copied from another variation's was paid for there.
 */
async function priceClip(
  ctx: StageContext,
  { request, identity, poster }: Awaited<ReturnType<typeof clipRequest>>,
  journal: ClipJournal,
): Promise<ClipState> {
  const { video } = ctx.providers;
  const entry = await journal.read();
  const model = entry?.model ?? video.models[0] ?? "unknown";
  const seconds = entry?.reusedFrom ? 0 : video.billedSeconds(model, request.durationS);
  return {
    status: "ready",
    key: request.targetKey,
    posterKey: (await ctx.env.MEDIA.head(poster)) ? poster : null,
    model,
    seconds,
    cost: videoCost(model, seconds),
    identity,
    durationS: request.durationS,
  };
}

/** An earlier version's clip this scene can use as it is (a re-render after edits), at no cost. */
async function earlierClip(
  ctx: StageContext,
  s: GenerationState,
  { request, identity }: Awaited<ReturnType<typeof clipRequest>>,
): Promise<ClipState | null> {
  const found = reusableClip(s.versions ?? [], identity, request.durationS);
  if (!found || !(await ctx.env.MEDIA.head(found.clip.key))) return null;
  return { ...found.clip, seconds: 0, cost: 0, fromVersion: found.clip.fromVersion ?? found.version };
}

/**
 * Scene `index` from pending to ready: reused from an earlier version, or made (unless stored
 * before a crash) and priced; then saved and announced.
 */
async function renderScene(ctx: StageContext, s: GenerationState, index: number): Promise<void> {
  // A scene that waited its turn does not start once the stage is cancelled or has failed.
  ctx.signal.throwIfAborted();
  const target = await clipRequest(ctx, s, index);
  let clip = await earlierClip(ctx, s, target);
  if (!clip) {
    const journal = ctx.journal(s, index);
    if (!(await ctx.env.MEDIA.head(target.request.targetKey))) {
      s.clips[index] = { ...s.clips[index]!, status: "rendering" };
      // Saved, not only announced: REST reads (from D1) and live views must show the same scene.
      await ctx.save(s);
      await ctx.sceneChanged(s, index);
      await makeOrCopyClip(ctx, s, target, journal);
    }
    clip = await priceClip(ctx, target, journal);
  }
  s.clips[index] = clip;
  s.costs = {
    ...s.costs,
    clips: [
      ...s.costs.clips.filter((c) => c.scene !== index),
      { scene: index, model: clip.model!, seconds: clip.seconds, cost: clip.cost },
    ],
  };
  Object.assign(s, clipsProgress(s));
  ctx.log.info("clip ready", {
    scene: index,
    model: clip.model,
    seconds: clip.seconds,
    cost: clip.cost,
    reused_from_version: clip.fromVersion ?? null,
  });
  await ctx.save(s);
  await ctx.sceneChanged(s, index);
}

/**
 * Every scene not yet ready, all at once unless the video provider caps it
 * (`maxConcurrentClips`): a generation then waits for its slowest clip. The first failure stops
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
  const pending = s.plan.scenes.map((_, i) => i).filter((i) => s.clips[i]?.status !== "ready");
  const cap = ctx.providers.video.maxConcurrentClips;
  const limit = pLimit({ concurrency: Math.max(1, cap ?? pending.length), rejectOnClear: true });
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
