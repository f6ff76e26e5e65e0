/**
 * The storage quota for uploaded assets: at most ASSET_QUOTA_MB (default 500) megabytes and
 * ASSET_QUOTA_COUNT (default 100) assets per user. Checked twice: against the declared length
 * before any byte is read ({@link assertRoomFor}), and atomically when the row is written
 * ({@link insertWithinQuota}: one conditional INSERT ... SELECT, so racing uploads cannot
 * together overshoot the quota, and a concurrent upload of the same bytes is not recorded twice).
 */
import { and, count, eq, sum } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { assets, users } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import { type Env, intVar } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

import { spendMonthOf } from "./budget.ts";

const A = sqlNames(assets);
const U = sqlNames(users);
/** Decimal megabytes, as people read file sizes. */
export const MB = 1_000_000;

export interface AssetQuota {
  maxBytes: number;
  maxCount: number;
}

export interface AssetUsage {
  totalBytes: number;
  count: number;
}

/** The configured quota. */
export function assetQuota(env: Env): AssetQuota {
  return { maxBytes: intVar(env.ASSET_QUOTA_MB, 500) * MB, maxCount: intVar(env.ASSET_QUOTA_COUNT, 100) };
}

/** What the user's assets take now. */
export async function assetUsage(env: Env, userId: string): Promise<AssetUsage> {
  const row = await getDb(env)
    .select({ n: count(), bytes: sum(assets.sizeBytes) })
    .from(assets)
    .where(eq(assets.userId, userId))
    .get();
  return { totalBytes: Number(row?.bytes ?? 0), count: row?.n ?? 0 };
}

const megabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** The refusal for an upload of `bytes` that does not fit; null when it fits. */
export function quotaRefusal(quota: AssetQuota, usage: AssetUsage, bytes: number): ApiError | null {
  const details = {
    quota: { max_bytes: quota.maxBytes, max_count: quota.maxCount },
    total_bytes: usage.totalBytes,
    count: usage.count,
  };
  if (usage.count >= quota.maxCount)
    return new ApiError(
      409,
      "conflict",
      `You already have ${usage.count} assets, the most allowed (${quota.maxCount}). Delete some to upload more.`,
      { details },
    );
  if (usage.totalBytes + bytes > quota.maxBytes)
    return new ApiError(
      413,
      "payload_too_large",
      `This file (${megabytes(bytes)}) does not fit in your storage quota: ${megabytes(usage.totalBytes)} of ${megabytes(quota.maxBytes)} used. Delete assets to make room.`,
      { details },
    );
  return null;
}

/** Throws the quota refusal when `bytes` more would not fit. */
export async function assertRoomFor(env: Env, userId: string, bytes: number): Promise<void> {
  const refusal = quotaRefusal(assetQuota(env), await assetUsage(env, userId), bytes);
  if (refusal) throw refusal;
}

/**
 * The condition under which an asset row may be written: the user (`?2`) has fewer than `?15`
 * assets, `?6` more bytes fit under `?16`, and no asset of theirs has the hash `?7`.
 */
const ROOM = `(SELECT COUNT(*) FROM ${A.$table} WHERE ${A.userId} = ?2) < ?15
       AND (SELECT COALESCE(SUM(${A.sizeBytes}), 0) FROM ${A.$table} WHERE ${A.userId} = ?2) + ?6 <= ?16
       AND NOT EXISTS (SELECT 1 FROM ${A.$table} WHERE ${A.userId} = ?2 AND ${A.sha256} = ?7)`;

/**
 * Inserts `row` if the quota has room and the user has no asset with the same bytes. Answers
 * `inserted`, or `duplicate` (the caller answers the existing asset); throws the quota refusal.
 * With `charge`, the user is charged the asset's cost in the same transaction, under the same
 * condition, so a generated asset is paid for exactly when it is recorded (a repeat after a
 * crash finds the bytes recorded and charges nothing).
 */
export async function insertWithinQuota(
  env: Env,
  row: typeof assets.$inferInsert,
  charge?: { usd: number; at: number },
): Promise<"inserted" | "duplicate"> {
  const quota = assetQuota(env);
  const columns = [
    A.id,
    A.userId,
    A.kind,
    A.contentType,
    A.name,
    A.sizeBytes,
    A.sha256,
    A.width,
    A.height,
    A.durationS,
    A.codecs,
    A.r2Key,
    A.cost,
    A.createdAt,
  ];
  const binds = [
    row.id,
    row.userId,
    row.kind,
    row.contentType,
    row.name,
    row.sizeBytes,
    row.sha256,
    row.width ?? null,
    row.height ?? null,
    row.durationS ?? null,
    row.codecs ?? null,
    row.r2Key,
    row.cost ?? 0,
    row.createdAt,
    quota.maxCount,
    quota.maxBytes,
  ];
  const insert = env.DB.prepare(
    `INSERT INTO ${A.$table} (${columns.join(", ")})
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 WHERE ${ROOM}`,
  ).bind(...binds);
  const statements = [insert];
  if (charge && charge.usd > 0) {
    // Before the insert in the batch, so both see the same rows and both happen or neither.
    // ?17 is the charge in USD, ?18 its month; ?1-?16 as the insert's.
    statements.unshift(
      env.DB.prepare(
        `UPDATE ${U.$table} SET ${U.totalCost} = ${U.totalCost} + ?17,
           ${U.monthSpendUsd} = CASE WHEN ${U.spendMonth} = ?18 THEN ${U.monthSpendUsd} + ?17 ELSE ?17 END,
           ${U.spendMonth} = ?18
         WHERE ${U.id} = ?2 AND ${ROOM}`,
      ).bind(...binds, charge.usd, spendMonthOf(charge.at)),
    );
  }
  const results = await env.DB.batch(statements);
  if (results.at(-1)?.meta.changes) return "inserted";
  const duplicate = await getDb(env)
    .select({ id: assets.id })
    .from(assets)
    .where(and(eq(assets.userId, row.userId), eq(assets.sha256, row.sha256)))
    .get();
  if (duplicate) return "duplicate";
  throw (
    quotaRefusal(quota, await assetUsage(env, row.userId), row.sizeBytes) ?? new Error("asset not inserted")
  );
}
