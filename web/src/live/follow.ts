/**
 * The one live engine. It follows a generation group over the group's WebSocket (a snapshot,
 * then every event in `seq` order) and, whenever the socket is down, by polling; both land in
 * one {@link GroupState} and every generation whose view changed is reported. Following a
 * single generation is a filter over it ({@link followGeneration}).
 */
import type { LiveEvent } from "@promptreel/worker/live-events";
import type { GenerationView } from "@promptreel/worker/views";
import { capabilities, fetchGeneration, liveTicket } from "../api.ts";
import {
  allTerminal,
  applyEvent,
  changedViews,
  covers,
  EMPTY_GROUP,
  type GroupState,
  hasFinished,
  withViews,
} from "./reconcile.ts";
import {
  keepGroupSocket,
  POLL_INTERVAL_MS,
  pollLoop,
  RECONNECT_DELAYS_MS,
  type Unsubscribe,
} from "./transport.ts";

/** Callbacks of one subscription. */
export interface FollowHandlers {
  /** Every new view of a generation, in order; nothing follows a view that stopped the follower. */
  onView(view: GenerationView): void;
  /** A failed update. Updates continue unless the error is final (401, 404). */
  onError?(error: unknown): void;
}

/** Options of {@link followGroup}; everything but `poll` defaults to what the app uses. */
export interface FollowOptions {
  /** The views to read while the socket is down (the comparison, or one status). */
  poll: () => Promise<GenerationView[]>;
  /** What is already known (the page's REST read): changes are reported relative to it. */
  initial?: readonly GenerationView[];
  /** When to stop by itself; by default once every generation has finished. */
  until?: (state: GroupState) => boolean;
  /** Fetches a ticket for the group's socket. */
  ticket?: (groupId: string) => Promise<{ path: string }>;
  /** Delays of the reconnection attempts; after the last one, polling alone continues. */
  reconnectDelaysMs?: readonly number[];
  pollIntervalMs?: number;
  /** Whether to try the socket at all (false: polling only). */
  socket?: boolean;
}

/**
 * Follows group `groupId` until `until` holds or the returned function is called. Polling
 * starts at once when the socket cannot open or drops, and stops when a snapshot that knows
 * every followed generation arrives (an answer still in flight is then dropped: it may be older
 * than the snapshot). When it stops by itself the socket is closed with reason "finished".
 */
export function followGroup(groupId: string, handlers: FollowHandlers, options: FollowOptions): Unsubscribe {
  const until = options.until ?? allTerminal;
  let state = withViews(EMPTY_GROUP, options.initial ?? []);
  let stopped = false;
  let stopPoll: Unsubscribe | null = null;
  let closeSocket: ((reason: string) => void) | null = null;

  const stopPolling = () => {
    stopPoll?.();
    stopPoll = null;
  };
  const stop = (reason: string) => {
    stopped = true;
    stopPolling();
    closeSocket?.(reason);
  };
  const update = (next: GroupState) => {
    if (stopped || next === state) return;
    const changed = changedViews(state, next);
    state = next;
    for (const view of changed) handlers.onView(view);
    if (until(state)) stop("finished");
  };
  const startPolling = () => {
    if (stopped || stopPoll) return;
    stopPoll = pollLoop(
      options.poll,
      options.pollIntervalMs ?? POLL_INTERVAL_MS,
      (views) => {
        update(withViews(state, views));
        return stopped;
      },
      handlers.onError,
    );
  };
  const onEvent = (event: LiveEvent) => {
    if (covers(event, state)) stopPolling();
    update(applyEvent(state, event));
  };

  if (options.socket ?? capabilities.liveSocket) {
    closeSocket = keepGroupSocket(
      groupId,
      options.ticket ?? liveTicket,
      options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS,
      { onEvent, onDown: startPolling, onError: handlers.onError },
    );
  } else {
    startPolling();
  }
  return () => {
    if (!stopped) stop("unsubscribed");
  };
}

/** What to follow: a generation, and its group (the WebSocket is per group). */
export interface LiveTarget {
  generationId: string;
  groupId: string;
}

/**
 * One generation: {@link followGroup} filtered to it, polling `GET /api/status/:id` while the
 * socket is down, and stopping once it has finished.
 */
export function followGeneration(
  target: LiveTarget,
  handlers: FollowHandlers,
  options: Partial<FollowOptions> = {},
): Unsubscribe {
  const id = target.generationId;
  return followGroup(
    target.groupId,
    {
      onView: (view) => {
        if (view.generation_id === id) handlers.onView(view);
      },
      onError: handlers.onError,
    },
    { poll: async () => [await fetchGeneration(id)], until: (state) => hasFinished(state, id), ...options },
  );
}
