/** How records leave the API: snake_case, no secrets, signed media URLs, one generation view. */
import type { Context } from "hono";
import type { generations, users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { type GenerationView, generationView, sourceFromRow } from "../views/generation.ts";

type UserRow = typeof users.$inferSelect;
type GenerationRow = typeof generations.$inferSelect;

/** The user as the API shows it. */
export function publicUser(u: UserRow) {
  return { id: u.id, email: u.email, total_cost: u.totalCost, created_at: u.createdAt };
}

/**
 * The client's address as Cloudflare reports it (`CF-Connecting-IP`, which the platform sets and
 * a client cannot forge through it); "local" where nothing sets it (tests, `wrangler dev`). Headers
 * a client writes itself (`X-Real-IP`, `X-Forwarded-For`) are never read.
 */
export function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "local";
}

/** The read model of a generation row (views/generation.ts), with links for this request's origin. */
export function rowView(c: Context<AppEnv>, g: GenerationRow): Promise<GenerationView> {
  return generationView(c.env, new URL(c.req.url).origin, sourceFromRow(g));
}
