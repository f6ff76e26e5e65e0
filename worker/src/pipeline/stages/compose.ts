/** compose (80/90/95 %): one render-container job makes the finished ad and its thumbnail. */
import type { GenerationState } from "../../groups/state.ts";
import { readFile, releaseJob, runJob, stageFile } from "../../render/client.ts";
import { logoKey, musicKey, thumbnailKey, videoKey } from "../media-keys.ts";
import { buildRenderJob, clipFileName } from "../render-job.ts";
import type { StageContext } from "./context.ts";

/** The staged name of the user's own music track. */
const MUSIC_FILE = "music";
/** The staged name of the brand's logo. */
const LOGO_FILE = "logo";

export async function compose(ctx: StageContext, s: GenerationState): Promise<void> {
  const scenePlan = s.plan;
  if (!scenePlan || !s.spec) throw new Error("compose stage without a plan");
  const jobId = `${s.id}-compose-a${s.stageAttempts + 1}`;
  const version = s.version ?? 1;
  Object.assign(s, { progress: 80, currentStep: "Compositing scenes, overlays and transitions" });
  await ctx.save(s);
  try {
    for (const [i] of scenePlan.scenes.entries()) {
      const key = s.clips[i]?.key;
      const object = key ? await ctx.env.MEDIA.get(key) : null;
      if (!object) throw new Error(`clip ${i} is missing from storage`);
      await stageFile(ctx.env, jobId, clipFileName(i), object.body, object.size);
    }
    if (s.settings.music) {
      const music = await ctx.env.MEDIA.get(musicKey(s.id));
      if (!music) throw new Error("the music track is missing from storage");
      await stageFile(ctx.env, jobId, MUSIC_FILE, music.body, music.size);
    }
    if (s.settings.logo) {
      const logo = await ctx.env.MEDIA.get(logoKey(s.id));
      if (!logo) throw new Error("the logo is missing from storage");
      await stageFile(ctx.env, jobId, LOGO_FILE, logo.body, logo.size);
    }
    const job = buildRenderJob({
      jobId,
      spec: s.spec,
      plan: scenePlan,
      settings: s.settings,
      musicFile: s.settings.music ? MUSIC_FILE : null,
      logoFile: s.settings.logo ? LOGO_FILE : null,
    });
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
      ["video.mp4", videoKey(s.id, version), "video/mp4"],
      ["thumbnail.jpg", thumbnailKey(s.id, version), "image/jpeg"],
    ] as const) {
      const file = await readFile(ctx.env, jobId, name);
      const size = Number(file.headers.get("content-length"));
      const body = size > 0 && file.body ? file.body : await file.arrayBuffer();
      await ctx.env.MEDIA.put(key, body, { httpMetadata: { contentType: type } });
    }
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
