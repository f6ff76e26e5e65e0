import { defineConfig } from "vitest/config";

/**
 * Browser end-to-end tests: the app started exactly as a user starts it (`scripts/start.sh`,
 * see e2e/global-setup.ts), driven in Debian Chromium through playwright-core.
 */
export default defineConfig({
  test: {
    name: "e2e",
    root: import.meta.dirname,
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
    // start.sh may install, build and migrate first; the browser flows themselves are quick.
    hookTimeout: 240_000,
    testTimeout: 90_000,
    fileParallelism: false,
  },
});
