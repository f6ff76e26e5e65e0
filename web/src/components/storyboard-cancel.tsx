/**
 * Leaves the storyboard without rendering, after a confirmation. A first storyboard is a
 * generation to cancel ("Cancel generation"); a draft of a finished ad (version > 1) is thrown
 * away ("Discard changes") and the ad returns to its last finished version. The cancel's
 * answer goes to `onAnswer`; the live view brings the outcome either way.
 */
import { createSignal, Show } from "solid-js";
import { cancelGeneration, type GenerationView } from "../api.ts";
import { isDraft, lastFinished } from "../versions.ts";
import { ConfirmDialog } from "./confirm-dialog.tsx";

/** The storyboard's secondary action: "Cancel generation", or "Discard changes" on a draft. */
export function CancelStoryboard(props: {
  generation: GenerationView;
  onAnswer: (view: GenerationView) => void;
}) {
  const [asking, setAsking] = createSignal(false);
  const [done, setDone] = createSignal(false);
  const draft = () => isDraft(props.generation);
  const finished = () => lastFinished(props.generation)?.version ?? props.generation.version - 1;
  const confirm = async () => {
    const answer = await cancelGeneration(props.generation.generation_id);
    setDone(true);
    props.onAnswer(answer);
  };
  return (
    <>
      <button type="button" class="btn btn-ghost btn-sm" disabled={done()} onClick={() => setAsking(true)}>
        {draft() ? "Discard changes" : "Cancel generation"}
      </button>
      <ConfirmDialog
        open={asking()}
        title={draft() ? "Discard your changes?" : "Cancel this generation?"}
        confirmLabel={draft() ? "Discard draft" : "Yes, cancel it"}
        busyLabel={draft() ? "Discarding…" : "Cancelling…"}
        cancelLabel={draft() ? "Keep editing" : "Keep reviewing"}
        onConfirm={confirm}
        onClose={() => setAsking(false)}
      >
        <Show
          when={draft()}
          fallback={<p>Nothing has been rendered yet: the storyboard is dropped and no clips are made.</p>}
        >
          <p>
            Your edits for version {props.generation.version} are thrown away. The finished version{" "}
            {finished()} stays as it is.
          </p>
        </Show>
      </ConfirmDialog>
    </>
  );
}
