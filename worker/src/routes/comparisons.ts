/**
 * Parallel variations: 2-5 generations in one group, the same prompt with different settings
 * profiles or the same settings with different prompts, and the comparison of them.
 */
import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { generationGroups, generations } from "../db/schema.ts";
import type { AppEnv, Env } from "../env.ts";
import { coordinator, startGroup } from "../groups/coordinator-client.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { fieldError, jsonBody, pathParams } from "../lib/validate.ts";
import { differingFields } from "../pipeline/compare.ts";
import { createGenerations, type NewGeneration } from "../pipeline/create.ts";
import { deleteGenerationMedia } from "../pipeline/media-keys.ts";
import { DEFAULT_SETTINGS, GenerationSettingsSchema, PromptSchema } from "../pipeline/settings.ts";
import { rowView } from "./serialize.ts";

const count = { error: "Between 2 and 5 variations" };
const ParallelSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("prompt"),
    prompts: z.array(PromptSchema).min(2, count).max(5, count),
    settings: GenerationSettingsSchema.optional(),
  }),
  z.object({
    mode: z.literal("settings"),
    prompt: PromptSchema,
    profiles: z
      .array(z.object({ name: z.string().trim().min(1).max(40), settings: GenerationSettingsSchema }))
      .min(2, count)
      .max(5, count),
  }),
]);

const GroupParamSchema = z.object({ group_id: z.string().min(1).max(64) });
const profileName = (i: number) => `Profile ${String.fromCharCode(65 + i)}`;
/** `null` clears the pick. */
const WinnerSchema = z.object({ generation_id: z.string().min(1).max(64).nullable() });

/** The group if it is this user's; 404 otherwise (another user's id looks like a missing one). */
async function ownGroup(env: Env, groupId: string, userId: string) {
  const group = await getDb(env)
    .select()
    .from(generationGroups)
    .where(and(eq(generationGroups.id, groupId), eq(generationGroups.userId, userId)))
    .get();
  if (!group) throw notFound("Comparison");
  return group;
}

export const comparisonRoutes = new Hono<AppEnv>()
  .post("/generate/parallel", requireUser, jsonBody(ParallelSchema), async (c) => {
    const body = c.req.valid("json");
    const user = c.get("user");
    const items: NewGeneration[] =
      body.mode === "prompt"
        ? body.prompts.map((prompt, i) => ({
            prompt,
            settings: body.settings ?? DEFAULT_SETTINGS,
            label: `Prompt ${i + 1}`,
          }))
        : body.profiles.map((p, i) => ({
            prompt: body.prompt,
            settings: p.settings,
            label: p.name || profileName(i),
          }));
    const created = await createGenerations(c.env, { userId: user.id, comparisonType: body.mode, items });
    await startGroup(c.env, logger(c), {
      userId: user.id,
      origin: new URL(c.req.url).origin,
      items,
      created,
    });
    logger(c).info("parallel generations created", {
      group_id: created.groupId,
      count: items.length,
      mode: body.mode,
    });
    return c.json(
      { group_id: created.groupId, generation_ids: created.generationIds, status: "pending" as const },
      202,
    );
  })
  .get("/comparison/:group_id", requireUser, pathParams(GroupParamSchema), async (c) => {
    const { group_id } = c.req.valid("param");
    const db = getDb(c.env);
    const group = await ownGroup(c.env, group_id, c.get("user").id);
    const rows = await db
      .select()
      .from(generations)
      .where(eq(generations.groupId, group_id))
      .orderBy(asc(generations.createdAt))
      .all();
    const variations = await Promise.all(rows.map((g) => rowView(c, g)));
    return c.json(
      {
        group_id,
        comparison_type: group.comparisonType,
        created_at: group.createdAt,
        variations,
        differing_fields: differingFields(variations),
        // A deleted winner is simply no longer the winner.
        winner_generation_id: rows.some((r) => r.id === group.winnerGenerationId)
          ? group.winnerGenerationId
          : null,
        total_cost: Math.round(variations.reduce((sum, v) => sum + v.cost, 0) * 1e6) / 1e6,
      },
      200,
    );
  })
  .delete("/comparison/:group_id", requireUser, pathParams(GroupParamSchema), async (c) => {
    const { group_id } = c.req.valid("param");
    const userId = c.get("user").id;
    const db = getDb(c.env);
    await ownGroup(c.env, group_id, userId);
    const rows = await db
      .select({ id: generations.id, status: generations.status })
      .from(generations)
      .where(eq(generations.groupId, group_id))
      .all();
    const stub = coordinator(c.env, group_id);
    for (const row of rows) {
      if (row.status === "pending" || row.status === "processing") await stub.cancel(row.id);
      await deleteGenerationMedia(c.env, row.id);
    }
    // The group row cascades to its generations.
    await db
      .delete(generationGroups)
      .where(and(eq(generationGroups.id, group_id), eq(generationGroups.userId, userId)));
    logger(c).info("comparison deleted", { group_id, generations: rows.length });
    return c.json({ group_id, deleted: true as const, generation_ids: rows.map((r) => r.id) }, 200);
  })
  .put(
    "/comparison/:group_id/winner",
    requireUser,
    pathParams(GroupParamSchema),
    jsonBody(WinnerSchema),
    async (c) => {
      const { group_id } = c.req.valid("param");
      const { generation_id } = c.req.valid("json");
      const userId = c.get("user").id;
      await ownGroup(c.env, group_id, userId);
      const db = getDb(c.env);
      if (generation_id !== null) {
        const row = await db
          .select({ status: generations.status })
          .from(generations)
          .where(and(eq(generations.id, generation_id), eq(generations.groupId, group_id)))
          .get();
        if (!row) throw fieldError("generation_id", "Not a variation of this comparison");
        if (row.status !== "completed")
          throw new ApiError(409, "conflict", "Only a finished variation can be the winner");
      }
      await db
        .update(generationGroups)
        .set({ winnerGenerationId: generation_id })
        .where(and(eq(generationGroups.id, group_id), eq(generationGroups.userId, userId)));
      logger(c).info("comparison winner set", { group_id, generation_id });
      return c.json({ group_id, winner_generation_id: generation_id }, 200);
    },
  );
