/**
 * The user's own media (issue 12): upload, list, read, delete. Mounted at /api/assets in
 * app.ts before the JSON API, so uploads bypass its 64 KiB body limit and JSON-only rule; the
 * upload route has its own limits (`assets/intake.ts`).
 *
 * - `POST /api/assets`: one file, as the raw body (Content-Type, and `?name=` or `X-File-Name`)
 *   or a multipart form with one `file` field. 201 with the new asset; 200 with the existing one
 *   when the user already uploaded the same bytes. Refusals are 4xx in the API's error shape
 *   and leave no object and no row (`assets/upload.ts`). At most UPLOADS_PER_MINUTE attempts a
 *   minute (429 with Retry-After) and the storage quota (ASSET_QUOTA_MB, ASSET_QUOTA_COUNT).
 * - `GET /api/assets?kind=&limit=&cursor=`: newest first, cursor-paged, with usage and quota.
 * - `GET /api/assets/:id`, `DELETE /api/assets/:id` (204: the R2 object, then the row).
 *   Generations will keep their own copies of assets they use, so deleting an asset never
 *   breaks a finished ad (nothing references assets yet).
 *
 * Another user's asset id is a 404, like a missing one (`ownership.ts`).
 */
import { and, desc, eq, lt, or } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { uploadSource } from "../assets/intake.ts";
import { acceptUpload } from "../assets/upload.ts";
import { assetView } from "../assets/view.ts";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { ASSET_KINDS, assets } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import { ApiError } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { fieldError, pathParams, queryParams } from "../lib/validate.ts";
import { assertRoomFor, assetQuota, assetUsage } from "../limits/asset-quota.ts";
import { claimUploadAttempt } from "../limits/upload-rate.ts";
import { ownAsset } from "./ownership.ts";

const UploadQuerySchema = z.object({ name: z.string().max(1000).optional() });

const ListQuerySchema = z.object({
  kind: z.enum(ASSET_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: z.string().max(200).optional(),
});

const IdParamSchema = z.object({ id: z.string().min(1).max(64) });

const originOf = (url: string) => new URL(url).origin;

export const assetRoutes = new Hono<AppEnv>()
  .post("/", requireUser, queryParams(UploadQuerySchema), async (c) => {
    const userId = c.get("user").id;
    await claimUploadAttempt(c.env, userId);
    try {
      const source = await uploadSource(c.req.raw, c.req.valid("query").name);
      await assertRoomFor(c.env, userId, source.length);
      const { asset, created } = await acceptUpload(c.env, userId, source);
      logger(c).info(created ? "asset uploaded" : "asset upload matched an existing asset", {
        user_id: userId,
        asset_id: asset.id,
        kind: asset.kind,
        size_bytes: asset.sizeBytes,
      });
      return c.json(await assetView(c.env, originOf(c.req.url), asset), created ? 201 : 200);
    } catch (err) {
      if (err instanceof ApiError)
        logger(c).info("asset upload refused", { user_id: userId, status: err.status, reason: err.message });
      throw err;
    }
  })
  .get("/", requireUser, queryParams(ListQuerySchema), async (c) => {
    const { kind, limit, cursor } = c.req.valid("query");
    const userId = c.get("user").id;
    const after = cursor ? decodeCursor(cursor) : null;
    if (cursor && !after) throw fieldError("cursor", "is not a cursor from this list");
    const rows = await getDb(c.env)
      .select()
      .from(assets)
      .where(
        and(
          eq(assets.userId, userId),
          kind ? eq(assets.kind, kind) : undefined,
          after
            ? or(
                lt(assets.createdAt, after.createdAt),
                and(eq(assets.createdAt, after.createdAt), lt(assets.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(assets.createdAt), desc(assets.id))
      .limit(limit + 1)
      .all();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const usage = await assetUsage(c.env, userId);
    const quota = assetQuota(c.env);
    return c.json(
      {
        assets: await Promise.all(page.map((row) => assetView(c.env, originOf(c.req.url), row))),
        next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
        total_bytes: usage.totalBytes,
        count: usage.count,
        quota: { max_bytes: quota.maxBytes, max_count: quota.maxCount },
      },
      200,
    );
  })
  .get("/:id", requireUser, pathParams(IdParamSchema), async (c) => {
    const row = await ownAsset(c.env, c.req.valid("param").id, c.get("user").id);
    return c.json(await assetView(c.env, originOf(c.req.url), row), 200);
  })
  .delete("/:id", requireUser, pathParams(IdParamSchema), async (c) => {
    const userId = c.get("user").id;
    const row = await ownAsset(c.env, c.req.valid("param").id, userId);
    // The object first: if this fails the row remains and the user can retry; the reverse
    // order would orphan bytes nobody can reach.
    await c.env.MEDIA.delete(row.r2Key);
    await getDb(c.env)
      .delete(assets)
      .where(and(eq(assets.id, row.id), eq(assets.userId, userId)));
    logger(c).info("asset deleted", { user_id: userId, asset_id: row.id });
    return c.body(null, 204);
  });
