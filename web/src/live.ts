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

/**
 * Polls the status endpoint: once at once, then `intervalMs` after each answer (never two
 * requests in flight), until the generation is terminal, the caller unsubscribes, or the
 * server says it will never answer (401 ends the session; 404 means deleted).
 */
export function pollingSource(intervalMs = POLL_INTERVAL_MS, fetcher = fetchStatus): LiveSource {
  return {
    subscribe(target, handlers) {
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let failures = 0;
      const tick = async () => {
        try {
          const status = await fetcher(target.generationId);
          if (stopped) return;
          failures = 0;
          handlers.onStatus(status);
          if (isTerminal(status.status)) return;
        } catch (err) {
          if (stopped) return;
          handlers.onError?.(err);
          if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return;
          failures++;
        }
        // Back off while the server is failing (2 s, 4 s, 8 s, at most 30 s) so a blip is not a storm.
        const delay = Math.min(intervalMs * 2 ** failures, 30_000);
        timer = setTimeout(tick, failures ? delay : intervalMs);
      };
      void tick();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
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

/** 401 ends the session and 404 means gone: no point in asking again. */
const isFinal = (err: unknown) => err instanceof ApiError && (err.status === 401 || err.status === 404);

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
      let socket: WebSocket | null = null;
      let stopFallback: Unsubscribe | null = null;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      let attempts = 0;
      let last: GenerationStatus | null = null;

      const emit = (status: GenerationStatus) => {
        if (stopped || finished) return;
        last = withLiveFields(status, last);
        handlers.onStatus(last);
        if (isTerminal(status.status)) {
          finished = true;
          clearTimeout(retryTimer);
          socket?.close(1000, "finished");
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
      const retryLater = () => {
        if (stopped || finished || attempts >= delays.length) return;
        retryTimer = setTimeout(() => void connect(), delays[attempts++]);
      };
      const onEvent = (event: LiveEvent) => {
        if (event.type === "snapshot") {
          const view = event.generations.find((g) => g.generation_id === target.generationId);
          if (!view) return;
          attempts = 0;
          stopPolling();
          emit(statusFromView(view));
        } else if (event.type === "generation") {
          if (event.generation.generation_id === target.generationId) emit(statusFromView(event.generation));
        } else if (event.generation_id === target.generationId && last?.scenes) {
          const scenes = last.scenes.map((s) => (s.index === event.scene.index ? event.scene : s));
          emit({ ...last, scenes });
        }
      };
      const connect = async () => {
        if (stopped || finished) return;
        if (!target.groupId) return startFallback();
        let path: string;
        try {
          ({ path } = await ticket(target.groupId));
        } catch (err) {
          handlers.onError?.(err);
          startFallback();
          if (!isFinal(err)) retryLater();
          return;
        }
        if (stopped || finished) return;
        const ws = openGroupSocket(path, onEvent, () => {
          if (socket === ws) socket = null;
          if (stopped || finished) return;
          startFallback();
          retryLater();
        });
        socket = ws;
      };
      void connect();
      return () => {
        stopped = true;
        clearTimeout(retryTimer);
        socket?.close(1000, "unsubscribed");
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
  const delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  const interval = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  const ticket = options.ticket ?? liveTicket;
  let stopped = false;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  let failures = 0;
  let attempts = 0;

  const emit = (status: GenerationStatus) => {
    if (!stopped) handlers.onStatus(status);
  };
  const pollOnce = async () => {
    try {
      const list = await options.poll();
      if (!polling) return; // the socket took over meanwhile: this answer may be older than its snapshot
      failures = 0;
      for (const s of list) emit(s);
    } catch (err) {
      if (!polling) return;
      handlers.onError?.(err);
      if (isFinal(err)) return stopPolling();
      failures++;
    }
    pollTimer = setTimeout(pollOnce, failures ? Math.min(interval * 2 ** failures, 30_000) : interval);
  };
  const startPolling = () => {
    if (stopped || polling) return;
    polling = true;
    void pollOnce();
  };
  const stopPolling = () => {
    polling = false;
    clearTimeout(pollTimer);
  };
  const retryLater = () => {
    if (stopped || attempts >= delays.length) return;
    retryTimer = setTimeout(() => void connect(), delays[attempts++]);
  };
  const onEvent = (event: LiveEvent) => {
    if (event.type === "snapshot") {
      attempts = 0;
      stopPolling();
      for (const g of event.generations) emit(statusFromView(g));
    } else if (event.type === "generation") {
      emit(statusFromView(event.generation));
    }
  };
  const connect = async () => {
    if (stopped) return;
    if (!(options.socket ?? capabilities.liveSocket)) return startPolling();
    let path: string;
    try {
      ({ path } = await ticket(groupId));
    } catch (err) {
      handlers.onError?.(err);
      startPolling();
      if (!isFinal(err)) retryLater();
      return;
    }
    if (stopped) return;
    const ws = openGroupSocket(path, onEvent, () => {
      if (socket === ws) socket = null;
      if (stopped) return;
      startPolling();
      retryLater();
    });
    socket = ws;
  };
  void connect();
  return () => {
    stopped = true;
    stopPolling();
    clearTimeout(retryTimer);
    socket?.close(1000, "unsubscribed");
  };
}
