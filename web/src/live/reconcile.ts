/**
 * What live data does to the client's copy of a group, pure: a snapshot, events ordered by
 * `seq` and polled reads all land in one map of generation views. No I/O and no clock, so
 * every rule here is tested on plain values.
 */
import type { LiveEvent } from "@promptreel/worker/live-events";
import type { GenerationView } from "@promptreel/worker/views";

/** What the client knows of a group: the newest view of each generation, and how new it is. */
export interface GroupState {
  /** The last snapshot's `seq`: anything not newer is older than what the snapshot holds. */
  readonly seq: number;
  /** Per generation, the `seq` of the last event taken for it. */
  readonly seqs: ReadonlyMap<string, number>;
  readonly views: ReadonlyMap<string, GenerationView>;
}

/** Nothing known yet. */
export const EMPTY_GROUP: GroupState = { seq: 0, seqs: new Map(), views: new Map() };

/** True once a generation can no longer change: completed, failed or cancelled. */
export function isTerminal(status: GenerationView["status"]): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/**
 * True when `next`, a live view of the same generation, may replace `current`. Live views come
 * in order, but an edit's answer can overtake them (or be overtaken), and storyboard edits only
 * ever count `revision` up (so do opening a draft of a finished ad and discarding one): a view
 * of an older revision is stale wherever it comes from.
 */
export function isCurrent(current: GenerationView | undefined, next: GenerationView): boolean {
  return !current || next.revision >= current.revision;
}

/**
 * True when `next`, the answer to a request (an edit, an approval, a re-read), says more than
 * `current`: it is of a newer revision, or it has left storyboard review. An answer of the same
 * revision says nothing new: the socket has already carried that change, or something later
 * (a redrawn keyframe), which the answer must not undo.
 */
export function isNewerAnswer(current: GenerationView | undefined, next: GenerationView): boolean {
  if (!current) return true;
  if (next.revision !== current.revision) return next.revision > current.revision;
  return current.status === "storyboard" && next.status !== "storyboard";
}

/** A state holding `views` (a seed, or a polled read), replacing every view known before. */
export function withViews(state: GroupState, views: readonly GenerationView[]): GroupState {
  return { ...state, views: new Map(views.map((v) => [v.generation_id, v])) };
}

/**
 * The state after `event`. A snapshot is the first message of a connection and holds the
 * whole group, so it replaces everything, whatever came before. Any other event counts only
 * when its `seq` is newer than the snapshot's and than the last one taken for its generation:
 * a repeated or late one is dropped, since something newer already said more. The order is
 * kept per generation, not across the group: the coordinator sends each event once its view is
 * built, so events of different generations can arrive out of `seq` order, and a group-wide
 * rule would drop one generation's final event behind another's. A `generation` event replaces
 * that generation's view; a `scene` event replaces one scene of a generation already known
 * (the others keep their objects). Returns `state` itself when the event is dropped.
 */
export function applyEvent(state: GroupState, event: LiveEvent): GroupState {
  if (event.type === "snapshot") {
    return withViews({ seq: event.seq, seqs: new Map(), views: state.views }, event.generations);
  }
  // Exports are followed by the export dialog, not the generation views.
  if (event.type === "export") return state;
  const id = event.type === "generation" ? event.generation.generation_id : event.generation_id;
  if (event.seq <= Math.max(state.seq, state.seqs.get(id) ?? 0)) return state;
  const views = new Map(state.views);
  if (event.type === "generation") {
    views.set(id, event.generation);
  } else {
    const view = views.get(id);
    if (view?.scenes.some((s) => s.index === event.scene.index)) {
      const scenes = view.scenes.map((s) => (s.index === event.scene.index ? event.scene : s));
      views.set(id, { ...view, scenes });
    }
  }
  return { seq: state.seq, seqs: new Map(state.seqs).set(id, event.seq), views };
}

/** The views of `next` that are new since `prev` (not the same object), in `next`'s order. */
export function changedViews(prev: GroupState, next: GroupState): GenerationView[] {
  return [...next.views.values()].filter((v) => prev.views.get(v.generation_id) !== v);
}

/** True when a snapshot knows every generation `state` knows, so it can take over from polling. */
export function covers(event: LiveEvent, state: GroupState): boolean {
  if (event.type !== "snapshot") return false;
  const ids = new Set(event.generations.map((g) => g.generation_id));
  return [...state.views.keys()].every((id) => ids.has(id));
}

/** True when generations are known and every one of them has finished. */
export function allTerminal(state: GroupState): boolean {
  return state.views.size > 0 && [...state.views.values()].every((v) => isTerminal(v.status));
}

/** True once generation `id` is known and has finished. */
export function hasFinished(state: GroupState, id: string): boolean {
  const view = state.views.get(id);
  return !!view && isTerminal(view.status);
}
