/**
 * The offline video provider: the render container's motion renderer (offline-synth.ts) makes
 * each scene's clip, and the clip's middle frame as its poster, in one pass. Costs nothing.
 */
import type { Env } from "../env.ts";
import { releaseJob } from "../render/client.ts";
import { stagedOutput, synthesize } from "./offline-synth.ts";
import type { ClipContext, ClipRequest, ClipUsage, VideoProvider } from "./types.ts";

export const OFFLINE_VIDEO_MODEL = "motion-renderer-v1";

/** Creates the provider over the render container reachable from `env`. */
export function createOfflineVideoProvider(env: Env): VideoProvider {
  return {
    name: "offline",
    models: [OFFLINE_VIDEO_MODEL],
    // The render container queues synthesis within its CPU budget anyway; three at a time keeps a
    // generation's clips (and their live previews) arriving in scene order rather than all at the end.
    maxConcurrentClips: 3,
    async generateClip(request: ClipRequest, ctx: ClipContext): Promise<ClipUsage> {
      const previous = await ctx.journal.read();
      const attempts = (previous?.attempts ?? 0) + 1;
      const jobId = `${request.generationId}-s${request.scene.index}-a${attempts}`;
      await ctx.journal.write({ modelIndex: 0, model: OFFLINE_VIDEO_MODEL, attempts, predictionId: jobId });
      try {
        // The poster is the clip's middle frame, tapped from the same ffmpeg pass.
        await synthesize(
          env,
          jobId,
          request,
          { video: { file: "clip.mp4" }, still: { file: "poster.jpg" } },
          ctx.signal,
        );
        const clip = await stagedOutput(env, jobId, "clip.mp4");
        await ctx.store(clip.body, clip.size);
        const poster = await stagedOutput(env, jobId, "poster.jpg");
        await ctx.storePoster(poster.body, poster.size);
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
