/**
 * compose (80/90/95 %): one render-container job makes the finished ad, its thumbnail, a poster
 * per scene and the QC report measured on the file.
 */
import type { RenderJobInput } from "@promptreel/render-container/contract";
import type { Env } from "../../env.ts";
import type { ClipState, GenerationState } from "../../groups/state.ts";
import { promptFacts } from "../../providers/copy/facts.ts";
import { OFFLINE_VIDEO_MODEL } from "../../providers/offline-video.ts";
import { readFile, releaseJob, runJob, stageFile } from "../../render/client.ts";
import { logoKey, musicKey, scenePosterKey, thumbnailKey, videoKey } from "../media-keys.ts";
import { buildRenderJob, clipFileName, encodeFor, scenePosterFileName } from "../render-job.ts";
import type { GenerationSettings } from "../settings.ts";
import type { ScenePlan } from "../spec.ts";
import type { StageContext } from "./context.ts";

export async function compose(ctx: StageContext, s: GenerationState): Promise<void> {
  const scenePlan = s.plan;
  if (!scenePlan || !s.spec) throw new Error("compose stage without a plan");
  const jobId = `${s.id}-compose-a${s.stageAttempts + 1}`;
  const version = s.version ?? 1;
  Object.assign(s, { progress: 80, currentStep: "Compositing scenes, overlays and transitions" });
  await ctx.save(s);
  try {
    const job = await stageAndBuildRenderJob(ctx.env, s, jobId, scenePlan, s.clips);
    const result = await runJob(ctx.env, "render", job, {
      signal: ctx.signal,
      onProgress: (event) => {
        if (event.phase === "rendering" && event.percent >= 50 && s.progress < 90) {
          Object.assign(s, { progress: 90, currentStep: "Mixing music and sound effects" });
          ctx.save(s).catch((err) => ctx.log.warn("progress save failed", { error: String(err) }));
        }
      },
    });
    if (result.outputs.video)
      s.masters = {
        ...s.masters,
        [version]: {
          probe: result.outputs.video,
          loudness: result.loudness ?? null,
          qc: result.qc ?? null,
        },
      };
    Object.assign(s, { progress: 95, currentStep: "Exporting video and thumbnail" });
    await ctx.save(s);
    // Publish the outputs before the state says so: a retry overwrites the same keys.
    const posters = (result.outputs.posters ?? []).map(
      (_, i) => [scenePosterFileName(i), scenePosterKey(s.id, version, i), "image/jpeg"] as const,
    );
    for (const [name, key, type] of [
      ["video.mp4", videoKey(s.id, version), "video/mp4"],
      ["thumbnail.jpg", thumbnailKey(s.id, version), "image/jpeg"],
      ...posters,
    ] as const) {
      const file = await readFile(ctx.env, jobId, name);
      const size = Number(file.headers.get("content-length"));
      const body = size > 0 && file.body ? file.body : await file.arrayBuffer();
      await ctx.env.MEDIA.put(key, body, { httpMetadata: { contentType: type } });
    }
    const master = s.masters?.[version];
    if (master) master.scenePosterKeys = posters.map(([, key]) => key);
  } finally {
    await releaseJob(ctx.env, jobId);
  }
  Object.assign(s, {
    videoKey: videoKey(s.id, version),
    thumbnailKey: thumbnailKey(s.id, version),
    stage: "complete",
  });
  await ctx.save(s);
}

/** The staged name of the user's own music track. */
const MUSIC_FILE = "music";
/** The staged name of the brand's logo. */
const LOGO_FILE = "logo";

/**
 * Stages the clips of `plan` (`clips`, by position), the user's music and logo into job `jobId`
 * and answers the compose job for them (exports of another aspect re-compose through it too).
 */
export async function stageAndBuildRenderJob(
  env: Env,
  s: GenerationState,
  jobId: string,
  plan: ScenePlan,
  clips: ClipState[],
  settings: GenerationSettings = s.settings,
): Promise<RenderJobInput> {
  for (const [i] of plan.scenes.entries()) {
    const key = clips[i]?.key;
    const object = key ? await env.MEDIA.get(key) : null;
    if (!object) throw new Error(`clip ${i} is missing from storage`);
    await stageFile(env, jobId, clipFileName(i), object.body, object.size);
  }
  if (settings.music) {
    const music = await env.MEDIA.get(musicKey(s.id));
    if (!music) throw new Error("the music track is missing from storage");
    await stageFile(env, jobId, MUSIC_FILE, music.body, music.size);
  }
  if (settings.logo) {
    const logo = await env.MEDIA.get(logoKey(s.id));
    if (!logo) throw new Error("the logo is missing from storage");
    await stageFile(env, jobId, LOGO_FILE, logo.body, logo.size);
  }
  return buildRenderJob({
    jobId,
    spec: s.spec!,
    plan,
    settings,
    musicFile: settings.music ? MUSIC_FILE : null,
    logoFile: settings.logo ? LOGO_FILE : null,
    // What QC checks the overlays for: the prompt's brand, offers and numbers (a stitch of the
    // user's own clips has no prompt to keep).
    facts: s.source === "stitch" ? [] : promptFacts(s.prompt).mustSay,
    // Only the motion renderer's pictures get its encode (a stitch's clips are "upload").
    encode: encodeFor(
      plan.scenes.map((_, i) => clips[i]?.model ?? null),
      OFFLINE_VIDEO_MODEL,
    ),
  });
}
