/**
 * Brute-force protection for sign-in: failed attempts are counted per email and per client
 * address over a sliding window in D1; over the limit the next attempt gets 429 with
 * Retry-After before the password is even checked.
 */
import { and, count, eq, gt, lte, min } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { loginFailures } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

const WINDOW_MS = 15 * 60 * 1000;
/** Per account: small, since a real user rarely mistypes ten times. */
const MAX_PER_EMAIL = 10;
/** Per address: larger, since offices share one address. */
const MAX_PER_ADDRESS = 50;

/** Throws 429 when either subject has too many recent failures. */
export async function assertLoginAllowed(env: Env, email: string, address: string, now = Date.now()) {
  const since = now - WINDOW_MS;
  const check = async (subject: string, max: number) => {
    const row = await getDb(env)
      .select({ n: count(), oldest: min(loginFailures.createdAt) })
      .from(loginFailures)
      .where(and(eq(loginFailures.subject, subject), gt(loginFailures.createdAt, since)))
      .get();
    if (row && row.n >= max) {
      const retryAfter = Math.max(1, Math.ceil(((row.oldest ?? now) + WINDOW_MS - now) / 1000));
      throw new ApiError(429, "rate_limited", "Too many failed sign-in attempts. Try again later.", {
        headers: { "Retry-After": String(retryAfter) },
        details: { retry_after_seconds: retryAfter },
      });
    }
  };
  await check(`email:${email}`, MAX_PER_EMAIL);
  await check(`ip:${address}`, MAX_PER_ADDRESS);
}

/** Records a failed attempt against both subjects, and prunes rows that left the window. */
export async function recordLoginFailure(env: Env, email: string, address: string, now = Date.now()) {
  const db = getDb(env);
  await db.batch([
    db.insert(loginFailures).values([
      { subject: `email:${email}`, createdAt: now },
      { subject: `ip:${address}`, createdAt: now },
    ]),
    db.delete(loginFailures).where(lte(loginFailures.createdAt, now - WINDOW_MS)),
  ]);
}

/** A successful sign-in clears the account's failures (not the address's). */
export async function clearLoginFailures(env: Env, email: string) {
  await getDb(env)
    .delete(loginFailures)
    .where(eq(loginFailures.subject, `email:${email}`));
}
