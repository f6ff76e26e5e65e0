import { A, createAsync, type RoutePreloadFuncArgs, useNavigate, useParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, ErrorBoundary, For, on, onCleanup, Show } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import {
  ApiError,
  type Comparison,
  deleteComparison,
  deleteGeneration,
  fetchComparison,
  getComparison,
  messageOf,
  setWinner,
  type Variation,
} from "../api.ts";
import { describeDifferences, liveFields, SORTS, type SortKey, sortVariations } from "../compare.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { ErrorPanel } from "../components/error-panel.tsx";
import { VariationCard } from "../components/variation-card.tsx";
import { formatCost, formatDate } from "../format.ts";
import { followGroup, isTerminal } from "../live.ts";
import { usePageTitle } from "../page-title.ts";
import { currentToken } from "../session.ts";
import { type SyncMedia, SyncPlayer } from "../sync-player.ts";

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

function ComparisonView(props: { initial: Comparison }) {
  const navigate = useNavigate();
  const groupId = props.initial.group_id;
  // A store, so a live update changes one card in place: its <video> is never re-created mid-play.
  const [cmp, setCmp] = createStore<Comparison>(structuredClone(props.initial));
  const [sort, setSort] = createSignal<SortKey>("created");
  const [actionError, setActionError] = createSignal<unknown>(null);
  const [toDelete, setToDelete] = createSignal<Variation | "all" | null>(null);
  const sorted = createMemo(() => sortVariations(cmp.variations, sort()));
  const winner = () => cmp.variations.find((v) => v.generation_id === cmp.winner_generation_id);
  usePageTitle(() => `Compare ${cmp.variations.length} variations`);

  /** Re-reads the comparison (times, costs, the diff) and merges it without replacing cards. */
  const refresh = async () => {
    try {
      const fresh = await fetchComparison(groupId);
      setCmp(reconcile(fresh, { key: "generation_id", merge: true }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) navigate("/library", { replace: true });
      else setActionError(err);
    }
  };

  // Live progress of every variation over the group's one socket, until all of them settle.
  // A memo, so the subscription is made again only when "settled" flips, not on every status.
  const settled = createMemo(() => cmp.variations.every((v) => isTerminal(v.status)));
  createEffect(
    on(settled, (done) => {
      if (done) return;
      const stop = followGroup(
        groupId,
        {
          onStatus: (s) => {
            const before = cmp.variations.find((v) => v.generation_id === s.generation_id);
            if (!before) return; // deleted here meanwhile
            // Read before the update: `before` is the store's live proxy.
            const justFinished = !isTerminal(before.status) && isTerminal(s.status);
            setCmp("variations", (v) => v.generation_id === s.generation_id, liveFields(s));
            // Its generation time and final cost come with the comparison.
            if (justFinished) void refresh();
          },
        },
        { poll: async () => (await fetchComparison(groupId)).variations },
      );
      onCleanup(stop);
    }),
  );

  // ---- playing all together ------------------------------------------------------------------
  const player = new SyncPlayer();
  onCleanup(() => player.dispose());
  const [playing, setPlaying] = createSignal(false);
  const [time, setTime] = createSignal(0);
  const [duration, setDuration] = createSignal(0);
  const [members, setMembers] = createSignal(0);
  const [audible, setAudible] = createSignal<SyncMedia | undefined>();
  // While they play, the scrubber and the button follow the player (the leader can end, or be
  // paused from its own controls); nothing ticks while they are still.
  createEffect(() => {
    if (!playing()) return;
    const clock = setInterval(() => {
      setTime(player.time);
      setPlaying(player.playing);
    }, 100);
    onCleanup(() => clearInterval(clock));
  });
  const register = (video: HTMLVideoElement) => {
    const remove = player.add(video);
    const lengthKnown = () => setDuration(player.duration);
    video.addEventListener("durationchange", lengthKnown);
    setMembers(player.size);
    lengthKnown();
    return () => {
      video.removeEventListener("durationchange", lengthKnown);
      remove();
      setMembers(player.size);
      lengthKnown();
    };
  };
  const togglePlay = () => {
    if (player.playing) player.pause();
    else player.play();
    setPlaying(player.playing);
    setAudible(() => player.listening);
  };
  const scrub = (t: number) => {
    player.seek(t);
    setTime(t);
  };
  const listen = (video: SyncMedia) => {
    player.listenTo(video);
    setAudible(() => video);
  };

  // ---- actions -------------------------------------------------------------------------------
  const toggleWinner = async (v: Variation) => {
    setActionError(null);
    const next = cmp.winner_generation_id === v.generation_id ? null : v.generation_id;
    try {
      const res = await setWinner(groupId, next);
      setCmp("winner_generation_id", res.winner_generation_id);
    } catch (err) {
      setActionError(err);
    }
  };
  const confirmDelete = async () => {
    const target = toDelete();
    if (target === "all") {
      await deleteComparison(groupId);
      navigate("/library", { replace: true });
      return;
    }
    if (!target) return;
    await deleteGeneration(target.generation_id);
    setCmp(
      produce((c) => {
        c.variations = c.variations.filter((v) => v.generation_id !== target.generation_id);
        if (c.winner_generation_id === target.generation_id) c.winner_generation_id = null;
      }),
    );
    if (cmp.variations.length) await refresh();
  };

  return (
    <div class="comparison">
      <header class="page-head comparison-head">
        <div>
          <h1>Compare variations</h1>
          <p class="muted">
            {cmp.variations.length} {cmp.comparison_type === "prompt" ? "prompts" : "settings profiles"} ·
            created {formatDate(cmp.created_at)} · total{" "}
            <strong class="tabular" data-testid="comparison-total">
              {formatCost(cmp.total_cost)}
            </strong>
          </p>
          <p class="differs-summary" data-testid="differing-fields">
            <span class="muted">Differs:</span> {describeDifferences(cmp.differing_fields)}
          </p>
        </div>
      </header>

      <div class="card comparison-toolbar" role="toolbar" aria-label="Comparison">
        <label class="toolbar-field">
          <span class="muted small">Sort by</span>
          <select class="input" value={sort()} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
            <For each={Object.entries(SORTS)}>{([key, label]) => <option value={key}>{label}</option>}</For>
          </select>
        </label>
        <fieldset class="sync-controls" disabled={members() < 1}>
          <legend class="sr-only">Play every finished variation in sync</legend>
          <button type="button" class="btn btn-primary" onClick={togglePlay}>
            {playing() ? "Pause all" : "Play all in sync"}
          </button>
          <input
            type="range"
            class="scrubber"
            aria-label="Position of every video"
            min="0"
            max={duration() || 0}
            step="0.04"
            value={time()}
            onInput={(e) => scrub(Number(e.currentTarget.value))}
          />
          <span class="tabular small" data-testid="sync-time">
            {time().toFixed(1)} / {duration().toFixed(1)} s
          </span>
        </fieldset>
        <div class="toolbar-actions">
          <Show when={winner()?.video_url}>
            {(url) => (
              <a
                class="btn btn-primary"
                href={url()}
                download={`promptreel-winner-${groupId.slice(0, 8)}.mp4`}
              >
                Download winner
              </a>
            )}
          </Show>
          <button type="button" class="btn btn-ghost" onClick={() => setToDelete("all")}>
            Delete all
          </button>
        </div>
      </div>

      <Show when={actionError()}>
        <p class="form-error" role="alert">
          {messageOf(actionError())}
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
          <For each={sorted()}>
            {(v) => (
              <VariationCard
                variation={v}
                differing={cmp.differing_fields}
                winner={cmp.winner_generation_id === v.generation_id}
                register={register}
                listening={playing() ? audible() : undefined}
                onListen={listen}
                onWinner={() => void toggleWinner(v)}
                onDelete={() => setToDelete(v)}
              />
            )}
          </For>
        </div>
      </Show>

      <ConfirmDialog
        open={toDelete() !== null}
        title={toDelete() === "all" ? "Delete every variation?" : "Delete this variation?"}
        confirmLabel="Delete"
        busyLabel="Deleting…"
        onConfirm={confirmDelete}
        onClose={() => setToDelete(null)}
      >
        {toDelete() === "all"
          ? `All ${cmp.variations.length} videos of this comparison and their clips will be removed for good.`
          : "Its video and clips will be removed for good. The other variations stay."}
      </ConfirmDialog>
    </div>
  );
}
