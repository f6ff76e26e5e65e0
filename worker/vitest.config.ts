import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Worker integration tests inside workerd: real D1 (with the real migrations), R2 and Durable
 * Objects from wrangler.toml, each test file with isolated storage.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      main: root("./src/index.ts"),
      wrangler: { configPath: root("../wrangler.toml") },
      miniflare: {
        bindings: {
          ENVIRONMENT: "test",
          LOG_LEVEL: "error",
          JWT_SECRET: "test-secret-with-enough-entropy-0123456789abcdef",
          RENDER_URL: "http://127.0.0.1:9",
          TEST_MIGRATIONS: await readD1Migrations(root("../migrations")),
        },
      },
    })),
  ],
  test: {
    name: "worker",
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/apply-migrations.ts"],
    testTimeout: 30_000,
    // Structured request logs only for failing tests.
    silent: "passed-only",
  },
});
