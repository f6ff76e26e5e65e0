/**
 * The ONLY module that starts ffmpeg or ffprobe, and the home of the argument conventions every
 * invocation shares (leading flags, the input guard, encoder settings, filter-graph text).
 *
 * It uses `child_process.spawn` rather than fluent-ffmpeg: we need exact argument order (per-input
 * `-protocol_whitelist`/`-format_whitelist`, `-filter_complex_script`), `-progress pipe:1` parsing and
 * a hard kill on an AbortSignal, and fluent-ffmpeg (archived) quotes filter values badly and owns the
 * process lifetime (docs/architecture.md, "Render container layout"). Every child is tracked so
 * shutdown can kill them all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import type { ContainerFormat, VideoSettings } from "./contract.ts";
import { JobError } from "./errors.ts";

const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const FFPROBE = process.env.FFPROBE_PATH ?? "ffprobe";
/** Kept of a child's stderr: its start (what ffmpeg says about its inputs) and its end (summaries). */
const STDERR_HEAD = 16 * 1024;
const STDERR_KEEP = 64 * 1024;

const live = new Set<ChildProcess>();

/** Leading arguments of a quiet one-off ffmpeg run: errors only, overwrite, never read stdin. */
export const QUIET_ARGS: readonly string[] = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"];

/** Leading arguments of a job's main pass: machine-readable progress on stdout (parsed by runFfmpeg). */
export const PROGRESS_ARGS: readonly string[] = [
  "-hide_banner",
  "-nostdin",
  "-y",
  "-nostats",
  "-loglevel",
  "info",
  "-progress",
  "pipe:1",
];

/** Demuxers ffmpeg may use on user inputs: no playlists (hls, dash), no concat lists, no network. */
export const INPUT_FORMATS =
  "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,mp3,wav,flac,ogg,aac,image2,png_pipe,jpeg_pipe,webp_pipe";

/** Input options put before every `-i` of user data (ffprobe's included). */
export function inputGuard(): string[] {
  return ["-protocol_whitelist", "file", "-format_whitelist", INPUT_FORMATS];
}

/** What the pictures are (`VideoSettings.content`). */
type VideoContent = VideoSettings["content"];

/** The x264 options a kind of picture adds to its preset. */
const X264_CONTENT_PARAMS: Record<VideoContent, string[]> = {
  footage: [],
  motion_graphics: ["-x264-params", "bframes=0:partitions=none"],
};

/**
 * H.264 High yuv420p; CRF with a bitrate cap (8 Mb/s by default: a 15 s ad far under 50 MB).
 * Shared with the bench floor.
 */
export function encoderArgs(
  preset: string,
  crf: number,
  fps: number,
  maxKbps = 8000,
  content: VideoContent = "footage",
): string[] {
  const cap = maxKbps % 1000 === 0 ? `${maxKbps / 1000}M` : `${maxKbps}k`;
  const buf = (2 * maxKbps) % 1000 === 0 ? `${(2 * maxKbps) / 1000}M` : `${2 * maxKbps}k`;
  return [
    ...["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-pix_fmt", "yuv420p"],
    ...X264_CONTENT_PARAMS[content],
    ...["-crf", String(crf), "-maxrate", cap, "-bufsize", buf, "-g", String(fps * 2), "-r", String(fps)],
  ];
}

/**
 * libvpx-vp9's speed for WebM (`-cpu-used` under `-deadline good`). Chosen by `npm run bench:export`
 * (render-container/bench/export-bench.ts) on 2 cores, 15.5 s ad at 720p: 2 took 23.0 s (SSIM
 * 0.9942), 4 took 15.9 s (0.9939), 5 took 16.3 s (0.9937, the same bytes as 6 and 8: this libvpx
 * clamps `good` at 5). 5 is the fastest setting `good` has, within 0.0005 SSIM of 2.
 */
export const VP9_CPU_USED = 5;

/** Encoder settings of one output: H.264 + AAC (MP4, MOV: faststart) or VP9 + Opus (WebM). */
export function outputArgs(
  format: ContainerFormat,
  video: { preset: string; crf: number; fps: number; maxKbps?: number; content?: VideoContent },
): string[] {
  const maxKbps = video.maxKbps ?? 8000;
  if (format === "webm")
    return [
      ...["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-row-mt", "1", "-deadline", "good"],
      ...["-cpu-used", String(VP9_CPU_USED), "-tile-columns", "2", "-frame-parallel", "0"],
      // Constrained quality: the CRF's quality, never above the cap.
      ...["-crf", String(video.crf + 12), "-b:v", `${maxKbps}k`, "-g", String(video.fps * 2)],
      ...["-r", String(video.fps)],
      ...audioOutputArgs(format),
    ];
  return [
    ...encoderArgs(video.preset, video.crf, video.fps, maxKbps, video.content),
    ...audioOutputArgs(format),
  ];
}

/**
 * The audio encoder and container settings of an output (Opus in WebM; AAC in MP4 or MOV, with
 * faststart): shared by the composition and the QC's loudness fix, which re-muxes the audio alone.
 */
export function audioOutputArgs(format: ContainerFormat): string[] {
  if (format === "webm") return ["-c:a", "libopus", "-b:a", "128k", "-ar", "48000", "-ac", "2", "-f", "webm"];
  return [
    ...["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"],
    ...["-movflags", "+faststart"],
    ...(format === "mov" ? ["-f", "mov"] : []),
  ];
}

/** A number as filter-graph text: at most `decimals` decimals (4 unless told), no trailing zeros. */
export function num(n: number, decimals = 4): string {
  return Number(n.toFixed(decimals)).toString();
}

/** Paths inside a filter graph must not need escaping; ours are generated, so insist on it. */
export function assertPlainPath(p: string): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(p)) throw new Error(`path not safe for a filter graph: ${p}`);
  return p;
}

/** A file the caller writes before running ffmpeg. */
export interface PlanFile {
  path: string;
  content: string;
}

/** Everything needed to run one ffmpeg invocation: what a pure planner returns. */
export interface FfmpegPlan {
  args: string[];
  /** The filter graph, read by ffmpeg from `graphPath` (`-filter_complex_script`). */
  graph: string;
  graphPath: string;
  files: PlanFile[];
  duration_s: number;
}

/** Options of one ffmpeg run. */
export interface RunOptions {
  signal?: AbortSignal;
  /** Expected output duration, to turn `out_time` into a percentage. */
  duration_s?: number;
  onProgress?: (fraction: number) => void;
  /** Receives the child's pid as soon as it starts (tests use it to check the kill). */
  onSpawn?: (pid: number) => void;
}

/** Result of a finished run. */
export interface RunResult {
  stderr: string;
  /** Peak resident set of the child in KiB (VmHWM, read from /proc just before it exits), or 0. */
  peakRssKib: number;
}

/** Pids of ffmpeg/ffprobe children that are still running. */
export function liveChildren(): number[] {
  return [...live].map((c) => c.pid).filter((p): p is number => p !== undefined);
}

/** Kills every running child (SIGTERM/SIGINT of the server). */
export function killAllChildren(): void {
  for (const child of live) child.kill("SIGKILL");
}

async function readPeakRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // process already reaped or no /proc: the caller reports 0 as unknown
  }
}

/** ffmpeg's memory peaks during encoding; sample VmHWM (a high-water mark, so sampling late is fine). */
function samplePeakRss(child: ChildProcess): { peak: () => number; stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid) void readPeakRss(child.pid).then((k) => (peak = Math.max(peak, k)));
  }, 250);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/**
 * Collects a child's output: stderr (its first 16 KiB, where ffmpeg describes its inputs, and its last
 * 64 KiB, where the summaries are), and stdout either whole or, for `-progress pipe:1`, line by line
 * into `onProgress` fractions of `duration_s`.
 */
function collectOutput(child: ChildProcess, opts: RunOptions, parseProgress: boolean) {
  let head = "";
  let tail = "";
  let cut = false;
  let stdout = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    const room = Math.max(0, STDERR_HEAD - head.length);
    head += chunk.slice(0, room);
    tail += chunk.slice(room);
    if (tail.length > STDERR_KEEP) {
      tail = tail.slice(-STDERR_KEEP);
      cut = true;
    }
  });
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
    if (!parseProgress) return;
    const lines = stdout.split("\n");
    stdout = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
      if (m && opts.duration_s && opts.onProgress) {
        opts.onProgress(Math.min(1, Number(m[1]) / 1e6 / opts.duration_s));
      }
    }
  });
  return { stderr: () => (cut ? `${head}\n[...]\n${tail}` : head + tail), stdout: () => stdout };
}

/** RENDER_NICE: the niceness ffmpeg and ffprobe run at, 0-19 (default 10; 0 runs them as is). */
export function niceness(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.RENDER_NICE ?? 10);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 10;
}

/**
 * RENDER_SCHED: the Linux scheduling policy ffmpeg and ffprobe run under. `idle` (the default) is
 * SCHED_IDLE: they take only the CPU nothing else wants, and a core running nothing but them counts
 * as free when another task wakes, so the Worker's answers and live events are not kept waiting
 * behind a render (measured on 2 cores with a 404 polled 100 times a second beside a 1080x1920
 * x264 encode: p99 224 ms under `nice -n 10`, 182 ms under `nice -n 19`, 62 ms under SCHED_IDLE;
 * 26 ms with nothing running). `normal` leaves the policy as is (niceness alone).
 */
export function schedPolicy(env: NodeJS.ProcessEnv = process.env): "idle" | "normal" {
  return env.RENDER_SCHED === "normal" ? "normal" : "idle";
}

/**
 * How ffmpeg or ffprobe is started: under `chrt --idle 0` (util-linux) and `nice` as configured. Each
 * execs the next, so the pid handed back is ffmpeg's own.
 */
export function launchCommand(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): [string, string[]] {
  const nice = niceness(env);
  const chain = [
    ...(schedPolicy(env) === "idle" ? ["chrt", "--idle", "0"] : []),
    ...(nice > 0 ? ["nice", "-n", String(nice)] : []),
    bin,
    ...args,
  ];
  return [chain[0]!, chain.slice(1)];
}

function run(bin: string, args: string[], opts: RunOptions, parseProgress: boolean): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortError(opts.signal));
      return;
    }
    // A render yields the CPU to whatever answers people on the same machine (locally, the
    // Worker's status and live events); see schedPolicy.
    const [command, commandArgs] = launchCommand(bin, args);
    const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    const rss = samplePeakRss(child);
    const output = collectOutput(child, opts, parseProgress);
    let settled = false;
    const onAbort = () => child.kill("SIGKILL");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (child.pid) opts.onSpawn?.(child.pid);
    const finish = (err: Error | null, result?: RunResult) => {
      if (settled) return;
      settled = true;
      rss.stop();
      live.delete(child);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    child.on("error", (err) =>
      finish(
        new JobError("ffmpeg_failed", `cannot start ${bin}: ${err.message} (is ffmpeg installed?)`, {
          cause: err,
        }),
      ),
    );
    child.on("close", (code, sig) => {
      if (opts.signal?.aborted) return finish(abortError(opts.signal));
      const text = parseProgress ? output.stderr() : output.stdout();
      if (code === 0) return finish(null, { stderr: text, peakRssKib: rss.peak() });
      const tail = lastLines(output.stderr(), 6);
      finish(new JobError("ffmpeg_failed", `${bin} exited with ${code ?? sig}: ${tail}`));
    });
  });
}

function abortError(signal: AbortSignal): JobError {
  const reason = signal.reason;
  if (reason instanceof JobError) return reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return new JobError("timeout", "Timed out");
  return new JobError("cancelled", "Cancelled");
}

function lastLines(text: string, n: number): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("frame="))
    .slice(-n)
    .join(" | ");
}

/** Runs ffmpeg with the given arguments; rejects with a {@link JobError} on failure or abort. */
export function runFfmpeg(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(FFMPEG, args, opts, true);
}

/** Writes a plan's filter graph and text files, then runs it (with progress over its duration). */
export async function runPlan(plan: FfmpegPlan, opts: RunOptions = {}): Promise<RunResult> {
  await writeFile(plan.graphPath, plan.graph);
  await Promise.all(plan.files.map((f) => writeFile(f.path, f.content)));
  return runFfmpeg(plan.args, { duration_s: plan.duration_s, ...opts });
}

/** Runs ffprobe and returns its stdout (JSON when asked with `-print_format json`). */
export async function runFfprobe(args: string[], opts: RunOptions = {}): Promise<string> {
  const result = await run(FFPROBE, args, opts, false);
  return result.stderr;
}

/** `ffmpeg -version` first line, for /health. */
export async function ffmpegVersion(): Promise<string> {
  const out = await run(FFMPEG, ["-version"], {}, false)
    .then((r) => r.stderr)
    .catch((e: Error) => `unavailable: ${e.message}`);
  return out.split("\n")[0]?.replace(/^ffmpeg version /, "") ?? "unknown";
}
