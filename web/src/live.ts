/**
 * Live generation updates behind one small interface, so the page does not care how they
 * arrive: the group's WebSocket (`/api/groups/:group_id/live`, a snapshot then every change),
 * falling back to polling `GET /api/status/:id` every 2 s when the socket cannot be used.
 */
import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";
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

/** A way of receiving updates (polling today, a WebSocket later). */
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

/**
 * The group's WebSocket. Events older than the last one seen are dropped (they carry a
 * sequence number). If the socket cannot open, or drops before the generation finished,
 * the same handlers continue on `fallback` (polling), so the page never stalls.
 */
export function socketSource(fallback: LiveSource = pollingSource()): LiveSource {
  return {
    subscribe(target, handlers) {
      let stopped = false;
      let finished = false;
      let socket: WebSocket | null = null;
      let stopFallback: Unsubscribe | null = null;
      let lastSeq = 0;
      const useFallback = () => {
        if (!stopped && !finished && !stopFallback) stopFallback = fallback.subscribe(target, handlers);
      };
      const deliver = (view: GenerationView) => {
        if (view.generation_id !== target.generationId) return;
        handlers.onStatus(statusFromView(view));
        if (isTerminal(view.status)) {
          finished = true;
          socket?.close(1000, "finished");
        }
      };
      const open = async () => {
        if (!target.groupId) return useFallback();
        try {
          const { path } = await liveTicket(target.groupId);
          if (stopped) return;
          const url = new URL(path, location.origin);
          url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
          socket = new WebSocket(url);
          socket.onmessage = (message) => {
            const event = JSON.parse(String(message.data)) as LiveEvent;
            if (event.seq <= lastSeq) return;
            lastSeq = event.seq;
            if (event.type === "snapshot") event.generations.forEach(deliver);
            else if (event.type === "generation") deliver(event.generation);
          };
          socket.onclose = () => useFallback();
        } catch (err) {
          handlers.onError?.(err);
          useFallback();
        }
      };
      void open();
      return () => {
        stopped = true;
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
 * A reactive view of one generation: starts from `initial` (the preloaded status), follows
 * live updates while the target is set, and unsubscribes when the owner is disposed.
 */
export function createLiveStatus(
  target: Accessor<LiveTarget | undefined>,
  initial: Accessor<GenerationStatus | undefined>,
): { status: Accessor<GenerationStatus | undefined>; error: Accessor<unknown> } {
  const [latest, setLatest] = createSignal<GenerationStatus>();
  const [error, setError] = createSignal<unknown>();
  createEffect(() => {
    const t = target();
    const first = initial();
    setLatest(undefined);
    setError(undefined);
    if (!t || (first && isTerminal(first.status))) return;
    const stop = subscribeToGeneration(t, {
      onStatus: (s) => {
        setError(undefined);
        setLatest(s);
      },
      onError: (e) => setError(e),
    });
    onCleanup(stop);
  });
  // Prefer the live value; fall back to the preloaded one until the first update arrives.
  const status = () => latest() ?? initial();
  return { status, error };
}
