/**
 * How the Worker talks to the render container: over HTTP at RENDER_URL when set (local
 * development and tests run it as a Node process; a comma-separated list makes a pool of them),
 * otherwise through the Renderer container binding (production), over a pool of RENDER_POOL_SIZE
 * named instances (render/pool.ts).
 *
 * Media moves through the Worker: inputs are staged into the job's scratch space
 * (`PUT /jobs/:id/files/:name`), the job refers to them as `{ file }`, and outputs are read
 * back (`GET /jobs/:id/files/:name`) into R2. The container thus needs no credentials and no
 * route back to the Worker. Every call names its job, and the pool keeps a job on the instance
 * that holds its files from the first call to `releaseJob`.
 *
 * Every call, `/health` included, carries `Authorization: Bearer <RENDER_SECRET>`: the container
 * answers nothing without it (render-container/src/auth.ts).
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
import { type Env, intVar } from "../env.ts";
import { type PoolMember, RendererPool } from "./pool.ts";

/** Instances in production when RENDER_POOL_SIZE is unset (wrangler.toml's max_instances). */
export const DEFAULT_POOL_SIZE = 5;

/** One pool per configuration, kept for the isolate's life: pins must outlive a request. */
const pools = new Map<string, RendererPool>();

/** RENDER_POOL_SIZE as a count of instances: a positive integer, else the default. */
export function poolSize(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_POOL_SIZE;
}

/** `init` with the shared secret the render container requires on every call. */
export function withRenderSecret(secret: string, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${secret}`);
  return { ...init, headers };
}

function urlMember(url: string, i: number, secret: string): PoolMember {
  return {
    name: `local-${i}`,
    fetch: (path, init) => fetch(new URL(path, url), withRenderSecret(secret, init)),
    // A process we were pointed at: always running.
    isWarm: async () => true,
  };
}

function containerMember(env: Env, name: string, secret: string): PoolMember {
  const stub = () => getContainer(env.RENDERER!, name);
  return {
    name,
    fetch: (path, init) =>
      stub().fetch(new Request(new URL(path, "http://renderer"), withRenderSecret(secret, init))),
    // The Durable Object answers without starting its container.
    isWarm: async () => {
      const { status } = await stub().getState();
      return status === "running" || status === "healthy";
    },
  };
}

/** The pool of render instances this environment reaches. */
export function rendererPool(env: Env): RendererPool {
  const key = env.RENDER_URL
    ? `url:${env.RENDER_URL}`
    : env.RENDERER
      ? `binding:${poolSize(env.RENDER_POOL_SIZE)}`
      : "";
  if (!key) throw new Error("No renderer configured: set RENDER_URL or bind RENDERER");
  const secret = env.RENDER_SECRET;
  if (!secret)
    throw new Error("RENDER_SECRET is not set: the render container refuses every call without it");
  let pool = pools.get(key);
  if (!pool) {
    const members = env.RENDER_URL
      ? env.RENDER_URL.split(",")
          .map((u) => u.trim())
          .filter(Boolean)
          .map((u, i) => urlMember(u, i, secret))
      : Array.from({ length: poolSize(env.RENDER_POOL_SIZE) }, (_, k) =>
          containerMember(env, `renderer-${k}`, secret),
        );
    pool = new RendererPool(members);
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Sends `init` to `path` on the render container: on the instance `jobId` is pinned to (on its
 * first call, pinning it to the least-loaded instance with a free slot, waiting for one unless the
 * job is `light`), or for a call outside any job, the first instance.
 */
export async function rendererFetch(
  env: Env,
  path: string,
  init: RequestInit = {},
  jobId?: string,
  options: { light?: boolean } = {},
): Promise<Response> {
  const pool = rendererPool(env);
  const member = jobId
    ? await pool.memberFor(jobId, { signal: init.signal, light: options.light })
    : pool.members[0]!;
  return pool.send(member, path, init);
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

/**
 * How long a job's stream may stay silent before the container counts as hung (it reports progress
 * every second or so, and a keep-alive line every 10 s); RENDER_STALL_MS overrides it.
 */
export const STALL_MS = 60_000;
/** Limits of the calls around a job: staging one file (RENDER_STAGE_TIMEOUT_MS overrides it), the answer to a read-back, one release. */
export const STAGE_TIMEOUT_MS = 120_000;
export const READ_TIMEOUT_MS = 60_000;
export const RELEASE_TIMEOUT_MS = 5_000;
/** A job's own limit when it names none (s), and the time in line for a slot it is given on top (s). */
const DEFAULT_JOB_LIMIT_S = 900;
const LINE_TIME_S = 300;
/**
 * The longest a job's first staging waits in the pool's line for a render slot: what `runJob`
 * allows a job that names no limit, line time included.
 */
export const SLOT_WAIT_MS = (DEFAULT_JOB_LIMIT_S + LINE_TIME_S) * 1000;

/**
 * A deadline for a call to the container: a signal that aborts with the caller's reason, or with a
 * RenderError `timeout` when `ms` pass (`restart` starts the wait again, for a stream that speaks).
 */
function deadline(ms: number, what: string, caller?: AbortSignal | null) {
  const ctl = new AbortController();
  const expire = () =>
    ctl.abort(
      new RenderError("timeout", `${what}: the render container did not answer within ${ms / 1000} s`),
    );
  let timer = setTimeout(expire, ms);
  return {
    signal: caller ? AbortSignal.any([caller, ctl.signal]) : ctl.signal,
    /** The timeout's error when it fired (else undefined). */
    expired: () => (ctl.signal.aborted ? (ctl.signal.reason as RenderError) : undefined),
    restart: () => {
      clearTimeout(timer);
      timer = setTimeout(expire, ms);
    },
    clear: () => clearTimeout(timer),
  };
}

/** Runs `f` under a deadline; a call cut short by it throws the timeout's RenderError. */
async function within<T>(
  limit: ReturnType<typeof deadline>,
  f: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await f(limit.signal);
  } catch (error) {
    throw limit.expired() ?? error;
  } finally {
    limit.clear();
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
  options: { light?: boolean; signal?: AbortSignal; timeoutMs?: number } = {},
) {
  // Waiting for a render slot (a burst of jobs on busy, healthy instances) is not a silent
  // container: the staging deadline starts once the job holds its instance. A hung or dead
  // instance fails its health check, so the wait ends at once and the staging deadline decides.
  const line = deadline(SLOT_WAIT_MS, `waiting for a render slot to stage ${name}`, options.signal);
  await within(line, (signal) =>
    rendererPool(env).memberFor(jobId, { signal, ...(options.light ? { light: true } : {}) }),
  );
  const ms = options.timeoutMs ?? intVar(env.RENDER_STAGE_TIMEOUT_MS, STAGE_TIMEOUT_MS);
  const limit = deadline(ms, `staging ${name}`, options.signal);
  await within(limit, async (signal) => {
    const res = await rendererFetch(
      env,
      `/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(name)}`,
      {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
        body,
        signal,
      },
      jobId,
      { ...(options.light ? { light: true } : {}) },
    );
    await expectOk(res, `staging ${name}`);
  });
}

/** Streams an output file of a finished job (its answer within READ_TIMEOUT_MS; the body as fast as it comes). */
export async function readFile(
  env: Env,
  jobId: string,
  name: string,
  options: { timeoutMs?: number } = {},
): Promise<Response> {
  const limit = deadline(options.timeoutMs ?? READ_TIMEOUT_MS, `reading ${name}`);
  const res = await within(limit, (signal) =>
    rendererFetch(
      env,
      `/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(name)}`,
      { signal },
      jobId,
    ),
  );
  await expectOk(res, `reading ${name}`);
  return res;
}

/**
 * Cancels a job (if still running) and frees its scratch space, then unpins it. Never throws. A job
 * this isolate has no pin for (its pin died with an earlier isolate) is released on every running
 * instance: deleting an unknown job is a no-op there, and stopped instances are not woken.
 */
export async function releaseJob(
  env: Env,
  jobId: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? RELEASE_TIMEOUT_MS;
  const pool = rendererPool(env);
  const pinned = pool.pinnedTo(jobId);
  const targets = pinned
    ? [pinned]
    : (
        await Promise.all(pool.members.map(async (m) => ((await m.isWarm().catch(() => false)) ? m : null)))
      ).filter((m): m is PoolMember => m !== null);
  await Promise.all(
    targets.map((m) =>
      pool
        // A hung instance never holds up a cancel: the release gives up after its deadline.
        .send(m, `/jobs/${encodeURIComponent(jobId)}`, {
          method: "DELETE",
          signal: AbortSignal.timeout(timeoutMs),
        })
        .then((r) => r.body?.cancel())
        .catch(() => undefined),
    ),
  );
  pool.unpin(jobId);
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
    /** How long the job's stream may stay silent (default RENDER_STALL_MS, else {@link STALL_MS}). */
    stallMs?: number;
  } = {},
): Promise<JobResult> {
  // The job's own limit (the container enforces it once the job runs) plus time in line for a
  // slot; and once sent, a container that stops speaking (it sends a blank line every 10 s even
  // when there is nothing to say) is given up on after `stallMs`, whatever the limit.
  const overall = deadline(
    ((job.timeout_s ?? DEFAULT_JOB_LIMIT_S) + LINE_TIME_S) * 1000,
    kind,
    options.signal,
  );
  try {
    const pool = rendererPool(env);
    const member = await pool.memberFor(job.job_id, { signal: overall.signal });
    const stall = deadline(options.stallMs ?? intVar(env.RENDER_STALL_MS, STALL_MS), kind, overall.signal);
    return await within(stall, (signal) =>
      readJobStream(pool, member, kind, job, signal, stall.restart, options.onProgress),
    );
  } catch (error) {
    throw overall.expired() ?? error;
  } finally {
    overall.clear();
  }
}

/** Sends the job and reads its NDJSON stream to the result, calling `heard` on every chunk. */
async function readJobStream(
  pool: RendererPool,
  member: PoolMember,
  kind: "render" | "synthesize" | "transcode",
  job: RenderJobInput | SynthesizeJobInput | TranscodeJobInput,
  signal: AbortSignal,
  heard: () => void,
  onProgress: ((event: Extract<JobEvent, { type: "progress" }>) => void) | undefined,
): Promise<JobResult> {
  const res = await pool.send(member, `/${kind}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(job),
    signal,
  });
  heard();
  await expectOk(res, kind);
  if (!res.body) throw new RenderError("internal", `${kind}: empty response`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    heard();
    if (value) buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (!line) continue;
      const event = JobEventSchema.parse(JSON.parse(line));
      if (event.type === "progress") onProgress?.(event);
      else if (event.type === "error") throw new RenderError(event.code, event.message);
      else return event;
    }
    if (done) throw new RenderError("internal", `${kind}: stream ended without a result`);
  }
}
