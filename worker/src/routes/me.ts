/** The signed-in user. */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { requireUser } from "../auth/require-user.ts";
import { getDb } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { notFound } from "../lib/errors.ts";
import { publicUser } from "./serialize.ts";

export const meRoutes = new Hono<AppEnv>().get("/me", requireUser, async (c) => {
  const row = await getDb(c.env)
    .select()
    .from(users)
    .where(eq(users.id, c.get("user").id))
    .get();
  if (!row) throw notFound("User");
  return c.json({ user: publicUser(row) }, 200);
});
