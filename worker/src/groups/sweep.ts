/**
 * The sweep (the Worker's cron trigger, wrangler.toml `[triggers]`): D1 rows that are still open a
 * watchdog period after they were created are checked with their group's coordinator. The
 * coordinator re-arms what it still runs (its watchdog does the rest, groups/watchdog.ts) and
 * mirrors what already ended; a row it does not hold at all (its storage was lost) is failed
 * here with the reason, so no row stays `pending` or `processing` forever.
 */
import { and, inArray, lt } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { generations } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { createLogger } from "../lib/log.ts";
import { deleteGenerationMedia } from "../pipeline/media-keys.ts";
import { coordinator } from "./coordinator-client.ts";
import { watchdogMs } from "./watchdog.ts";

/** Rows looked at per run; the rest wait for the next (every 5 minutes). */
export const SWEEP_BATCH = 200;

export const LOST_ERROR =
  "This generation's run was lost (its coordinator no longer holds it); it was stopped.";

const OPEN = ["pending", "processing"] as const;

/** What one sweep did, for its log line and the tests. */
export interface SweepReport {
  checked: number;
  groups: number;
  lost: string[];
}

/** Checks open rows created at least `olderThanMs` ago (default: one watchdog period). */
export async function sweepOpenGenerations(
  env: Env,
  olderThanMs = watchdogMs(env),
  now = Date.now(),
): Promise<SweepReport> {
  const db = getDb(env);
  const rows = await db
    .select({ id: generations.id, groupId: generations.groupId, versions: generations.versions })
    .from(generations)
    .where(and(inArray(generations.status, OPEN), lt(generations.createdAt, now - olderThanMs)))
    .orderBy(generations.createdAt)
    .limit(SWEEP_BATCH);
  const byGroup = new Map<string, typeof rows>();
  for (const r of rows) {
    const members = byGroup.get(r.groupId);
    if (members) members.push(r);
    else byGroup.set(r.groupId, [r]);
  }
  const lost: string[] = [];
  for (const [groupId, members] of byGroup) {
    const { unknown } = await coordinator(env, groupId).check(members.map((r) => r.id));
    lost.push(...unknown);
  }
  if (lost.length) {
    // Only rows still open: one that ended meanwhile keeps its end.
    await db
      .update(generations)
      .set({ status: "failed", error: LOST_ERROR, completedAt: now })
      .where(and(inArray(generations.id, lost), inArray(generations.status, OPEN)));
    // A draft of a finished ad keeps its earlier versions' media; anything else had none to keep.
    const drafts = new Set(rows.filter((r) => r.versions).map((r) => r.id));
    for (const id of lost) if (!drafts.has(id)) await deleteGenerationMedia(env, id);
  }
  const report = { checked: rows.length, groups: byGroup.size, lost };
  if (rows.length) createLogger({ task: "sweep" }).info("swept open generations", { ...report });
  return report;
}
