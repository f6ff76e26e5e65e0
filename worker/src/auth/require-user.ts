/**
 * Middleware for routes that need a signed-in user: reads `Authorization: Bearer <token>`
 * and sets `c.var.user`. The user must still exist (a deleted account's tokens stop working).
 */
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { verifyToken } from "./tokens.ts";

/** The verified claims of the request's `Authorization: Bearer <token>`, or 401. */
async function bearerClaims(c: Context<AppEnv>) {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) throw new ApiError(401, "unauthorized", "Sign in to continue.");
  return verifyToken(c.env, match[1]);
}

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await bearerClaims(c);
  const row = await getDb(c.env)
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.id, claims.id))
    .get();
  if (!row)
    throw new ApiError(401, "unauthorized", "Your session is invalid or has expired. Please sign in again.");
  c.set("user", row);
  await next();
});

/**
 * For hot read paths (status polls): the signed token alone identifies the user, with no D1
 * read. What such a route shows is checked against that user id itself (a deleted account has
 * no records left to show), so the token is all the authority it needs.
 */
export const requireToken = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", await bearerClaims(c));
  await next();
});
