/** `GET /api/health`: the worker, D1, R2 and the renderer, each with its latency. */
import { Hono } from "hono";
import type { AppEnv, Env } from "../env.ts";
import { rendererFetch } from "../render/client.ts";

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>): Promise<Check> {
  const start = Date.now();
  try {
    await fn();
    return { ok: true, ms: Date.now() - start };
  } catch (err) {
    return { ok: false, ms: Date.now() - start, error: err instanceof Error ? err.message : String(err) };
  }
}

async function checkRenderer(env: Env) {
  const res = await rendererFetch(env, "/health", { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`renderer answered ${res.status}`);
}

export const healthRoutes = new Hono<AppEnv>().get("/health", async (c) => {
  const [d1, r2, renderer] = await Promise.all([
    timed(() => c.env.DB.prepare("SELECT 1").first()),
    timed(() => c.env.MEDIA.head("health-probe")),
    timed(() => checkRenderer(c.env)),
  ]);
  const checks = { worker: { ok: true, ms: 0 } as Check, d1, r2, renderer };
  const ok = Object.values(checks).every((x) => x.ok);
  return c.json({ ok, checks }, ok ? 200 : 503);
});
