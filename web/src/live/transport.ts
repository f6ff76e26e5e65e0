/**
 * How live data travels, with no idea what it means: the group's WebSocket (a ticket, then the
 * socket, reopened after a drop) and a poll loop for while the socket is down. What the
 * messages do to the page's data is reconcile.ts's business; follow.ts puts the two together.
 */
import type { LiveEvent } from "@promptreel/worker/live-events";
import { ApiError } from "../api-error.ts";

/** Stops a subscription. Safe to call more than once. */
export type Unsubscribe = () => void;

/** How often polling asks while the socket is down. */
export const POLL_INTERVAL_MS = 2000;

/** How long to wait before each attempt to reopen a dropped socket (polling covers the gap). */
export const RECONNECT_DELAYS_MS = [2000, 5000, 10_000, 30_000];

/** 401 ends the session and 404 means gone: no point in asking again. */
const isFinal = (err: unknown) => err instanceof ApiError && (err.status === 401 || err.status === 404);

/**
 * Calls `read` at once, then `intervalMs` after each answer (never two requests in flight), until
 * `onAnswer` returns true (nothing more to learn), the returned function is called, or the server
 * says it will never answer (401 ends the session; 404 means deleted). While reads fail it backs
 * off (2 s, 4 s, 8 s, at most 30 s) so a blip is not a storm. Nothing is delivered after a stop.
 */
export function pollLoop<T>(
  read: () => Promise<T>,
  intervalMs: number,
  onAnswer: (value: T) => boolean | undefined,
  onError?: (error: unknown) => void,
): Unsubscribe {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const tick = async () => {
    try {
      const value = await read();
      if (stopped) return;
      failures = 0;
      if (onAnswer(value)) return;
    } catch (err) {
      if (stopped) return;
      onError?.(err);
      if (isFinal(err)) return;
      failures++;
    }
    timer = setTimeout(tick, failures ? Math.min(intervalMs * 2 ** failures, 30_000) : intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Opens a group's socket at the ticketed `path`. Every message that is an event (it has a
 * numeric `seq`) reaches `onEvent`; anything else (a keep-alive reply) is dropped. `onClose`
 * runs once the socket closes, for whatever reason.
 */
function openGroupSocket(path: string, onEvent: (event: LiveEvent) => void, onClose: () => void): WebSocket {
  const url = new URL(path, location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.onmessage = (message) => {
    let event: LiveEvent;
    try {
      event = JSON.parse(String(message.data)) as LiveEvent;
    } catch {
      return;
    }
    if (typeof event?.seq === "number") onEvent(event);
  };
  ws.onclose = onClose;
  return ws;
}

/** What {@link keepGroupSocket} reports. */
export interface GroupSocketHandlers {
  /** Every event, as it arrives. */
  onEvent(event: LiveEvent): void;
  /** The socket could not open, or dropped: cover for it (poll). Called on every failure. */
  onDown(): void;
  onError?(error: unknown): void;
}

/**
 * Keeps a group's socket open: fetches a ticket and opens it; when either fails it calls
 * `onDown` and tries again after each of `delays` in turn (never after a 401 or 404, and a
 * snapshot, proof that the socket works, starts the count again). Returns the function that
 * closes it for good, with a close reason.
 */
export function keepGroupSocket(
  groupId: string,
  ticket: (groupId: string) => Promise<{ path: string }>,
  delays: readonly number[],
  handlers: GroupSocketHandlers,
): (reason: string) => void {
  let closed = false;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  const retryLater = () => {
    if (closed || attempts >= delays.length) return;
    retryTimer = setTimeout(() => void connect(), delays[attempts++]);
  };
  const connect = async () => {
    if (closed) return;
    let path: string;
    try {
      ({ path } = await ticket(groupId));
    } catch (err) {
      handlers.onError?.(err);
      handlers.onDown();
      if (!isFinal(err)) retryLater();
      return;
    }
    if (closed) return;
    const ws = openGroupSocket(
      path,
      (event) => {
        if (event.type === "snapshot") attempts = 0;
        handlers.onEvent(event);
      },
      () => {
        if (socket === ws) socket = null;
        if (closed) return;
        handlers.onDown();
        retryLater();
      },
    );
    socket = ws;
  };
  void connect();
  return (reason) => {
    closed = true;
    clearTimeout(retryTimer);
    socket?.close(1000, reason);
  };
}
