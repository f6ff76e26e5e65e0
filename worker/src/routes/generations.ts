/**
 * Generation records: create (quota-checked), poll status, list my own, delete.
 * Every id-based route looks the id up together with the caller's user id, so another
 * user's id is indistinguishable from a missing one (404).
 */
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { z } from "zod";
import { requireToken, requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { adExports, GENERATION_STATUSES, generations, isTerminalStatus } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { coordinator, createAndStartGroup } from "../groups/coordinator-client.ts";
import { forgetHome, statusView } from "../groups/status.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import { ApiError } from "../lib/errors.ts";
import { idempotent } from "../lib/idempotency.ts";
import { logger } from "../lib/log.ts";
import { polled } from "../lib/request-log.ts";
import { jsonBody, pathParams, queryParams } from "../lib/validate.ts";
import { deleteGenerationMedia } from "../pipeline/media-keys.ts";
import { DEFAULT_SETTINGS, GenerationSettingsSchema, PromptSchema } from "../pipeline/settings.ts";
import type { GenerationView } from "../views/generation.ts";
import { ownGeneration } from "./ownership.ts";
import { rowView } from "./serialize.ts";

const GenerateSchema = z.object({
  prompt: PromptSchema,
  settings: GenerationSettingsSchema.optional(),
});

const IdParamSchema = z.object({ id: z.string().min(1).max(64) });

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: z.string().max(200).optional(),
  status: z.enum(GENERATION_STATUSES).optional(),
});

/**
 * One generation as the read model: polling (`/status/:id`, authorised by the token alone) and
 * details (`/generations/:id`) alike, answered from the group's coordinator (groups/status.ts).
 */
const readOne = (auth: typeof requireUser) =>
  createFactory<AppEnv>().createHandlers(polled, auth, pathParams(IdParamSchema), async (c) => {
    const view = await statusView(
      c.env,
      new URL(c.req.url).origin,
      c.req.valid("param").id,
      c.get("user").id,
    );
    return c.json(view, 200);
  });

export const generationRoutes = new Hono<AppEnv>()
  // requireUser per route, not `.use()`: this app is mounted at /api and must not claim other paths.
  .post("/generate", requireUser, idempotent, jsonBody(GenerateSchema), async (c) => {
    const { prompt, settings } = c.req.valid("json");
    const user = c.get("user");
    const items = [{ prompt, settings: settings ?? DEFAULT_SETTINGS }];
    const created = await createAndStartGroup(c.env, logger(c), {
      userId: user.id,
      origin: new URL(c.req.url).origin,
      comparisonType: "single",
      items,
    });
    const generationId = created.generationIds[0]!;
    logger(c).info("generation created", {
      user_id: user.id,
      generation_id: generationId,
      group_id: created.groupId,
    });
    return c.json(
      {
        generation_id: generationId,
        group_id: created.groupId,
        status: "pending" as const,
        message: "Generation started. Follow it at /api/status/:id or over the group's live socket.",
      },
      202,
    );
  })
  .post("/generations/:id/cancel", requireUser, pathParams(IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownGeneration(c.env, id, c.get("user").id);
    const ended = (status: string) =>
      new ApiError(
        409,
        "conflict",
        `This generation has already ${status === "completed" ? "completed" : "ended"}.`,
      );
    if (isTerminalStatus(row.status)) throw ended(row.status);
    // The coordinator decides: its state may have ended since the D1 row was written.
    let view: GenerationView | null = await coordinator(c.env, row.groupId).cancel(id);
    if (view && isTerminalStatus(view.status)) throw ended(view.status);
    if (!view) {
      // A generation no coordinator holds: only the row can carry the request.
      await getDb(c.env)
        .update(generations)
        .set({ cancellationRequested: true })
        .where(eq(generations.id, id));
      view = await rowView(c, { ...row, cancellationRequested: true });
    }
    logger(c).info("cancel requested", { generation_id: id });
    return c.json({ ...view, cancellation_requested: true as const }, 202);
  })
  .get("/status/:id", ...readOne(requireToken))
  .get("/generations", requireUser, queryParams(ListQuerySchema), async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    const userId = c.get("user").id;
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = await getDb(c.env)
      .select()
      .from(generations)
      .where(
        and(
          eq(generations.userId, userId),
          status ? eq(generations.status, status) : undefined,
          after
            ? or(
                lt(generations.createdAt, after.createdAt),
                and(eq(generations.createdAt, after.createdAt), lt(generations.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(generations.createdAt), desc(generations.id))
      .limit(limit + 1)
      .all();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json(
      {
        generations: await Promise.all(page.map((g) => rowView(c, g))),
        next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
      },
      200,
    );
  })
  .get("/generations/:id", ...readOne(requireUser))
  .delete("/generations/:id", requireUser, pathParams(IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const userId = c.get("user").id;
    const db = getDb(c.env);
    const row = await ownGeneration(c.env, id, userId);
    // A running generation is stopped first, so no stage writes media after we sweep it.
    // (A cancel made to delete: deleting never hands the quota unit back.)
    if (!isTerminalStatus(row.status)) await coordinator(c.env, row.groupId).cancel(id, { deleting: true });
    // So are its running exports.
    const open = await db
      .select({ id: adExports.id })
      .from(adExports)
      .where(and(eq(adExports.generationId, id), inArray(adExports.status, ["queued", "processing"])))
      .all();
    for (const e of open) await coordinator(c.env, row.groupId).cancelExport(e.id);
    // Media first: if this fails the record remains and the user can retry; the reverse
    // order would orphan objects nobody can reach any more.
    // Its coordinator drops it too: status reads answered from there must not outlive the record.
    await coordinator(c.env, row.groupId).forget(id);
    forgetHome(id);
    await deleteGenerationMedia(c.env, id);
    await db.delete(generations).where(and(eq(generations.id, id), eq(generations.userId, userId)));
    logger(c).info("generation deleted", { user_id: userId, generation_id: id });
    return c.json({ generation_id: id, deleted: true as const }, 200);
  });
