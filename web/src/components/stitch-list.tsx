import {
  closestCenter,
  createSortable,
  DragDropProvider,
  DragDropSensors,
  type DragEvent,
  maybeTransformStyle,
  SortableProvider,
} from "@thisbeyond/solid-dnd";
import { createSignal, For, Show } from "solid-js";
import type { Asset } from "../assets.ts";
import { OVERLAY_MAX, seconds } from "../stitch.ts";
import { AssetThumb } from "./asset-thumb.tsx";

type Direction = "up" | "down";

/**
 * The clips of the stitch, in the order they play: reorder by dragging a clip's preview
 * (@thisbeyond/solid-dnd, as the storyboard does) or with "Move up"/"Move down" (focus follows
 * the clip), a text per clip, and Remove. Rows belong to clips (their asset ids), not positions,
 * and the texts are kept by clip, so typing never redraws a row.
 */
export function StitchList(props: {
  clips: Asset[];
  overlays: Record<string, string>;
  onMove: (from: number, to: number) => void;
  onRemove: (index: number) => void;
  onOverlay: (clipId: string, text: string) => void;
}) {
  const [announcement, setAnnouncement] = createSignal("");
  const ids = () => props.clips.map((a) => a.id);
  let list: HTMLOListElement | undefined;

  const move = (from: number, to: number, direction?: Direction) => {
    const clip = props.clips[from];
    if (!clip || to < 0 || to >= props.clips.length || from === to) return;
    props.onMove(from, to);
    setAnnouncement(`${clip.name} moved to position ${to + 1} of ${props.clips.length}.`);
    if (!direction) return;
    // The row was moved in the DOM, which takes the focus away: give it back to the clip.
    const buttons = [
      ...(list?.querySelectorAll<HTMLButtonElement>(`[data-clip="${clip.id}"] [data-move]`) ?? []),
    ];
    const same = buttons.find((b) => b.dataset.move === direction && !b.disabled);
    (same ?? buttons.find((b) => !b.disabled))?.focus();
  };
  const onDragEnd = ({ draggable, droppable }: DragEvent) => {
    if (!droppable) return;
    move(ids().indexOf(String(draggable.id)), ids().indexOf(String(droppable.id)));
  };
  const remove = (index: number) => {
    const clip = props.clips[index];
    props.onRemove(index);
    if (clip) setAnnouncement(`${clip.name} removed.`);
  };

  return (
    <>
      <Show
        when={props.clips.length > 0}
        fallback={
          <p class="muted small stitch-empty" data-testid="stitch-empty">
            Add 2 to 8 clips from your clips; they play in the order listed here.
          </p>
        }
      >
        <p class="muted small">Drag a clip's preview, or use Move up and Move down, to reorder.</p>
      </Show>
      <DragDropProvider onDragEnd={onDragEnd} collisionDetector={closestCenter}>
        <DragDropSensors />
        <SortableProvider ids={ids()}>
          <ol class="stitch-list" ref={list} aria-label="Clips in order">
            <For each={props.clips}>
              {(clip, i) => (
                <StitchRow
                  clip={clip}
                  overlay={props.overlays[clip.id] ?? ""}
                  position={i()}
                  count={props.clips.length}
                  onMove={move}
                  onRemove={remove}
                  onOverlay={props.onOverlay}
                />
              )}
            </For>
          </ol>
        </SortableProvider>
      </DragDropProvider>
      <p class="sr-only" role="status" aria-live="polite">
        {announcement()}
      </p>
    </>
  );
}

function StitchRow(props: {
  clip: Asset;
  overlay: string;
  position: number;
  count: number;
  onMove: (from: number, to: number, direction: Direction) => void;
  onRemove: (index: number) => void;
  onOverlay: (clipId: string, text: string) => void;
}) {
  const sortable = createSortable(props.clip.id);
  const n = () => props.position + 1;
  const inputId = () => `stitch-overlay-${props.clip.id}`;
  return (
    <li
      ref={sortable.ref}
      class="stitch-row"
      classList={{ "is-dragging": sortable.isActiveDraggable }}
      style={maybeTransformStyle(sortable.transform)}
      data-clip={props.clip.id}
      data-testid="stitch-row"
    >
      {/* The preview is the drag handle; the move buttons do the same from the keyboard. */}
      <div class="stitch-row-media" {...sortable.dragActivators}>
        <AssetThumb asset={props.clip} />
        <span class="board-grip" aria-hidden="true" title="Drag to reorder">
          ⠿
        </span>
      </div>
      <div class="stitch-row-body">
        <div class="stitch-row-head">
          <span class="scene-title">Clip {n()}</span>
          <span class="asset-name" title={props.clip.name}>
            {props.clip.name}
          </span>
          <span class="muted small tabular">
            {props.clip.duration_s === null ? "" : seconds(props.clip.duration_s)}
          </span>
        </div>
        <label class="field-label small" for={inputId()}>
          Text on clip {n()}
        </label>
        <input
          id={inputId()}
          class="input"
          type="text"
          maxLength={OVERLAY_MAX}
          placeholder="Optional"
          value={props.overlay}
          onInput={(e) => props.onOverlay(props.clip.id, e.currentTarget.value)}
        />
      </div>
      <div class="stitch-row-actions">
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          data-move="up"
          aria-label={`Move clip ${n()} up`}
          disabled={props.position === 0}
          onClick={() => props.onMove(props.position, props.position - 1, "up")}
        >
          <span aria-hidden="true">↑</span> Up
        </button>
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          data-move="down"
          aria-label={`Move clip ${n()} down`}
          disabled={props.position === props.count - 1}
          onClick={() => props.onMove(props.position, props.position + 1, "down")}
        >
          <span aria-hidden="true">↓</span> Down
        </button>
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          aria-label={`Remove clip ${n()}`}
          onClick={() => props.onRemove(props.position)}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
