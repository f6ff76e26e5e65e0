/**
 * The offline video provider: the render container's motion renderer (`POST /synthesize`)
 * makes each scene's clip from the brand colours, mood, scene type and text, or a Ken Burns
 * move over the reference image, and the clip's middle frame as its poster. Runs entirely on this machine and costs nothing.
 */
import { CONTRACT_VERSION } from "@promptreel/render-container/contract";
import type { Env } from "../env.ts";
import { readFile, releaseJob, runJob, stageFile } from "../render/client.ts";
import type { ClipContext, ClipRequest, ClipUsage, VideoProvider } from "./types.ts";

export const OFFLINE_VIDEO_MODEL = "motion-renderer-v1";

/** Creates the provider over the render container reachable from `env`. */
export function createOfflineVideoProvider(env: Env): VideoProvider {
  return {
    name: "offline",
    models: [OFFLINE_VIDEO_MODEL],
    async generateClip(request: ClipRequest, ctx: ClipContext): Promise<ClipUsage> {
      const previous = await ctx.journal.read();
      const attempts = (previous?.attempts ?? 0) + 1;
      const jobId = `${request.generationId}-s${request.scene.index}-a${attempts}`;
      await ctx.journal.write({ modelIndex: 0, model: OFFLINE_VIDEO_MODEL, attempts, predictionId: jobId });
      try {
        let image: { file: string } | undefined;
        if (request.referenceImageKey) {
          const object = await env.MEDIA.get(request.referenceImageKey);
          if (!object) throw new Error("The reference image no longer exists");
          await stageFile(env, jobId, "reference", object.body, object.size);
          image = { file: "reference" };
        }
        await runJob(
          env,
          "synthesize",
          {
            version: CONTRACT_VERSION,
            job_id: jobId,
            width: request.width,
            height: request.height,
            fps: request.fps,
            duration_s: request.durationS,
            seed: request.scene.seed,
            scene: {
              index: request.scene.index,
              type: request.scene.type,
              text: request.scene.overlay.text,
              visual_prompt: request.scene.visual_prompt,
            },
            brand: request.brand,
            ...(image ? { image } : {}),
            // The poster is the clip's middle frame, tapped from the same ffmpeg pass.
            output: { video: { file: "clip.mp4" }, still: { file: "poster.jpg" } },
          },
          { signal: ctx.signal },
        );
        const file = await readFile(env, jobId, "clip.mp4");
        await ctx.store(file.body!, Number(file.headers.get("content-length")) || undefined);
        const poster = await readFile(env, jobId, "poster.jpg");
        await ctx.storePoster(poster.body!, Number(poster.headers.get("content-length")) || undefined);
        return { model: OFFLINE_VIDEO_MODEL, videoSeconds: request.durationS };
      } finally {
        await releaseJob(env, jobId);
      }
    },
    billedSeconds: (_model, durationS) => durationS,
    async cancelClip(entry) {
      if (entry?.predictionId) await releaseJob(env, entry.predictionId);
    },
  };
}
