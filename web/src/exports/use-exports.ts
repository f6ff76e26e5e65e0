/**
 * A finished ad's exports as the export dialog shows them: one list (newest first), read when
 * the dialog opens and read again every second while any export is queued or processing (the
 * `pollLoop` of `live/transport.ts`); starting and cancelling put their answers into the same
 * list. Rows are kept by `export_id`, so a poll updates a row in place (focus stays put).
 */
import { createSignal, onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import {
  ApiError,
  cancelExport,
  type ExportAnswer,
  type ExportRequest,
  type ExportView,
  listExports,
  startExport,
} from "../api.ts";
import { pollLoop, type Unsubscribe } from "../live/transport.ts";
import { isOpenExport } from "./formats.ts";

/** How often the list is read again while an export runs. */
export const EXPORT_POLL_MS = 1000;

/** 401 ends the session and 404 means gone: the poll loop stops by itself after either. */
const isFinal = (err: unknown) => err instanceof ApiError && (err.status === 401 || err.status === 404);

/** What starting an export did: the export, and whether that variant was already made or running. */
export interface Started {
  view: ExportView;
  answer: ExportAnswer;
  /** The same variant was already running: the server joined this request to it (`joined`). */
  existed: boolean;
}

export function createExports(generationId: () => string) {
  const [state, setState] = createStore<{ list: ExportView[]; loaded: boolean }>({
    list: [],
    loaded: false,
  });
  const [pollError, setPollError] = createSignal<unknown>(null);
  let stopPoll: Unsubscribe | null = null;
  // Counts the answers taken from starts and cancels: a read begun before one is older than it.
  let epoch = 0;

  /** Reads the list now, then every second while any export is open. Idempotent. */
  const follow = () => {
    if (stopPoll) return;
    const id = generationId();
    stopPoll = pollLoop(
      async () => ({ at: epoch, list: await listExports(id) }),
      EXPORT_POLL_MS,
      ({ at, list }) => {
        setPollError(null);
        // A start or cancel answered while this read was out: read again rather than undo it.
        if (at !== epoch) return false;
        setState("list", reconcile(list, { key: "export_id" }));
        setState("loaded", true);
        if (list.some(isOpenExport)) return false;
        stopPoll = null;
        return true;
      },
      (err) => {
        setPollError(err);
        if (isFinal(err)) stopPoll = null;
      },
    );
  };

  const stop = () => {
    stopPoll?.();
    stopPoll = null;
  };

  /** Puts an export the server answered into the list (in place, or first when new). */
  const take = (view: ExportView) => {
    epoch++;
    const i = state.list.findIndex((e) => e.export_id === view.export_id);
    if (i >= 0) setState("list", i, reconcile(view));
    else setState("list", (list) => [view, ...list]);
    if (isOpenExport(view)) follow();
  };

  const start = async (body: ExportRequest): Promise<Started> => {
    const answer = await startExport(generationId(), body);
    const { cached: _cached, joined, preset_info: _preset, ...view } = answer;
    const existed = joined;
    take(view);
    return { view, answer, existed };
  };

  const cancel = async (exportId: string): Promise<void> => {
    take(await cancelExport(generationId(), exportId));
  };

  onCleanup(stop);

  return {
    /** The exports, newest first. */
    exports: () => state.list,
    /** True once the list has been read. */
    loaded: () => state.loaded,
    /** The last read's failure (cleared by the next answer); reads go on unless it is final. */
    pollError,
    follow,
    stop,
    start,
    cancel,
  };
}
