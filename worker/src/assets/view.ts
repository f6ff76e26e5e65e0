/**
 * How an asset leaves the API: snake_case, a signed media link, and a thumbnail link (the image
 * itself for images; null for audio and video, which have no thumbnails yet).
 */
import type { assets } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { signedMediaUrl } from "../lib/media-signing.ts";

export type AssetRow = typeof assets.$inferSelect;

/** Where an asset's bytes are in R2: under its owner's prefix, named by ids we made. */
export const assetKey = (userId: string, assetId: string) => `assets/${userId}/${assetId}`;

/** The asset as the API shows it, with links for `origin`. */
export async function assetView(env: Env, origin: string, row: AssetRow) {
  const url = await signedMediaUrl(env, origin, row.r2Key);
  return {
    id: row.id,
    kind: row.kind,
    content_type: row.contentType,
    name: row.name,
    size_bytes: row.sizeBytes,
    width: row.width,
    height: row.height,
    duration_s: row.durationS,
    codecs: row.codecs,
    created_at: row.createdAt,
    url,
    thumbnail_url: row.kind === "image" || row.kind === "reference" ? url : null,
  };
}
export type AssetView = Awaited<ReturnType<typeof assetView>>;
