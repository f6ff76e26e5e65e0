/**
 * Signed, expiring media links. A `<video src>` cannot send an Authorization header, so the
 * link itself carries the permission: HMAC-SHA256 over method, R2 key and expiry, with a key
 * derived from the session secret. GET links go to the browser; PUT links let the render
 * container upload outputs without holding any credential of ours.
 */

import { jwtSecret } from "../auth/tokens.ts";
import { type Env, intVar } from "../env.ts";

const DEFAULT_TTL_SECONDS = 6 * 3600;
export type MediaMethod = "GET" | "PUT";

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    const material = new TextEncoder().encode(`promptreel-media-v1:${secret}`);
    key = crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

const toHex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** HMAC-SHA256 (hex) of `message` under a key derived from the session secret. */
export async function hmacHex(env: Env, message: string): Promise<string> {
  return toHex(
    await crypto.subtle.sign("HMAC", await hmacKey(jwtSecret(env)), new TextEncoder().encode(message)),
  );
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const signature = (env: Env, method: MediaMethod, key: string, exp: number) =>
  hmacHex(env, `${method}\n${key}\n${exp}`);

/** The path under which media is served (outside /api: its own auth and body rules); keys keep their slashes. */
export const mediaPath = (key: string) => `/media/${key.split("/").map(encodeURIComponent).join("/")}`;

/**
 * The expiry of a link made at `nowMs`: `ttl` seconds from the start of the current window.
 * Every link to one key made within a window is the same URL, so the REST and live views of a
 * generation agree and a browser's cache keeps working; the window is a tenth of the TTL (at
 * most 5 minutes), so a link lives at least 90 % of its TTL.
 */
function expiryOf(nowMs: number, ttl: number): number {
  const now = Math.floor(nowMs / 1000);
  const window = Math.max(1, Math.min(300, Math.floor(ttl / 10)));
  return now - (now % window) + ttl;
}

/** A link to `key` valid for `ttlSeconds` (default MEDIA_URL_TTL_SECONDS or 6 h). */
export async function signedMediaUrl(
  env: Env,
  origin: string,
  key: string,
  options: { method?: MediaMethod; ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  const method = options.method ?? "GET";
  const ttl = options.ttlSeconds ?? intVar(env.MEDIA_URL_TTL_SECONDS, DEFAULT_TTL_SECONDS);
  const exp = expiryOf(options.now ?? Date.now(), ttl);
  const sig = await signature(env, method, key, exp);
  return `${origin}${mediaPath(key)}?exp=${exp}&sig=${sig}`;
}

/** True when `sig` is a valid, unexpired signature for this method and key. */
export async function verifyMediaSignature(
  env: Env,
  method: MediaMethod,
  key: string,
  exp: string | undefined,
  sig: string | undefined,
  now = Date.now(),
): Promise<boolean> {
  const expiry = Number(exp);
  if (!sig || !Number.isInteger(expiry) || expiry * 1000 < now) return false;
  return safeEqual(await signature(env, method, key, expiry), sig);
}

/**
 * A signed link to an API path that a browser follows without an Authorization header (an
 * export's download, caption files): the same HMAC and expiry windows as media links, over the
 * path (`api:` keeps it apart from every R2 key).
 */
export async function signedApiUrl(
  env: Env,
  origin: string,
  path: string,
  now = Date.now(),
): Promise<string> {
  const exp = expiryOf(now, intVar(env.MEDIA_URL_TTL_SECONDS, DEFAULT_TTL_SECONDS));
  return `${origin}${path}?exp=${exp}&sig=${await signature(env, "GET", `api:${path}`, exp)}`;
}

/** True when `exp`/`sig` are a valid, unexpired signature of `path` ({@link signedApiUrl}). */
export const verifyApiSignature = (
  env: Env,
  path: string,
  exp: string | undefined,
  sig: string | undefined,
) => verifyMediaSignature(env, "GET", `api:${path}`, exp, sig);
