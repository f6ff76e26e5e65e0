/**
 * One upload from bytes to record, treating it as hostile throughout:
 *
 * 1. the first bytes decide the format (`formats.ts`); anything else is refused before storing;
 * 2. the bytes stream into R2 at `assets/{user}/{new uuid}`, counted and hashed (`intake.ts`);
 * 3. the same bytes already stored by this user answer the existing asset (the copy is deleted);
 * 4. the structure is checked (`structure.ts`: truncation, appended data), then images by their
 *    header dimensions (`image-checks.ts`), audio and video by the render container's probe
 *    (`media-checks.ts`);
 * 5. the row is inserted only now, within the quota (`limits/asset-quota.ts`).
 *
 * Every refusal throws, and then the R2 object is deleted (in a `finally`), so a refused upload
 * leaves no object and no row.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { assets } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { insertWithinQuota } from "../limits/asset-quota.ts";
import { type AcceptedFormat, detectFormat, invalidMedia } from "./formats.ts";
import { checkImageSize } from "./image-checks.ts";
import { emptyFile, HEAD_BYTES, peekHead, sanitizeName, storeStream, type UploadSource } from "./intake.ts";
import { checkMedia } from "./media-checks.ts";
import { type ByteSource, checkStructure, r2Bytes } from "./structure.ts";
import { type AssetRow, assetKey } from "./view.ts";

/** The user's asset with these bytes, if any. */
async function sameBytes(env: Env, userId: string, sha256: string): Promise<AssetRow | undefined> {
  return getDb(env)
    .select()
    .from(assets)
    .where(and(eq(assets.userId, userId), eq(assets.sha256, sha256)))
    .get();
}

/** What the checks measured, by kind. */
async function inspect(env: Env, id: string, key: string, src: ByteSource, format: AcceptedFormat) {
  await checkStructure(src, format);
  if (format.kind === "image") {
    const { width, height } = await checkImageSize(src, format);
    return { kind: "image" as const, width, height, durationS: null, codecs: null };
  }
  return checkMedia(env, id, key, format);
}

/**
 * A generated asset (a reference candidate) goes through the same checks as an upload (a
 * provider's output is no more trusted than a user's file), then is recorded as `reference`
 * with its cost, charged to the user when, and only when, the row is written.
 */
export interface GeneratedAsset {
  kind: "reference";
  cost: number;
}

/**
 * Checks and stores `source` as an asset of `userId`. Answers the asset and whether it is new
 * (false: the user already had these bytes). Throws the refusal otherwise.
 */
export async function acceptUpload(
  env: Env,
  userId: string,
  source: UploadSource,
  now = Date.now(),
  generated?: GeneratedAsset,
): Promise<{ asset: AssetRow; created: boolean }> {
  const { head, whole } = await peekHead(source.body, HEAD_BYTES);
  let format: AcceptedFormat;
  try {
    if (head.byteLength === 0) throw emptyFile();
    format = await detectFormat(head.subarray(0, HEAD_BYTES), source);
  } catch (err) {
    await whole.cancel().catch(() => undefined);
    throw err;
  }
  const id = crypto.randomUUID();
  const key = assetKey(userId, id);
  let keep = false;
  try {
    const stored = await storeStream(env.MEDIA, key, whole, source.length, format.contentType);
    const existing = await sameBytes(env, userId, stored.sha256);
    if (existing) return { asset: existing, created: false };
    const facts = await inspect(env, id, key, r2Bytes(env.MEDIA, key, stored.size, head), format);
    if (generated && facts.kind !== "image")
      throw invalidMedia("The image model answered something that is not an image.");
    const row: AssetRow = {
      id,
      userId,
      ...facts,
      ...(generated ? { kind: generated.kind } : {}),
      contentType: format.contentType,
      name: sanitizeName(source.name, `upload.${format.extensions[0]}`),
      sizeBytes: stored.size,
      sha256: stored.sha256,
      r2Key: key,
      cost: generated?.cost ?? 0,
      createdAt: now,
    };
    const charge = generated ? { usd: generated.cost, at: now } : undefined;
    if ((await insertWithinQuota(env, row, charge)) === "duplicate") {
      // The same bytes were recorded by a concurrent upload meanwhile.
      const first = await sameBytes(env, userId, stored.sha256);
      if (!first)
        throw new ApiError(409, "conflict", "The same file was uploaded and deleted at once; try again.");
      return { asset: first, created: false };
    }
    keep = true;
    return { asset: row, created: true };
  } finally {
    if (!keep) await env.MEDIA.delete(key);
  }
}
