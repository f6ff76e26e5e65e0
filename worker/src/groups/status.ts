/**
 * `GET /api/status/:id` (and `/api/generations/:id`) answered from memory. A client polls a
 * running generation a few times a second; every poll reading D1 was what made the status slow
 * under load. Instead:
 *
 * - Where a generation lives (its group and owner) never changes, so each isolate keeps it after
 *   one D1 read, in a small bounded map.
 * - The view itself comes from the group's coordinator: its state is the truth while a
 *   generation runs (the D1 row is a mirror of it) and Durable Object storage serves it from
 *   the object's memory.
 * - Generations the coordinator does not hold (made before coordinators kept state, deleted),
 *   and polls that find it restarting, fall back to the D1 row: the same read model either way
 *   (views/generation.ts).
 *
 * Ownership holds at every step: the home is only cached for its owner's read, and the
 * coordinator answers only for the owner it recorded.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { generations } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { notFound } from "../lib/errors.ts";
import { createLogger } from "../lib/log.ts";
import { ownGeneration } from "../routes/ownership.ts";
import { type GenerationView, generationView, sourceFromRow } from "../views/generation.ts";
import { coordinator } from "./coordinator-client.ts";

interface Home {
  groupId: string;
  userId: string;
}

/** Entries kept per isolate; the oldest is dropped beyond this (a Map iterates in insertion order). */
const MAX_HOMES = 10_000;
const homes = new Map<string, Home>();

/** Where generation `id` lives, for its owner `userId`; 404 for anyone else or a missing id. */
async function homeOf(env: Env, id: string, userId: string): Promise<Home> {
  let home = homes.get(id);
  if (!home) {
    const row = await getDb(env)
      .select({ groupId: generations.groupId, userId: generations.userId })
      .from(generations)
      .where(eq(generations.id, id))
      .get();
    if (!row) throw notFound("Generation");
    home = row;
    if (homes.size >= MAX_HOMES) homes.delete(homes.keys().next().value!);
    homes.set(id, home);
  }
  if (home.userId !== userId) throw notFound("Generation");
  return home;
}

/** Forgets where `id` lived (it was deleted): this isolate's next read goes to D1 and finds nothing. */
export function forgetHome(id: string): void {
  homes.delete(id);
}

/** The caller's generation `id` as the read model, from its coordinator's memory when it holds it. */
export async function statusView(
  env: Env,
  origin: string,
  id: string,
  userId: string,
): Promise<GenerationView> {
  const home = await homeOf(env, id, userId);
  const view = await coordinator(env, home.groupId)
    .status(id, userId, origin)
    .catch((error: unknown) => {
      // A coordinator being reset (evicted, crashed, redeployed) fails the call in flight; the
      // D1 mirror answers this poll instead of a 500, and the next one reaches the new instance.
      createLogger({ generation_id: id, group_id: home.groupId }).warn(
        "status from D1: coordinator unavailable",
        {
          error: String(error),
        },
      );
      return null;
    });
  if (view) return view;
  return generationView(env, origin, sourceFromRow(await ownGeneration(env, id, userId)));
}
