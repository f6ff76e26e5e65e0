/**
 * One error type for the whole API and the one handler that shapes every failure as
 * `{ error: { code, message, details? } }` (4xx) or a generic 500 without internals.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env.ts";
import { logger } from "./log.ts";

/** Machine-readable error codes. The HTTP status travels with each. */
export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  /** 422: an upload of an accepted type that fails a check (truncated, too large, appended data). */
  | "invalid_media"
  | "rate_limited"
  /** 409: a request with this Idempotency-Key is still running. */
  | "idempotency_key_in_use"
  /** 422: this Idempotency-Key was first used with a different request. */
  | "idempotency_key_reused"
  | "payment_required"
  | "internal"
  | "unavailable";

/** The body every error response has. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Throw this from anywhere in a request; `handleError` turns it into the JSON response. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** 404 used for missing ids and for other users' ids alike, so ids leak nothing. */
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);

/** Builds the JSON body for an error. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** `app.onError`: known errors keep their status; anything else is logged in full and hidden. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, err.details), err.status);
  }
  // Hono's own HTTPExceptions (e.g. bodyLimit) carry a status; keep 4xx, hide 5xx detail.
  const status = (err as { status?: number }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 413 ? "payload_too_large" : status === 401 ? "unauthorized" : "bad_request";
    return c.json(errorBody(code, err.message || "Bad request"), status as ContentfulStatusCode);
  }
  logger(c).error("unhandled error", { error: err.message, stack: err.stack });
  return c.json(errorBody("internal", "Something went wrong on our side. Please try again."), 500);
}
