/**
 * Short-lived, single-use tickets for the live WebSocket. Browsers cannot set an Authorization
 * header on a WebSocket, so the client first asks (authenticated) for a ticket naming one user and
 * one group, valid for a minute, and passes it in the query string. Each ticket carries a random
 * nonce; the Durable Object that accepts the socket records it, so a ticket opens one socket only
 * (a copied URL cannot be replayed for the rest of its minute).
 */
import type { Env } from "../env.ts";
import { hmacHex, safeEqual } from "./media-signing.ts";

const TTL_SECONDS = 60;

/** What a valid ticket says: who, and the nonce (with its expiry, ms) its socket uses up. */
export interface LiveTicket {
  userId: string;
  nonce: string;
  expiresAt: number;
}

/** Issues a ticket for `userId` to watch `groupId`. */
export async function issueLiveTicket(env: Env, userId: string, groupId: string, now = Date.now()) {
  const exp = Math.floor(now / 1000) + TTL_SECONDS;
  const nonce = crypto.randomUUID().replaceAll("-", "");
  const payload = `${userId}.${groupId}.${exp}.${nonce}`;
  return { ticket: `${payload}.${await hmacHex(env, `live\n${payload}`)}`, expiresAt: exp * 1000 };
}

/** What a valid, unexpired ticket for `groupId` says, else null. */
export async function verifyLiveTicket(
  env: Env,
  ticket: string,
  groupId: string,
  now = Date.now(),
): Promise<LiveTicket | null> {
  const parts = ticket.split(".");
  if (parts.length !== 5) return null;
  const [userId, ticketGroup, exp, nonce, sig] = parts as [string, string, string, string, string];
  if (ticketGroup !== groupId || Number(exp) * 1000 < now) return null;
  const expected = await hmacHex(env, `live\n${userId}.${ticketGroup}.${exp}.${nonce}`);
  return safeEqual(expected, sig) ? { userId, nonce, expiresAt: Number(exp) * 1000 } : null;
}

/** The headers the Worker forwards a ticketed upgrade to its Durable Object with. */
export function forwardLive(request: Request, ticket: LiveTicket): Request {
  const forwarded = new Request(request);
  forwarded.headers.set("X-Live-User", ticket.userId);
  forwarded.headers.set("X-Live-Nonce", ticket.nonce);
  forwarded.headers.set("X-Live-Expires", String(ticket.expiresAt));
  return forwarded;
}
