/**
 * Comparisons: 2-5 variations (generations) made together in one group, the same prompt with
 * different settings profiles or the same settings with different prompts, read side by side.
 * Creating the variations lives here too: a comparison is created with its variations.
 */
import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { generationGroups, generations, isTerminalStatus } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { coordinator, createAndStartGroup } from "../groups/coordinator-client.ts";
import { forgetHome } from "../groups/status.ts";
import { ApiError } from "../lib/errors.ts";
import { idempotent } from "../lib/idempotency.ts";
import { logger } from "../lib/log.ts";
import { fieldError, jsonBody, jsonBodyOneOf, pathParams } from "../lib/validate.ts";
import { differingFields } from "../pipeline/compare.ts";
import type { NewGeneration } from "../pipeline/create.ts";
import { deleteGenerationMedia } from "../pipeline/media-keys.ts";
import { MAX_VARIATIONS, MIN_VARIATIONS, PROFILE_NAME_MAX, profileName } from "../pipeline/rules.ts";
import { DEFAULT_SETTINGS, GenerationSettingsSchema, PromptSchema } from "../pipeline/settings.ts";
import { ownGroup } from "./ownership.ts";
import { rowView } from "./serialize.ts";

const count = { error: `Between ${MIN_VARIATIONS} and ${MAX_VARIATIONS} variations` };
const ModesSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("prompt"),
    prompts: z.array(PromptSchema).min(MIN_VARIATIONS, count).max(MAX_VARIATIONS, count),
    settings: GenerationSettingsSchema.optional(),
  }),
  z.object({
    mode: z.literal("settings"),
    prompt: PromptSchema,
    profiles: z
      .array(
        z.object({
          name: z.string().trim().min(1).max(PROFILE_NAME_MAX),
          settings: GenerationSettingsSchema,
        }),
      )
      .min(MIN_VARIATIONS, count)
      .max(MAX_VARIATIONS, count),
  }),
]);

/** The product spec's form: any 2-5 generate requests; the comparison type is derived when absent. */
const VariationsSchema = z
  .object({
    variations: z
      .array(z.object({ prompt: PromptSchema, settings: GenerationSettingsSchema.optional() }).strict())
      .min(MIN_VARIATIONS, count)
      .max(MAX_VARIATIONS, count),
    comparison_type: z.enum(["prompt", "settings"]).optional(),
  })
  .strict();

const NewComparisonSchema = z.union([ModesSchema, VariationsSchema]);

/** Validates either form, reporting the mistakes of the form the body is written in. */
const newComparisonBody = jsonBodyOneOf(NewComparisonSchema, (body) =>
  body && typeof body === "object" && "variations" in body ? VariationsSchema : ModesSchema,
);

/** The variations a request asks for, labelled, and the comparison's type. */
function variationsOf(body: z.infer<typeof NewComparisonSchema>): {
  type: "prompt" | "settings";
  items: NewGeneration[];
} {
  if ("variations" in body) {
    const samePrompt = body.variations.every((v) => v.prompt === body.variations[0]?.prompt);
    const type = body.comparison_type ?? (samePrompt ? "settings" : "prompt");
    const items = body.variations.map((v, i) => ({
      prompt: v.prompt,
      settings: v.settings ?? DEFAULT_SETTINGS,
      label: type === "prompt" ? `Prompt ${i + 1}` : profileName(i),
    }));
    return { type, items };
  }
  if (body.mode === "prompt")
    return {
      type: "prompt",
      items: body.prompts.map((prompt, i) => ({
        prompt,
        settings: body.settings ?? DEFAULT_SETTINGS,
        label: `Prompt ${i + 1}`,
      })),
    };
  return {
    type: "settings",
    items: body.profiles.map((p, i) => ({
      prompt: body.prompt,
      settings: p.settings,
      label: p.name || profileName(i),
    })),
  };
}

const GroupParamSchema = z.object({ group_id: z.string().min(1).max(64) });
/** `null` clears the pick. */
const WinnerSchema = z.object({ generation_id: z.string().min(1).max(64).nullable() });

const factory = createFactory<AppEnv>();

/** Starts 2-5 variations in one group (202); the group's coordinator runs them together. */
const create = factory.createHandlers(requireUser, idempotent, newComparisonBody, async (c) => {
  const body = c.req.valid("json");
  const user = c.get("user");
  const { type, items } = variationsOf(body);
  const created = await createAndStartGroup(c.env, logger(c), {
    userId: user.id,
    origin: new URL(c.req.url).origin,
    comparisonType: type,
    items,
  });
  logger(c).info("comparison created", {
    group_id: created.groupId,
    count: items.length,
    type,
  });
  return c.json(
    { group_id: created.groupId, generation_ids: created.generationIds, status: "pending" as const },
    202,
  );
});

/** Every variation as the one generation view, what differs, the winner and the total. */
const read = factory.createHandlers(requireUser, pathParams(GroupParamSchema), async (c) => {
  const { group_id } = c.req.valid("param");
  const db = getDb(c.env);
  const group = await ownGroup(c.env, group_id, c.get("user").id, "Comparison");
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
});

/** Deletes every variation of the comparison and their media. */
const remove = factory.createHandlers(requireUser, pathParams(GroupParamSchema), async (c) => {
  const { group_id } = c.req.valid("param");
  const userId = c.get("user").id;
  const db = getDb(c.env);
  await ownGroup(c.env, group_id, userId, "Comparison");
  const rows = await db
    .select({ id: generations.id, status: generations.status })
    .from(generations)
    .where(eq(generations.groupId, group_id))
    .all();
  const stub = coordinator(c.env, group_id);
  for (const row of rows) {
    if (!isTerminalStatus(row.status)) await stub.cancel(row.id, { deleting: true });
    await stub.forget(row.id);
    forgetHome(row.id);
    await deleteGenerationMedia(c.env, row.id);
  }
  // The group row cascades to its generations.
  await db
    .delete(generationGroups)
    .where(and(eq(generationGroups.id, group_id), eq(generationGroups.userId, userId)));
  logger(c).info("comparison deleted", { group_id, generations: rows.length });
  return c.json({ group_id, deleted: true as const, generation_ids: rows.map((r) => r.id) }, 200);
});

/** Marks one finished variation as the winner, or clears the pick with null. */
const pickWinner = factory.createHandlers(
  requireUser,
  pathParams(GroupParamSchema),
  jsonBody(WinnerSchema),
  async (c) => {
    const { group_id } = c.req.valid("param");
    const { generation_id } = c.req.valid("json");
    const userId = c.get("user").id;
    await ownGroup(c.env, group_id, userId, "Comparison");
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

/**
 * A comparison is a group of 2-5 variations. `/comparisons` is the resource's path; the first
 * paths (`/generate/parallel`, `/comparison/:group_id`) stay served as aliases.
 */
export const comparisonRoutes = new Hono<AppEnv>()
  .post("/comparisons", ...create)
  .get("/comparisons/:group_id", ...read)
  .delete("/comparisons/:group_id", ...remove)
  .put("/comparisons/:group_id/winner", ...pickWinner)
  .post("/generate/parallel", ...create)
  .get("/comparison/:group_id", ...read)
  .delete("/comparison/:group_id", ...remove)
  .put("/comparison/:group_id/winner", ...pickWinner);
