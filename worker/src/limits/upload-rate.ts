/**
 * The per-minute upload limit (UPLOADS_PER_MINUTE, default 10), exact under concurrency. Every
 * attempt counts, refused ones too (the checks are the expensive part): one conditional
 * INSERT ... SELECT claims a slot only while the user's last minute has room, and D1 runs each
 * statement atomically, so two racing uploads can never both take the last slot.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { uploadAttempts } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import { type Env, intVar } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

const U = sqlNames(uploadAttempts);
export const UPLOAD_WINDOW_MS = 60 * 1000;
const DEFAULT_PER_MINUTE = 10;

/** The configured number of upload attempts per rolling minute. */
export const uploadsPerMinute = (env: Env) => intVar(env.UPLOADS_PER_MINUTE, DEFAULT_PER_MINUTE);

/** Claims one upload attempt for `userId`, or throws 429 with Retry-After. */
export async function claimUploadAttempt(env: Env, userId: string, now = Date.now()): Promise<void> {
  const limit = uploadsPerMinute(env);
  const since = now - UPLOAD_WINDOW_MS;
  const [claim] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO ${U.$table} (${U.userId}, ${U.createdAt})
       SELECT ?1, ?2
       WHERE (SELECT COUNT(*) FROM ${U.$table} WHERE ${U.userId} = ?1 AND ${U.createdAt} > ?3) < ?4`,
    ).bind(userId, now, since, limit),
    // The user's attempts that left the window are never read again.
    env.DB.prepare(`DELETE FROM ${U.$table} WHERE ${U.userId} = ?1 AND ${U.createdAt} <= ?2`).bind(
      userId,
      since,
    ),
  ]);
  if (claim?.meta.changes) return;
  const oldest = await getDb(env)
    .select({ createdAt: uploadAttempts.createdAt })
    .from(uploadAttempts)
    .where(and(eq(uploadAttempts.userId, userId), gt(uploadAttempts.createdAt, since)))
    .orderBy(asc(uploadAttempts.createdAt))
    .limit(1)
    .get();
  const retryAfter = Math.max(1, Math.ceil(((oldest?.createdAt ?? now) + UPLOAD_WINDOW_MS - now) / 1000));
  throw new ApiError(
    429,
    "rate_limited",
    `You have reached the limit of ${limit} uploads per minute. Try again in ${retryAfter} s.`,
    { headers: { "Retry-After": String(retryAfter) }, details: { limit, retry_after_seconds: retryAfter } },
  );
}
