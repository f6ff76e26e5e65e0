/**
 * Where a generation's media lives in R2. Every object of a generation sits under one of
 * these prefixes, so deleting a generation (or cleaning up after a cancel) is a prefix sweep.
 */
import type { Env } from "../env.ts";

/**
 * `clips/{generation}/clip-{identity}.mp4`: a rendered scene clip, named by what it shows and its
 * length (pipeline/clip-identity.ts), so versions of an ad share unchanged clips and a re-render
 * never overwrites a clip an earlier version uses.
 */
export const clipKey = (generationId: string, identityHash: string) =>
  `clips/${generationId}/clip-${identityHash}.mp4`;
/** The clip's poster frame (its middle), when its provider made one. */
export const posterKey = (generationId: string, identityHash: string) =>
  `clips/${generationId}/clip-${identityHash}.jpg`;
/**
 * The generation's own copy of its reference image (settings.reference_image, an asset), made
 * when the generation is created: the asset may be deleted later, the ad never breaks.
 */
export const referenceKey = (generationId: string) => `clips/${generationId}/reference`;
/** The generation's own copy of its music track (settings.music, an audio asset). */
export const musicKey = (generationId: string) => `clips/${generationId}/music`;
/** The generation's own copy of its logo (settings.logo, an image asset). */
export const logoKey = (generationId: string) => `clips/${generationId}/logo`;
/** The generation's own copy of clip `index` of a stitch (POST /api/stitch). */
export const stitchedClipKey = (generationId: string, index: number) => `clips/${generationId}/own-${index}`;
/** A storyboard keyframe, named by what it was drawn from (so a redraw never overwrites one in use). */
export const keyframeKey = (generationId: string, identityHash: string) =>
  `clips/${generationId}/keyframe-${identityHash}.jpg`;
/** Where version `version` of the finished ad lives: the first directly under the generation. */
const renderDir = (generationId: string, version: number) =>
  version <= 1 ? `renders/${generationId}` : `renders/${generationId}/v${version}`;
/** The finished ad (of one version). */
export const videoKey = (generationId: string, version = 1) =>
  `${renderDir(generationId, version)}/video.mp4`;
/** Its poster frame. */
export const thumbnailKey = (generationId: string, version = 1) =>
  `${renderDir(generationId, version)}/thumbnail.jpg`;
/** Scene `index`'s poster in the finished ad: its representative frame, overlay shown (as the thumbnail). */
export const scenePosterKey = (generationId: string, version: number, index: number) =>
  `${renderDir(generationId, version)}/scene-${index}.jpg`;

/** An export of version `version` (`exports/{generation}/v1-9x16-720p.webm`). */
export const exportKey = (
  generationId: string,
  e: { version: number; aspect: string; quality: number; format: string },
) => `exports/${generationId}/v${e.version}-${e.aspect.replace(":", "x")}-${e.quality}p.${e.format}`;

/** Every prefix under which a generation may have objects. */
export const generationPrefixes = (generationId: string) => [
  `clips/${generationId}/`,
  `renders/${generationId}/`,
  `exports/${generationId}/`,
];

/** Deletes the R2 objects of a generation that are not in `keep` (a discarded draft's media). */
export async function deleteGenerationMediaExcept(
  env: Pick<Env, "MEDIA">,
  generationId: string,
  keep: ReadonlySet<string>,
): Promise<number> {
  return sweep(env, generationId, (key) => !keep.has(key));
}

/** Deletes every R2 object of a generation. */
export async function deleteGenerationMedia(env: Pick<Env, "MEDIA">, generationId: string): Promise<number> {
  return sweep(env, generationId, () => true);
}

async function sweep(
  env: Pick<Env, "MEDIA">,
  generationId: string,
  doomed: (key: string) => boolean,
): Promise<number> {
  let deleted = 0;
  for (const prefix of generationPrefixes(generationId)) {
    let cursor: string | undefined;
    do {
      const page = await env.MEDIA.list({ prefix, cursor });
      const keys = page.objects.map((o) => o.key).filter(doomed);
      if (keys.length) await env.MEDIA.delete(keys);
      deleted += keys.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return deleted;
}
