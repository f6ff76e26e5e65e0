/**
 * Live generation updates behind one small interface, so the page does not care how they
 * arrive. Today: polling `GET /api/status/:id` every 2 s until the generation finishes.
 * LEAD: add a `socketSource` that opens `/api/groups/:group_id/live`, maps each event to a
 * GenerationStatus, and on socket failure hands the same handlers to `pollingSource()`; then
 * return it from `liveSource()` when `capabilities.liveSocket` is on. Nothing else changes.
 */
import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";
import { ApiError, capabilities, fetchStatus, type GenerationStatus } from "./api.ts";

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

let override: LiveSource | null = null;

/** The source the app uses. LEAD: return the socket source when `capabilities.liveSocket`. */
export function liveSource(): LiveSource {
  if (override) return override;
  if (capabilities.liveSocket) {
    // No socket source exists yet; polling is the documented fallback.
  }
  return pollingSource();
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
