/**
 * Job registry shared by the server and the CLI: runs a job under the queue with its own
 * AbortController (cancel by id, timeout) and turns the outcome into NDJSON events.
 */

import { runRenderJob } from "./compose/render.ts";
import {
  type JobEvent,
  type MediaInfo,
  type Phase,
  type ProbeRequest,
  type RenderJob,
  RenderJobSchema,
  type SynthesizeJob,
  SynthesizeJobSchema,
  type TranscodeJob,
  TranscodeJobSchema,
} from "./contract.ts";
import { JobError, toJobError } from "./errors.ts";
import { runTranscodeJob } from "./export/transcode.ts";
import { limitsFromEnv, type ProbeLimits, probeFile } from "./probe.ts";
import { concurrencyFromEnv, JobQueue } from "./queue.ts";
import { stagingDir } from "./staging.ts";
import { runSynthesizeJob } from "./synth/synthesize.ts";
import { resolveSource } from "./transfer.ts";
import { type RunJobOptions, withWorkDir } from "./workspace.ts";

/** The longest a probe may run once it has a slot (ffprobe of a staged file takes about a second). */
const PROBE_TIMEOUT_MS = 60_000;

/** The container's probe limits, made stricter (never looser) by a probe request's own. */
function tightened(base: ProbeLimits, asked: ProbeRequest["limits"]): ProbeLimits {
  const dim = (n: number) => Math.min(n, asked?.max_dimension ?? n);
  return {
    ...base,
    maxDurationS: Math.min(base.maxDurationS, asked?.max_duration_s ?? base.maxDurationS),
    maxWidth: dim(base.maxWidth),
    maxHeight: dim(base.maxHeight),
  };
}

/** What the runner needs to know about a job. */
export type AnyJob =
  | { kind: "render"; job: RenderJob }
  | { kind: "synthesize"; job: SynthesizeJob }
  | { kind: "transcode"; job: TranscodeJob };

const SCHEMAS = { render: RenderJobSchema, synthesize: SynthesizeJobSchema, transcode: TranscodeJobSchema };

/** Parses a body into a job of the given kind, or throws `invalid_job` with zod's message. */
export function parseJob(kind: AnyJob["kind"], body: unknown): AnyJob {
  const parsed = SCHEMAS[kind].safeParse(body);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new JobError("invalid_job", msg);
  }
  return { kind, job: parsed.data } as AnyJob;
}

/** Runs a parsed job of any kind. */
function runAny(any: AnyJob, opts: RunJobOptions) {
  switch (any.kind) {
    case "render":
      return runRenderJob(any.job, opts);
    case "synthesize":
      return runSynthesizeJob(any.job, opts);
    case "transcode":
      return runTranscodeJob(any.job, opts);
  }
}

/** Runs jobs under a CPU budget and keeps them cancellable by id. */
export class JobRunner {
  readonly queue: JobQueue;
  readonly #active = new Map<string, AbortController>();
  /** Jobs that got a slot and started work, by kind, since the server started (/health). */
  readonly started: Record<AnyJob["kind"], number> = { render: 0, synthesize: 0, transcode: 0 };
  readonly #allowLocal: boolean;
  readonly #allowNetwork: boolean;

  /**
   * `allowLocal`: `{ path }` sources and outputs; `allowNetwork`: `{ url }` ones (the CLI only; the
   * HTTP server never fetches or PUTs a URL it was given).
   */
  constructor(opts: { allowLocal: boolean; allowNetwork?: boolean; concurrency?: number }) {
    this.queue = new JobQueue(opts.concurrency ?? concurrencyFromEnv());
    this.#allowLocal = opts.allowLocal;
    this.#allowNetwork = opts.allowNetwork ?? false;
  }

  /**
   * Probes a file (`POST /probe`) under the same CPU budget as the jobs: it waits for a slot like a
   * job (FIFO, leaving the line if `signal` aborts), then runs with a timeout.
   */
  probe(request: ProbeRequest, signal?: AbortSignal): Promise<MediaInfo> {
    const { source, job_id, limits } = request;
    return this.queue.run(
      () => {
        const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
        const bounded = signal ? AbortSignal.any([signal, timeout]) : timeout;
        return withWorkDir("probe", async (work) => {
          const path = await resolveSource(source, work, "input", {
            allowLocal: this.#allowLocal,
            allowNetwork: this.#allowNetwork,
            signal: bounded,
            ...(job_id ? { stagingDir: stagingDir(job_id) } : {}),
          });
          return probeFile(path, {
            limits: tightened(limitsFromEnv(), limits),
            streams: true,
            signal: bounded,
          });
        });
      },
      signal ? { signal } : {},
    );
  }

  /** Cancels a job by id; false when no such job is queued or running. */
  cancel(jobId: string): boolean {
    const ctl = this.#active.get(jobId);
    if (!ctl) return false;
    ctl.abort(new JobError("cancelled", "Cancelled"));
    return true;
  }

  /** Cancels everything (shutdown). */
  cancelAll(): void {
    for (const ctl of this.#active.values())
      ctl.abort(new JobError("cancelled", "Cancelled: server shutting down"));
  }

  /**
   * Runs a job, emitting progress events, and resolves with the final `done` or `error` event (it
   * never rejects). `signal` is the caller's (client disconnect).
   */
  async run(
    any: AnyJob,
    emit: (e: JobEvent) => void,
    signal?: AbortSignal,
    hooks: { onSpawn?: (pid: number) => void } = {},
  ): Promise<JobEvent> {
    const id = any.job.job_id;
    if (this.#active.has(id)) {
      return { type: "error", code: "invalid_job", message: `job ${id} is already queued or running` };
    }
    const ctl = new AbortController();
    this.#active.set(id, ctl);
    const onCallerAbort = () => ctl.abort(new JobError("cancelled", "Cancelled: client disconnected"));
    if (signal?.aborted) onCallerAbort();
    signal?.addEventListener("abort", onCallerAbort, { once: true });
    let lastKey = "";
    const onProgress = (percent: number, phase: Phase) => {
      const key = `${phase}:${Math.floor(percent)}`;
      if (key === lastKey) return; // one line per whole percent is plenty
      lastKey = key;
      emit({ type: "progress", percent, phase });
    };
    try {
      const result = await this.queue.run(
        async () => {
          this.started[any.kind] += 1;
          // The timeout counts from the start of the work, not from queueing.
          const timer = setTimeout(
            () => ctl.abort(new JobError("timeout", `Timed out after ${any.job.timeout_s} s`)),
            any.job.timeout_s * 1000,
          );
          try {
            const opts = {
              signal: ctl.signal,
              onProgress,
              allowLocal: this.#allowLocal,
              allowNetwork: this.#allowNetwork,
              ...hooks,
            };
            return await runAny(any, opts);
          } finally {
            clearTimeout(timer);
          }
        },
        { signal: ctl.signal, onQueued: () => onProgress(0, "queued") },
      );
      return { type: "done", ...result };
    } catch (err) {
      const reason = ctl.signal.aborted ? ctl.signal.reason : undefined;
      const e = reason instanceof JobError ? reason : toJobError(err);
      console.error(`[render-container] job=${id} kind=${any.kind} failed code=${e.code}: ${e.message}`);
      return { type: "error", code: e.code, message: e.message };
    } finally {
      signal?.removeEventListener("abort", onCallerAbort);
      this.#active.delete(id);
    }
  }
}
