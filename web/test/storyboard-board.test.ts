import { describe, expect, test } from "vitest";
import { isCurrent, isNewerAnswer } from "../src/live/reconcile.ts";
import {
  addBlocked,
  isIdentity,
  middleBeat,
  moveOrder,
  newScene,
  refinementsLeft,
  removeBlocked,
  totalSeconds,
} from "../src/storyboard/board.ts";
import { runningFixture, sceneFixture, storyboardFixture, versionFixture, viewFixture } from "./fixtures.tsx";

describe("storyboard rules", () => {
  test("a move is the permutation the reorder route takes", () => {
    expect(moveOrder(4, 2, 1)).toEqual([0, 2, 1, 3]);
    expect(moveOrder(4, 2, 0)).toEqual([2, 0, 1, 3]);
    expect(moveOrder(4, 0, 3)).toEqual([1, 2, 3, 0]);
    expect(moveOrder(5, 4, 4)).toEqual([0, 1, 2, 3, 4]);
    // Out of range moves nothing (a stale drag).
    expect(moveOrder(3, 0, 3)).toEqual([0, 1, 2]);
    expect(isIdentity(moveOrder(3, 1, 1))).toBe(true);
    expect(isIdentity(moveOrder(3, 1, 2))).toBe(false);
  });

  test("refinements left, and why a scene cannot be added or removed", () => {
    expect(refinementsLeft({ used: 0, limit: 5 })).toBe("5 of 5 refinements left");
    expect(refinementsLeft({ used: 4, limit: 5 })).toBe("1 of 5 refinements left");
    expect(refinementsLeft({ used: 7, limit: 5 })).toBe("0 of 5 refinements left");
    expect([3, 4, 5].map(addBlocked)).toEqual([
      null,
      null,
      "An ad has at most 5 scenes: remove one to add another.",
    ]);
    expect([3, 4, 5].map(removeBlocked)).toEqual([
      "An ad has at least 3 scenes: add one before removing another.",
      null,
      null,
    ]);
  });

  test("a new scene goes last, as the framework's middle beat, on the current revision", () => {
    const board = storyboardFixture();
    expect(middleBeat(board)).toBe("interest");
    const spec = board.spec!;
    expect(middleBeat({ ...board, spec: { ...spec, framework: "PAS" } })).toBe("agitate");
    expect(middleBeat({ ...board, spec: { ...spec, framework: "BAB" } })).toBe("bridge");
    // No framework known: the middle scene's role; nothing at all: "interest".
    const scenes = ["problem", "agitate", "solution"].map((type, i) => sceneFixture(i, { type }));
    expect(middleBeat({ spec: null, scenes })).toBe("agitate");
    expect(middleBeat({ spec: null, scenes: [] })).toBe("interest");

    expect(newScene(board, "  Two scoops, zero chalk ", "")).toEqual({
      at: 4,
      type: "interest",
      overlay_text: "Two scoops, zero chalk",
      visual_prompt: "vegan protein powder, bright studio light",
      revision: 2,
    });
    expect(newScene(board, "Go", " a shaker on a bench ").visual_prompt).toBe("a shaker on a bench");
    expect(totalSeconds(board)).toBe("15.0 s");
  });

  test("an edit's answer replaces the view only when it says more; live views only go forward", () => {
    const board = storyboardFixture({ revision: 3 });
    const redrawing = storyboardFixture({ revision: 4, current_step: "Redrawing keyframes" });
    // A newer revision, or leaving review, is news; the same revision is what the socket carried.
    expect(isNewerAnswer(board, redrawing)).toBe(true);
    expect(isNewerAnswer(redrawing, storyboardFixture({ revision: 4 }))).toBe(false);
    expect(isNewerAnswer(redrawing, board)).toBe(false);
    const approved = runningFixture({ revision: 4, progress: 30 });
    expect(isNewerAnswer(redrawing, approved)).toBe(true);
    expect(isNewerAnswer(approved, redrawing)).toBe(false);
    expect(isNewerAnswer(undefined, board)).toBe(true);
    // Live views arrive in order; only one of an older revision is stale.
    expect(isCurrent(redrawing, storyboardFixture({ revision: 4 }))).toBe(true);
    expect(isCurrent(redrawing, board)).toBe(false);
  });

  test("a draft opened on a finished ad, and one discarded, are news; the other way round is stale", () => {
    // Opening a draft and discarding one count the revision up, like every storyboard edit.
    const v1 = versionFixture(1);
    const finished = viewFixture({ status: "completed", version: 1, versions: [v1], revision: 5 });
    const draft = storyboardFixture({ version: 2, versions: [v1], revision: 6 });
    const edited = storyboardFixture({ version: 2, versions: [v1], revision: 7 });
    const discarded = viewFixture({ status: "completed", version: 1, versions: [v1], revision: 8 });
    expect(isNewerAnswer(finished, draft)).toBe(true);
    expect(isNewerAnswer(edited, discarded)).toBe(true);
    expect(isCurrent(edited, discarded)).toBe(true);
    // A late answer from before the draft, or an edit's answer after the discard, changes nothing.
    expect(isNewerAnswer(draft, finished)).toBe(false);
    expect(isNewerAnswer(discarded, edited)).toBe(false);
    expect(isCurrent(discarded, edited)).toBe(false);
  });
});
