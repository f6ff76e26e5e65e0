import { A, createAsync, type RoutePreloadFuncArgs, useParams } from "@solidjs/router";
import { ErrorBoundary, For, Show } from "solid-js";
import { ApiError, type Comparison, getComparison, messageOf } from "../api.ts";
import { useComparison } from "../comparison/use-comparison.ts";
import { useSyncPlay } from "../comparison/use-sync-play.ts";
import { ComparisonHeader } from "../components/comparison-header.tsx";
import { ComparisonToolbar } from "../components/comparison-toolbar.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ErrorPanel } from "../components/error-panel.tsx";
import { VariationCard } from "../components/variation-card.tsx";
import { isCancelled } from "../format.ts";
import { usePageTitle } from "../page-title.ts";
import { currentToken } from "../session.ts";

/** Route preload: the comparison starts loading while the page's code is fetched. */
export function preloadComparison({ params }: RoutePreloadFuncArgs) {
  if (currentToken() && params.groupId) void getComparison(params.groupId);
}

/** `/comparisons/:groupId`: every variation side by side, live while they run. */
export function ComparisonPage() {
  const params = useParams<{ groupId: string }>();
  return (
    <div class="container">
      <A href="/library" class="back-link">
        ← Library
      </A>
      <ErrorBoundary
        fallback={(err) =>
          err instanceof ApiError && err.status === 404 ? (
            <ErrorPanel title="Comparison not found" message="It may have been deleted.">
              <A href="/" class="btn btn-ghost">
                Create new variations
              </A>
            </ErrorPanel>
          ) : (
            <ErrorPanel
              title="Could not load this comparison"
              error={err}
              onRetry={() => location.reload()}
            />
          )
        }
      >
        <ComparisonLoader groupId={params.groupId} />
      </ErrorBoundary>
    </div>
  );
}

function ComparisonLoader(props: { groupId: string }) {
  const initial = createAsync(() => getComparison(props.groupId));
  // Keyed: another comparison (or a fresh read) starts a fresh view with its own player.
  return (
    <Show when={initial()} keyed>
      {(c) => <ComparisonView initial={c} />}
    </Show>
  );
}

/** The comparison drawn from {@link useComparison}: header, toolbar, the grid, the delete dialog. */
function ComparisonView(props: { initial: Comparison }) {
  const data = useComparison(props.initial);
  const cmp = data.comparison;
  const sync = useSyncPlay();
  usePageTitle(() => `Compare ${cmp.variations.length} variations`);

  return (
    <div class="comparison">
      <ComparisonHeader comparison={cmp} />
      <ComparisonToolbar
        sort={data.sort()}
        onSort={data.setSort}
        sync={sync}
        winnerUrl={data.winner()?.video_url}
        winnerFile={`promptreel-winner-${cmp.group_id.slice(0, 8)}.mp4`}
        onDeleteAll={() => data.setToDelete("all")}
      />

      <Show when={data.actionError()}>
        <p class="form-error" role="alert">
          {messageOf(data.actionError())}
        </p>
      </Show>
      {/* Cancelled whole: the comparison has ended, with nothing to play or pick. */}
      <Show when={cmp.variations.length > 0 && cmp.variations.every(isCancelled)}>
        <p class="notice" role="status" data-testid="all-cancelled">
          Every variation was cancelled: nothing was made to compare. <A href="/">Create new variations</A>
        </p>
      </Show>

      <Show
        when={cmp.variations.length}
        fallback={
          <ErrorPanel title="No variations left" message="Every variation of this comparison was deleted.">
            <A href="/" class="btn btn-ghost">
              Create new variations
            </A>
          </ErrorPanel>
        }
      >
        <div class="variation-grid" data-count={cmp.variations.length}>
          <For each={data.sorted()}>
            {(v) => (
              <VariationCard
                variation={v}
                differing={cmp.differing_fields}
                winner={cmp.winner_generation_id === v.generation_id}
                register={sync.register}
                listening={sync.listening()}
                onListen={sync.listen}
                onWinner={() => void data.toggleWinner(v)}
                onDelete={() => data.setToDelete(v)}
              />
            )}
          </For>
        </div>
      </Show>

      <ConfirmDialog
        open={data.toDelete() !== null}
        title={data.toDelete() === "all" ? "Delete every variation?" : "Delete this variation?"}
        confirmLabel="Delete"
        busyLabel="Deleting…"
        onConfirm={data.confirmDelete}
        onClose={() => data.setToDelete(null)}
      >
        {data.toDelete() === "all"
          ? `All ${cmp.variations.length} videos of this comparison and their clips will be removed for good.`
          : "Its video and clips will be removed for good. The other variations stay."}
      </ConfirmDialog>
    </div>
  );
}
