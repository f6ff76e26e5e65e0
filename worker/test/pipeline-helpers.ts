/** Helpers for pipeline tests: waiting on a generation, reading the coordinator, listing R2. */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { GenerationView } from "../src/views/generation.ts";
import { call, postJson } from "./helpers.ts";

/** `GET /api/status/:id`: the generation read model (generations.test.ts pins the exact body). */
export type Status = GenerationView;

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Starts a generation and returns its ids. */
export async function generate(token: string, prompt: string, settings: Record<string, unknown> = {}) {
  const res = await postJson("/api/generate", { prompt, settings }, token);
  expect(res.status).toBe(202);
  const body = (await res.json()) as {
    generation_id: string;
    group_id: string;
    status: string;
    message: string;
  };
  expect(body).toMatchObject({ status: "pending", message: expect.stringMatching(/started/) });
  return body;
}

export async function status(token: string, id: string): Promise<Status> {
  const res = await call(`/api/status/${id}`, { headers: auth(token) });
  expect(res.status).toBe(200);
  return (await res.json()) as Status;
}

/** Polls status until `done` holds (or throws after `timeoutMs`), recording every progress value seen. */
export async function waitFor(token: string, id: string, done: (s: Status) => boolean, timeoutMs = 90_000) {
  const seen = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(token, id);
    seen.add(s.progress);
    if (done(s)) return { final: s, seen: [...seen].sort((a, b) => a - b) };
    if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True once it has ended: completed, failed or cancelled. */
export const finished = (s: Status) =>
  s.status === "completed" || s.status === "failed" || s.status === "cancelled";

/** Waits until version `version` of the ad is finished (or the generation failed or was cancelled). */
export const waitForVersion = (token: string, id: string, version: number, timeoutMs = 180_000) =>
  waitFor(
    token,
    id,
    (s) =>
      s.status === "failed" ||
      s.status === "cancelled" ||
      (s.status === "completed" && s.version === version),
    timeoutMs,
  ).then((r) => r.final);

/** Every R2 key of a generation. */
export async function mediaKeys(generationId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of [`clips/${generationId}/`, `renders/${generationId}/`]) {
    const list = await env.MEDIA.list({ prefix });
    keys.push(...list.objects.map((o) => o.key));
  }
  return keys.sort();
}

/** Cancels and waits, asserting the cancelled end state and that no media is left. */
export async function cancelAndCheck(token: string, id: string) {
  const started = Date.now();
  const res = await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
  expect(res.status).toBe(202);
  // The seed contract: the cancel answers the whole status body.
  expect(await res.json()).toMatchObject({
    generation_id: id,
    cancellation_requested: true,
    status: expect.stringMatching(/^(pending|processing|storyboard)$/),
    progress: expect.any(Number),
    current_step: expect.anything(),
    video_url: null,
    cost: expect.any(Number),
    error: null,
  });
  const { final } = await waitFor(token, id, finished, 10_000);
  const elapsed = Date.now() - started;
  expect(final.status).toBe("cancelled");
  expect(final.error).toBe("Cancelled by user");
  expect(final.error_code).toBe("cancelled");
  expect(await mediaKeys(id)).toEqual([]);
  return { final, elapsed };
}

/** Reads the first bytes of an R2 object to check it is an MP4 / JPEG. */
export async function magic(key: string, n = 12): Promise<Uint8Array> {
  const obj = await env.MEDIA.get(key, { range: { offset: 0, length: n } });
  return new Uint8Array(await obj!.arrayBuffer());
}
export const isMp4 = (b: Uint8Array) => String.fromCharCode(...b.slice(4, 8)) === "ftyp";
export const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;
