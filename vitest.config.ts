import { defineConfig } from "vitest/config";

/** One `vitest run` covers every package; each project keeps its own config. */
export default defineConfig({
  test: {
    projects: [
      "render-container",
      "worker",
      "worker/vitest.providers.config.ts",
      "worker/vitest.faults.config.ts",
      "web",
      "web/vitest.e2e.config.ts",
    ],
  },
});
