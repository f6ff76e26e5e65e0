/**
 * The offline keyframe provider: the same motion renderer as the offline clips draws the scene's
 * middle frame as a still, so a storyboard keyframe predicts the clip it stands for. Costs nothing.
 */
import type { Env } from "../env.ts";
import { releaseJob } from "../render/client.ts";
import { stagedOutput, synthesize } from "./offline-synth.ts";
import type { ImageProvider, KeyframeContext, KeyframeRequest } from "./types.ts";

export const OFFLINE_IMAGE_MODEL = "motion-renderer-v1";

/** Creates the provider over the render container reachable from `env`. */
export function createOfflineImageProvider(env: Env): ImageProvider {
  return {
    name: "offline",
    model: OFFLINE_IMAGE_MODEL,
    async generateKeyframe(request: KeyframeRequest, ctx: KeyframeContext) {
      const jobId = `${request.generationId}-k${request.scene.seed}-${crypto.randomUUID().slice(0, 8)}`;
      try {
        await synthesize(env, jobId, request, { still: { file: "keyframe.jpg" } }, ctx.signal);
        const still = await stagedOutput(env, jobId, "keyframe.jpg");
        await ctx.store(still.body, still.size);
        return { model: OFFLINE_IMAGE_MODEL, images: 1 };
      } finally {
        await releaseJob(env, jobId);
      }
    },
  };
}
