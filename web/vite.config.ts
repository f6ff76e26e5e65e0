import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

/** The API and signed media live on the Worker (`wrangler dev`); the dev server proxies both. */
const WORKER = process.env.PROMPTREEL_WORKER_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  plugins: [solid()],
  server: {
    proxy: {
      "/api": { target: WORKER, ws: true },
      "/media": WORKER,
    },
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
