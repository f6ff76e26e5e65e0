/** How the Worker reaches a group's coordinator, and starts one for new generation records. */
import { inArray } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import type { ComparisonType } from "../db/schema.ts";
import { generations } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { assertWithinBudget } from "../limits/budget.ts";
import { type CreatedGenerations, createGenerations, type NewGeneration } from "../pipeline/create.ts";
import { quoteGeneration } from "../pipeline/quote.ts";
import { copySettingAssets, withAssetSources } from "../pipeline/settings-assets.ts";
import { copyStitchClips, stitchStart } from "../pipeline/stitch.ts";
import { providersFromEnv } from "../providers/index.ts";

/** The stub of group `groupId`'s coordinator (one Durable Object per group). */
export const coordinator = (env: Env, groupId: string) =>
  env.GROUP_COORDINATOR.get(env.GROUP_COORDINATOR.idFromName(groupId));

/**
 * Hands freshly created records to their coordinator (after copying the assets their settings
 * name into their own prefixes). If that fails the records are marked
 * failed at once, so nothing is left `pending` forever, and the caller gets a 503.
 */
export async function startGroup(
  env: Env,
  log: Logger,
  input: {
    userId: string;
    origin: string;
    items: NewGeneration[];
    /** What `createGenerations` wrote for `items`. */
    created: CreatedGenerations;
  },
): Promise<void> {
  const { groupId, generationIds, seeds } = input.created;
  try {
    await copySettingAssets(env, input.items, input.created);
    const generations = await Promise.all(
      input.items.map(async (item, i) => {
        const id = generationIds[i]!;
        const settings = { ...item.settings, seed: seeds[i]! };
        const stitch = item.stitch && {
          ...item.stitch,
          keys: await copyStitchClips(env, id, item.stitch.clips),
          settings,
          seed: seeds[i]!,
        };
        return {
          id,
          label: item.label ?? null,
          createdAt: input.created.createdAt[i]!,
          prompt: item.prompt,
          settings,
          seed: seeds[i]!,
          ...(stitch ? { stitch: stitchStart(stitch) } : {}),
        };
      }),
    );
    await coordinator(env, groupId).start({
      groupId,
      userId: input.userId,
      origin: input.origin,
      generations,
    });
  } catch (err) {
    log.error("could not start generation group", {
      group_id: groupId,
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
      .where(inArray(generations.id, generationIds));
    throw new ApiError(503, "unavailable", "The generation could not be started. Please try again.");
  }
}

/**
 * What every create route does: checks the estimate against the monthly budget (402), inserts
 * the group's records (claiming the hourly quota, all or nothing) and hands them to their
 * coordinator.
 */
export async function createAndStartGroup(
  env: Env,
  log: Logger,
  input: { userId: string; origin: string; comparisonType: ComparisonType; items: NewGeneration[] },
): Promise<CreatedGenerations> {
  const { userId, origin, comparisonType } = input;
  // 404 for an asset that is not the caller's, before anything is written.
  const items = await withAssetSources(env, userId, input.items);
  const providers = providersFromEnv(env);
  // A stitch uses no provider: it costs nothing.
  const estimate = items.reduce(
    (sum, item) => sum + (item.stitch ? 0 : quoteGeneration(providers, item.settings).total),
    0,
  );
  const what = items.length === 1 ? "This generation" : `These ${items.length} variations`;
  await assertWithinBudget(env, userId, estimate, what);
  const created = await createGenerations(env, { userId, comparisonType, items });
  await startGroup(env, log, { userId, origin, items, created });
  return created;
}
