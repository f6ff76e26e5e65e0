import { describe, expect, test, vi } from "vitest";
import { ApiError, type GenerationStatus } from "../src/api.ts";
import { POLL_INTERVAL_MS, pollingSource } from "../src/live.ts";
import { statusFixture } from "./fixtures.tsx";

/** A fetcher that answers from a script, one entry per call (an Error entry is thrown). */
function scripted(answers: (GenerationStatus | Error)[]) {
  return vi.fn(async () => {
    const next = answers.shift() ?? statusFixture({ status: "processing" });
    if (next instanceof Error) throw next;
    return next;
  });
}

describe("pollingSource", () => {
  test("asks at once, then every 2 s, and stops when the generation finishes", async () => {
    vi.useFakeTimers();
    const fetcher = scripted([
      statusFixture({ status: "pending" }),
      statusFixture({ status: "processing", progress: 40 }),
      statusFixture({ status: "completed", progress: 100 }),
    ]);
    const seen: number[] = [];
    pollingSource(POLL_INTERVAL_MS, fetcher).subscribe(
      { generationId: "gen-1" },
      { onStatus: (s) => seen.push(s.progress) },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetcher).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(seen).toEqual([0, 40, 100]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetcher).toHaveBeenCalledTimes(3);
    expect(fetcher).toHaveBeenCalledWith("gen-1");
  });

  test("unsubscribe stops polling, even with a request in flight", async () => {
    vi.useFakeTimers();
    const fetcher = scripted([]);
    const onStatus = vi.fn();
    const stop = pollingSource(POLL_INTERVAL_MS, fetcher).subscribe({ generationId: "g" }, { onStatus });
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(onStatus).not.toHaveBeenCalled();
  });

  test("backs off while the server fails, recovers, and gives up on 404", async () => {
    vi.useFakeTimers();
    const fetcher = scripted([
      new ApiError(503, "unavailable", "down"),
      new ApiError(503, "unavailable", "down"),
      statusFixture({ status: "processing" }),
      new ApiError(404, "not_found", "Generation not found"),
    ]);
    const errors: unknown[] = [];
    pollingSource(POLL_INTERVAL_MS, fetcher).subscribe(
      { generationId: "g" },
      { onStatus: () => {}, onError: (e) => errors.push(e) },
    );
    await vi.advanceTimersByTimeAsync(0); // 1st: fails -> wait 4 s
    await vi.advanceTimersByTimeAsync(3999);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 2nd: fails -> wait 8 s
    await vi.advanceTimersByTimeAsync(8000); // 3rd: ok -> back to 2 s
    expect(fetcher).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(2000); // 4th: 404 -> stop
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetcher).toHaveBeenCalledTimes(4);
    expect(errors).toHaveLength(3);
  });
});
