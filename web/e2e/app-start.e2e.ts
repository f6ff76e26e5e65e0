/**
 * What `npm start` (scripts/start.sh) sets up for the app it runs, checked on the running app.
 * wrangler dev's local trace store stays off: it would write every request's trace into SQLite,
 * with an fsync, on the thread that serves the app (docs/architecture.md, "Status from memory").
 */
import { readdir } from "node:fs/promises";
import { expect, inject, test } from "vitest";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");

test("requests leave no wrangler trace store in the data directory", async () => {
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${baseUrl}/api/health`);
    expect(res.status).toBe(200);
  }
  const files = await readdir(dataDir, { recursive: true });
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => /observability|trace-store/.test(f))).toEqual([]);
});
