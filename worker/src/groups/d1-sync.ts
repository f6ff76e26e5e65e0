/**
 * Mirrors a generation's coordinator state into its D1 row, which is what polling
 * (`GET /api/status/:id`) and the library read. Completion also charges the user, once:
 * the increment is guarded by the row not yet being `completed`, in the same transaction.
 */
import type { Env } from "../env.ts";
import { costSoFar, type GenerationState } from "./state.ts";

/** Writes the row for `s`; on completion, adds its cost to the user's total exactly once. */
export async function syncToD1(env: Env, s: GenerationState): Promise<void> {
  const cost = costSoFar(s);
  const update = env.DB.prepare(
    `UPDATE generations SET status = ?, progress = ?, current_step = ?, spec = ?, scene_plan = ?, video_key = ?,
       thumbnail_key = ?, cost = ?, cost_breakdown = ?, error = ?, cancellation_requested = ?, started_at = ?, completed_at = ?
     WHERE id = ? AND status NOT IN ('completed', 'failed')`,
  ).bind(
    s.status,
    s.progress,
    s.currentStep,
    s.spec ? JSON.stringify(s.spec) : null,
    s.plan ? JSON.stringify(s.plan) : null,
    s.status === "completed" ? s.videoKey : null,
    s.status === "completed" ? s.thumbnailKey : null,
    cost,
    JSON.stringify({ ...s.costs, total: cost }),
    s.error,
    s.cancelRequested ? 1 : 0,
    s.startedAt,
    s.completedAt,
    s.id,
  );
  if (s.status !== "completed") {
    await update.run();
    return;
  }
  const charge = env.DB.prepare(
    `UPDATE users SET total_cost = total_cost + ?
     WHERE id = ? AND EXISTS (SELECT 1 FROM generations WHERE id = ? AND status NOT IN ('completed', 'failed'))`,
  ).bind(cost, s.userId, s.id);
  // One transaction: the charge sees the row before the update marks it completed.
  await env.DB.batch([charge, update]);
}
