/**
 * Exports as the coordinator runs them: each is a task in the group's storage (`export:<id>`),
 * driven by the same alarm as the generations, mirrored into its D1 row (`exports`) and told to
 * the group's sockets as an `export` event. A cancel is stored in the task first and wins over
 * any later save of the running job's copy.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { adExports, type ExportStatus } from "../db/schema.ts";
import type { Env } from "../env.ts";
import type { ExportJob } from "../exports/run.ts";
import type { ExportRow } from "../exports/view.ts";

/** One export as the coordinator tracks it. */
export interface ExportTask extends ExportJob {
  generationId: string;
  status: ExportStatus;
  progress: number;
  error: string | null;
  cancelled: boolean;
  sizeBytes: number | null;
  durationS: number | null;
  completedAt: number | null;
}

export const exportTaskKey = (id: string) => `export:${id}`;
export const isOpenExport = (t: Pick<ExportTask, "status">) =>
  t.status === "queued" || t.status === "processing";

/** Writes the task's progress and outcome into its D1 row; answers the row (null once deleted). */
export async function syncExportToD1(env: Env, t: ExportTask): Promise<ExportRow | null> {
  const row = await getDb(env)
    .update(adExports)
    .set({
      status: t.status,
      progress: t.progress,
      error: t.error,
      cancelled: t.cancelled,
      sizeBytes: t.sizeBytes,
      durationS: t.durationS,
      completedAt: t.completedAt,
    })
    .where(eq(adExports.id, t.id))
    .returning()
    .get();
  return row ?? null;
}
