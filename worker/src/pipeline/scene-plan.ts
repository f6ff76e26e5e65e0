/**
 * The planner: cuts an ad specification into timed scenes whose on-screen durations sum to
 * the target, with overlay placement by scene role and a seed per scene. Pure.
 */

import { sceneSeed } from "./random.ts";
import { CROSSFADE_S } from "./rules.ts";
import type { GenerationSettings } from "./settings.ts";
import { type AdSpecification, type ScenePlan, ScenePlanSchema } from "./spec.ts";

export { CROSSFADE_S };

/** Opening and closing beats hold a little longer: they carry the hook and the call to action. */
const WEIGHT: Record<string, number> = { attention: 1.1, problem: 1.1, before: 1.0, action: 1.2 };

/** Plans the scenes of `spec` for `settings`. */
export function planScenes(spec: AdSpecification, settings: GenerationSettings, seed: number): ScenePlan {
  const target = settings.duration_s;
  const scenes = spec.scenes.slice(0, 5);
  const weights = scenes.map((s) => WEIGHT[s.type] ?? 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  // Round to 1/24 s so every scene is a whole number of frames; the last absorbs the rest.
  const frames = (s: number) => Math.round(s * 24) / 24;
  const durations = weights.map((w) => frames((w / sum) * target));
  durations[durations.length - 1] = frames(target - durations.slice(0, -1).reduce((a, b) => a + b, 0));
  return ScenePlanSchema.parse({
    framework: spec.framework,
    target_duration_s: target,
    scenes: scenes.map((s, index) => ({
      index,
      type: s.type,
      duration_s: durations[index],
      visual_prompt: s.visual_prompt,
      overlay: {
        text: s.overlay_text,
        // The hook sits high, the call to action centred, the story beats low.
        position: index === 0 ? "top" : s.type === "action" ? "center" : "bottom",
        animation: index === 0 || s.type === "action" ? "slide_up" : "fade_in",
      },
      seed: sceneSeed(seed, index),
    })),
  });
}

/** Seconds of clip a scene needs: its screen time plus the crossfade into the next scene. */
export function clipDuration(plan: ScenePlan, index: number): number {
  const scene = plan.scenes[index];
  if (!scene) throw new Error(`no scene ${index}`);
  return scene.duration_s + (index < plan.scenes.length - 1 ? CROSSFADE_S : 0);
}
