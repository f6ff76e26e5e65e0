/**
 * Storyboard edits as pure functions over a scene plan: a direct edit of one scene, a reorder,
 * adding and removing a scene. Every result is re-timed so the scenes still fill the target
 * duration (3-5 scenes, each at least {@link MIN_SCENE_S}), and each scene keeps its own seed,
 * so a scene that only moved is the same clip. An edit that cannot hold throws
 * {@link SceneEditError}, which names the field at fault.
 */
import type { OVERLAY_POSITIONS } from "@promptreel/render-container/contract";
import { sceneSeed } from "./random.ts";
import { MAX_SCENES, MIN_SCENES } from "./rules.ts";
import type { PlannedScene, ScenePlan } from "./spec.ts";

export { MAX_SCENES, MIN_SCENES };
/** The shortest scene: below this an overlay cannot be read. */
export const MIN_SCENE_S = 1.5;

/** An edit that would break the plan; `field` is the request field at fault. */
export class SceneEditError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** What a direct edit may change. */
export interface ScenePatch {
  overlay_text?: string;
  position?: (typeof OVERLAY_POSITIONS)[number];
  visual_prompt?: string;
  duration_s?: number;
}

/** A new scene's content; its seed is derived from the plan's seeds so it is new and stable. */
export interface NewScene {
  type: PlannedScene["type"];
  overlay_text: string;
  visual_prompt: string;
}

const frames = (s: number) => Math.round(s * 24) / 24;

/**
 * Re-times `scenes` to fill `target`: scenes in `fixed` keep their durations, the others share
 * what is left in proportion to their current durations; whole frames, the last free scene
 * absorbs the rounding.
 */
export function retime(scenes: PlannedScene[], target: number, fixed: ReadonlySet<number> = new Set()) {
  if (scenes.length < MIN_SCENES || scenes.length > MAX_SCENES)
    throw new SceneEditError("scenes", `An ad has ${MIN_SCENES} to ${MAX_SCENES} scenes.`);
  const held = scenes.reduce((sum, s, i) => sum + (fixed.has(i) ? s.duration_s : 0), 0);
  const free = scenes.map((_, i) => i).filter((i) => !fixed.has(i));
  const left = target - held;
  if (free.length === 0 ? Math.abs(left) > 1e-6 : left < free.length * MIN_SCENE_S)
    throw new SceneEditError(
      "duration_s",
      `The scenes must fill ${target} s with every scene at least ${MIN_SCENE_S} s; this leaves ${Math.max(0, frames(left))} s for ${free.length} other scene${free.length === 1 ? "" : "s"}.`,
    );
  const weight = free.reduce((sum, i) => sum + scenes[i]!.duration_s, 0);
  const out = scenes.map((s) => ({ ...s }));
  // Proportional shares, raised to the minimum where needed and taken from the others.
  let shares = free.map((i) => (left * scenes[i]!.duration_s) / weight);
  for (let pass = 0; pass < free.length && shares.some((d) => d < MIN_SCENE_S); pass++) {
    const short = shares.map((d) => d < MIN_SCENE_S);
    const over = shares.reduce((sum, d, k) => sum + (short[k] ? 0 : d), 0);
    const need = left - short.filter(Boolean).length * MIN_SCENE_S;
    shares = shares.map((d, k) => (short[k] ? MIN_SCENE_S : (d * need) / over));
  }
  free.forEach((i, k) => {
    out[i]!.duration_s = frames(shares[k]!);
  });
  const last = free.at(-1);
  if (last !== undefined) {
    const rest = out.reduce((sum, s, i) => sum + (i === last ? 0 : s.duration_s), 0);
    out[last]!.duration_s = frames(target - rest);
  }
  return out.map((s, index) => ({ ...s, index }));
}

function sceneAt(plan: ScenePlan, index: number): PlannedScene {
  const scene = plan.scenes[index];
  if (!scene)
    throw new SceneEditError("index", `There is no scene ${index + 1}; this ad has ${plan.scenes.length}.`);
  return scene;
}

/** A direct edit of scene `index`. A new duration is kept and the other scenes re-timed around it. */
export function editScene(plan: ScenePlan, index: number, patch: ScenePatch): ScenePlan {
  const scene = sceneAt(plan, index);
  const edited: PlannedScene = {
    ...scene,
    visual_prompt: patch.visual_prompt ?? scene.visual_prompt,
    duration_s: patch.duration_s === undefined ? scene.duration_s : frames(patch.duration_s),
    overlay: {
      ...scene.overlay,
      text: patch.overlay_text ?? scene.overlay.text,
      position: patch.position ?? scene.overlay.position,
    },
  };
  if (edited.duration_s < MIN_SCENE_S)
    throw new SceneEditError("duration_s", `A scene lasts at least ${MIN_SCENE_S} s.`);
  const scenes = plan.scenes.map((s, i) => (i === index ? edited : s));
  const fixed = patch.duration_s === undefined ? new Set<number>() : new Set([index]);
  return { ...plan, scenes: retime(scenes, plan.target_duration_s, fixed) };
}

/** The scenes in a new order: `order[k]` is the current index of the scene that goes k-th. */
export function reorderScenes(plan: ScenePlan, order: number[]): ScenePlan {
  const n = plan.scenes.length;
  const isPermutation = order.length === n && [...order].sort((a, b) => a - b).every((v, i) => v === i);
  if (!isPermutation)
    throw new SceneEditError(
      "order",
      `The order must list each scene index from 0 to ${n - 1} exactly once.`,
    );
  return { ...plan, scenes: order.map((from, index) => ({ ...plan.scenes[from]!, index })) };
}

/** A scene inserted at `at` (0 = first, plan length = last), with a seed no other scene has. */
export function addScene(plan: ScenePlan, at: number, scene: NewScene): ScenePlan {
  if (plan.scenes.length >= MAX_SCENES)
    throw new SceneEditError("scenes", `An ad has at most ${MAX_SCENES} scenes; remove one first.`);
  if (!Number.isInteger(at) || at < 0 || at > plan.scenes.length)
    throw new SceneEditError("at", `A new scene goes at a position from 0 to ${plan.scenes.length}.`);
  const seeds = new Set(plan.scenes.map((s) => s.seed));
  let salt = plan.scenes.length;
  while (seeds.has(sceneSeed(plan.scenes[0]!.seed, salt))) salt++;
  const share = plan.target_duration_s / (plan.scenes.length + 1);
  const added: PlannedScene = {
    index: at,
    type: scene.type,
    duration_s: share,
    visual_prompt: scene.visual_prompt,
    overlay: { text: scene.overlay_text, position: "bottom", animation: "fade_in" },
    seed: sceneSeed(plan.scenes[0]!.seed, salt),
  };
  const scenes = [...plan.scenes.slice(0, at), added, ...plan.scenes.slice(at)];
  return { ...plan, scenes: retime(scenes, plan.target_duration_s, new Set([at])) };
}

/** Scene `index` removed; the others share its time. */
export function removeScene(plan: ScenePlan, index: number): ScenePlan {
  sceneAt(plan, index);
  if (plan.scenes.length <= MIN_SCENES)
    throw new SceneEditError(
      "scenes",
      `An ad has at least ${MIN_SCENES} scenes; add one before removing this.`,
    );
  const scenes = plan.scenes.filter((_, i) => i !== index);
  return { ...plan, scenes: retime(scenes, plan.target_duration_s) };
}
