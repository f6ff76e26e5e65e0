/**
 * Brute-force protection for sign-in: failed attempts are counted per email and per client
 * address over a sliding window in D1; over the limit the next attempt gets 429 with
 * Retry-After before the password is even checked.
 */
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
    const row = await env.DB.prepare(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM login_failures WHERE subject = ? AND created_at > ?",
    )
      .bind(subject, since)
      .first<{ n: number; oldest: number | null }>();
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
  const insert = env.DB.prepare("INSERT INTO login_failures (subject, created_at) VALUES (?, ?)");
  await env.DB.batch([
    insert.bind(`email:${email}`, now),
    insert.bind(`ip:${address}`, now),
    env.DB.prepare("DELETE FROM login_failures WHERE created_at <= ?").bind(now - WINDOW_MS),
  ]);
}

/** A successful sign-in clears the account's failures (not the address's). */
export async function clearLoginFailures(env: Env, email: string) {
  await env.DB.prepare("DELETE FROM login_failures WHERE subject = ?").bind(`email:${email}`).run();
}
