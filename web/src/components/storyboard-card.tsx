import { createSortable, maybeTransformStyle } from "@thisbeyond/solid-dnd";
import { Show } from "solid-js";
import { type GenerationView, patchScene, refineScene, removeScene, type SceneView } from "../api.ts";
import { createStableUrl } from "../media-url.ts";
import { refinementsLeft, removeBlocked } from "../storyboard/board.ts";
import type { Storyboard } from "../storyboard/use-storyboard.ts";
import { RefineForm, SceneTextField } from "./storyboard-inputs.tsx";

/** Which way a keyboard move goes. */
export type MoveDirection = "earlier" | "later";

/**
 * One scene of the storyboard: its role, duration and keyframe (a placeholder while it is
 * drawn), its on-screen text edited in place, moves (drag the keyframe, or the arrow buttons),
 * removal, and a refine box. A card belongs to a position, not to a scene: after a move the
 * card shows whichever scene is now at its place, so drag and drop needs no stable scene ids.
 */
export function StoryboardCard(props: {
  /** The card's id among the sortable cards. */
  sortId: string;
  scene: SceneView;
  /** 0-based position. */
  position: number;
  generation: GenerationView;
  aspect: string;
  board: Storyboard;
  /** The id of the note explaining why scenes cannot be removed, when they cannot. */
  limitNoteId: string;
  onMove: (from: number, to: number, direction: MoveDirection) => void;
}) {
  const sortable = createSortable(props.sortId);
  const keyframe = createStableUrl(() => props.scene.keyframe_url);
  const n = () => props.position + 1;
  const count = () => props.generation.scenes.length;
  const id = () => props.generation.generation_id;
  const refused = () => {
    const r = props.board.refusal();
    return r && r.slot === props.position ? r.message : null;
  };
  const cannotRemove = () => !!removeBlocked(count());
  const exhausted = () => props.generation.refinements.used >= props.generation.refinements.limit;

  const edit = (done: string, send: (revision: number) => Promise<GenerationView>, structural = false) =>
    props.board.run({ slot: props.position, structural, done, send });
  const save = (text: string) =>
    edit(`Scene ${n()} text saved.`, (revision) =>
      patchScene(id(), props.position, { overlay_text: text, revision }),
    );
  const refine = (instruction: string) =>
    edit(`Scene ${n()} refined; its keyframe is being redrawn.`, (revision) =>
      refineScene(id(), props.position, instruction, revision),
    );
  const remove = () =>
    void edit(`Scene ${n()} removed.`, (revision) => removeScene(id(), props.position, revision), true);

  return (
    <li
      ref={sortable.ref}
      class="board-card card"
      classList={{ "is-dragging": sortable.isActiveDraggable }}
      style={maybeTransformStyle(sortable.transform)}
      data-testid="storyboard-card"
      data-slot={props.position}
    >
      <div class="board-card-head">
        <span class="scene-title">Scene {n()}</span>
        <span class="muted tabular small">{props.scene.duration_s.toFixed(1)} s</span>
        <span class="board-role">{props.scene.type}</span>
      </div>
      {/* The keyframe is the drag handle; the arrow buttons below do the same from the keyboard. */}
      <div class="scene-media board-media" data-aspect={props.aspect} {...sortable.dragActivators}>
        <Show
          when={keyframe()}
          fallback={
            <div class="scene-placeholder board-drawing" data-active="true">
              <span>Drawing keyframe…</span>
            </div>
          }
        >
          {(url) => <img src={url()} alt={props.scene.overlay_text} draggable={false} />}
        </Show>
        <span class="board-grip" aria-hidden="true" title="Drag to reorder">
          ⠿
        </span>
      </div>
      <SceneTextField scene={n()} text={props.scene.overlay_text} onSave={save} />
      <div class="board-card-actions">
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          data-move="earlier"
          aria-label={`Move scene ${n()} earlier`}
          disabled={props.position === 0 || props.board.moving()}
          onClick={() => props.onMove(props.position, props.position - 1, "earlier")}
        >
          <span aria-hidden="true">←</span>
        </button>
        <button
          type="button"
          class="btn btn-ghost btn-sm"
          data-move="later"
          aria-label={`Move scene ${n()} later`}
          disabled={props.position === count() - 1 || props.board.moving()}
          onClick={() => props.onMove(props.position, props.position + 1, "later")}
        >
          <span aria-hidden="true">→</span>
        </button>
        <button
          type="button"
          class="btn btn-ghost btn-sm board-remove"
          disabled={cannotRemove() || props.board.moving()}
          aria-label={`Remove scene ${n()}`}
          aria-describedby={cannotRemove() ? props.limitNoteId : undefined}
          onClick={remove}
        >
          Remove
        </button>
      </div>
      <RefineForm
        scene={n()}
        left={refinementsLeft(props.generation.refinements)}
        exhausted={exhausted()}
        onRefine={refine}
      />
      <Show when={refused()}>
        {(message) => (
          <p class="field-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </li>
  );
}
