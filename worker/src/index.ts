/**
 * The Worker's entry point: the Hono app for /api/*, static assets (the web app) for the rest
 * (wrangler.toml `assets`), and the Durable Object and Container classes it binds.
 */
import { app } from "./app.ts";
import type { Env } from "./env.ts";

export type { AppType } from "./app.ts";
export { GroupCoordinator } from "./groups/group-coordinator.ts";
export { ReferenceBatch } from "./references/batch.ts";
export { Renderer } from "./render/renderer-container.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
