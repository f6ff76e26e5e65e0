import { createSignal, createUniqueId, Show } from "solid-js";
import { addScene, type GenerationView } from "../api.ts";
import { addBlocked, middleBeat, newScene } from "../storyboard/board.ts";
import type { Storyboard } from "../storyboard/use-storyboard.ts";

/**
 * Adds a scene at the end: a button that opens a short form (its text, and optionally what it
 * shows). The new scene takes the framework's middle beat; the user moves it where it belongs.
 */
export function AddSceneForm(props: { generation: GenerationView; board: Storyboard; limitNoteId: string }) {
  const id = createUniqueId();
  const [open, setOpen] = createSignal(false);
  const [text, setText] = createSignal("");
  const [shows, setShows] = createSignal("");
  let opener: HTMLButtonElement | undefined;
  const blocked = () => !!addBlocked(props.generation.scenes.length);
  const close = () => {
    setOpen(false);
    queueMicrotask(() => opener?.focus());
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!text().trim()) return;
    const body = newScene(props.generation, text(), shows());
    const generationId = props.generation.generation_id;
    const ok = await props.board.run({
      slot: null,
      structural: true,
      done: `Scene ${body.at + 1} added.`,
      send: (revision) => addScene(generationId, { ...body, revision }),
    });
    if (!ok) return;
    setText("");
    setShows("");
    close();
  };
  return (
    <Show
      when={open()}
      fallback={
        <button
          ref={opener}
          type="button"
          class="btn btn-ghost"
          disabled={blocked() || props.board.moving()}
          aria-describedby={blocked() ? props.limitNoteId : undefined}
          onClick={() => setOpen(true)}
        >
          + Add scene
        </button>
      }
    >
      <form class="card board-add" onSubmit={submit} aria-label="Add a scene">
        <div class="field">
          <label class="field-label small" for={`${id}-text`}>
            On-screen text
          </label>
          <input
            id={`${id}-text`}
            ref={(el) => queueMicrotask(() => el.focus())}
            class="input"
            required
            maxLength={120}
            value={text()}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label class="field-label small" for={`${id}-shows`}>
            What it shows <span class="muted">(optional)</span>
          </label>
          <input
            id={`${id}-shows`}
            class="input"
            maxLength={600}
            value={shows()}
            onInput={(e) => setShows(e.currentTarget.value)}
          />
        </div>
        <p class="field-help">
          It goes last as a “{middleBeat(props.generation)}” scene; move it where it belongs.
        </p>
        <div class="row">
          <button type="submit" class="btn btn-primary btn-sm" disabled={props.board.moving()}>
            Add scene
          </button>
          <button type="button" class="btn btn-ghost btn-sm" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Show>
  );
}
