/**
 * The hourly generation limit, exact under concurrency. A request for N generations inserts
 * one `usage_events` row of N units with a single conditional INSERT ... SELECT: D1 runs each
 * statement atomically and one at a time, so two racing requests can never both see room
 * for the last unit. The group and generation rows are inserted in the same batch (one
 * transaction) and only if that usage row exists, so a refused request writes nothing.
 * A generation cancelled before it spent anything gives its unit back ({@link refundUnit}).
 */
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import { type Db, getDb } from "../db/client.ts";
import { usageEvents } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import { type Env, intVar } from "../env.ts";
import type { ClipState, GenerationState } from "../groups/state.ts";
import { ApiError } from "../lib/errors.ts";
import { totalOf } from "../pipeline/prices.ts";

const U = sqlNames(usageEvents);
export const WINDOW_MS = 60 * 60 * 1000;
const DEFAULT_PER_HOUR = 10;

/** The configured limit per rolling hour. */
export const generationsPerHour = (env: Env) => intVar(env.GENERATIONS_PER_HOUR, DEFAULT_PER_HOUR);

/**
 * The statement that claims `units` of quota for `groupId`, or changes nothing when the
 * user's window has no room. Put it first in the batch that creates the records.
 */
export function claimQuotaStatement(env: Env, userId: string, groupId: string, units: number, now: number) {
  return env.DB.prepare(
    `INSERT INTO ${U.$table} (${U.userId}, ${U.groupId}, ${U.units}, ${U.createdAt})
     SELECT ?1, ?2, ?3, ?4
     WHERE (SELECT COALESCE(SUM(${U.units}), 0) FROM ${U.$table} WHERE ${U.userId} = ?1 AND ${U.createdAt} > ?5) + ?3 <= ?6`,
  ).bind(userId, groupId, units, now, now - WINDOW_MS, generationsPerHour(env));
}

/**
 * The 429 for a refused claim, with Retry-After set to when enough units leave the window
 * for `units` more to fit.
 */
export async function quotaExceeded(
  env: Env,
  userId: string,
  units: number,
  now = Date.now(),
): Promise<ApiError> {
  const limit = generationsPerHour(env);
  const results = await getDb(env)
    .select({ units: usageEvents.units, created_at: usageEvents.createdAt })
    .from(usageEvents)
    .where(and(eq(usageEvents.userId, userId), gt(usageEvents.createdAt, now - WINDOW_MS)))
    .orderBy(asc(usageEvents.createdAt))
    .all();
  let used = results.reduce((sum, r) => sum + r.units, 0);
  let freeAt = now;
  for (const r of results) {
    if (used + units <= limit) break;
    used -= r.units;
    freeAt = r.created_at + WINDOW_MS;
  }
  const retryAfter = Math.max(1, Math.ceil((freeAt - now) / 1000));
  const message =
    units > limit
      ? `At most ${limit} generations fit in an hour; this request asks for ${units}.`
      : `You have reached the limit of ${limit} generations per hour. Try again in ${Math.ceil(retryAfter / 60)} min.`;
  return new ApiError(429, "rate_limited", message, {
    headers: { "Retry-After": String(retryAfter) },
    details: { limit, retry_after_seconds: retryAfter },
  });
}

/**
 * Claims one generation of quota on its own (a re-render of an edited ad), or throws the 429.
 * Answers the claim's id, for {@link releaseClaim} when the work turns out not to start.
 */
export async function claimOne(env: Env, userId: string, groupId: string, now = Date.now()): Promise<number> {
  const result = await claimQuotaStatement(env, userId, groupId, 1, now).run();
  if (!result.meta.changes) throw await quotaExceeded(env, userId, 1, now);
  return Number(result.meta.last_row_id);
}

/** Gives back a claim made by {@link claimOne}. */
export async function releaseClaim(env: Env, claimId: number): Promise<void> {
  await getDb(env).delete(usageEvents).where(eq(usageEvents.id, claimId));
}

/**
 * True when generation `s` has spent nothing, so that cancelling it gives its unit back: no cost
 * recorded at any stage (tokens, images, clips, compose), no clip seconds billed (a free model
 * bills seconds too), no clip or keyframe asked of a provider (one cancelled mid-way may still be
 * charged; a clip copied from another variation's is not asked for), and no render started (a
 * stitch's one piece of work). Read before the generation is marked finished: `stage` is where
 * the cancel found it.
 */
export function spentNothing(s: GenerationState): boolean {
  const copied = (c: ClipState) => c.status === "ready" && c.seconds === 0;
  return (
    totalOf(s.costs) === 0 &&
    s.costs.clips.every((c) => c.seconds === 0) &&
    s.clips.every((c) => c.status === "pending" || copied(c)) &&
    (s.keyframes ?? []).every((k) => k.status === "pending") &&
    s.stage !== "compose" &&
    s.stage !== "complete"
  );
}

/**
 * The statement that gives one unit back to the claim group `groupId` was created with, when
 * `when` holds (the caller's guard that makes it happen once: d1-sync.ts runs it in the same
 * transaction as the row's move from open to `cancelled`). A claim is never taken below zero,
 * so the hour's count never is either.
 */
export function refundUnit(db: Db, userId: string, groupId: string, when: SQL) {
  const claim = db
    .select({ id: usageEvents.id })
    .from(usageEvents)
    .where(and(eq(usageEvents.userId, userId), eq(usageEvents.groupId, groupId), gt(usageEvents.units, 0)))
    .orderBy(asc(usageEvents.id))
    .limit(1);
  return db
    .update(usageEvents)
    .set({ units: sql`${usageEvents.units} - 1` })
    .where(and(inArray(usageEvents.id, claim), gt(usageEvents.units, 0), when));
}
