/**
 * Where a generation's media lives in R2. Every object of a generation sits under one of
 * these prefixes, so deleting a generation (or cleaning up after a cancel) is a prefix sweep.
 */
import type { Env } from "../env.ts";

/** `clips/{generation}/{scene}.mp4`: one rendered clip per scene. */
export const clipKey = (generationId: string, sceneIndex: number) =>
  `clips/${generationId}/${sceneIndex}.mp4`;
/** `clips/{generation}/{scene}.jpg`: the clip's poster frame, when its provider made one. */
export const posterKey = (generationId: string, sceneIndex: number) =>
  `clips/${generationId}/${sceneIndex}.jpg`;
/** A storyboard keyframe, named by what it was drawn from (so a redraw never overwrites one in use). */
export const keyframeKey = (generationId: string, identityHash: string) =>
  `clips/${generationId}/keyframe-${identityHash}.jpg`;
/** The finished ad. */
export const videoKey = (generationId: string) => `renders/${generationId}/video.mp4`;
/** The poster frame. */
export const thumbnailKey = (generationId: string) => `renders/${generationId}/thumbnail.jpg`;

/** Every prefix under which a generation may have objects. */
export const generationPrefixes = (generationId: string) => [
  `clips/${generationId}/`,
  `renders/${generationId}/`,
];

/** Deletes every R2 object of a generation. */
export async function deleteGenerationMedia(env: Pick<Env, "MEDIA">, generationId: string): Promise<number> {
  let deleted = 0;
  for (const prefix of generationPrefixes(generationId)) {
    let cursor: string | undefined;
    do {
      const page = await env.MEDIA.list({ prefix, cursor });
      const keys = page.objects.map((o) => o.key);
      if (keys.length) await env.MEDIA.delete(keys);
      deleted += keys.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return deleted;
}
