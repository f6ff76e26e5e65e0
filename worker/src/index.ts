/**
 * The Worker's entry point: the Hono app for /api/*, static assets (the web app) for the rest
 * (wrangler.toml `assets`), the cron sweep of open generations, and the Durable Object and
 * Container classes it binds.
 */
import { app } from "./app.ts";
import type { Env } from "./env.ts";
import { sweepOpenGenerations } from "./groups/sweep.ts";

export type { AppType } from "./app.ts";
export { GroupCoordinator } from "./groups/group-coordinator.ts";
export { ReferenceBatch } from "./references/batch.ts";
export { Renderer } from "./render/renderer-container.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  /** The cron trigger (wrangler.toml `[triggers]`): no generation row stays open forever. */
  scheduled: (_controller, env, ctx) => ctx.waitUntil(sweepOpenGenerations(env)),
} satisfies ExportedHandler<Env>;
