import { Hono } from "hono";
import { z } from "zod";
import { requireUser } from "../auth/require-user.ts";
import type { AppEnv } from "../env.ts";
import { coordinator } from "../groups/coordinator-client.ts";
import { ApiError } from "../lib/errors.ts";
import { issueLiveTicket, verifyLiveTicket } from "../lib/live-tickets.ts";
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
    const userId = await verifyLiveTicket(c.env, c.req.query("ticket") ?? "", group_id);
    if (!userId) throw new ApiError(401, "unauthorized", "The live ticket is invalid or has expired.");
    await ownGroup(c.env, group_id, userId);
    const forwarded = new Request(c.req.raw);
    forwarded.headers.set("X-Live-User", userId);
    return coordinator(c.env, group_id).fetch(forwarded);
  });
