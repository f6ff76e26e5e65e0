import { describe, expect, it } from "vitest";
import { concurrencyFromEnv } from "../src/queue.ts";

describe("concurrencyFromEnv", () => {
  it("is one job per core unless RENDER_CONCURRENCY says otherwise", () => {
    expect(concurrencyFromEnv({}, 2)).toBe(2);
    expect(concurrencyFromEnv({}, 1)).toBe(1);
    expect(concurrencyFromEnv({ RENDER_CONCURRENCY: "3" }, 2)).toBe(3);
    expect(concurrencyFromEnv({ RENDER_CONCURRENCY: "1" }, 8)).toBe(1);
  });

  it("falls back to one job for a value that is not a positive number", () => {
    for (const bad of ["0", "-2", "many", ""])
      expect(concurrencyFromEnv({ RENDER_CONCURRENCY: bad }, 4)).toBe(1);
  });
});
