import { defineProject } from "vitest/config";

/** Real ffmpeg runs in these tests: generous timeouts, files in parallel across the 2 cores. */
export default defineProject({
  test: {
    name: "render-container",
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every test spawns ffmpeg, which already uses both cores.
    maxWorkers: 2,
  },
});
