/**
 * Mirrors a generation's coordinator state into its D1 row, which REST reads (status, details,
 * library, comparison) build the same view from. Completion also charges the user, once: the
 * increment is guarded by the row not yet being finished, in the same transaction.
 */
import { and, eq, exists, notInArray, sql } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { generations, users } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { spendMonthOf } from "../limits/budget.ts";
import { totalOf } from "../pipeline/prices.ts";
import type { GenerationState } from "./state.ts";

const json = (value: unknown) => (value ? JSON.stringify(value) : null);

/** Writes the row for `s`; on completion, adds its cost to the user's total exactly once. */
export async function syncToD1(env: Env, s: GenerationState): Promise<void> {
  const db = getDb(env);
  const cost = totalOf(s.costs);
  const completed = s.status === "completed";
  // A finished row is final: a late save from a stage never reopens it.
  const stillOpen = and(eq(generations.id, s.id), notInArray(generations.status, ["completed", "failed"]));
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
      videoKey: completed ? s.videoKey : null,
      thumbnailKey: completed ? s.thumbnailKey : null,
      cost,
      costBreakdown: JSON.stringify({ ...s.costs, total: cost }),
      error: s.error,
      cancellationRequested: s.cancelRequested,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
    })
    .where(stillOpen);
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
    .where(
      and(eq(users.id, s.userId), exists(db.select({ one: sql`1` }).from(generations).where(stillOpen))),
    );
  // One transaction: the charge sees the row before the update marks it completed.
  await db.batch([charge, update]);
}
