/**
 * `Idempotency-Key` for the routes that start work (`POST /api/generate`, `/api/comparisons` and
 * its alias `/api/generate/parallel`), with Stripe's semantics as the reference:
 *
 * - No header: the route behaves as it always has.
 * - The key is 1-255 visible ASCII characters (0x21-0x7E), else 400 `bad_request`.
 * - Keys are per user (the table's key is `(user_id, key)`): one user's key never reveals or
 *   replays another user's answer.
 * - The first request claims the key with one `INSERT ... ON CONFLICT DO UPDATE ... WHERE ...
 *   RETURNING` (atomic in D1, like the generation quota's claim), so of two concurrent requests
 *   with one key exactly one runs. The other gets 409 `idempotency_key_in_use` while the first
 *   runs, and the first's answer once it has one.
 * - A repeat answers the stored status and JSON body with `Idempotent-Replayed: true`, and starts
 *   nothing (no generation, no quota unit).
 * - The same key with another request (SHA-256 of method, path and canonical JSON body: key
 *   order and whitespace do not count) is 422 `idempotency_key_reused`.
 * - Only a 2xx answer is stored. Any other answer (a 400 validation failure, 402 over budget,
 *   429 over the hourly quota, 404 for a foreign asset, 5xx) releases the key: on each of those
 *   paths no generation is left running (a refused create writes nothing; a start that fails
 *   marks its records failed), so a corrected or later retry with the same key proceeds.
 * - Keys live 24 h from their claim; an older row counts as absent, is overwritten by the next
 *   claim, and rows past that age are pruned whenever a key is claimed.
 * - A claim with no answer after {@link IN_FLIGHT_LEASE_MS} belongs to a request that died
 *   (an isolate crash); a retry with the same request may take it over (the "locked_at" lease
 *   of Stripe-style key implementations) rather than wait out 24 h of 409s. The claim's token
 *   keeps a late first request from overwriting or deleting the new owner's row.
 */
import { lte } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { getDb } from "../db/client.ts";
import { idempotencyKeys } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import { logger } from "./log.ts";

const K = sqlNames(idempotencyKeys);

/** The request header (case-insensitive, as every HTTP header). */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";
/** Set to `true` on an answer replayed from a stored one. */
export const REPLAYED_HEADER = "Idempotent-Replayed";
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim without an answer blocks a retry before it counts as abandoned. */
export const IN_FLIGHT_LEASE_MS = 2 * 60 * 1000;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted at every level, so equal bodies hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The fingerprint a key is bound to: method, path and the body (canonical when it is JSON). */
async function requestHash(c: Context<AppEnv>): Promise<string> {
  const text = await c.req.text();
  let body = text;
  try {
    body = canonicalJson(JSON.parse(text));
  } catch {
    // Not JSON: the validator will refuse it (and the key is released); hash the raw text.
  }
  return sha256Hex(`${c.req.method} ${c.req.path}\n${body}`);
}

interface StoredKey {
  request_hash: string;
  response_status: number | null;
  response_body: string | null;
  created_at: number;
}

/**
 * Claims `(userId, key)` for `hash`: inserts the row, or takes over one that expired (or was
 * abandoned while in flight with the same request). Answers the claim's token, or null when
 * another claim holds the key.
 */
async function claim(c: Context<AppEnv>, userId: string, key: string, hash: string, now: number) {
  const token = crypto.randomUUID();
  const row = await c.env.DB.prepare(
    `INSERT INTO ${K.$table} (${K.userId}, ${K.key}, ${K.requestHash}, ${K.token}, ${K.createdAt})
     VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (${K.userId}, ${K.key}) DO UPDATE SET
       ${K.requestHash} = excluded.${K.requestHash}, ${K.token} = excluded.${K.token},
       ${K.responseStatus} = NULL, ${K.responseBody} = NULL, ${K.createdAt} = excluded.${K.createdAt}
     WHERE ${K.$table}.${K.createdAt} <= ?6
        OR (${K.$table}.${K.responseStatus} IS NULL AND ${K.$table}.${K.createdAt} <= ?7
            AND ${K.$table}.${K.requestHash} = excluded.${K.requestHash})
     RETURNING ${K.token} AS token`,
  )
    .bind(userId, key, hash, token, now, now - IDEMPOTENCY_TTL_MS, now - IN_FLIGHT_LEASE_MS)
    .first<{ token: string }>();
  return row ? row.token : null;
}

/** The row holding `(userId, key)`, if it is still live. */
async function storedKey(c: Context<AppEnv>, userId: string, key: string, now: number) {
  return c.env.DB.prepare(
    `SELECT ${K.requestHash} AS request_hash, ${K.responseStatus} AS response_status,
            ${K.responseBody} AS response_body, ${K.createdAt} AS created_at
     FROM ${K.$table} WHERE ${K.userId} = ?1 AND ${K.key} = ?2 AND ${K.createdAt} > ?3`,
  )
    .bind(userId, key, now - IDEMPOTENCY_TTL_MS)
    .first<StoredKey>();
}

/** Records the answer of the request holding `token` (a no-op if its claim was taken over). */
async function recordAnswer(c: Context<AppEnv>, userId: string, key: string, token: string, res: Response) {
  await c.env.DB.prepare(
    `UPDATE ${K.$table} SET ${K.responseStatus} = ?4, ${K.responseBody} = ?5
     WHERE ${K.userId} = ?1 AND ${K.key} = ?2 AND ${K.token} = ?3`,
  )
    .bind(userId, key, token, res.status, await res.clone().text())
    .run();
}

/** Gives the key back, so a retry runs afresh (only the claim holding `token`). */
async function release(c: Context<AppEnv>, userId: string, key: string, token: string) {
  await c.env.DB.prepare(
    `DELETE FROM ${K.$table} WHERE ${K.userId} = ?1 AND ${K.key} = ?2 AND ${K.token} = ?3`,
  )
    .bind(userId, key, token)
    .run();
}

/** 409 while the request holding the key has not answered. */
const inUse = () =>
  new ApiError(
    409,
    "idempotency_key_in_use",
    `A request with this ${IDEMPOTENCY_HEADER} is still being processed. Retry shortly to get its answer.`,
    { headers: { "Retry-After": "1" } },
  );

/**
 * The middleware. Mount it after `requireUser` (keys are per user) and before the body
 * validator (so a validation failure releases the key): `requireUser, idempotent, jsonBody(...)`.
 */
export const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return next();
  if (!KEY_PATTERN.test(key))
    throw new ApiError(
      400,
      "bad_request",
      `${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters (a UUID is a good choice).`,
      { details: { header: IDEMPOTENCY_HEADER } },
    );
  const userId = c.get("user").id;
  const hash = await requestHash(c);
  const now = Date.now();

  let token: string | null = null;
  // A key released or expired between a failed claim and the read is claimed again.
  for (let attempt = 0; attempt < 3 && token === null; attempt++) {
    token = await claim(c, userId, key, hash, now);
    if (token) break;
    const stored = await storedKey(c, userId, key, now);
    if (!stored) continue;
    if (stored.request_hash !== hash)
      throw new ApiError(
        422,
        "idempotency_key_reused",
        `This ${IDEMPOTENCY_HEADER} was already used with a different request. Use a new key for a new request.`,
      );
    if (stored.response_status === null) throw inUse();
    return c.body(stored.response_body ?? "", stored.response_status as ContentfulStatusCode, {
      "Content-Type": "application/json",
      [REPLAYED_HEADER]: "true",
    });
  }
  if (token === null) throw inUse();

  // Keys past their 24 h are of no use to anyone; pruned here rather than on a schedule.
  await getDb(c.env)
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
    .catch((err: unknown) => logger(c).error("could not prune idempotency keys", { error: String(err) }));

  const held = token;
  const giveBack = () =>
    release(c, userId, key, held).catch((err: unknown) =>
      // The answer stands; the key stays claimed and a retry gets 409 until the lease lapses.
      logger(c).error("could not release an idempotency key", { user_id: userId, error: String(err) }),
    );
  try {
    await next();
  } catch (err) {
    await giveBack();
    throw err;
  }
  if (c.error || c.res.status < 200 || c.res.status > 299) {
    await giveBack();
    return;
  }
  try {
    await recordAnswer(c, userId, key, token, c.res);
  } catch (err) {
    // The work has started: answer it. The key stays claimed without an answer, so a retry gets
    // 409 until the lease lapses.
    logger(c).error("could not record the idempotent answer", {
      user_id: userId,
      error: String(err),
      stack: (err as Error).stack,
    });
  }
});
