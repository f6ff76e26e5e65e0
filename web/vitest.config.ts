import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

/** Component tests: jsdom, Solid's JSX transform, fetch stubbed at the boundary per test. */
export default defineConfig({
  plugins: [solid()],
  test: {
    name: "web",
    environment: "jsdom",
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    setupFiles: ["./test/setup.ts"],
  },
  resolve: { conditions: ["development", "browser"] },
});
