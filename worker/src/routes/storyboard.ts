/**
 * Storyboard review (settings.workflow = "storyboard"): edit a scene, refine it in plain
 * language, reorder, add or remove scenes, see what approval will cost, and approve. Every edit
 * is applied by the generation's coordinator, one at a time, answered with the whole updated
 * view and broadcast live; the keyframes of changed scenes are redrawn.
 */
import { OVERLAY_POSITIONS, SceneTypeSchema } from "@promptreel/render-container/contract";
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv, Env } from "../env.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import type { EditRefusal, StoryboardEdit } from "../groups/storyboard.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { logger } from "../lib/log.ts";
import { jsonBody, pathParams, queryParams } from "../lib/validate.ts";
import { assertWithinBudget } from "../limits/budget.ts";
import { claimOne, releaseClaim } from "../limits/generation-quota.ts";
import { quoteApproval } from "../pipeline/quote.ts";
import { sourceFromRow } from "../views/generation.ts";
import { ownGeneration } from "./ownership.ts";

const IdSchema = z.object({ id: z.string().min(1).max(64) });
const SceneParamSchema = IdSchema.extend({ index: z.coerce.number().int().min(0).max(4) });
/** The storyboard revision the edit was made on; omit it to apply the edit to whatever is current. */
const revision = z.number().int().min(0).optional();
const text = z.string().trim().min(1).max(120);
/** DELETE has no body: the revision travels in the query. */
const RevisionQuerySchema = z.object({ revision: z.coerce.number().int().min(0).optional() });

const PatchSchema = z
  .object({
    overlay_text: text.optional(),
    position: z.enum(OVERLAY_POSITIONS).optional(),
    visual_prompt: z.string().trim().min(1).max(600).optional(),
    duration_s: z.number().min(1.5).max(60).optional(),
    revision,
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== "revision"), {
    error: "Send at least one of overlay_text, position, visual_prompt, duration_s",
  });
const RefineSchema = z.object({ instruction: z.string().trim().min(2).max(300), revision }).strict();
const ReorderSchema = z.object({ order: z.array(z.number().int().min(0)).min(1).max(5), revision }).strict();
const AddSchema = z
  .object({
    at: z.number().int().min(0).max(5),
    type: SceneTypeSchema,
    overlay_text: text,
    visual_prompt: z.string().trim().min(1).max(600),
    revision,
  })
  .strict();

/** Sends `edit` to the generation's coordinator; a refusal becomes the API's error shape. */
async function edit(env: Env, userId: string, id: string, change: StoryboardEdit) {
  const row = await ownGeneration(env, id, userId);
  const result = await coordinator(env, row.groupId).editStoryboard(id, change);
  if ("refused" in result) throw refusal(result.refused);
  return result.view;
}

export function refusal(r: EditRefusal): ApiError {
  if (r.status === 404) return notFound("Generation");
  return new ApiError(r.status, r.code, r.message, {
    ...(r.field ? { details: { fields: { [r.field]: [r.message] } } } : {}),
  });
}

export const storyboardRoutes = new Hono<AppEnv>()
  .patch(
    "/generations/:id/scenes/:index",
    requireUser,
    pathParams(SceneParamSchema),
    jsonBody(PatchSchema),
    async (c) => {
      const { id, index } = c.req.valid("param");
      const { revision: at, ...patch } = c.req.valid("json");
      return c.json(
        await edit(c.env, c.get("user").id, id, { kind: "patch", index, patch, revision: at }),
        200,
      );
    },
  )
  .post(
    "/generations/:id/scenes/:index/refine",
    requireUser,
    pathParams(SceneParamSchema),
    jsonBody(RefineSchema),
    async (c) => {
      const { id, index } = c.req.valid("param");
      const { instruction, revision: at } = c.req.valid("json");
      const view = await edit(c.env, c.get("user").id, id, {
        kind: "refine",
        index,
        instruction,
        revision: at,
      });
      logger(c).info("scene refined", {
        generation_id: id,
        scene: index,
        refinements: view.refinements.used,
      });
      return c.json(view, 200);
    },
  )
  .post("/generations/:id/reorder", requireUser, pathParams(IdSchema), jsonBody(ReorderSchema), async (c) => {
    const { id } = c.req.valid("param");
    const { order, revision: at } = c.req.valid("json");
    return c.json(await edit(c.env, c.get("user").id, id, { kind: "reorder", order, revision: at }), 200);
  })
  .post("/generations/:id/scenes", requireUser, pathParams(IdSchema), jsonBody(AddSchema), async (c) => {
    const { id } = c.req.valid("param");
    const { at, revision: rev, ...scene } = c.req.valid("json");
    return c.json(await edit(c.env, c.get("user").id, id, { kind: "add", at, scene, revision: rev }), 200);
  })
  .delete(
    "/generations/:id/scenes/:index",
    requireUser,
    pathParams(SceneParamSchema),
    queryParams(RevisionQuerySchema),
    async (c) => {
      const { id, index } = c.req.valid("param");
      const { revision: at } = c.req.valid("query");
      return c.json(await edit(c.env, c.get("user").id, id, { kind: "remove", index, revision: at }), 200);
    },
  )
  .get("/generations/:id/approval", requireUser, pathParams(IdSchema), async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownGeneration(c.env, id, c.get("user").id);
    if (row.status !== "storyboard" || !row.scenePlan)
      throw new ApiError(409, "conflict", "Only a storyboard waiting for review can be approved.");
    return c.json(quoteApproval(c.env, sourceFromRow(row)), 200);
  })
  .post("/generations/:id/approve", requireUser, pathParams(IdSchema), async (c) => {
    const { id } = c.req.valid("param");
    const userId = c.get("user").id;
    const row = await ownGeneration(c.env, id, userId);
    // A storyboard waiting for approval must fit the budget; a repeated approval starts nothing.
    // A re-render of an edited ad also counts as one generation toward the hourly limit.
    let claim: number | null = null;
    if (row.status === "storyboard" && row.scenePlan) {
      const quote = quoteApproval(c.env, sourceFromRow(row));
      const what = row.version > 1 ? `Rendering version ${row.version}` : "Rendering this storyboard";
      await assertWithinBudget(c.env, userId, quote.total, what);
      if (row.version > 1) claim = await claimOne(c.env, userId, row.groupId);
    }
    const result = await coordinator(c.env, row.groupId)
      .approveStoryboard(id)
      .catch(async (err: unknown) => {
        if (claim !== null) await releaseClaim(c.env, claim);
        throw err;
      });
    if (claim !== null && ("refused" in result || !result.started)) await releaseClaim(c.env, claim);
    if ("refused" in result) throw refusal(result.refused);
    logger(c).info("storyboard approved", {
      generation_id: id,
      version: result.view.version,
      started: result.started,
    });
    // 202: the render started now; 200: it had started already (a second click starts nothing).
    return c.json(result.view, result.started ? 202 : 200);
  });
