/**
 * Work shared by a group's variations (issue 16, defect 7), on a real Durable Object's storage:
 * another variation's cancel or failure never fails the one waiting on its work, and a result
 * whose media is gone is made again instead of being reused.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { coordinator } from "../src/groups/coordinator-client.ts";
import { SharedWork } from "../src/groups/shared-work.ts";

/** Runs `f` with a SharedWork on the storage of a fresh group's coordinator. */
function withSharedWork<T>(f: (work: SharedWork) => Promise<T>): Promise<T> {
  return runInDurableObject(coordinator(env, crypto.randomUUID()), (_instance, state) =>
    f(new SharedWork(state.storage)),
  );
}

/** A computation that runs until `signal` aborts, then rejects as a cancelled clip would. */
const untilAborted = (signal: AbortSignal) => () =>
  new Promise<never>((_resolve, reject) => {
    const cancelled = () => reject(new Error("Cancelled by user"));
    if (signal.aborted) cancelled();
    signal.addEventListener("abort", cancelled, { once: true });
  });

describe("shared work", () => {
  it("a sibling's cancel does not fail the variation waiting on its work: that one computes itself", async () => {
    await withSharedWork(async (work) => {
      const a = new AbortController();
      const b = new AbortController();
      const made: string[] = [];
      const first = work.once("clip:1", "gen-a", untilAborted(a.signal), a.signal);
      const second = work.once(
        "clip:1",
        "gen-b",
        async () => {
          made.push("gen-b");
          return { key: "clips/gen-b/1.mp4" };
        },
        b.signal,
      );
      a.abort(new Error("Cancelled by user"));
      await expect(first).rejects.toThrow("Cancelled by user");
      // Before: the waiter failed with the sibling's cancel and its stage was retried.
      await expect(second).resolves.toEqual({ value: { key: "clips/gen-b/1.mp4" }, reused: false });
      expect(made).toEqual(["gen-b"]);
      // What it made is stored as its own: a third variation reuses it without computing.
      const third = await work.once("clip:1", "gen-c", untilAborted(new AbortController().signal), b.signal);
      expect(third).toEqual({ value: { key: "clips/gen-b/1.mp4" }, reused: true });
    });
  });

  it("a waiter's own cancel still ends its wait at once", async () => {
    await withSharedWork(async (work) => {
      const a = new AbortController();
      const b = new AbortController();
      const first = work.once("clip:2", "gen-a", untilAborted(a.signal), a.signal);
      const second = work.once("clip:2", "gen-b", async () => "never", b.signal);
      b.abort(new Error("Cancelled by user"));
      await expect(second).rejects.toThrow("Cancelled by user");
      a.abort(new Error("Cancelled by user"));
      await expect(first).rejects.toThrow("Cancelled by user");
    });
  });

  it("a stored result that is no longer usable (its media was swept) is made again and replaces it", async () => {
    await withSharedWork(async (work) => {
      const never = new AbortController().signal;
      await work.once("clip:3", "gen-a", async () => ({ key: "clips/gen-a/3.mp4" }), never);
      const gone = new Set(["clips/gen-a/3.mp4"]);
      const usable = async (v: { key: string }) => !gone.has(v.key);
      let computed = 0;
      const again = await work.once(
        "clip:3",
        "gen-b",
        async () => {
          computed++;
          return { key: "clips/gen-b/3.mp4" };
        },
        never,
        usable,
      );
      // Before: the stored result was handed out and every attempt of gen-b failed on the copy.
      expect(again).toEqual({ value: { key: "clips/gen-b/3.mp4" }, reused: false });
      expect(computed).toBe(1);
      const later = await work.once("clip:3", "gen-c", async () => ({ key: "unused" }), never, usable);
      expect(later).toEqual({ value: { key: "clips/gen-b/3.mp4" }, reused: true });
    });
  });

  it("a usable result is reused, and its owner re-running is not a reuse", async () => {
    await withSharedWork(async (work) => {
      const never = new AbortController().signal;
      const usable = async () => true;
      const made = await work.once("spec:1", "gen-a", async () => 42, never, usable);
      expect(made).toEqual({ value: 42, reused: false });
      expect(await work.once("spec:1", "gen-b", async () => 0, never, usable)).toEqual({
        value: 42,
        reused: true,
      });
      expect(await work.once("spec:1", "gen-a", async () => 0, never, usable)).toEqual({
        value: 42,
        reused: false,
      });
    });
  });
});
