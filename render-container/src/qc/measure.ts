/**
 * The QC's measurements of a finished ad, in ONE ffmpeg launch over the file: the picture is decoded
 * once and split; a 160 px wide copy goes through `blackdetect` and `freezedetect` (small frames:
 * the detectors' per-pixel work is ~1/50 of full size, and downscaling averages encoder noise out;
 * `area` averages every source pixel of a detector pixel, and costs 0.1 s of the pass's wall time
 * where `bilinear` cost 0.25: the scale runs on ffmpeg's main thread, after the threaded decoder),
 * each overlay's box is cropped from its fully-shown frame (`select`) and written as raw RGB; the
 * audio goes through `ebur128=peak=true` (integrated loudness, true peak) and its last 3 s are
 * written as mono float samples (the tail check: the last 0.5 s's level, and where the audio ends). The decoded frames are counted (stats line,
 * passthrough timing), and what ffmpeg logs on opening the file is the file's description (codecs,
 * size, rate, pixel format, audio format: the format check), so no ffprobe runs after a render. Also
 * the loudness fix: the audio re-encoded with a gain, the video copied.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type LoudnessSummary, measureLoudness, parseEbur128Summary } from "../audio/loudness.ts";
import type { Timeline } from "../compose/timeline.ts";
import type { ContainerFormat, MediaInfo } from "../contract.ts";
import {
  assertPlainPath,
  audioOutputArgs,
  type FfmpegPlan,
  inputGuard,
  num,
  QUIET_ARGS,
  type RunOptions,
  runFfmpeg,
  runPlan,
} from "../ffmpeg.ts";
import { describeFromLog } from "../probe.ts";
import {
  measureContrast,
  measureTail,
  type OverlayBox,
  type OverlayContrast,
  parseBlackdetect,
  parseFrameCount,
  parseFreezedetect,
  REACH_WINDOW_S,
  type Span,
  type TailMeasure,
} from "./checks.ts";

/** What one QC pass measured on a file. */
export interface QcMeasure {
  /** The file as ffmpeg described it on opening it (undefined if it could not be read from the log). */
  info: MediaInfo | undefined;
  /** Decoded video frames. */
  frames: number | undefined;
  black: Span[];
  frozen: Span[];
  /** Undefined when the file has no audio stream. */
  loudness: LoudnessSummary | undefined;
  tail: TailMeasure | undefined;
  contrast: OverlayContrast[];
}

/** Width of the copy the black and freeze detectors see. */
const DETECT_WIDTH = 160;
const TAIL_RATE = 48000;

/** The QC pass's plan (pure): the graph, the arguments, and where the crops and the tail go. */
export function planQcPass(
  file: string,
  tl: Timeline,
  boxes: OverlayBox[],
  hasAudio: boolean,
  dir: string,
): FfmpegPlan & { crops: string[]; tail?: string } {
  const graphPath = join(dir, "qc-graph.txt");
  const crops = boxes.map((b) => assertPlainPath(join(dir, `qc-crop-${b.scene}.rgb`)));
  const chains: string[] = [];
  const split = boxes.length
    ? `split=${boxes.length + 1}[qv]${boxes.map((_, k) => `[qc${k}]`).join("")}`
    : "null[qv]";
  chains.push(`[0:v:0]${split}`);
  chains.push(
    `[qv]scale=w=${DETECT_WIDTH}:h=-2:flags=area,blackdetect=d=0.1:pix_th=0.1,freezedetect=n=-60dB:d=0.5[qdet]`,
  );
  boxes.forEach((b, k) => {
    const l = b.layout;
    chains.push(
      `[qc${k}]select='eq(n,${b.frame})',crop=${l.width}:${l.height}:${l.x}:${l.y},format=rgb24[qcrop${k}]`,
    );
  });
  const tail = hasAudio ? assertPlainPath(join(dir, "qc-tail.f32")) : undefined;
  if (hasAudio) {
    chains.push(
      "[0:a:0]aformat=sample_fmts=fltp:channel_layouts=stereo,asplit=2[qam][qat]",
      "[qam]ebur128=peak=true:framelog=verbose[qaud]",
      `[qat]atrim=start=${num(Math.max(0, tl.total - REACH_WINDOW_S))},aformat=sample_fmts=flt:sample_rates=${TAIL_RATE}:channel_layouts=mono[qtail]`,
    );
  }
  const args = [
    ...["-hide_banner", "-nostdin", "-y", "-loglevel", "info"],
    ...inputGuard(),
    "-i",
    file,
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...[
      "-map",
      "[qdet]",
      ...(hasAudio ? ["-map", "[qaud]"] : []),
      "-fps_mode",
      "passthrough",
      "-f",
      "null",
      "-",
    ],
  ];
  for (const [k, crop] of crops.entries())
    args.push("-map", `[qcrop${k}]`, "-frames:v", "1", "-f", "rawvideo", crop);
  if (tail) args.push("-map", "[qtail]", "-f", "f32le", tail);
  return {
    args,
    graph: chains.join(";\n"),
    graphPath,
    files: [],
    duration_s: tl.total,
    crops,
    ...(tail ? { tail } : {}),
  };
}

/** Runs the QC pass over `file` and reads what it wrote. */
export async function measureFile(
  file: string,
  tl: Timeline,
  boxes: OverlayBox[],
  hasAudio: boolean,
  dir: string,
  opts: RunOptions = {},
): Promise<QcMeasure> {
  const plan = planQcPass(file, tl, boxes, hasAudio, dir);
  const { stderr } = await runPlan(plan, opts);
  const contrast = await Promise.all(
    boxes.map(async (b, k): Promise<OverlayContrast> => {
      const l = b.layout;
      const rgb = await readFile(plan.crops[k]!).catch(() => Buffer.alloc(0));
      const measured =
        rgb.length === l.width * l.height * 3
          ? measureContrast(rgb, l.width, l.height, l.textColour, l.borderWidth + 2)
          : undefined;
      return { scene: b.scene, t: b.t, measured };
    }),
  );
  let tail: TailMeasure | undefined;
  if (plan.tail) {
    const raw = await readFile(plan.tail).catch(() => Buffer.alloc(0));
    const samples = new Float32Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 4));
    tail = measureTail(samples, TAIL_RATE, Math.max(0, tl.total - REACH_WINDOW_S), tl.total);
  }
  return {
    info: await describeFromLog(file, stderr),
    frames: parseFrameCount(stderr),
    black: parseBlackdetect(stderr, tl.total),
    frozen: parseFreezedetect(stderr, tl.total),
    loudness: hasAudio
      ? (parseEbur128Summary(stderr) ?? {
          integrated_lufs: Number.NEGATIVE_INFINITY,
          true_peak_dbtp: Number.NEGATIVE_INFINITY,
        })
      : undefined,
    tail,
    contrast,
  };
}

/** Aim of the loudness fix's true peak under the ceiling (AAC adds a little inter-sample peak). */
const PEAK_MARGIN_DB = 0.5;

/** What the loudness fix did. */
export interface LoudnessFix {
  gain_db: number;
  /** True when the gain alone would have pushed the peak over the ceiling: a limiter followed it. */
  limited: boolean;
  after: LoudnessSummary;
}

/**
 * Corrects a finished file's loudness: the audio re-encoded through `volume` (the gap to the target)
 * and, when that gain would lift the true peak over the ceiling, a look-ahead limiter (`alimiter`,
 * delay compensated) 1 dB under it; the video is copied (`-c:v copy`), the container settings are
 * the composition's. Then the new file is measured (ebur128 on the file, a second launch). Limiting
 * takes some loudness with the peaks: when it took more than 0.5 LU the gain is raised by what was
 * lost and the fix runs once more.
 */
export async function fixLoudness(
  file: string,
  out: string,
  format: ContainerFormat,
  measured: LoudnessSummary,
  target: { lufs: number; peak_db: number },
  opts: RunOptions = {},
): Promise<LoudnessFix> {
  let gain = target.lufs - measured.integrated_lufs;
  const limited = measured.true_peak_dbtp + gain > target.peak_db - PEAK_MARGIN_DB;
  let after: LoudnessSummary | undefined;
  for (let attempt = 0; attempt < (limited ? 2 : 1); attempt++) {
    if (after) gain += target.lufs - after.integrated_lufs;
    const filters = [`volume=${num(gain, 2)}dB`];
    if (limited)
      filters.push(`alimiter=limit=${num(10 ** ((target.peak_db - 1) / 20))}:level=false:latency=1`);
    await runFfmpeg(
      [
        ...QUIET_ARGS,
        ...inputGuard(),
        "-i",
        file,
        ...["-map", "0:v:0?", "-map", "0:a:0", "-c:v", "copy", "-af", filters.join(",")],
        ...audioOutputArgs(format),
        out,
      ],
      opts,
    );
    after = await measureLoudness(out, opts.signal);
    if (Math.abs(after.integrated_lufs - target.lufs) <= 0.5) break;
  }
  return { gain_db: Number(gain.toFixed(2)), limited, after: after! };
}
