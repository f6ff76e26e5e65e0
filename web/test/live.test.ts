import { beforeEach, describe, expect, test, vi } from "vitest";
import { clearApiCache, type GenerationView } from "../src/api.ts";
import { followGeneration } from "../src/live/follow.ts";
import { POLL_INTERVAL_MS } from "../src/live/transport.ts";
import { startSession } from "../src/session.ts";
import { json, SESSION, stubApi, viewFixture } from "./fixtures.tsx";

/** `GET /api/status/gen-1` answering from a script, one entry per call (a number is an error status). */
function scripted(answers: (GenerationView | number)[]) {
  return stubApi({
    "GET /api/status/gen-1": () => {
      const next = answers.shift() ?? viewFixture({ status: "processing" });
      return typeof next === "number"
        ? json({ error: { code: next === 404 ? "not_found" : "unavailable", message: "down" } }, next)
        : json(next);
    },
  });
}

/** Follows gen-1 by polling alone (as when the browser has no WebSocket). */
function poll(handlers: { onView?: (v: GenerationView) => void; onError?: (e: unknown) => void } = {}) {
  return followGeneration(
    { generationId: "gen-1", groupId: "group-1" },
    { onView: handlers.onView ?? (() => {}), onError: handlers.onError },
    { socket: false },
  );
}

describe("following a generation by polling", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    vi.useFakeTimers();
  });

  test("asks at once, then every 2 s, and stops when the generation finishes", async () => {
    const api = scripted([
      viewFixture({ status: "pending" }),
      viewFixture({ status: "processing", progress: 40 }),
      viewFixture({ status: "completed", progress: 100 }),
    ]);
    const seen: number[] = [];
    poll({ onView: (v) => seen.push(v.progress) });
    await vi.advanceTimersByTimeAsync(0);
    expect(api).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1);
    expect(api).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(seen).toEqual([0, 40, 100]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api).toHaveBeenCalledTimes(3);
    expect(api.mock.calls.map(([u]) => new URL(String(u)).pathname)).toEqual(
      Array(3).fill("/api/status/gen-1"),
    );
  });

  test("unsubscribe stops polling, even with a request in flight", async () => {
    const api = scripted([]);
    const onView = vi.fn();
    const stop = poll({ onView });
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api).toHaveBeenCalledTimes(1);
    expect(onView).not.toHaveBeenCalled();
  });

  test("backs off while the server fails, recovers, and gives up on 404", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const api = scripted([503, 503, viewFixture({ status: "processing" }), 404]);
    const errors: unknown[] = [];
    poll({ onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(0); // 1st: fails -> wait 4 s
    await vi.advanceTimersByTimeAsync(3999);
    expect(api).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 2nd: fails -> wait 8 s
    await vi.advanceTimersByTimeAsync(8000); // 3rd: ok -> back to 2 s
    expect(api).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(2000); // 4th: 404 -> stop
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api).toHaveBeenCalledTimes(4);
    expect(errors).toHaveLength(3);
  });
});
