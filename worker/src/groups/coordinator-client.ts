/** How the Worker reaches a group's coordinator, and starts one for new generation records. */
import { inArray } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { generations } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import type { NewGeneration } from "../pipeline/create.ts";

/** The stub of group `groupId`'s coordinator (one Durable Object per group). */
export const coordinator = (env: Env, groupId: string) =>
  env.GROUP_COORDINATOR.get(env.GROUP_COORDINATOR.idFromName(groupId));

/**
 * Hands freshly created records to their coordinator. If that fails the records are marked
 * failed at once, so nothing is left `pending` forever, and the caller gets a 503.
 */
export async function startGroup(
  env: Env,
  log: Logger,
  input: {
    groupId: string;
    userId: string;
    origin: string;
    generationIds: string[];
    items: (NewGeneration & { seed: number })[];
  },
): Promise<void> {
  try {
    await coordinator(env, input.groupId).start({
      groupId: input.groupId,
      userId: input.userId,
      origin: input.origin,
      generations: input.items.map((item, i) => ({ id: input.generationIds[i]!, ...item })),
    });
  } catch (err) {
    log.error("could not start generation group", {
      group_id: input.groupId,
      error: String(err),
      stack: (err as Error).stack,
    });
    await getDb(env)
      .update(generations)
      .set({
        status: "failed",
        error: "The generation could not be started. Please try again.",
        completedAt: Date.now(),
      })
      .where(inArray(generations.id, input.generationIds));
    throw new ApiError(503, "unavailable", "The generation could not be started. Please try again.");
  }
}
