/**
 * Brute-force protection for sign-in, exact under concurrency and unable to lock a real owner out.
 *
 * Every attempt is recorded BEFORE the password is checked, by one conditional INSERT ... SELECT
 * (D1 runs each statement atomically and one at a time, as the generation quota relies on): the
 * attempt's rows are written only when every limit still has room, so fourteen parallel guesses
 * cannot all pass a check that none of them has recorded yet. A successful sign-in deletes the
 * account's rows and its own row against the address; a failed one leaves them counting. Over a
 * sliding 15-minute window:
 *
 * - per account AND address (`pair:`): 10 attempts, then 429 until the oldest leaves the window.
 *   Someone guessing from elsewhere spends their own allowance, not the owner's.
 * - per address (`ip:`): 50 attempts across all accounts (offices share one address).
 * - per account from anywhere (`email:`): past 10 failed attempts, not a lock but a slow-down:
 *   one attempt per {@link SLOW_DOWN_MS}, so a spray from many addresses is slowed to a crawl while
 *   the owner waits at most that long.
 *
 * The address is Cloudflare's `CF-Connecting-IP`, which the platform sets; a client's own
 * `X-Real-IP` or `X-Forwarded-For` is never trusted.
 */
import { inArray, lte, or } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { loginFailures } from "../db/schema.ts";
import { sqlNames } from "../db/sql-names.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

const L = sqlNames(loginFailures);
const WINDOW_MS = 15 * 60 * 1000;
const REGISTER_WINDOW_MS = 60 * 60 * 1000;
/** Per account and address: a real user rarely mistypes ten times. */
const MAX_PER_PAIR = 10;
/** Per address, across accounts. */
const MAX_PER_ADDRESS = 50;
/** Failed attempts on one account, from anywhere, before it is slowed down. */
const SLOW_AFTER_PER_EMAIL = 10;
/** Past that, at most one attempt on the account per this long. */
export const SLOW_DOWN_MS = 30 * 1000;

const subjects = (email: string, address: string) => ({
  pair: `pair:${email}|${address}`,
  ip: `ip:${address}`,
  email: `email:${email}`,
});

/**
 * Records one sign-in attempt for `email` from `address`, or throws 429 (with Retry-After)
 * without recording anything when a limit has no room left. Call it before checking the password;
 * hand what it returns to {@link clearLoginAttempts} when the password was right.
 */
export async function claimLoginAttempt(
  env: Env,
  email: string,
  address: string,
  now = Date.now(),
): Promise<LoginClaim> {
  const s = subjects(email, address);
  const since = now - WINDOW_MS;
  const countOf = (n: number) =>
    `(SELECT COUNT(*) FROM ${L.$table} WHERE ${L.subject} = ?${n} AND ${L.createdAt} > ?4)`;
  const result = await env.DB.prepare(
    `INSERT INTO ${L.$table} (${L.subject}, ${L.createdAt})
     SELECT value, ?5 FROM json_each(json_array(?1, ?2, ?3))
     WHERE ${countOf(1)} < ?6
       AND ${countOf(2)} < ?7
       AND (${countOf(3)} < ?8
         OR (SELECT MAX(${L.createdAt}) FROM ${L.$table} WHERE ${L.subject} = ?3) <= ?5 - ?9)
     RETURNING ${L.id} AS id`,
  )
    .bind(
      s.pair,
      s.ip,
      s.email,
      since,
      now,
      MAX_PER_PAIR,
      MAX_PER_ADDRESS,
      SLOW_AFTER_PER_EMAIL,
      SLOW_DOWN_MS,
    )
    .all<{ id: number }>();
  if (result.results.length > 0) {
    // Rows that left every window (the longest is registration's hour) are of no use to anyone.
    await getDb(env)
      .delete(loginFailures)
      .where(lte(loginFailures.createdAt, now - REGISTER_WINDOW_MS));
    return { email, address, rowIds: result.results.map((r) => r.id) };
  }
  throw await refusal(env, s, since, now);
}

/** What {@link claimLoginAttempt} recorded. */
export interface LoginClaim {
  email: string;
  address: string;
  rowIds: number[];
}

/** The 429 for a refused attempt, saying when the next one may come. */
async function refusal(env: Env, s: ReturnType<typeof subjects>, since: number, now: number) {
  const times = async (subject: string) =>
    (
      await env.DB.prepare(
        `SELECT ${L.createdAt} AS t FROM ${L.$table} WHERE ${L.subject} = ?1 AND ${L.createdAt} > ?2 ORDER BY ${L.createdAt}`,
      )
        .bind(subject, since)
        .all<{ t: number }>()
    ).results.map((r) => r.t);
  const [pair, ip, email] = await Promise.all([times(s.pair), times(s.ip), times(s.email)]);
  const waits = [0];
  if (pair.length >= MAX_PER_PAIR) waits.push(pair[0]! + WINDOW_MS - now);
  if (ip.length >= MAX_PER_ADDRESS) waits.push(ip[0]! + WINDOW_MS - now);
  if (email.length >= SLOW_AFTER_PER_EMAIL) waits.push(email.at(-1)! + SLOW_DOWN_MS - now);
  const retryAfter = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  return new ApiError(429, "rate_limited", "Too many failed sign-in attempts. Try again later.", {
    headers: { "Retry-After": String(retryAfter) },
    details: { retry_after_seconds: retryAfter },
  });
}

/**
 * A successful sign-in takes back the account's attempts (this pair's and the account-wide ones)
 * and this attempt's own row against the address; the address's failed attempts stay counted.
 */
export async function clearLoginAttempts(env: Env, claim: LoginClaim) {
  const s = subjects(claim.email, claim.address);
  await getDb(env)
    .delete(loginFailures)
    .where(or(inArray(loginFailures.subject, [s.pair, s.email]), inArray(loginFailures.id, claim.rowIds)));
}

/** New accounts per address per rolling hour. */
export const MAX_REGISTRATIONS_PER_ADDRESS = 20;

/**
 * Records one registration from `address` (one conditional INSERT, atomic as above), or throws 429
 * when that address has made {@link MAX_REGISTRATIONS_PER_ADDRESS} in the last hour. Where no
 * platform names the address (`wrangler dev`, tests: "local") there is nothing to key on, and
 * nothing is limited.
 */
export async function claimRegistration(env: Env, address: string, now = Date.now()): Promise<void> {
  if (address === "local") return;
  const subject = `register:${address}`;
  const since = now - REGISTER_WINDOW_MS;
  const result = await env.DB.prepare(
    `INSERT INTO ${L.$table} (${L.subject}, ${L.createdAt})
     SELECT ?1, ?2
     WHERE (SELECT COUNT(*) FROM ${L.$table} WHERE ${L.subject} = ?1 AND ${L.createdAt} > ?3) < ?4`,
  )
    .bind(subject, now, since, MAX_REGISTRATIONS_PER_ADDRESS)
    .run();
  if (result.meta.changes > 0) return;
  const oldest = await env.DB.prepare(
    `SELECT MIN(${L.createdAt}) AS t FROM ${L.$table} WHERE ${L.subject} = ?1 AND ${L.createdAt} > ?2`,
  )
    .bind(subject, since)
    .first<{ t: number | null }>();
  const retryAfter = Math.max(1, Math.ceil(((oldest?.t ?? now) + REGISTER_WINDOW_MS - now) / 1000));
  throw new ApiError(429, "rate_limited", "Too many new accounts from this address. Try again later.", {
    headers: { "Retry-After": String(retryAfter) },
    details: { retry_after_seconds: retryAfter },
  });
}
