import {
  closestCenter,
  DragDropProvider,
  DragDropSensors,
  type DragEvent,
  SortableProvider,
} from "@thisbeyond/solid-dnd";
import { createMemo, createUniqueId, Index, Show } from "solid-js";
import { capabilities, type GenerationView, reorderScenes } from "../api.ts";
import {
  addBlocked,
  isIdentity,
  moveOrder,
  refinementsLeft,
  removeBlocked,
  totalSeconds,
} from "../storyboard/board.ts";
import { createStoryboard } from "../storyboard/use-storyboard.ts";
import { isDraft } from "../versions.ts";
import { DraftNote } from "./draft-note.tsx";
import { AddSceneForm } from "./storyboard-add.tsx";
import { ApproveButton } from "./storyboard-approve.tsx";
import { CancelStoryboard } from "./storyboard-cancel.tsx";
import { type MoveDirection, StoryboardCard } from "./storyboard-card.tsx";

/**
 * The storyboard review (settings.workflow = "storyboard"): a keyframe card per scene, in
 * order, to edit, refine, reorder (drag and drop with @thisbeyond/solid-dnd, or the arrow
 * buttons), add and remove, then approve, or cancel (a draft of a finished ad: discard). It
 * draws `generation` (the page's one view) and hands every edit's answer to `onAnswer`; live
 * events keep the view current in between.
 */
export function StoryboardEditor(props: {
  generation: GenerationView;
  aspect: string;
  onAnswer: (view: GenerationView) => void;
  /** Live updates are interrupted (the page polls meanwhile). */
  liveError?: boolean;
}) {
  const limitNoteId = createUniqueId();
  const board = createStoryboard(
    () => props.generation,
    (view) => props.onAnswer(view),
  );
  const count = createMemo(() => props.generation.scenes.length);
  // Cards are sorted by position; the ids change only when the number of scenes does.
  const ids = createMemo(() => Array.from({ length: count() }, (_, i) => `scene-slot-${i}`));
  const summary = () =>
    `${count()} scenes · ${totalSeconds(props.generation)} · ${refinementsLeft(props.generation.refinements)}. Drag a keyframe, or use the arrows, to reorder.`;
  const limitNote = () => addBlocked(count()) ?? removeBlocked(count());
  let grid: HTMLOListElement | undefined;

  const move = async (from: number, to: number, direction?: MoveDirection) => {
    const order = moveOrder(count(), from, to);
    if (isIdentity(order)) return;
    const id = props.generation.generation_id;
    const ok = await board.run({
      slot: from,
      structural: true,
      done: `Scene ${from + 1} moved to position ${to + 1}.`,
      send: (revision) => reorderScenes(id, order, revision),
    });
    // The pressed button was disabled while the move was saved: focus follows the scene.
    if (ok && direction) {
      const buttons = [
        ...(grid?.querySelectorAll<HTMLButtonElement>(`[data-slot="${to}"] [data-move]`) ?? []),
      ];
      const same = buttons.find((b) => b.dataset.move === direction && !b.disabled);
      (same ?? buttons.find((b) => !b.disabled))?.focus();
    }
  };
  const onDragEnd = ({ draggable, droppable }: DragEvent) => {
    if (!droppable) return;
    const from = ids().indexOf(String(draggable.id));
    const to = ids().indexOf(String(droppable.id));
    if (from >= 0 && to >= 0 && from !== to) void move(from, to);
  };

  return (
    <section class="board" aria-labelledby="board-title" data-testid="storyboard">
      <header class="board-head">
        <div class="board-heading">
          <h1 id="board-title" class="gen-title">
            Review your storyboard
          </h1>
          <p class="muted" aria-live="polite" data-testid="board-step">
            {props.generation.current_step ?? "Storyboard ready for review"}
          </p>
          <Show when={props.liveError}>
            <p class="notice small" role="status">
              Live updates are interrupted; retrying…
            </p>
          </Show>
        </div>
        <div class="board-actions">
          <ApproveButton generation={props.generation} board={board} />
          <Show when={capabilities.cancel}>
            <CancelStoryboard generation={props.generation} onAnswer={props.onAnswer} />
          </Show>
        </div>
      </header>
      <Show when={isDraft(props.generation)}>
        <DraftNote generation={props.generation} aspect={props.aspect} />
      </Show>
      <div class="board-toolbar">
        <p class="muted small">{summary()}</p>
        <AddSceneForm generation={props.generation} board={board} limitNoteId={limitNoteId} />
        <p id={limitNoteId} class="field-help board-limit">
          {limitNote() ?? ""}
        </p>
      </div>
      <Show when={board.refusal()?.slot === null ? board.refusal() : null}>
        {(r) => (
          <p class="form-error" role="alert">
            {r().message}
          </p>
        )}
      </Show>
      <DragDropProvider onDragEnd={onDragEnd} collisionDetector={closestCenter}>
        <DragDropSensors />
        <SortableProvider ids={ids()}>
          <ol class="board-grid" ref={grid} aria-label="Scenes in order">
            <Index each={props.generation.scenes}>
              {(scene, i) => (
                <StoryboardCard
                  sortId={ids()[i] ?? `scene-slot-${i}`}
                  scene={scene()}
                  position={i}
                  generation={props.generation}
                  aspect={props.aspect}
                  board={board}
                  limitNoteId={limitNoteId}
                  onMove={(from, to, direction) => void move(from, to, direction)}
                />
              )}
            </Index>
          </ol>
        </SortableProvider>
      </DragDropProvider>
      <p class="sr-only" role="status" aria-live="polite">
        {board.announcement()}
      </p>
    </section>
  );
}
