/**
 * Request validation with zod through @hono/zod-validator, failing with the API's one error
 * shape: 400 `validation_failed` and a message per field in `details.fields`.
 */
import { zValidator } from "@hono/zod-validator";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

/** Turns zod issues into `{ "field.path": ["message", ...] }`. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    fields[key] ??= [];
    fields[key].push(issue.message);
  }
  return fields;
}

/**
 * A validation failure the schema could not see (it needs the database): the same 400 shape as
 * a zod failure, for one field.
 */
export function fieldError(field: string, message: string): ApiError {
  return new ApiError(400, "validation_failed", `${field}: ${message}`, {
    details: { fields: { [field]: [message] } },
  });
}

function failure(issues: readonly z.core.$ZodIssue[]): ApiError {
  const fields = fieldErrors(issues);
  const first = issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  return new ApiError(400, "validation_failed", `${where}${first?.message ?? "Invalid request"}`, {
    details: { fields },
  });
}

/** Validates the JSON body against `schema`; the handler reads it with `c.req.valid("json")`. */
export const jsonBody = <T extends z.ZodType>(schema: T) =>
  zValidator("json", schema, (result) => {
    if (!result.success) throw failure(result.error.issues);
  });

/**
 * Validates the JSON body against a union of request forms. On failure the issues are those of
 * the form `pick(body)` names (zod would otherwise answer a nested mistake in either form with
 * one "Invalid input" at the root).
 */
export const jsonBodyOneOf = <T extends z.ZodType>(schema: T, pick: (body: unknown) => z.ZodType) =>
  zValidator("json", schema, (result) => {
    if (result.success) return;
    const chosen = pick(result.data).safeParse(result.data);
    throw failure(chosen.success ? result.error.issues : chosen.error.issues);
  });

/** Validates query parameters against `schema`. */
export const queryParams = <T extends z.ZodType>(schema: T) =>
  zValidator("query", schema, (result) => {
    if (!result.success) throw failure(result.error.issues);
  });

/** Validates path parameters against `schema`. */
export const pathParams = <T extends z.ZodType>(schema: T) =>
  zValidator("param", schema, (result) => {
    if (!result.success) throw failure(result.error.issues);
  });

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * 415 for a body that is not JSON on JSON routes. A body-less POST (e.g. cancel) is fine.
 * Without this a form post would reach the validator and fail with a confusing 400.
 */
export const requireJsonBodies = createMiddleware<AppEnv>(async (c, next) => {
  if (BODY_METHODS.has(c.req.method)) {
    const type = c.req.header("content-type") ?? "";
    const hasBody = c.req.header("content-length") !== "0" && c.req.raw.body !== null;
    if (hasBody && type !== "" && !/^application\/json\b/i.test(type)) {
      throw new ApiError(415, "unsupported_media_type", "Send the request body as application/json.");
    }
    if (hasBody && type === "" && c.req.header("content-length") !== undefined) {
      throw new ApiError(415, "unsupported_media_type", "Send the request body as application/json.");
    }
  }
  await next();
});
