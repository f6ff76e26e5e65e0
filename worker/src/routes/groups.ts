import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv } from "../env.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import { ApiError } from "../lib/errors.ts";
import { forwardLive, issueLiveTicket, verifyLiveTicket } from "../lib/live-tickets.ts";
import { pathParams } from "../lib/validate.ts";
import { ownGroup } from "./ownership.ts";

const GroupParamSchema = z.object({ group_id: z.string().min(1).max(64) });

export const groupRoutes = new Hono<AppEnv>()
  .post("/groups/:group_id/ticket", requireUser, pathParams(GroupParamSchema), async (c) => {
    const { group_id } = c.req.valid("param");
    const user = c.get("user");
    await ownGroup(c.env, group_id, user.id);
    const { ticket, expiresAt } = await issueLiveTicket(c.env, user.id, group_id);
    return c.json(
      {
        ticket,
        expires_at: expiresAt,
        path: `/api/groups/${group_id}/live?ticket=${encodeURIComponent(ticket)}`,
      },
      200,
    );
  })
  .get("/groups/:group_id/live", pathParams(GroupParamSchema), async (c) => {
    const { group_id } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(400, "bad_request", "This endpoint takes a WebSocket upgrade.");
    }
    const ticket = await verifyLiveTicket(c.env, c.req.query("ticket") ?? "", group_id);
    if (!ticket) throw new ApiError(401, "unauthorized", "The live ticket is invalid or has expired.");
    await ownGroup(c.env, group_id, ticket.userId);
    // The coordinator uses the ticket's nonce up: one socket per ticket.
    return coordinator(c.env, group_id).fetch(forwardLive(c.req.raw, ticket));
  });
