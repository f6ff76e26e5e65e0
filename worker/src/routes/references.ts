/**
 * Reference candidates (the character and product consistency workflow):
 *
 * - `POST /api/references {description, kind: character|product, count 1-4 (default 4), style?}`
 *   202 with the batch: its candidates are drawn in parallel by the batch's Durable Object
 *   (`references/batch.ts`) and each drawn one becomes an asset of kind `reference`, with its
 *   cost. Budget-checked (402) on the first model's price; one upload attempt of the minute's
 *   limit (429); refused when the asset quota is already full.
 * - `GET /api/references/:id`: the batch (the same view the live events carry).
 * - `POST /api/references/:id/cancel`: stops the candidates not yet drawn.
 * - `POST /api/references/:id/ticket`, `GET /api/references/:id/live?ticket=`: the live socket,
 *   as for generation groups.
 *
 * Another user's batch is a 404, like a missing one.
 */
import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv, Env } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { forwardLive, issueLiveTicket, verifyLiveTicket } from "../lib/live-tickets.ts";
import { logger } from "../lib/log.ts";
import { jsonBody, pathParams } from "../lib/validate.ts";
import { assertRoomFor } from "../limits/asset-quota.ts";
import { assertWithinBudget } from "../limits/budget.ts";
import { claimUploadAttempt } from "../limits/upload-rate.ts";
import { imageCost } from "../pipeline/prices.ts";
import { cleanPrompt, REFERENCES } from "../pipeline/rules.ts";
import { referenceProvider } from "../providers/index.ts";
import { REFERENCE_COUNT, REFERENCE_KINDS } from "../references/view.ts";

const REFERENCE_DESCRIPTION = REFERENCES.description;

const ReferenceRequestSchema = z
  .object({
    description: z
      .string({ error: "Describe the product or character" })
      .transform(cleanPrompt)
      .pipe(
        z
          .string()
          .min(REFERENCE_DESCRIPTION.min, {
            error: `The description must be at least ${REFERENCE_DESCRIPTION.min} characters`,
          })
          .max(REFERENCE_DESCRIPTION.max, {
            error: `The description must be at most ${REFERENCE_DESCRIPTION.max} characters`,
          }),
      ),
    kind: z.enum(REFERENCE_KINDS, { error: "kind must be character or product" }),
    count: z
      .number()
      .int()
      .min(REFERENCE_COUNT.min)
      .max(REFERENCE_COUNT.max)
      .default(REFERENCE_COUNT.default),
    style: z.string().transform(cleanPrompt).pipe(z.string().max(REFERENCES.styleMax)).nullish(),
  })
  .strict();

const IdParamSchema = z.object({ id: z.uuid({ error: "Not a reference batch id" }) });

/** The stub of batch `id`'s Durable Object. */
const batch = (env: Env, id: string) => env.REFERENCE_BATCH.get(env.REFERENCE_BATCH.idFromName(id));
/** The live ticket's scope for a batch (tickets name one scope: a group, or this). */
const liveScope = (id: string) => `ref-${id}`;
const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]! % 2_147_483_647;

export const referenceRoutes = new Hono<AppEnv>()
  .post("/references", requireUser, jsonBody(ReferenceRequestSchema), async (c) => {
    const { description, kind, count, style } = c.req.valid("json");
    const userId = c.get("user").id;
    const provider = referenceProvider(c.env);
    const estimate = imageCost(provider.model, count);
    await assertWithinBudget(c.env, userId, estimate, `${count} reference image${count > 1 ? "s" : ""}`);
    await assertRoomFor(c.env, userId, 0);
    await claimUploadAttempt(c.env, userId);
    const id = crypto.randomUUID();
    const view = await batch(c.env, id).start({
      id,
      userId,
      origin: new URL(c.req.url).origin,
      description,
      kind,
      style: style || null,
      count,
      seed: randomSeed(),
      createdAt: Date.now(),
    });
    logger(c).info("reference batch started", {
      user_id: userId,
      batch_id: id,
      count,
      provider: provider.name,
    });
    return c.json(view, 202);
  })
  .get("/references/:id", requireUser, pathParams(IdParamSchema), async (c) => {
    const view = await batch(c.env, c.req.valid("param").id).read(c.get("user").id);
    if (!view) throw notFound("Reference batch");
    return c.json(view, 200);
  })
  .post("/references/:id/cancel", requireUser, pathParams(IdParamSchema), async (c) => {
    const view = await batch(c.env, c.req.valid("param").id).cancel(c.get("user").id);
    if (!view) throw notFound("Reference batch");
    return c.json(view, 202);
  })
  .post("/references/:id/ticket", requireUser, pathParams(IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const user = c.get("user");
    if (!(await batch(c.env, id).read(user.id))) throw notFound("Reference batch");
    const { ticket, expiresAt } = await issueLiveTicket(c.env, user.id, liveScope(id));
    return c.json(
      {
        ticket,
        expires_at: expiresAt,
        path: `/api/references/${id}/live?ticket=${encodeURIComponent(ticket)}`,
      },
      200,
    );
  })
  .get("/references/:id/live", pathParams(IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError(400, "bad_request", "This endpoint takes a WebSocket upgrade.");
    const ticket = await verifyLiveTicket(c.env, c.req.query("ticket") ?? "", liveScope(id));
    if (!ticket) throw new ApiError(401, "unauthorized", "The live ticket is invalid or has expired.");
    // The batch answers 404 unless the ticket's user owns it, and uses the ticket's nonce up.
    return batch(c.env, id).fetch(forwardLive(c.req.raw, ticket));
  });
