/**
 * The storyboard editor's rules, pure: moves as the permutation the reorder route takes, the
 * scene-count limits and their explanations, the refinements line, and what a new scene is.
 * No I/O and no Solid, so every rule is tested on plain values.
 */
import { MAX_SCENES, MIN_SCENES } from "@promptreel/worker/rules";
import type { GenerationView, NewScene } from "../api.ts";

/** An ad has 3 to 5 scenes (the Worker's rule, imported). */
export { MAX_SCENES, MIN_SCENES };

/**
 * The order that moves the scene at `from` to `to` among `count` scenes, the others keeping
 * their order: `order[k]` is the current index of the scene that goes k-th.
 */
export function moveOrder(count: number, from: number, to: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (from < 0 || from >= count || to < 0 || to >= count) return order;
  order.splice(to, 0, ...order.splice(from, 1));
  return order;
}

/** True when `order` changes nothing. */
export function isIdentity(order: readonly number[]): boolean {
  return order.every((from, i) => from === i);
}

/** "3 of 5 refinements left". */
export function refinementsLeft(r: GenerationView["refinements"]): string {
  const left = Math.max(0, r.limit - r.used);
  return `${left} of ${r.limit} refinement${r.limit === 1 ? "" : "s"} left`;
}

/** Why a scene cannot be added, or null. */
export function addBlocked(count: number): string | null {
  return count >= MAX_SCENES ? `An ad has at most ${MAX_SCENES} scenes: remove one to add another.` : null;
}

/** Why a scene cannot be removed, or null. */
export function removeBlocked(count: number): string | null {
  return count <= MIN_SCENES
    ? `An ad has at least ${MIN_SCENES} scenes: add one before removing another.`
    : null;
}

type SceneType = NewScene["type"];

/** Each framework's middle beat: the scene that develops the idea between hook and close. */
const MIDDLE_BEAT: Record<NonNullable<GenerationView["spec"]>["framework"], SceneType> = {
  AIDA: "interest",
  PAS: "agitate",
  BAB: "bridge",
};

/**
 * The role a new scene gets: the framework's middle beat; without a framework, the role of the
 * middle scene; with no scenes at all, "interest".
 */
export function middleBeat(view: Pick<GenerationView, "spec" | "scenes">): SceneType {
  if (view.spec) return MIDDLE_BEAT[view.spec.framework];
  // A scene's type is one of the framework roles; the view only types it as a string.
  const middle = view.scenes[Math.floor((view.scenes.length - 1) / 2)]?.type as SceneType | undefined;
  return middle || "interest";
}

/**
 * The request that adds a scene at the end: `text` on screen, showing `shows` (when left
 * empty, the product in the ad's visual style, or else the text itself).
 */
export function newScene(view: GenerationView, text: string, shows: string): NewScene {
  const spec = view.spec;
  const fallback = spec ? `${spec.product}, ${spec.visual_style}` : text;
  return {
    at: view.scenes.length,
    type: middleBeat(view),
    overlay_text: text.trim(),
    visual_prompt: shows.trim() || fallback.trim(),
    revision: view.revision,
  };
}

/** The storyboard's length in seconds, one decimal ("15.0 s"). */
export function totalSeconds(view: Pick<GenerationView, "scenes">): string {
  return `${view.scenes.reduce((sum, s) => sum + s.duration_s, 0).toFixed(1)} s`;
}
