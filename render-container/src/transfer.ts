/**
 * Moving bytes in and out: inputs come from the job's staging space, from local paths (CLI, tests)
 * or, in the CLI only, from URLs downloaded by Node (never by ffmpeg) into the job's temp dir with a
 * size cap and a timeout; outputs go to the staging space, to paths, or (CLI only) are PUT to signed
 * URLs. The HTTP server never touches the network on a caller's say-so: the Worker stages files.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { OutputTarget, Source } from "./contract.ts";
import { JobError } from "./errors.ts";

/** Transfer settings. */
export interface TransferOptions {
  /** Local paths are allowed (CLI, tests) or refused (HTTP server unless RENDER_ALLOW_LOCAL_PATHS=1). */
  allowLocal: boolean;
  /**
   * `{ url }` sources and outputs are fetched and PUT (the CLI) or refused (the HTTP server, always:
   * a caller must not make the container reach 169.254.169.254 or a port on its loopback). Default false.
   */
  allowNetwork?: boolean;
  signal?: AbortSignal;
  maxBytes?: number;
  timeoutMs?: number;
  /** The job's staging directory, for `{ file }` sources and outputs. */
  stagingDir?: string;
}

/** Defaults from RENDER_MAX_INPUT_BYTES (500 MB) and RENDER_FETCH_TIMEOUT_S (120 s). */
export function transferDefaults(env: NodeJS.ProcessEnv = process.env): {
  maxBytes: number;
  timeoutMs: number;
} {
  return {
    maxBytes: Number(env.RENDER_MAX_INPUT_BYTES ?? 500 * 1024 * 1024),
    timeoutMs: Number(env.RENDER_FETCH_TIMEOUT_S ?? 120) * 1000,
  };
}

function combined(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const t = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, t]) : t;
}

/**
 * Streams `body` into the file `dest`, failing with `input_rejected` once it passes `maxBytes`
 * (`what` names the bytes in that message). Returns the number of bytes written.
 */
export async function writeCapped(
  body: ReadableStream,
  dest: string,
  maxBytes: number,
  what: "input" | "upload",
  signal?: AbortSignal,
): Promise<number> {
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new JobError("input_rejected", `${what} is over the ${maxBytes}-byte limit`));
      else cb(null, chunk);
    },
  });
  const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream);
  if (signal) await pipeline(source, cap, createWriteStream(dest), { signal });
  else await pipeline(source, cap, createWriteStream(dest));
  return seen;
}

/** The path of a `{ file }` name in the job's staging space; refused where there is none (the CLI). */
function inStaging(opts: TransferOptions, name: string): string {
  if (!opts.stagingDir) throw new JobError("invalid_job", "staged files are not available here");
  return join(opts.stagingDir, name);
}

/** Makes an input available as a local file and returns its path. */
export async function resolveSource(
  source: Source,
  dir: string,
  name: string,
  opts: TransferOptions,
): Promise<string> {
  if ("file" in source) {
    const path = inStaging(opts, source.file);
    await stat(path).catch(() => {
      throw new JobError("input_rejected", `staged file not found: ${source.file}`);
    });
    return path;
  }
  if ("path" in source) {
    if (!opts.allowLocal)
      throw new JobError("input_rejected", "local paths are not accepted here: send a URL");
    await stat(source.path).catch(() => {
      throw new JobError("input_rejected", `input file not found: ${source.path}`);
    });
    return source.path;
  }
  if (!opts.allowNetwork)
    throw new JobError("input_rejected", "URL sources are not accepted here: stage the file");
  const dest = join(dir, name);
  await download(source.url, dest, opts);
  return dest;
}

/** Downloads a URL to `dest` under the size cap and the timeout. */
async function download(url: string, dest: string, opts: TransferOptions): Promise<void> {
  const { maxBytes, timeoutMs } = { ...transferDefaults(), ...strip(opts) };
  const signal = combined(opts.signal, timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: "follow" });
  } catch (err) {
    if (opts.signal?.aborted) throw new JobError("cancelled", "Cancelled");
    throw new JobError("fetch_failed", `cannot fetch ${redact(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!res.ok || !res.body) {
    throw new JobError("fetch_failed", `cannot fetch ${redact(url)}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > maxBytes)
    throw new JobError("input_rejected", `input is ${declared} bytes, over the ${maxBytes}-byte limit`);
  try {
    await writeCapped(res.body, dest, maxBytes, "input", signal);
  } catch (err) {
    if (err instanceof JobError) throw err;
    if (opts.signal?.aborted) throw new JobError("cancelled", "Cancelled");
    throw new JobError("fetch_failed", `download of ${redact(url)} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function strip(opts: TransferOptions): Partial<{ maxBytes: number; timeoutMs: number }> {
  const out: Partial<{ maxBytes: number; timeoutMs: number }> = {};
  if (opts.maxBytes !== undefined) out.maxBytes = opts.maxBytes;
  if (opts.timeoutMs !== undefined) out.timeoutMs = opts.timeoutMs;
  return out;
}

/** Signed URLs carry secrets in the query: never log them. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "<invalid url>";
  }
}

/** Delivers a finished file: PUT to a signed URL (with Content-Type) or copy to a local path. */
export async function deliver(
  target: OutputTarget,
  file: string,
  contentType: string,
  opts: TransferOptions,
): Promise<void> {
  if ("file" in target) {
    const dest = inStaging(opts, target.file);
    await mkdir(dirname(dest), { recursive: true });
    // Same filesystem as the work dir in practice; fall back to a copy across devices.
    await rename(file, dest).catch(() => copyFile(file, dest));
    return;
  }
  if ("path" in target) {
    await mkdir(dirname(target.path), { recursive: true });
    await copyFile(file, target.path);
    return;
  }
  if (!opts.allowNetwork)
    throw new JobError("invalid_job", "URL outputs are not accepted here: use { file }");
  const { timeoutMs } = { ...transferDefaults(), ...strip(opts) };
  const size = (await stat(file)).size;
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: "PUT",
      headers: { ...target.headers, "content-type": contentType, "content-length": String(size) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: "half",
      signal: combined(opts.signal, timeoutMs),
    } as RequestInit);
  } catch (err) {
    if (opts.signal?.aborted) throw new JobError("cancelled", "Cancelled");
    throw new JobError("upload_failed", `upload to ${redact(target.url)} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!res.ok) {
    const body = (await res.text().catch(() => "")).slice(0, 200);
    throw new JobError("upload_failed", `upload to ${redact(target.url)} failed: HTTP ${res.status} ${body}`);
  }
}

/** A source or output of a parsed job that leaves the staging space. */
export interface OutsideReference {
  /** Where in the job, e.g. `scenes.0.clip` or `outputs.video`. */
  at: string;
  kind: "url" | "path";
}

/**
 * Every `{ url }` (and, unless `allowLocal`, every `{ path }`) a parsed job or probe request names as
 * a source or an output, found by shape anywhere in it, so a source field added to the contract later
 * is covered too. The HTTP server refuses such a request before it runs (the transfers refuse them
 * again, in case).
 */
export function outsideReferences(
  value: unknown,
  opts: { allowLocal: boolean },
  at: readonly string[] = [],
): OutsideReference[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => outsideReferences(v, opts, [...at, String(i)]));
  if (value === null || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  if (typeof o.url === "string") return [{ at: at.join(".") || "(body)", kind: "url" }];
  if (typeof o.path === "string")
    return opts.allowLocal ? [] : [{ at: at.join(".") || "(body)", kind: "path" }];
  return Object.entries(o).flatMap(([k, v]) => outsideReferences(v, opts, [...at, k]));
}
