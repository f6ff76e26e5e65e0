/**
 * The comparison page's data: one store that starts as the page's read of the comparison
 * (the query cache), takes every live view of its variations, and is written back to the
 * cache; plus sorting, the winner and deletes. The page only draws it.
 */
import { useNavigate } from "@solidjs/router";
import { createMemo, createSignal } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import {
  ApiError,
  type Comparison,
  cacheComparison,
  deleteComparison,
  deleteGeneration,
  fetchComparison,
  type GenerationView,
  setWinner,
} from "../api.ts";
import { type SortKey, sortVariations } from "../compare.ts";
import { createLiveGroup } from "../live/bindings.ts";
import { isTerminal } from "../live/reconcile.ts";

/** What is about to be deleted: one variation, all of them, or nothing. */
export type DeleteTarget = GenerationView | "all" | null;

export function useComparison(initial: Comparison) {
  const navigate = useNavigate();
  const groupId = initial.group_id;
  // A store, so a live update changes one card in place: its <video> is never re-created mid-play.
  const [cmp, setCmp] = createStore<Comparison>(structuredClone(initial));
  const remember = () => cacheComparison(structuredClone(unwrap(cmp)));
  const [sort, setSort] = createSignal<SortKey>("created");
  const [actionError, setActionError] = createSignal<unknown>(null);
  const [toDelete, setToDelete] = createSignal<DeleteTarget>(null);
  const sorted = createMemo(() => sortVariations(cmp.variations, sort()));
  const winner = () => cmp.variations.find((v) => v.generation_id === cmp.winner_generation_id);

  /** Re-reads the comparison (the diff, the total) and merges it without replacing cards. */
  const refresh = async () => {
    try {
      setCmp(reconcile(await fetchComparison(groupId), { key: "generation_id", merge: true }));
      remember();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) navigate("/library", { replace: true });
      else setActionError(err);
    }
  };

  // Every variation over the group's one socket, until all of them settle.
  const settled = createMemo(() => cmp.variations.every((v) => isTerminal(v.status)));
  createLiveGroup(
    groupId,
    () => !settled(),
    (view) => {
      const before = cmp.variations.find((v) => v.generation_id === view.generation_id);
      if (!before) return; // deleted here meanwhile
      // Read before the update: `before` is the store's live proxy.
      const justFinished = !isTerminal(before.status) && isTerminal(view.status);
      setCmp("variations", (v) => v.generation_id === view.generation_id, reconcile(view));
      remember();
      // The group's total cost comes with the comparison.
      if (justFinished) void refresh();
    },
    { poll: async () => (await fetchComparison(groupId)).variations },
  );

  const toggleWinner = async (v: GenerationView) => {
    setActionError(null);
    const next = cmp.winner_generation_id === v.generation_id ? null : v.generation_id;
    try {
      const res = await setWinner(groupId, next);
      setCmp("winner_generation_id", res.winner_generation_id);
      remember();
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

  return {
    comparison: cmp,
    sort,
    setSort,
    sorted,
    winner,
    actionError,
    toDelete,
    setToDelete,
    toggleWinner,
    confirmDelete,
  };
}
