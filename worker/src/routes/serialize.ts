/** How records leave the API: snake_case, no secrets, signed media URLs. */
import type { Context } from "hono";
import type { generations, users } from "../db/schema.ts";
import type { AppEnv, Env } from "../env.ts";
import { signedMediaUrl } from "../lib/media-signing.ts";
import type { CostBreakdown } from "../pipeline/prices.ts";

type UserRow = typeof users.$inferSelect;
type GenerationRow = typeof generations.$inferSelect;

/** The user as the API shows it. */
export function publicUser(u: UserRow) {
  return { id: u.id, email: u.email, total_cost: u.totalCost, created_at: u.createdAt };
}

/** The client's address as Cloudflare reports it ("local" under tests and some dev setups). */
export function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "local";
}

/** The polling view of a generation (`GET /api/status/:id`). */
export async function generationStatus(env: Env, origin: string, g: GenerationRow) {
  return {
    generation_id: g.id,
    group_id: g.groupId,
    status: g.status,
    progress: g.progress,
    current_step: g.currentStep,
    video_url: g.videoKey ? await signedMediaUrl(env, origin, g.videoKey) : null,
    thumbnail_url: g.thumbnailKey ? await signedMediaUrl(env, origin, g.thumbnailKey) : null,
    cost: g.cost,
    error: g.error,
  };
}

/** The library view of a generation (`GET /api/generations`). */
export async function generationSummary(env: Env, origin: string, g: GenerationRow) {
  return {
    ...(await generationStatus(env, origin, g)),
    prompt: g.prompt,
    label: g.label,
    settings: JSON.parse(g.settings) as Record<string, unknown>,
    /** Per stage and per scene; set once the generation completed. */
    cost_breakdown:
      g.status === "completed" && g.costBreakdown ? (JSON.parse(g.costBreakdown) as CostBreakdown) : null,
    created_at: g.createdAt,
    started_at: g.startedAt,
    completed_at: g.completedAt,
  };
}
