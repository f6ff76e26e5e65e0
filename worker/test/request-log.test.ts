/**
 * Every request is logged once, as JSON (lib/request-log.ts); a polled route's success at debug
 * (clients poll a few times a second), everything else at info.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../src/app.ts";
import { setLogLevel } from "../src/lib/log.ts";
import { signUp } from "./helpers.ts";
import { auth, generate } from "./pipeline-helpers.ts";

/** Calls the app with LOG_LEVEL `level` (the tests' bindings keep it at error). */
const callAt = (level: string, path: string, init: RequestInit) =>
  app.request(path, init, { ...env, LOG_LEVEL: level });

/** The `request` lines written while `run` ran. */
async function requestLines(run: () => unknown) {
  const spy = vi.spyOn(console, "log");
  try {
    await run();
    return spy.mock.calls
      .map(([line]) => (typeof line === "string" && line.startsWith("{") ? JSON.parse(line) : null))
      .filter((entry) => entry?.msg === "request");
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => setLogLevel(env.LOG_LEVEL));

describe("request log", () => {
  it("puts a polled route's success at debug and every other request at info", async () => {
    const { token } = await signUp();
    const { generation_id } = await generate(token, "request log levels");
    const headers = auth(token);
    const lines = await requestLines(async () => {
      expect((await callAt("debug", `/api/status/${generation_id}`, { headers })).status).toBe(200);
      expect((await callAt("debug", `/api/generations/${generation_id}`, { headers })).status).toBe(200);
      expect((await callAt("debug", "/api/generations", { headers })).status).toBe(200);
      const versions = `/api/generations/${generation_id}/versions`;
      expect((await callAt("debug", versions, { headers })).status).toBe(200);
      expect((await callAt("debug", `/api/status/${generation_id}`, {})).status).toBe(401);
    });
    expect(lines.map((l) => [l.level, l.path, l.status])).toEqual([
      ["debug", `/api/status/${generation_id}`, 200],
      ["debug", `/api/generations/${generation_id}`, 200],
      ["info", "/api/generations", 200],
      ["info", `/api/generations/${generation_id}/versions`, 200],
      ["info", `/api/status/${generation_id}`, 401],
    ]);
  });

  it("writes a poll's line only when LOG_LEVEL is debug, and a refused poll's always", async () => {
    const { token } = await signUp();
    const { generation_id } = await generate(token, "request log ad");
    const path = `/api/status/${generation_id}`;
    const atInfo = await requestLines(async () => {
      expect((await callAt("info", path, { headers: auth(token) })).status).toBe(200);
      const missing = `/api/status/${crypto.randomUUID()}`;
      expect((await callAt("info", missing, { headers: auth(token) })).status).toBe(404);
    });
    expect(atInfo.map((l) => [l.level, l.path, l.status])).toEqual([
      ["info", expect.stringMatching(/^\/api\/status\//), 404],
    ]);
    const atDebug = await requestLines(() => callAt("debug", path, { headers: auth(token) }));
    expect(atDebug.map((l) => [l.level, l.path, l.status])).toEqual([["debug", path, 200]]);
  });
});
