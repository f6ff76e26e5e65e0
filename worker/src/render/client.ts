/**
 * How the Worker talks to the render container: over HTTP at RENDER_URL when set (local
 * development and tests run it as a Node process), otherwise through the Renderer container
 * binding (production).
 *
 * Media moves through the Worker: inputs are staged into the job's scratch space
 * (`PUT /jobs/:id/files/:name`), the job refers to them as `{ file }`, and outputs are read
 * back (`GET /jobs/:id/files/:name`) into R2. The container thus needs no credentials and no
 * route back to the Worker.
 */
import { getContainer } from "@cloudflare/containers";
import {
  type JobEvent,
  JobEventSchema,
  type JobResult,
  type RenderJobInput,
  type SynthesizeJobInput,
  type TranscodeJobInput,
} from "@promptreel/render-container/contract";
import type { Env } from "../env.ts";

/** Sends `init` to `path` on the render container. */
export async function rendererFetch(env: Env, path: string, init: RequestInit = {}): Promise<Response> {
  if (env.RENDER_URL) return fetch(new URL(path, env.RENDER_URL), init);
  if (env.RENDERER) {
    // One warm instance serves every job: the container queues work within its CPU budget.
    const container = getContainer(env.RENDERER);
    return container.fetch(new Request(new URL(path, "http://renderer"), init));
  }
  throw new Error("No renderer configured: set RENDER_URL or bind RENDERER");
}

/** A failure reported by the render container, with its code (e.g. `cancelled`, `input_rejected`). */
export class RenderError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "RenderError";
    this.code = code;
  }
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  const text = await res.text().catch(() => "");
  let code = "http_error";
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  throw new RenderError(code, `${what} failed (${res.status}): ${message}`);
}

/** Copies `body` into the job's scratch space as `name`. */
export async function stageFile(
  env: Env,
  jobId: string,
  name: string,
  body: ReadableStream | ArrayBuffer,
  size: number,
) {
  const res = await rendererFetch(
    env,
    `/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(name)}`,
    {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      body,
    },
  );
  await expectOk(res, `staging ${name}`);
}

/** Streams an output file of a finished job. */
export async function readFile(env: Env, jobId: string, name: string): Promise<Response> {
  const res = await rendererFetch(
    env,
    `/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(name)}`,
  );
  await expectOk(res, `reading ${name}`);
  return res;
}

/** Cancels a job (if still running) and frees its scratch space. Never throws. */
export async function releaseJob(env: Env, jobId: string): Promise<void> {
  await rendererFetch(env, `/jobs/${encodeURIComponent(jobId)}`, { method: "DELETE" })
    .then((r) => r.body?.cancel())
    .catch(() => undefined);
}

/**
 * Runs a render, synthesis or transcoding job and reads its NDJSON stream to the end. Aborting `signal`
 * closes the stream, which makes the container kill its ffmpeg.
 */
export async function runJob(
  env: Env,
  kind: "render" | "synthesize" | "transcode",
  job: RenderJobInput | SynthesizeJobInput | TranscodeJobInput,
  options: {
    signal?: AbortSignal;
    onProgress?: (event: Extract<JobEvent, { type: "progress" }>) => void;
  } = {},
): Promise<JobResult> {
  const res = await rendererFetch(env, `/${kind}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(job),
    signal: options.signal ?? null,
  });
  await expectOk(res, kind);
  if (!res.body) throw new RenderError("internal", `${kind}: empty response`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (!line) continue;
      const event = JobEventSchema.parse(JSON.parse(line));
      if (event.type === "progress") options.onProgress?.(event);
      else if (event.type === "error") throw new RenderError(event.code, event.message);
      else return event;
    }
    if (done) throw new RenderError("internal", `${kind}: stream ended without a result`);
  }
}
