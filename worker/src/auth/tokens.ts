/**
 * Session tokens: JWT HS256 with the algorithm pinned on verify, an expiry, issuer and audience.
 */
import { sign, verify } from "hono/jwt";
import { type Env, intVar, isDevelopment } from "../env.ts";
import { ApiError } from "../lib/errors.ts";

export const TOKEN_ISSUER = "promptreel";
export const TOKEN_AUDIENCE = "promptreel-api";
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
/** Below this a secret is guessable offline from any token; production refuses it. */
const MIN_SECRET_LENGTH = 32;

/**
 * The signing secret. Refuses to run without one, and outside development with a weak one:
 * a server that signs sessions with a guessable key must not answer at all.
 */
export function jwtSecret(env: Env): string {
  const secret = env.JWT_SECRET;
  if (!secret || (!isDevelopment(env) && secret.length < MIN_SECRET_LENGTH)) {
    throw new ApiError(
      503,
      "unavailable",
      "The server is not configured: JWT_SECRET is missing or too weak.",
    );
  }
  return secret;
}

/** Signs a session token for a user. */
export async function issueToken(env: Env, user: { id: string; email: string }, now = Date.now()) {
  const iat = Math.floor(now / 1000);
  const ttl = intVar(env.SESSION_TTL_SECONDS, DEFAULT_TTL_SECONDS);
  const payload = {
    sub: user.id,
    email: user.email,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat,
    exp: iat + ttl,
  };
  return { token: await sign(payload, jwtSecret(env), "HS256"), expiresAt: (iat + ttl) * 1000 };
}

/** Verifies a token and returns its user; any flaw (alg, signature, expiry, iss, aud) is a 401. */
export async function verifyToken(env: Env, token: string): Promise<{ id: string; email: string }> {
  const secret = jwtSecret(env);
  try {
    const payload = await verify(token, secret, { alg: "HS256", iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
    if (
      typeof payload.sub !== "string" ||
      typeof payload.email !== "string" ||
      typeof payload.exp !== "number"
    ) {
      throw new Error("token lacks sub, email or exp");
    }
    return { id: payload.sub, email: payload.email };
  } catch {
    throw new ApiError(401, "unauthorized", "Your session is invalid or has expired. Please sign in again.");
  }
}
