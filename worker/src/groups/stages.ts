/**
 * The stages of one generation. Each function advances `state` by one stage, persisting
 * through `ctx.save()` before and after its side effects, and is safe to run again after a
 * crash at any point: finished clips are found in R2, predictions in the clip journal.
 */
import type { Env } from "../env.ts";
import type { Logger } from "../lib/log.ts";
import { clipKey, thumbnailKey, videoKey } from "../pipeline/media-keys.ts";
import { llmCost, videoCost } from "../pipeline/prices.ts";
import { buildRenderJob, clipFileName } from "../pipeline/render-job.ts";
import { clipDuration, planScenes } from "../pipeline/scene-plan.ts";
import { outputSize } from "../pipeline/settings.ts";
import { llmProvider, videoProvider } from "../providers/index.ts";
import type { ClipJournal, SpecRequest } from "../providers/types.ts";
import { readFile, releaseJob, runJob, stageFile } from "../render/client.ts";
import type { GenerationState } from "./state.ts";

export interface StageContext {
  env: Env;
  signal: AbortSignal;
  log: Logger;
  /** Persists the state (DO storage, then D1) and broadcasts it. */
  save(state: GenerationState): Promise<void>;
  /** Broadcasts one scene's change. */
  sceneChanged(state: GenerationState, index: number): Promise<void>;
  journal(state: GenerationState, index: number): ClipJournal;
  /** A link a provider can fetch an R2 object from (reference images). */
  publicMediaUrl(key: string): Promise<string>;
  /**
   * Work shared by the group's variations: the first caller of `key` computes, the others get
   * its value (`reused` true). Failures are not remembered, so a later caller computes again.
   */
  shared<T>(key: string, owner: string, compute: () => Promise<T>): Promise<{ value: T; reused: boolean }>;
}

/** Scenes rendered at once per generation; the render container queues beyond its CPU budget. */
const CLIP_CONCURRENCY = 3;

const specRequest = (s: GenerationState): SpecRequest => ({
  prompt: s.prompt,
  seed: s.seed,
  durationS: s.settings.duration_s,
  aspectRatio: s.settings.aspect_ratio,
});

/** enhance (10 %): the LLM writes the ad specification (and refines it with enhanced planning). */
export async function enhance(ctx: StageContext, s: GenerationState): Promise<void> {
  await ctx.save({ ...s, progress: 10, currentStep: "Writing the ad specification" });
  Object.assign(s, { progress: 10, currentStep: "Writing the ad specification" });
  const llm = llmProvider(ctx.env);
  // Variations whose settings do not change the specification share one (settings mode).
  const request = specRequest(s);
  const key = `spec:${JSON.stringify([request, s.settings.enhanced_planning, llm.name, llm.model])}`;
  const { value, reused } = await ctx.shared(key, s.id, async () => {
    const first = await llm.generateSpec(request, { signal: ctx.signal });
    let spec = first.spec;
    let cost = llmCost(llm.model, first.usage);
    if (s.settings.enhanced_planning) {
      const refined = await llm.refineScenes(request, spec, { signal: ctx.signal });
      spec = refined.spec;
      cost += llmCost(llm.model, refined.usage);
    }
    return { spec, cost };
  });
  // Shared work is paid once, by the variation that did it.
  const cost = reused ? 0 : value.cost;
  ctx.log.info("specification ready", {
    framework: value.spec.framework,
    scenes: value.spec.scenes.length,
    cost,
    reused,
    provider: llm.name,
  });
  Object.assign(s, { spec: value.spec, stage: "plan", costs: { ...s.costs, enhance: cost } });
  await ctx.save(s);
}

/** plan (20 %): cut the specification into timed scenes. */
export async function plan(ctx: StageContext, s: GenerationState): Promise<void> {
  if (!s.spec) throw new Error("plan stage without a specification");
  const scenePlan = planScenes(s.spec, s.settings, s.seed);
  Object.assign(s, {
    plan: scenePlan,
    clips: scenePlan.scenes.map(() => ({ status: "pending", key: null, model: null, seconds: 0, cost: 0 })),
    stage: "clips",
    progress: 20,
    currentStep: `Planned ${scenePlan.scenes.length} scenes (${scenePlan.framework})`,
  });
  await ctx.save(s);
}

function clipsProgress(s: GenerationState): { progress: number; currentStep: string } {
  const done = s.clips.filter((c) => c.status === "ready").length;
  return {
    progress: 30 + Math.round((40 * done) / s.clips.length),
    currentStep: `Rendering clips (${done}/${s.clips.length})`,
  };
}

/** clips (30-70 %): one clip per scene, in parallel, each stored in R2 as soon as it exists. */
export async function clips(ctx: StageContext, s: GenerationState): Promise<void> {
  const scenePlan = s.plan;
  if (!scenePlan || !s.spec) throw new Error("clips stage without a plan");
  Object.assign(s, clipsProgress(s));
  await ctx.save(s);
  const provider = videoProvider(ctx.env);
  const { width, height } = outputSize(s.settings.aspect_ratio);
  const brand = {
    name: s.spec.brand.name,
    colours: s.spec.brand.colours,
    mood: s.spec.brand.mood,
    style: s.spec.brand.visual_style,
  };
  const queue = scenePlan.scenes.map((_, i) => i).filter((i) => s.clips[i]?.status !== "ready");

  const renderOne = async (index: number) => {
    const scene = scenePlan.scenes[index]!;
    const key = clipKey(s.id, index);
    const journal = ctx.journal(s, index);
    const durationS = clipDuration(scenePlan, index);
    // A clip stored before a crash is not made (or paid for) twice.
    if (!(await ctx.env.MEDIA.head(key))) {
      s.clips[index] = { ...s.clips[index]!, status: "rendering" };
      await ctx.sceneChanged(s, index);
      const request = {
        generationId: s.id,
        scene,
        brand,
        width,
        height,
        fps: 24,
        durationS,
        referenceImageKey: s.settings.reference_image,
        targetKey: key,
      };
      // Identical scenes across variations (same provider, prompt, seed, size, reference) are made once.
      const identity = [
        provider.name,
        provider.models,
        scene.visual_prompt,
        scene.seed,
        width,
        height,
        durationS,
        request.referenceImageKey,
      ];
      const made = await ctx.shared(`clip:${JSON.stringify(identity)}`, s.id, async () => {
        await provider.generateClip(request, {
          signal: ctx.signal,
          journal,
          store: async (body, size) => {
            await ctx.env.MEDIA.put(key, size ? body : await new Response(body).arrayBuffer(), {
              httpMetadata: { contentType: "video/mp4" },
            });
          },
          referenceImageUrl: async () =>
            s.settings.reference_image ? ctx.publicMediaUrl(s.settings.reference_image) : null,
        });
        return { key, model: (await journal.read())?.model ?? provider.models[0] ?? "unknown" };
      });
      if (made.reused) {
        // Each variation owns a copy, so deleting one never breaks another.
        const source = await ctx.env.MEDIA.get(made.value.key);
        if (!source)
          throw new Error(`the shared clip ${made.value.key} is gone; scene ${index} will be made again`);
        await ctx.env.MEDIA.put(key, source.body, { httpMetadata: { contentType: "video/mp4" } });
        await journal.write({
          modelIndex: 0,
          model: made.value.model,
          attempts: 0,
          reusedFrom: made.value.key,
        });
      }
    }
    const entry = await journal.read();
    const model = entry?.model ?? provider.models[0] ?? "unknown";
    // Priced from the journal, so a clip found in R2 after a crash is still billed right;
    // a clip copied from another variation's was paid for there.
    const billed = entry?.reusedFrom ? 0 : provider.billedSeconds(model, durationS);
    const cost = videoCost(model, billed);
    s.clips[index] = { status: "ready", key, model, seconds: billed, cost };
    s.costs = {
      ...s.costs,
      clips: [
        ...s.costs.clips.filter((c) => c.scene !== index),
        { scene: index, model, seconds: billed, cost },
      ],
    };
    Object.assign(s, clipsProgress(s));
    ctx.log.info("clip ready", { scene: index, model, seconds: billed, cost });
    await ctx.save(s);
    await ctx.sceneChanged(s, index);
  };

  const workers = Array.from({ length: Math.min(CLIP_CONCURRENCY, queue.length) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await renderOne(next);
  });
  await Promise.all(workers);
  Object.assign(s, { stage: "compose", stageAttempts: 0 });
  await ctx.save(s);
}

/** compose (80/90/95 %): one render-container job makes the finished ad and its thumbnail. */
export async function compose(ctx: StageContext, s: GenerationState): Promise<void> {
  const scenePlan = s.plan;
  if (!scenePlan || !s.spec) throw new Error("compose stage without a plan");
  const jobId = `${s.id}-compose-a${s.stageAttempts + 1}`;
  Object.assign(s, { progress: 80, currentStep: "Compositing scenes, overlays and transitions" });
  await ctx.save(s);
  try {
    for (const [i] of scenePlan.scenes.entries()) {
      const object = await ctx.env.MEDIA.get(clipKey(s.id, i));
      if (!object) throw new Error(`clip ${i} is missing from storage`);
      await stageFile(ctx.env, jobId, clipFileName(i), object.body, object.size);
    }
    const job = buildRenderJob({ jobId, spec: s.spec, plan: scenePlan, settings: s.settings });
    await runJob(ctx.env, "render", job, {
      signal: ctx.signal,
      onProgress: (event) => {
        if (event.phase === "rendering" && event.percent >= 50 && s.progress < 90) {
          Object.assign(s, { progress: 90, currentStep: "Mixing music and sound effects" });
          ctx.save(s).catch((err) => ctx.log.warn("progress save failed", { error: String(err) }));
        }
      },
    });
    Object.assign(s, { progress: 95, currentStep: "Exporting video and thumbnail" });
    await ctx.save(s);
    // Publish both outputs before the state says so: a retry overwrites the same keys.
    for (const [name, key, type] of [
      ["video.mp4", videoKey(s.id), "video/mp4"],
      ["thumbnail.jpg", thumbnailKey(s.id), "image/jpeg"],
    ] as const) {
      const file = await readFile(ctx.env, jobId, name);
      const size = Number(file.headers.get("content-length"));
      const body = size > 0 && file.body ? file.body : await file.arrayBuffer();
      await ctx.env.MEDIA.put(key, body, { httpMetadata: { contentType: type } });
    }
  } finally {
    await releaseJob(ctx.env, jobId);
  }
  Object.assign(s, { videoKey: videoKey(s.id), thumbnailKey: thumbnailKey(s.id), stage: "complete" });
  await ctx.save(s);
}

/** complete (100 %). */
export async function complete(ctx: StageContext, s: GenerationState): Promise<void> {
  Object.assign(s, { status: "completed", progress: 100, currentStep: "Done", completedAt: Date.now() });
  await ctx.save(s);
}

/** The stage functions by name. */
export const STAGE_RUNNERS = { enhance, plan, clips, compose, complete } as const;
