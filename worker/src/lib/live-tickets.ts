/**
 * Short-lived tickets for the live WebSocket. Browsers cannot set an Authorization header on
 * a WebSocket, so the client first asks (authenticated) for a ticket naming one user and one
 * group, valid for a minute, and passes it in the query string.
 */
import type { Env } from "../env.ts";
import { hmacHex, safeEqual } from "./media-signing.ts";

const TTL_SECONDS = 60;

/** Issues a ticket for `userId` to watch `groupId`. */
export async function issueLiveTicket(env: Env, userId: string, groupId: string, now = Date.now()) {
  const exp = Math.floor(now / 1000) + TTL_SECONDS;
  const payload = `${userId}.${groupId}.${exp}`;
  return { ticket: `${payload}.${await hmacHex(env, `live\n${payload}`)}`, expiresAt: exp * 1000 };
}

/** The user id a valid, unexpired ticket for `groupId` names, else null. */
export async function verifyLiveTicket(
  env: Env,
  ticket: string,
  groupId: string,
  now = Date.now(),
): Promise<string | null> {
  const parts = ticket.split(".");
  if (parts.length !== 4) return null;
  const [userId, ticketGroup, exp, sig] = parts as [string, string, string, string];
  if (ticketGroup !== groupId || Number(exp) * 1000 < now) return null;
  return safeEqual(await hmacHex(env, `live\n${userId}.${ticketGroup}.${exp}`), sig) ? userId : null;
}
