/**
 * One JSON line per request: method, path, status and duration, at `info`. A route clients poll
 * marks itself with `polled`, and its successful requests are logged at `debug` instead.
 *
 * A client polls a running generation a few times a second, and each line is work on the box that
 * answers the next poll (wrangler dev, 50 clients each asking every 500 ms beside an encode: p99
 * 196 ms with our line per request, 89 ms with LOG_LEVEL warn dropping it; wrangler's own request
 * line was written in both). A failed poll, and every other request, stays at info.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { logger, setLogLevel } from "./log.ts";

/** Marks a polled route: its successful requests are logged at `debug`. */
export const polled = createMiddleware<AppEnv>(async (c, next) => {
  c.set("polled", true);
  await next();
});

/** Writes the request's line once the response is ready (app.ts mounts it next to the request id). */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  setLogLevel(c.env.LOG_LEVEL);
  const start = Date.now();
  await next();
  const level = c.get("polled") && c.res.status < 400 ? "debug" : "info";
  logger(c)[level]("request", {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - start,
  });
});
