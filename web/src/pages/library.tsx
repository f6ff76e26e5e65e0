import { A, createAsync, type RoutePreloadFuncArgs, useSearchParams } from "@solidjs/router";
import { createEffect, createSignal, ErrorBoundary, For, on, Show, Suspense } from "solid-js";
import {
  deleteGeneration,
  type GenerationView,
  getGenerations,
  getMe,
  listGenerations,
  messageOf,
  type StatusFilter,
} from "../api.ts";
import { BudgetCard } from "../components/budget-card.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ErrorPanel } from "../components/error-panel.tsx";
import { LibraryItem } from "../components/library-item.tsx";
import { formatCost } from "../format.ts";
import { usePageTitle } from "../page-title.ts";
import { currentToken } from "../session.ts";

const FILTERS: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "completed", label: "Ready" },
  { value: "processing", label: "Generating" },
  { value: "storyboard", label: "To review" },
  { value: "pending", label: "Queued" },
  { value: "failed", label: "Failed" },
  { value: "cancelled", label: "Cancelled" },
];

function parseFilter(raw: string | string[] | undefined): StatusFilter {
  return FILTERS.find((f) => f.value === raw)?.value ?? "all";
}

/** Route preload: the first page for the filter in the URL, the total spent and the budget. */
export function preloadLibrary({ location }: RoutePreloadFuncArgs) {
  if (!currentToken()) return;
  void getGenerations(parseFilter(new URLSearchParams(location.search).get("status") ?? undefined));
  void getMe();
}

/**
 * `/library`: my generations as a grid, filtered by status, with delete and "Load more"; above
 * it, the total spent and the monthly budget.
 */
export function LibraryPage() {
  usePageTitle(() => "Library");
  const [params] = useSearchParams<{ status?: string }>();
  const filter = () => parseFilter(params.status);
  const me = createAsync(() => getMe());

  return (
    <div class="container">
      <header class="page-head row between wrap library-head">
        <div>
          <h1>Library</h1>
          <p class="muted">Every ad you have made.</p>
        </div>
        <div class="stats">
          <div class="stat card">
            <span class="muted small">Total spent</span>
            <strong class="stat-value tabular" data-testid="total-spent">
              <Suspense fallback="…">{me() ? formatCost(me()?.user.total_cost ?? 0) : "…"}</Suspense>
            </strong>
          </div>
          <BudgetCard />
        </div>
      </header>
      <nav class="filters" aria-label="Filter by status">
        <For each={FILTERS}>
          {(f) => (
            // A plain <a> (the router still handles the click): <A> would mark every
            // /library?status=… link current, since it matches on the path alone.
            <a
              href={f.value === "all" ? "/library" : `/library?status=${f.value}`}
              class="chip"
              aria-current={filter() === f.value ? "page" : undefined}
            >
              {f.label}
            </a>
          )}
        </For>
      </nav>
      <ErrorBoundary
        fallback={(err, reset) => (
          <ErrorPanel title="Could not load your library" error={err} onRetry={reset} />
        )}
      >
        <Suspense fallback={<div class="library-grid" aria-busy="true" />}>
          <LibraryGrid filter={filter()} />
        </Suspense>
      </ErrorBoundary>
    </div>
  );
}

function LibraryGrid(props: { filter: StatusFilter }) {
  const first = createAsync(() => getGenerations(props.filter));
  // Later pages are kept here; they reset only when the filter changes, not when the first
  // page is revalidated after a delete (dedupe by id covers the shift).
  const [more, setMore] = createSignal<GenerationView[]>([]);
  const [cursor, setCursor] = createSignal<string | null | undefined>(undefined);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<unknown>(null);
  const [removed, setRemoved] = createSignal<ReadonlySet<string>>(new Set());
  const [toDelete, setToDelete] = createSignal<GenerationView | null>(null);

  createEffect(
    on(
      () => props.filter,
      () => {
        setMore([]);
        setCursor(undefined);
      },
    ),
  );
  const nextCursor = () => (cursor() === undefined ? first()?.next_cursor : cursor()) ?? null;
  const items = () => {
    const seen = new Set<string>();
    return [...(first()?.generations ?? []), ...more()].filter((g) => {
      if (seen.has(g.generation_id) || removed().has(g.generation_id)) return false;
      seen.add(g.generation_id);
      return true;
    });
  };

  const loadMore = async () => {
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listGenerations({ status: props.filter, cursor: nextCursor() });
      setMore([...more(), ...page.generations]);
      setCursor(page.next_cursor);
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };
  const confirmDelete = async () => {
    const g = toDelete();
    if (!g) return;
    await deleteGeneration(g.generation_id);
    setRemoved(new Set([...removed(), g.generation_id]));
  };

  return (
    <>
      <Show
        when={items().length > 0}
        fallback={
          <div class="empty-state card">
            <h2>{props.filter === "all" ? "No ads yet" : "Nothing here"}</h2>
            <p class="muted">
              {props.filter === "all"
                ? "Your generations will appear here."
                : "No generations with this status."}
            </p>
            <A href="/" class="btn btn-primary">
              Create an ad
            </A>
          </div>
        }
      >
        <ul class="library-grid" aria-label="Generations">
          <For each={items()}>
            {(g) => (
              <li>
                <LibraryItem generation={g} onDelete={setToDelete} />
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={nextCursor()}>
        <div class="load-more">
          <button type="button" class="btn btn-ghost" onClick={loadMore} disabled={loadingMore()}>
            {loadingMore() ? "Loading…" : "Load more"}
          </button>
          <Show when={moreError()}>
            <p class="form-error" role="alert">
              {messageOf(moreError())}
            </p>
          </Show>
        </div>
      </Show>
      <ConfirmDialog
        open={toDelete() !== null}
        title="Delete this ad?"
        confirmLabel="Delete"
        busyLabel="Deleting…"
        onConfirm={confirmDelete}
        onClose={() => setToDelete(null)}
      >
        <p>
          “<span class="clamp-2">{toDelete()?.prompt}</span>” and its video will be removed for good.
        </p>
      </ConfirmDialog>
    </>
  );
}
