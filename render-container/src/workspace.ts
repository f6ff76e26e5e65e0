/**
 * A job's workspace: the options every job runner takes, a private temp directory that is always
 * removed afterwards, and how the job moves files (its staging space, local paths allowed or not,
 * its abort signal) and starts ffmpeg (signal and spawn hook).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Phase } from "./contract.ts";
import type { FfmpegPlan, RunOptions } from "./ffmpeg.ts";
import { stagingDir } from "./staging.ts";
import type { TransferOptions } from "./transfer.ts";

/** Progress callback: percent 0..100 and the current phase. */
export type OnProgress = (percent: number, phase: Phase) => void;

/** Options shared by every job runner. */
export interface RunJobOptions {
  signal?: AbortSignal;
  onProgress?: OnProgress;
  allowLocal: boolean;
  /** `{ url }` sources and outputs are fetched and PUT (the CLI) rather than refused (default false). */
  allowNetwork?: boolean;
  /** Keep the temp dir (debugging). */
  keepTemp?: boolean;
  /** Receives the pid of every ffmpeg child (tests, bench). */
  onSpawn?: (pid: number) => void;
  /** Peak RSS of the composition child in KiB, for the bench. */
  onStats?: (stats: { peakRssKib: number }) => void;
  /** Wall seconds of each step of a render job as it ends (fetch, probe, compose, qc, ...), for the bench. */
  onTiming?: (step: string, seconds: number) => void;
  /** Each composition plan before it runs (the bench's profile runs parts of it again). */
  onPlan?: (plan: FfmpegPlan) => void;
}

/** What a running job works with. */
export interface Workspace {
  /** The job's temp dir; its name is safe inside a filter graph (no job id characters like `:`). */
  dir: string;
  /** How the job fetches inputs and delivers outputs. */
  transfer: TransferOptions;
  /** The job's abort signal as an option (probes). */
  signalOpt: { signal?: AbortSignal };
  /** Options of the job's ffmpeg runs: its abort signal and the spawn hook. */
  ffmpeg: Pick<RunOptions, "signal" | "onSpawn">;
}

/** A temp dir whose name is safe inside a filter graph (no job id characters like `:`). */
async function makeWorkDir(prefix: string): Promise<string> {
  const root = process.env.RENDER_TMP_DIR ?? tmpdir();
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, `${prefix}-`));
}

/** Runs `fn` in a fresh temp dir, removed afterwards (success or failure) unless `keep`. */
export async function withWorkDir<T>(
  prefix: string,
  fn: (dir: string) => Promise<T>,
  keep = false,
): Promise<T> {
  const dir = await makeWorkDir(prefix);
  try {
    return await fn(dir);
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a job's work in its workspace; the temp dir is always removed (unless `keepTemp`). */
export function withWorkspace<T>(
  prefix: string,
  jobId: string,
  opts: RunJobOptions,
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  return withWorkDir(
    prefix,
    (dir) => {
      const signalOpt = opts.signal ? { signal: opts.signal } : {};
      return fn({
        dir,
        transfer: {
          allowLocal: opts.allowLocal,
          allowNetwork: opts.allowNetwork ?? false,
          stagingDir: stagingDir(jobId),
          ...signalOpt,
        },
        signalOpt,
        ffmpeg: { ...signalOpt, ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}) },
      });
    },
    opts.keepTemp,
  );
}
