/**
 * Mirrors a generation's coordinator state into its D1 row, which REST reads (status, details,
 * library, comparison) build the same view from. Completing a version also charges the user
 * what that version spent, once: the increment is guarded by the row being open at that same
 * version, in the same transaction. Ending `cancelled` having spent nothing gives the hourly
 * limit's unit back the same way: once, as the row goes from open to cancelled.
 */
import { and, eq, exists, lt, notInArray, or, sql } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { generations, TERMINAL_STATUSES, users } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { spendMonthOf } from "../limits/budget.ts";
import { refundUnit } from "../limits/generation-quota.ts";
import { totalOf } from "../pipeline/prices.ts";
import { costSoFar } from "../views/generation.ts";
import type { GenerationState } from "./state.ts";

const json = (value: unknown) => (value ? JSON.stringify(value) : null);

/**
 * Writes the row for `s`; on completing a version, adds that version's cost to the user's total
 * exactly once; on a cancel that spent nothing, gives its quota unit back exactly once.
 */
export async function syncToD1(env: Env, s: GenerationState): Promise<void> {
  const db = getDb(env);
  // What this version spent: the charge. The row's `cost` is the ad's total, all versions included.
  const cost = totalOf(s.costs);
  const completed = s.status === "completed";
  const version = s.version ?? 1;
  const open = notInArray(generations.status, TERMINAL_STATUSES);
  // A finished row is final for its version: a late save from a stage never reopens it; only
  // a newer version (the ad reopened for editing) does.
  const writable = and(eq(generations.id, s.id), or(open, lt(generations.version, version)));
  // Charged when the row goes from open to completed at the version that was rendered (a
  // discarded draft goes back to an older, already charged, version).
  const charging = and(eq(generations.id, s.id), open, eq(generations.version, version));
  const update = db
    .update(generations)
    .set({
      status: s.status,
      progress: s.progress,
      currentStep: s.currentStep,
      spec: json(s.spec),
      scenePlan: json(s.plan),
      sceneClips: json(s.clips),
      sceneKeyframes: json(s.keyframes),
      refinements: s.refinements ?? 0,
      revision: s.revision ?? 0,
      version,
      versions: json(s.versions?.length ? s.versions : null),
      // The latest finished version's, also while a draft of the next one is open.
      videoKey: completed || s.versions?.length ? s.videoKey : null,
      thumbnailKey: completed || s.versions?.length ? s.thumbnailKey : null,
      cost: costSoFar(s),
      costBreakdown: JSON.stringify({ ...s.costs, total: cost }),
      error: s.error,
      cancellationRequested: s.cancelRequested,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
    })
    .where(writable);
  if (s.status === "cancelled" && s.refundQuota) {
    // One transaction: the refund sees the row still open, before the update ends it, so a
    // second save of the same end (an alarm run twice) finds it ended and gives nothing back.
    const ending = exists(
      db
        .select({ one: sql`1` })
        .from(generations)
        .where(and(eq(generations.id, s.id), open)),
    );
    await db.batch([refundUnit(db, s.userId, s.groupId, ending), update]);
    return;
  }
  if (!completed) {
    await update.run();
    return;
  }
  const month = spendMonthOf(s.completedAt ?? Date.now());
  const charge = db
    .update(users)
    .set({
      totalCost: sql`${users.totalCost} + ${cost}`,
      // The month's ledger: a charge in a new month starts it from zero.
      monthSpendUsd: sql`CASE WHEN ${users.spendMonth} = ${month} THEN ${users.monthSpendUsd} + ${cost} ELSE ${cost} END`,
      spendMonth: month,
    })
    .where(and(eq(users.id, s.userId), exists(db.select({ one: sql`1` }).from(generations).where(charging))));
  // One transaction: the charge sees the row before the update marks it completed.
  await db.batch([charge, update]);
}
