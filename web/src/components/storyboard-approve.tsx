import { createAsync } from "@solidjs/router";
import { createSignal, Show, Suspense } from "solid-js";
import { approveStoryboard, type GenerationView, getApproval } from "../api.ts";
import { formatCost } from "../format.ts";
import type { Storyboard } from "../storyboard/use-storyboard.ts";

/**
 * Approve and render, with what it will spend: the server's estimate for the storyboard as it
 * is now (asked again after every edit). The approval waits behind any edit still being saved.
 */
export function ApproveButton(props: { generation: GenerationView; board: Storyboard }) {
  // A failed estimate only drops the figure; approving still works.
  const estimate = createAsync(() =>
    getApproval(props.generation.generation_id, props.generation.revision).catch((err: unknown) => {
      console.warn("promptreel: no approval estimate", props.generation.generation_id, err);
      return null;
    }),
  );
  const [approving, setApproving] = createSignal(false);
  const approve = async () => {
    setApproving(true);
    const id = props.generation.generation_id;
    // On success the view leaves storyboard status and the page shows the render's progress.
    const ok = await props.board.run({ slot: null, send: () => approveStoryboard(id) });
    if (!ok) setApproving(false);
  };
  return (
    <div class="board-approve">
      <button
        type="button"
        class="btn btn-primary btn-lg"
        onClick={approve}
        disabled={approving()}
        data-testid="approve"
      >
        <Show when={!approving()} fallback="Starting the render…">
          Approve and render
          {/* Its own boundary: the figure may lag an edit without blanking the button. */}
          <Suspense fallback=" — est. …">
            <Show when={estimate.latest}>{(e) => ` — est. ${formatCost(e().total)}`}</Show>
          </Suspense>
        </Show>
      </button>
      <p class="muted small">Clips are made, and paid for, only after you approve.</p>
    </div>
  );
}
