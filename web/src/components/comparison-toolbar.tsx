import { For, Show } from "solid-js";
import { SORTS, type SortKey } from "../compare.ts";
import type { SyncPlay } from "../comparison/use-sync-play.ts";

/**
 * The comparison's toolbar: the grid's sort order, one control that plays every finished video
 * in sync (button, scrubber, time), the winner's download and "Delete all".
 */
export function ComparisonToolbar(props: {
  sort: SortKey;
  onSort: (key: SortKey) => void;
  sync: SyncPlay;
  /** The winner's video, when a finished variation is the winner. */
  winnerUrl: string | null | undefined;
  /** Name of the winner's download. */
  winnerFile: string;
  onDeleteAll: () => void;
}) {
  return (
    <div class="card comparison-toolbar" role="toolbar" aria-label="Comparison">
      <label class="toolbar-field">
        <span class="muted small">Sort by</span>
        <select
          class="input"
          value={props.sort}
          onChange={(e) => props.onSort(e.currentTarget.value as SortKey)}
        >
          <For each={Object.entries(SORTS)}>{([key, label]) => <option value={key}>{label}</option>}</For>
        </select>
      </label>
      <fieldset class="sync-controls" disabled={props.sync.members() < 1}>
        <legend class="sr-only">Play every finished variation in sync</legend>
        <button type="button" class="btn btn-primary" onClick={() => props.sync.toggle()}>
          {props.sync.playing() ? "Pause all" : "Play all in sync"}
        </button>
        <input
          type="range"
          class="scrubber"
          aria-label="Position of every video"
          min="0"
          max={props.sync.duration() || 0}
          step="0.04"
          value={props.sync.time()}
          onInput={(e) => props.sync.scrub(Number(e.currentTarget.value))}
        />
        <span class="tabular small" data-testid="sync-time">
          {props.sync.time().toFixed(1)} / {props.sync.duration().toFixed(1)} s
        </span>
      </fieldset>
      <div class="toolbar-actions">
        <Show when={props.winnerUrl}>
          {(url) => (
            <a class="btn btn-primary" href={url()} download={props.winnerFile}>
              Download winner
            </a>
          )}
        </Show>
        <button type="button" class="btn btn-ghost" onClick={() => props.onDeleteAll()}>
          Delete all
        </button>
      </div>
    </div>
  );
}
