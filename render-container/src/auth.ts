/**
 * The container's door: only the Worker may call it. Every request carries the shared secret
 * (`Authorization: Bearer <RENDER_SECRET>`), request bodies are JSON (jobs, probes) or raw bytes
 * (staged files) and nothing else, so a browser's cross-site "simple" request (a form or a
 * `text/plain` fetch) never reaches a handler.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { JobError } from "./errors.ts";

/** The shortest secret the server starts with (a 32-byte hex string from `npm start` is 64). */
export const MIN_SECRET_LENGTH = 32;

/**
 * RENDER_SECRET, checked: the server refuses to start without one of at least
 * {@link MIN_SECRET_LENGTH} characters. There is no switch to run without it: `npm start` and the
 * tests generate one, so a switch would only be a way to reopen the door.
 */
export function secretFromEnv(env: NodeJS.ProcessEnv): string {
  const secret = env.RENDER_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret))
    throw new Error(
      `RENDER_SECRET must be set to a random string of at least ${MIN_SECRET_LENGTH} characters ` +
        "without spaces (the Worker sends the same value); e.g. RENDER_SECRET=$(openssl rand -hex 32)",
    );
  return secret;
}

/** SHA-256 of both sides first, so the comparison is constant-time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}

/** Refuses (401 `unauthorized`) any request without the shared secret, on every route. */
export function requireSecret(secret: string): MiddlewareHandler {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(`the render container's secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return async (c, next) => {
    const token = bearer(c.req.header("authorization"));
    if (token === null || !sameSecret(token, secret)) {
      c.header("WWW-Authenticate", 'Bearer realm="render-container"');
      throw new JobError("unauthorized", "a valid Authorization: Bearer <RENDER_SECRET> header is required");
    }
    await next();
  };
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Refuses (415 `unsupported_media_type`) a body of another type: `POST` bodies must be
 * `application/json`, `PUT` bodies (staged files) `application/octet-stream`.
 */
export function requireBodyType(): MiddlewareHandler {
  const expected: Record<string, string> = { POST: "application/json", PUT: "application/octet-stream" };
  return async (c, next) => {
    const want = expected[c.req.method];
    if (want && mediaType(c.req.header("content-type")) !== want)
      throw new JobError("unsupported_media_type", `${c.req.method} bodies must be sent as ${want}`);
    await next();
  };
}
