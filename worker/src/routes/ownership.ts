/**
 * Looking records up by id for their owner. Every id-based route goes through these, so
 * another user's id is indistinguishable from a missing one: both are a 404.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { assets, generationGroups, generations } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { notFound } from "../lib/errors.ts";

/** The caller's generation `id`, or 404. */
export async function ownGeneration(env: Env, id: string, userId: string) {
  const row = await getDb(env)
    .select()
    .from(generations)
    .where(and(eq(generations.id, id), eq(generations.userId, userId)))
    .get();
  if (!row) throw notFound("Generation");
  return row;
}

/** The caller's group `groupId`, or 404 naming it as `what` (a comparison, a group). */
export async function ownGroup(env: Env, groupId: string, userId: string, what = "Group") {
  const group = await getDb(env)
    .select()
    .from(generationGroups)
    .where(and(eq(generationGroups.id, groupId), eq(generationGroups.userId, userId)))
    .get();
  if (!group) throw notFound(what);
  return group;
}

/** The caller's asset `id`, or 404. */
export async function ownAsset(env: Env, id: string, userId: string) {
  const row = await getDb(env)
    .select()
    .from(assets)
    .where(and(eq(assets.id, id), eq(assets.userId, userId)))
    .get();
  if (!row) throw notFound("Asset");
  return row;
}
