/**
 * Live generation updates behind one small interface, so the page does not care how they
 * arrive: the group's WebSocket (`/api/groups/:group_id/live`, a snapshot then every change),
 * falling back to polling `GET /api/status/:id` every 2 s when the socket cannot be used.
 */
import { type Accessor, createEffect, createMemo, createSignal, on, onCleanup, untrack } from "solid-js";
import type { GenerationView, LiveEvent } from "../../worker/src/groups/events.ts";
import { ApiError, capabilities, fetchStatus, type GenerationStatus, liveTicket } from "./api.ts";

/** Stops a subscription. Safe to call more than once. */
export type Unsubscribe = () => void;

/** What to follow: a generation, and its group (the WebSocket is per group). */
export interface LiveTarget {
  generationId: string;
  groupId?: string | null;
}

/** Callbacks of one subscription. */
export interface LiveHandlers {
  /** Every new state, in order; the last one for a generation is terminal. */
  onStatus(status: GenerationStatus): void;
  /** A failed update. Updates continue unless the error is final (401, 404). */
  onError?(error: unknown): void;
}

/** A way of receiving updates (the group's WebSocket, or polling). */
export interface LiveSource {
  subscribe(target: LiveTarget, handlers: LiveHandlers): Unsubscribe;
}

/** How often polling asks for the status. */
export const POLL_INTERVAL_MS = 2000;

/** True once a generation can no longer change. */
export function isTerminal(status: GenerationStatus["status"]): boolean {
  return status === "completed" || status === "failed";
}

/** 401 ends the session and 404 means gone: no point in asking again. */
const isFinal = (err: unknown) => err instanceof ApiError && (err.status === 401 || err.status === 404);

/**
 * Calls `read` at once, then `intervalMs` after each answer (never two requests in flight), until
 * `onAnswer` returns true (nothing more to learn), the returned function is called, or the server
 * says it will never answer (401 ends the session; 404 means deleted). While reads fail it backs
 * off (2 s, 4 s, 8 s, at most 30 s) so a blip is not a storm. Nothing is delivered after a stop.
 */
function pollLoop<T>(
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

/** Polls the status endpoint until the generation is terminal (see {@link pollLoop}). */
export function pollingSource(intervalMs = POLL_INTERVAL_MS, fetcher = fetchStatus): LiveSource {
  return {
    subscribe: (target, handlers) =>
      pollLoop(
        () => fetcher(target.generationId),
        intervalMs,
        (status) => {
          handlers.onStatus(status);
          return isTerminal(status.status);
        },
        handlers.onError,
      ),
  };
}

/** A live event's view of a generation, in the shape the status endpoint has (plus scenes). */
export function statusFromView(v: GenerationView): GenerationStatus {
  return {
    generation_id: v.generation_id,
    group_id: v.group_id,
    status: v.status,
    progress: v.progress,
    current_step: v.current_step,
    video_url: v.video_url,
    thumbnail_url: v.thumbnail_url,
    cost: v.cost,
    error: v.error,
    scenes: v.scenes,
    cost_breakdown: v.cost_breakdown,
    started_at: v.started_at,
    completed_at: v.completed_at,
  };
}

/** How long to wait before each attempt to reopen a dropped socket (polling covers the gap). */
export const RECONNECT_DELAYS_MS = [2000, 5000, 10_000, 30_000];

/** Options of {@link socketSource}; the defaults are what the app uses. */
export interface SocketSourceOptions {
  /** Where updates come from while the socket is down. */
  fallback?: LiveSource;
  /** Fetches a ticket for the group's socket. */
  ticket?: (groupId: string) => Promise<{ path: string }>;
  /** Delays of the reconnection attempts; after the last one, polling alone continues. */
  reconnectDelaysMs?: readonly number[];
}

/**
 * Opens a group's socket at the ticketed `path`. Events reach `onEvent` in `seq` order; anything
 * not newer than the last one (and anything that is not an event) is dropped. `onClose` runs once
 * the socket closes, for whatever reason.
 */
function openGroupSocket(path: string, onEvent: (event: LiveEvent) => void, onClose: () => void): WebSocket {
  const url = new URL(path, location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  let seq = 0;
  ws.onmessage = (message) => {
    let event: LiveEvent;
    try {
      event = JSON.parse(String(message.data)) as LiveEvent;
    } catch {
      return; // not an event (a keep-alive reply)
    }
    if (typeof event.seq !== "number" || event.seq <= seq) return;
    seq = event.seq;
    onEvent(event);
  };
  ws.onclose = onClose;
  return ws;
}

/** What {@link keepGroupSocket} reports. */
interface GroupSocketHandlers {
  /** Every event, in `seq` order. */
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
function keepGroupSocket(
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

/** Fields only the live events carry: kept when a polled status (which lacks them) arrives. */
function withLiveFields(next: GenerationStatus, prev: GenerationStatus | null): GenerationStatus {
  if (!prev) return next;
  return {
    ...next,
    scenes: next.scenes ?? prev.scenes,
    cost_breakdown: next.cost_breakdown ?? prev.cost_breakdown,
    started_at: next.started_at ?? prev.started_at,
    completed_at: next.completed_at ?? prev.completed_at,
  };
}

/**
 * The group's WebSocket: a snapshot, then `generation` and `scene` events. Events are ordered
 * by `seq` per connection and anything not newer than the last one is dropped. If the socket
 * cannot open, or drops before the generation finished, the same handlers continue on
 * `fallback` (polling) at once, and the socket is reopened in the background; the next
 * snapshot takes over from polling. The page never stalls and never loses its scene cards.
 */
export function socketSource(options: SocketSourceOptions = {}): LiveSource {
  const fallback = options.fallback ?? pollingSource();
  const ticket = options.ticket ?? liveTicket;
  const delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  return {
    subscribe(target, handlers) {
      let stopped = false;
      let finished = false;
      let closeSocket: ((reason: string) => void) | null = null;
      let stopFallback: Unsubscribe | null = null;
      let last: GenerationStatus | null = null;

      const emit = (status: GenerationStatus) => {
        if (stopped || finished) return;
        last = withLiveFields(status, last);
        handlers.onStatus(last);
        if (isTerminal(status.status)) {
          finished = true;
          closeSocket?.("finished");
          stopFallback?.();
        }
      };
      const startFallback = () => {
        if (stopped || finished || stopFallback) return;
        stopFallback = fallback.subscribe(target, { onStatus: emit, onError: handlers.onError });
      };
      const stopPolling = () => {
        stopFallback?.();
        stopFallback = null;
      };
      const onEvent = (event: LiveEvent) => {
        if (event.type === "snapshot") {
          const view = event.generations.find((g) => g.generation_id === target.generationId);
          if (!view) return;
          stopPolling();
          emit(statusFromView(view));
        } else if (event.type === "generation") {
          if (event.generation.generation_id === target.generationId) emit(statusFromView(event.generation));
        } else if (event.generation_id === target.generationId && last?.scenes) {
          const scenes = last.scenes.map((s) => (s.index === event.scene.index ? event.scene : s));
          emit({ ...last, scenes });
        }
      };
      if (target.groupId) {
        closeSocket = keepGroupSocket(target.groupId, ticket, delays, {
          onEvent,
          onDown: startFallback,
          onError: handlers.onError,
        });
      } else {
        startFallback();
      }
      return () => {
        stopped = true;
        closeSocket?.("unsubscribed");
        stopFallback?.();
      };
    },
  };
}

let override: LiveSource | null = null;

/** The source the app uses: the WebSocket where available, else polling. */
export function liveSource(): LiveSource {
  if (override) return override;
  return capabilities.liveSocket ? socketSource() : pollingSource();
}

/** Replaces the source (tests, or a future feature flag). Pass null to restore the default. */
export function setLiveSource(source: LiveSource | null): void {
  override = source;
}

/** Subscribes to one generation through the current source. */
export function subscribeToGeneration(target: LiveTarget, handlers: LiveHandlers): Unsubscribe {
  return liveSource().subscribe(target, handlers);
}

/**
 * A reactive view of one generation: starts from `initial` (the preloaded status) and follows
 * live updates, unsubscribing when the owner is disposed. A generation that is already
 * finished is still subscribed once: the live snapshot carries its scenes and cost breakdown,
 * which the status endpoint does not, and every source stops by itself at a terminal state.
 */
export function createLiveStatus(
  target: Accessor<LiveTarget | undefined>,
  initial: Accessor<GenerationStatus | undefined>,
): { status: Accessor<GenerationStatus | undefined>; error: Accessor<unknown> } {
  const [latest, setLatest] = createSignal<GenerationStatus>();
  const [error, setError] = createSignal<unknown>();
  // Keyed on the ids, so a re-read of `initial` does not restart the subscription.
  const key = createMemo(() => {
    const t = target();
    return t ? `${t.generationId}\n${t.groupId ?? ""}` : "";
  });
  createEffect(
    on(key, (k) => {
      setLatest(undefined);
      setError(undefined);
      const t = untrack(target);
      if (!k || !t) return;
      const stop = subscribeToGeneration(t, {
        onStatus: (s) => {
          setError(undefined);
          setLatest(s);
        },
        onError: (e) => setError(e),
      });
      onCleanup(stop);
    }),
  );
  // Prefer the live value; fall back to the preloaded one until the first update arrives.
  const status = () => latest() ?? initial();
  return { status, error };
}

/** Options of {@link followGroup}; the defaults are what the app uses. */
export interface FollowGroupOptions {
  /** Every generation's status now, read while the socket is down (the comparison endpoint). */
  poll: () => Promise<GenerationStatus[]>;
  /** Fetches a ticket for the group's socket. */
  ticket?: (groupId: string) => Promise<{ path: string }>;
  /** Delays of the reconnection attempts; after the last one, polling alone continues. */
  reconnectDelaysMs?: readonly number[];
  pollIntervalMs?: number;
  /** Whether to try the socket at all (false: polling only). */
  socket?: boolean;
}

/**
 * Every generation of a group at once (the comparison page): one socket, whose snapshot and
 * `generation` events carry all the variations, with `poll` filling in while the socket is down
 * (it stops as soon as a snapshot arrives). Scene events are ignored: a comparison shows no
 * storyboards. Runs until unsubscribed; the caller stops it once everything is terminal.
 */
export function followGroup(
  groupId: string,
  handlers: LiveHandlers,
  options: FollowGroupOptions,
): Unsubscribe {
  let stopped = false;
  let stopPoll: Unsubscribe | null = null;
  const emit = (status: GenerationStatus) => {
    if (!stopped) handlers.onStatus(status);
  };
  const startPolling = () => {
    if (stopped || stopPoll) return;
    stopPoll = pollLoop(
      options.poll,
      options.pollIntervalMs ?? POLL_INTERVAL_MS,
      (list) => {
        for (const s of list) emit(s);
        return false;
      },
      handlers.onError,
    );
  };
  // Once stopped, an answer still in flight is dropped: it may be older than the socket's snapshot.
  const stopPolling = () => {
    stopPoll?.();
    stopPoll = null;
  };
  const onEvent = (event: LiveEvent) => {
    if (event.type === "snapshot") {
      stopPolling();
      for (const g of event.generations) emit(statusFromView(g));
    } else if (event.type === "generation") {
      emit(statusFromView(event.generation));
    }
  };
  const closeSocket =
    (options.socket ?? capabilities.liveSocket)
      ? keepGroupSocket(
          groupId,
          options.ticket ?? liveTicket,
          options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS,
          {
            onEvent,
            onDown: startPolling,
            onError: handlers.onError,
          },
        )
      : null;
  if (!closeSocket) startPolling();
  return () => {
    stopped = true;
    stopPolling();
    closeSocket?.("unsubscribed");
  };
}
