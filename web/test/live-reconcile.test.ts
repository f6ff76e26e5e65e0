import type { LiveEvent } from "@promptreel/worker/live-events";
import { describe, expect, test } from "vitest";
import {
  allTerminal,
  applyEvent,
  changedViews,
  covers,
  EMPTY_GROUP,
  type GroupState,
  hasFinished,
  isTerminal,
  withViews,
} from "../src/live/reconcile.ts";
import { runningFixture, sceneFixture } from "./fixtures.tsx";

const a = (over = {}) => runningFixture({ generation_id: "a", group_id: "g", ...over });
const b = (over = {}) => runningFixture({ generation_id: "b", group_id: "g", ...over });
const snapshot = (seq: number, ...generations: ReturnType<typeof a>[]): LiveEvent => ({
  type: "snapshot",
  seq,
  group_id: "g",
  generations,
});
const progress = (s: GroupState) => [...s.views.values()].map((v) => `${v.generation_id}:${v.progress}`);
const apply = (events: LiveEvent[], from = EMPTY_GROUP) => events.reduce(applyEvent, from);

describe("reconciling live data into a group's views", () => {
  test("a snapshot, then events in seq order per generation; stale and repeated ones are dropped", () => {
    const s = apply([
      snapshot(4, a(), b()),
      { type: "generation", seq: 5, generation: a({ progress: 30 }) },
      { type: "generation", seq: 5, generation: a({ progress: 99 }) },
      { type: "generation", seq: 3, generation: b({ progress: 99 }) },
      { type: "generation", seq: 7, generation: b({ progress: 20 }) },
      { type: "generation", seq: 6, generation: b({ progress: 15 }) },
    ]);
    expect(s.seq).toBe(4);
    expect(Object.fromEntries(s.seqs)).toEqual({ a: 5, b: 7 });
    expect(progress(s)).toEqual(["a:30", "b:20"]);
    // A dropped event leaves the very same state.
    const stale: LiveEvent = { type: "generation", seq: 5, generation: a({ progress: 1 }) };
    expect(applyEvent(s, stale)).toBe(s);
  });

  test("another generation's later event does not make one generation's earlier event stale", () => {
    // "a" took seq 8 but its view was sent after "b"'s seq 9: both count, so "a" ends completed.
    const s = apply([
      snapshot(1, a({ progress: 90 }), b()),
      { type: "generation", seq: 9, generation: b({ progress: 40 }) },
      { type: "generation", seq: 8, generation: a({ status: "completed", progress: 100 }) },
    ]);
    expect(progress(s)).toEqual(["a:100", "b:40"]);
    expect(hasFinished(s, "a")).toBe(true);
  });

  test("a snapshot opens a connection: it replaces everything, whatever its seq", () => {
    const before = apply([
      snapshot(9, a({ progress: 40 }), b()),
      { type: "generation", seq: 10, generation: b() },
    ]);
    const after = applyEvent(before, snapshot(2, a({ progress: 60 })));
    expect(after.seq).toBe(2);
    expect(progress(after)).toEqual(["a:60"]);
    // The counts start again from the snapshot: what is newer than it counts, what is not is dropped.
    const next = applyEvent(after, { type: "generation", seq: 3, generation: b({ progress: 70 }) });
    expect(progress(next)).toEqual(["a:60", "b:70"]);
    expect(applyEvent(next, { type: "generation", seq: 2, generation: a({ progress: 1 }) })).toBe(next);
  });

  test("a scene event patches that one scene; the other scenes and generations keep their objects", () => {
    const scenes = [0, 1, 2].map((i) => sceneFixture(i));
    const start = apply([snapshot(1, a({ scenes }), b({ scenes }))]);
    const ready = sceneFixture(1, { status: "ready", clip_url: "/media/clips/a/1.mp4" });
    const next = applyEvent(start, { type: "scene", seq: 2, generation_id: "a", scene: ready });
    const view = next.views.get("a");
    expect(view?.scenes).toEqual([scenes[0], ready, scenes[2]]);
    expect(view?.scenes[0]).toBe(scenes[0]);
    expect(view?.progress).toBe(10);
    expect(next.views.get("b")).toBe(start.views.get("b"));
    expect(changedViews(start, next)).toEqual([view]);
    // A scene that is not planned (or a generation not known) changes no view, but is taken in order.
    const unknown = applyEvent(next, { type: "scene", seq: 3, generation_id: "a", scene: sceneFixture(7) });
    const stranger = applyEvent(unknown, { type: "scene", seq: 4, generation_id: "z", scene: ready });
    expect(changedViews(next, stranger)).toEqual([]);
    expect(stranger.seqs.get("a")).toBe(3);
    expect(applyEvent(stranger, { type: "scene", seq: 3, generation_id: "a", scene: ready })).toBe(stranger);
  });

  test("a polled read replaces the views and keeps the seq", () => {
    const s = apply([snapshot(5, a(), b())]);
    const polled = withViews(s, [a({ progress: 50 })]);
    expect(polled.seq).toBe(5);
    expect(progress(polled)).toEqual(["a:50"]);
    expect(changedViews(s, polled).map((v) => v.generation_id)).toEqual(["a"]);
  });

  test("following one generation is a filter: only its views, done when it has finished", () => {
    const first = apply([snapshot(1, a(), b())]);
    const s = applyEvent(first, {
      type: "generation",
      seq: 2,
      generation: b({ status: "completed", progress: 100 }),
    });
    const mine = (prev: GroupState, next: GroupState) =>
      changedViews(prev, next).filter((v) => v.generation_id === "a");
    // Another generation's event is nothing to a follower of "a".
    expect(changedViews(first, s).map((v) => v.generation_id)).toEqual(["b"]);
    expect(mine(first, s)).toEqual([]);
    expect(hasFinished(s, "b")).toBe(true);
    expect(hasFinished(s, "a")).toBe(false);
    expect(hasFinished(s, "z")).toBe(false);
    expect(allTerminal(s)).toBe(false);
    const done = applyEvent(s, { type: "generation", seq: 3, generation: a({ status: "failed" }) });
    expect(mine(s, done).map((v) => v.status)).toEqual(["failed"]);
    expect(allTerminal(done)).toBe(true);
    expect(allTerminal(EMPTY_GROUP)).toBe(false);
  });

  test("a snapshot takes over from polling only when it knows every generation followed", () => {
    const polled = withViews(EMPTY_GROUP, [a(), b()]);
    expect(covers(snapshot(1, a(), b()), polled)).toBe(true);
    expect(covers(snapshot(1, a()), polled)).toBe(false);
    expect(covers(snapshot(1), EMPTY_GROUP)).toBe(true);
    expect(covers({ type: "generation", seq: 2, generation: a() }, polled)).toBe(false);
  });

  test("only completed and failed are terminal", () => {
    expect(["pending", "processing", "completed", "failed"].map((s) => isTerminal(s as "failed"))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
