/**
 * The storyboard editor's edits as one queue. Edits go to the server one at a time, each on
 * the revision the previous one answered with, so quick edits in this tab build on each other
 * while an edit made elsewhere in between makes the rest stale (409). Every answer is handed
 * to the page's one view (`answer`); a refusal's message is kept for the scene it was about,
 * and a 409 re-reads the generation, since something changed behind the editor's back.
 */
import { type Accessor, createSignal } from "solid-js";
import { ApiError, fetchGeneration, type GenerationView, messageOf } from "../api.ts";

/** One edit of the storyboard. */
export interface Edit {
  /** The scene (by position) whose card shows a refusal; null for the whole board. */
  slot: number | null;
  /** Moves scenes (reorder, add, remove): position-based controls wait until it has landed. */
  structural?: boolean;
  /** What to announce to screen readers once it has landed. */
  done?: string;
  /** Sends the edit made on `revision`; resolves with the whole updated view. */
  send: (revision: number) => Promise<GenerationView>;
}

/** A refused edit: where to show it, and the API's message. */
export interface Refusal {
  slot: number | null;
  message: string;
}

export interface Storyboard {
  /** Queues an edit; resolves true once it landed, false when it was refused. */
  run(edit: Edit): Promise<boolean>;
  /** Edits queued or in flight. */
  pending: Accessor<number>;
  /** True while an edit that moves scenes is queued or in flight. */
  moving: Accessor<boolean>;
  /** The last refusal, until the next edit. */
  refusal: Accessor<Refusal | null>;
  /** The last announcement (an edit landed). */
  announcement: Accessor<string>;
}

/** The edit queue of `view()`'s storyboard; answers go to `answer`. */
export function createStoryboard(
  view: Accessor<GenerationView>,
  answer: (view: GenerationView) => void,
): Storyboard {
  const [pending, setPending] = createSignal(0);
  const [moving, setMoving] = createSignal(0);
  const [refusal, setRefusal] = createSignal<Refusal | null>(null);
  const [announcement, setAnnouncement] = createSignal("");
  let queue: Promise<unknown> = Promise.resolve();
  // The revision the queued edits build on: the view's when the queue starts, then each answer's.
  let base = 0;

  const refresh = async (id: string) => {
    try {
      answer(await fetchGeneration(id));
    } catch (err) {
      console.warn("promptreel: storyboard re-read failed", id, err);
    }
  };

  const run = (edit: Edit): Promise<boolean> => {
    if (pending() === 0) base = view().revision;
    const id = view().generation_id;
    const step = edit.structural ? 1 : 0;
    setPending((n) => n + 1);
    setMoving((n) => n + step);
    setRefusal(null);
    const landed = queue.then(async () => {
      try {
        const next = await edit.send(base);
        base = next.revision;
        answer(next);
        if (edit.done) setAnnouncement(edit.done);
        return true;
      } catch (err) {
        setRefusal({ slot: edit.slot, message: messageOf(err) });
        if (err instanceof ApiError && err.status === 409) void refresh(id);
        return false;
      } finally {
        setPending((n) => n - 1);
        setMoving((n) => n - step);
      }
    });
    queue = landed;
    return landed;
  };

  return { run, pending, moving: () => moving() > 0, refusal, announcement };
}
