/**
 * The Workers test configuration shared by the two worker projects: real D1 (with the real
 * migrations), R2 and Durable Objects from wrangler.toml inside workerd; the render container
 * and fake providers started by test/global-setup.ts.
 */
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { FAKE_OPENAI_KEY } from "./test/node/fakes/openai-server.ts";
import { FAKE_REPLICATE_TOKEN } from "./test/node/fakes/replicate-server.ts";

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export function workerProject(options: {
  name: string;
  include: string[];
  /** Extra bindings computed from the URLs global setup provides. */
  bindings?: (urls: { openaiUrl: string; replicateUrl: string }) => Record<string, string>;
}) {
  return defineConfig({
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        main: root("./src/index.ts"),
        wrangler: { configPath: root("../wrangler.toml") },
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            LOG_LEVEL: "error",
            JWT_SECRET: "test-secret-with-enough-entropy-0123456789abcdef",
            RENDER_URL: inject("renderUrl"),
            RENDER_SECRET: inject("renderSecret"),
            TEST_MIGRATIONS: await readD1Migrations(root("../migrations")),
            ...options.bindings?.({ openaiUrl: inject("openaiUrl"), replicateUrl: inject("replicateUrl") }),
          },
        },
      })),
    ],
    test: {
      name: options.name,
      include: options.include,
      globalSetup: ["./test/node/global-setup.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 120_000,
      // Pipeline tests share one render container; one file at a time keeps their timing sane.
      fileParallelism: false,
      hookTimeout: 60_000,
    },
  });
}

/** The bindings that point the Worker at the local OpenAI and Replicate servers (global setup's URLs). */
export function fakeProviderBindings(urls: {
  openaiUrl: string;
  replicateUrl: string;
}): Record<string, string> {
  return {
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
    OPENAI_BASE_URL: `${urls.openaiUrl}/v1`,
    OPENAI_MODEL: "gpt-4o-mini",
    REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN,
    REPLICATE_BASE_URL: `${urls.replicateUrl}/v1`,
    REPLICATE_POLL_MS: "100",
  };
}
