/** Test helpers: media made with lavfi through the same ffmpeg module, frames decoded to RGB. */
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";

/** A fresh temp dir for one test file. */
export function tempDir(prefix = "rc-test"): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

/** Options of a generated clip. */
export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  duration: number;
  audio?: boolean;
  pixFmt?: string;
  /** lavfi source name: testsrc2 (moving), mandelbrot, or a `color=c=...` spec. */
  source?: string;
  /** Rotation metadata in degrees (display matrix), to check that rotated phone clips are upright. */
  rotate?: number;
}

/** Makes a small H.264 clip with lavfi. */
export async function makeClip(path: string, spec: ClipSpec): Promise<string> {
  const src = spec.source ?? "testsrc2";
  const video = src.startsWith("color=")
    ? `${src}:s=${spec.width}x${spec.height}:r=${spec.fps}:d=${spec.duration}`
    : `${src}=s=${spec.width}x${spec.height}:r=${spec.fps}${src === "mandelbrot" ? "" : `:d=${spec.duration}`}`;
  const args = [...QUIET_ARGS, "-f", "lavfi", "-i", video];
  if (spec.audio) args.push("-f", "lavfi", "-i", `sine=f=330:sample_rate=44100:d=${spec.duration}`);
  args.push(
    "-t",
    String(spec.duration),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    spec.pixFmt ?? "yuv420p",
  );
  if (spec.audio) args.push("-c:a", "aac", "-b:a", "96k");
  if (spec.rotate !== undefined) args.push("-metadata:s:v:0", `rotate=${spec.rotate}`);
  args.push(path);
  await runFfmpeg(args);
  return path;
}

/** One decoded frame as packed RGB. */
export interface Frame {
  width: number;
  height: number;
  rgb: Buffer;
}

/** Decodes the frame at `t` seconds (accurate seek) to raw rgb24. */
export async function frameAt(file: string, t: number, dir: string): Promise<Frame> {
  const out = join(dir, `frame-${Math.random().toString(36).slice(2)}.rgb`);
  const probe = await runFfmpeg([
    "-hide_banner",
    "-nostdin",
    "-i",
    file,
    "-ss",
    String(t),
    "-frames:v",
    "1",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-y",
    out,
  ]);
  const m = /Stream #.*Video: rawvideo.*?, (\d+)x(\d+)/.exec(probe.stderr);
  if (!m) throw new Error(`cannot read frame size from ffmpeg output: ${probe.stderr.slice(-500)}`);
  return { width: Number(m[1]), height: Number(m[2]), rgb: await readFile(out) };
}

/** Region of a frame, in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mean luma (BT.601, 0..255) of a region (whole frame by default). */
export function meanLuma(f: Frame, r: Rect = { x: 0, y: 0, w: f.width, h: f.height }): number {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (y * f.width + x) * 3;
      sum += 0.299 * f.rgb[i]! + 0.587 * f.rgb[i + 1]! + 0.114 * f.rgb[i + 2]!;
    }
  }
  return sum / (r.w * r.h);
}

/** Mean absolute difference per channel between two frames over a region. */
export function meanDiff(a: Frame, b: Frame, r: Rect = { x: 0, y: 0, w: a.width, h: a.height }): number {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (y * a.width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.rgb[i + c]! - b.rgb[i + c]!);
    }
  }
  return sum / (r.w * r.h * 3);
}

/** Pids of ffmpeg/ffprobe processes whose parent is this process (read from /proc). */
export async function ffmpegChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && /^ff(mpeg|probe)$/.test(m[1]!) && Number(m[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

/** True when a process exists and is not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && !/^\d+ \(.*\) Z/.test(stat);
}
