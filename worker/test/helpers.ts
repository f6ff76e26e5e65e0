/** Shared helpers for worker tests: a typed client over the real app, and sign-up shortcuts. */
import { env } from "cloudflare:test";
import type { MediaInfo } from "@promptreel/render-container/contract";
import { hc } from "hono/client";
import { inject } from "vitest";
import { type AppType, app } from "../src/app.ts";
import type { ReferenceBatchView } from "../src/references/view.ts";
import { withRenderSecret } from "../src/render/client.ts";

/** Calls the app in-process with the test bindings (no network), like `SELF.fetch`. */
export const call = (path: string, init: RequestInit = {}) => app.request(path, init, env);

/** A request with the user's token, and a JSON body when one is given. */
export const send = (token: string, method: string, path: string, body?: unknown) =>
  call(path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The typed RPC client the web app uses, wired to the in-process app. */
export const client = (token?: string) =>
  hc<AppType>("http://local.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      app.request(input instanceof Request ? input : String(input), init, env),
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });

let counter = 0;
/** Registers a fresh user and returns its token and id. */
export async function signUp(
  email = `user${Date.now()}-${counter++}@example.com`,
  password = "correct horse battery",
) {
  const res = await client().api.auth.register.$post({ json: { email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string; email: string } };
  return { token: body.token, user: body.user, email, password };
}

/** JSON POST helper for raw requests. */
export const postJson = (path: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
  call(path, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });

/**
 * Cancels every generation still running in this test file's storage. Tests about records and
 * limits start real pipelines as a side effect; this keeps them from competing for the render
 * container with the tests that wait on pipelines.
 */
export async function cancelAllRunning(): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT id, group_id FROM generations WHERE status IN ('pending', 'processing')",
  ).all<{ id: string; group_id: string }>();
  await Promise.all(
    results.map((r) => env.GROUP_COORDINATOR.get(env.GROUP_COORDINATOR.idFromName(r.group_id)).cancel(r.id)),
  );
}

/** Uploads a base64 fixture as one of the user's assets; answers its id (a new asset: 201). */
export async function uploadAsset(token: string, base64: string, type: string): Promise<string> {
  const body = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const res = await call("/api/assets", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": type,
      "Content-Length": String(body.byteLength),
    },
    body,
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A direct call to the test render container, with its shared secret (as the Worker sends it). */
export function renderContainer(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${inject("renderUrl")}${path}`, withRenderSecret(inject("renderSecret"), init));
}

/** ffprobe of an R2 object, through the render container's staging and `/probe`. */
export async function probeMedia(key: string): Promise<MediaInfo> {
  const object = await env.MEDIA.get(key);
  if (!object) throw new Error(`${key} is not in R2`);
  const jobId = `probe-test-${crypto.randomUUID()}`;
  const put = await renderContainer(`/jobs/${jobId}/files/media`, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream" },
    body: await object.arrayBuffer(),
  });
  if (put.status !== 201) throw new Error(`staging ${key} failed: ${put.status} ${await put.text()}`);
  const res = await renderContainer("/probe", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ job_id: jobId, source: { file: "media" } }),
  });
  await renderContainer(`/jobs/${jobId}`, { method: "DELETE" });
  return ((await res.json()) as { probe: MediaInfo }).probe;
}

/** Reads reference batch `id` until it leaves `running`. */
export async function batchSettled(token: string, id: string): Promise<ReferenceBatchView> {
  for (let i = 0; i < 600; i++) {
    const batch = (await (await send(token, "GET", `/api/references/${id}`)).json()) as ReferenceBatchView;
    if (batch.status !== "running") return batch;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("reference batch did not finish");
}

/**
 * The x264 settings an H.264 file in R2 was encoded with: libx264 writes them into the stream (a
 * user-data SEI, "x264 - core N - ... options: cabac=1 ref=3 ... subme=7 ..."), read here as
 * name=value pairs.
 */
export async function x264Options(key: string): Promise<Record<string, string>> {
  const object = await env.MEDIA.get(key);
  if (!object) throw new Error(`${key} is not in R2`);
  const text = new TextDecoder("latin1").decode(await object.arrayBuffer());
  const options = /x264 - core \d+[^\0]*? - options: ([^\0]*)/.exec(text)?.[1];
  if (!options) throw new Error(`${key} carries no x264 settings`);
  return Object.fromEntries(options.split(" ").map((pair) => pair.split("=") as [string, string]));
}
