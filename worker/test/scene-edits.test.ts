/** Storyboard edits over a real plan from the offline planner: timing holds, seeds travel, errors name the field. */
import { describe, expect, it } from "vitest";
import {
  addScene,
  editScene,
  MIN_SCENE_S,
  removeScene,
  reorderScenes,
  retime,
  SceneEditError,
} from "../src/pipeline/scene-edits.ts";
import { planScenes } from "../src/pipeline/scene-plan.ts";
import { DEFAULT_SETTINGS } from "../src/pipeline/settings.ts";
import type { ScenePlan } from "../src/pipeline/spec.ts";
import { planOffline } from "../src/providers/offline-planner.ts";

const request = {
  prompt: "Cold brew coffee in a can for busy students",
  seed: 7,
  durationS: 15,
  aspectRatio: "9:16",
};
const plan: ScenePlan = planScenes(planOffline(request), DEFAULT_SETTINGS, 7);
const total = (p: ScenePlan) => p.scenes.reduce((sum, s) => sum + s.duration_s, 0);
const wholeFrames = (p: ScenePlan) =>
  p.scenes.every((s) => Math.abs(s.duration_s * 24 - Math.round(s.duration_s * 24)) < 1e-6);

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof SceneEditError) return err.field;
    throw err;
  }
  throw new Error("expected a SceneEditError");
}

describe("storyboard edits", () => {
  it("edits one scene's text and prompt without touching the others or the timing", () => {
    const next = editScene(plan, 1, { overlay_text: "Brewed for 5 a.m.", visual_prompt: "a sunrise desk" });
    expect(next.scenes[1]).toMatchObject({
      overlay: { text: "Brewed for 5 a.m." },
      visual_prompt: "a sunrise desk",
    });
    expect(next.scenes[1]!.seed).toBe(plan.scenes[1]!.seed);
    expect(next.scenes.filter((_, i) => i !== 1)).toEqual(plan.scenes.filter((_, i) => i !== 1));
  });

  it("keeps a new duration and re-times the other scenes to the target", () => {
    const next = editScene(plan, 0, { duration_s: 6 });
    expect(next.scenes[0]!.duration_s).toBe(6);
    expect(total(next)).toBeCloseTo(15, 6);
    expect(wholeFrames(next)).toBe(true);
    expect(next.scenes.every((s) => s.duration_s >= MIN_SCENE_S)).toBe(true);
    // The others keep their proportions (up to frame rounding).
    const ratio = next.scenes[1]!.duration_s / next.scenes[2]!.duration_s;
    expect(ratio).toBeCloseTo(plan.scenes[1]!.duration_s / plan.scenes[2]!.duration_s, 1);
  });

  it("refuses durations that cannot fit", () => {
    expect(fieldOf(() => editScene(plan, 0, { duration_s: 1 }))).toBe("duration_s");
    // 15 s minus 11 s leaves 4 s for three scenes of at least 1.5 s.
    expect(fieldOf(() => editScene(plan, 0, { duration_s: 11 }))).toBe("duration_s");
    expect(fieldOf(() => editScene(plan, 9, { overlay_text: "x" }))).toBe("index");
  });

  it("raises short scenes to the minimum when one scene takes most of the time", () => {
    const next = editScene(plan, 3, { duration_s: 10 });
    expect(next.scenes.map((s) => s.duration_s).every((d) => d >= MIN_SCENE_S - 1e-9)).toBe(true);
    expect(total(next)).toBeCloseTo(15, 6);
  });

  it("reorders by a permutation, scenes keep their seeds and durations, indexes follow", () => {
    const next = reorderScenes(plan, [2, 0, 1, 3]);
    expect(next.scenes.map((s) => s.seed)).toEqual([2, 0, 1, 3].map((i) => plan.scenes[i]!.seed));
    expect(next.scenes.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(next.scenes[0]!.overlay.text).toBe(plan.scenes[2]!.overlay.text);
    for (const bad of [
      [0, 1, 2],
      [0, 0, 1, 2],
      [0, 1, 2, 4],
      [3, 2, 1, 0, 4],
    ])
      expect(fieldOf(() => reorderScenes(plan, bad))).toBe("order");
  });

  it("adds and removes scenes within 3-5, re-timing to the target", () => {
    const five = addScene(plan, 1, {
      type: "interest",
      overlay_text: "Two shots, zero crash",
      visual_prompt: "a can",
    });
    expect(five.scenes).toHaveLength(5);
    expect(five.scenes[1]!.overlay.text).toBe("Two shots, zero crash");
    expect(new Set(five.scenes.map((s) => s.seed)).size).toBe(5);
    expect(total(five)).toBeCloseTo(15, 6);
    expect(fieldOf(() => addScene(five, 0, { type: "action", overlay_text: "x", visual_prompt: "y" }))).toBe(
      "scenes",
    );
    const three = removeScene(plan, 0);
    expect(three.scenes.map((s) => s.seed)).toEqual(plan.scenes.slice(1).map((s) => s.seed));
    expect(total(three)).toBeCloseTo(15, 6);
    expect(fieldOf(() => removeScene(three, 0))).toBe("scenes");
  });

  it("re-times exactly when every scene is fixed, and refuses a mismatch", () => {
    const fixedAll = new Set([0, 1, 2, 3]);
    expect(retime(plan.scenes, 15, fixedAll).map((s) => s.duration_s)).toEqual(
      plan.scenes.map((s) => s.duration_s),
    );
    expect(fieldOf(() => retime(plan.scenes, 16, fixedAll))).toBe("duration_s");
  });
});
