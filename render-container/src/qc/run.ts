/**
 * The QC report of a render job, measured on the finished file (never on the plan): one QC pass
 * (`measure.ts`), then the fixes the renderer can make before the result goes out, each re-checked
 * on the new file: an overlay under 4.5:1 is re-rendered with a stronger backing (`backing.ts`; the
 * whole composition runs again, then the QC pass), a loudness or true peak off target is corrected
 * by re-muxing the audio with a gain (the video copied), then measured again. What cannot be fixed
 * (black or frozen pictures, a short audio tail, a wrong duration or format, a box outside the safe
 * zone, a missing fact) is reported as `warn` with the reason.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import type { LoudnessSummary } from "../audio/loudness.ts";
import type { ComposeInputs } from "../compose/inputs.ts";
import type { Timeline } from "../compose/timeline.ts";
import type { MediaInfo, QcCheck, QcReport, RenderJob } from "../contract.ts";
import type { RunOptions } from "../ffmpeg.ts";
import { probeFile } from "../probe.ts";
import {
  audioTailCheck,
  blackFramesCheck,
  contrastCheck,
  copyFactsCheck,
  durationCheck,
  expectsSoundAtEnd,
  failingContrast,
  formatCheck,
  frozenFramesCheck,
  LOUDNESS_TOLERANCE_LU,
  loudnessCheck,
  type OverlayContrast,
  overlayBoxes,
  plannedWindows,
  report,
  safeZoneCheck,
  truePeakCheck,
} from "./checks.ts";
import { fixLoudness, measureFile, type QcMeasure } from "./measure.ts";

/** What the QC needs from the render job runner. */
export interface QcContext {
  job: RenderJob;
  tl: Timeline;
  inputs: ComposeInputs;
  /** Whether the file has an audio stream (a composition always writes one). */
  hasAudio: boolean;
  dir: string;
  ffmpeg: RunOptions;
  /** Renders the ad again, into the same file, with a stronger backing under these scenes' overlays. */
  rerender: (strong: ReadonlySet<number>) => Promise<void>;
  /** Seconds of each step, for the bench and the logs. */
  onTiming?: (step: "measure" | "rerender" | "remeasure" | "loudness_fix", seconds: number) => void;
}

/**
 * The report, the final description of the file (as the QC pass read it), and its loudness as
 * measured on the file (after the fix, when the fix changed it).
 */
export interface QcOutcome {
  qc: QcReport;
  video: MediaInfo;
  loudness?: LoudnessSummary;
  /** True when the loudness fix re-muxed the file: `loudness` is then the new file's. */
  loudnessFixed: boolean;
}

/** The file's description from the QC pass's log, or (if the log had none) from ffprobe. */
const described = (m: QcMeasure, file: string, ctx: QcContext) =>
  m.info ?? probeFile(file, { kind: "video", ...(ctx.ffmpeg.signal ? { signal: ctx.ffmpeg.signal } : {}) });

const timed = async <T>(
  ctx: QcContext,
  step: Parameters<NonNullable<QcContext["onTiming"]>>[0],
  f: () => Promise<T>,
) => {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    ctx.onTiming?.(step, (performance.now() - t0) / 1000);
  }
};

/** Measures the finished file, fixes what the renderer can fix, and reports. */
export async function qualityControl(ctx: QcContext): Promise<QcOutcome> {
  const { job, tl, inputs, dir } = ctx;
  const file = inputs.output.video;
  let boxes = overlayBoxes(job, tl);
  // An overlay with nothing drawable (an all-emoji text) has an empty box: no contrast to measure.
  const drawn = () => boxes.filter((b) => b.layout.lines.some((l) => l.trim()));
  let m = await timed(ctx, "measure", () => measureFile(file, tl, drawn(), ctx.hasAudio, dir, ctx.ffmpeg));

  // Contrast: re-render the ad with a stronger backing under the failing overlays, measure again.
  let contrastBefore: OverlayContrast[] | undefined;
  const failing = failingContrast(m.contrast);
  if (failing.length) {
    const strong = new Set(failing);
    await timed(ctx, "rerender", () => ctx.rerender(strong));
    boxes = overlayBoxes(job, tl, strong);
    contrastBefore = m.contrast;
    m = await timed(ctx, "remeasure", () => measureFile(file, tl, drawn(), ctx.hasAudio, dir, ctx.ffmpeg));
  }
  let video = await described(m, file, ctx);

  // Loudness: correct the gain of the audio (video copied) and measure the new file.
  let loudness = loudnessCheck(job, m.loudness?.integrated_lufs);
  let peak = truePeakCheck(job, m.loudness?.true_peak_dbtp);
  let fixedLoudness: LoudnessSummary | undefined;
  const measured = m.loudness;
  if (measured && (loudness.status === "warn" || peak.status === "warn") && measured.integrated_lufs > -70) {
    const fixedPath = join(dir, `qc-fixed.${job.video.format}`);
    const fix = await timed(ctx, "loudness_fix", () =>
      fixLoudness(
        file,
        fixedPath,
        job.video.format,
        measured,
        { lufs: job.audio.target_lufs, peak_db: job.audio.true_peak_db },
        ctx.ffmpeg,
      ),
    );
    const after = fix.after;
    const how = `re-muxed the audio with ${fix.gain_db >= 0 ? "+" : ""}${fix.gain_db} dB${fix.limited ? " and a limiter" : ""} (video copied)`;
    const keep =
      Math.abs(after.integrated_lufs - job.audio.target_lufs) <= LOUDNESS_TOLERANCE_LU &&
      after.true_peak_dbtp <= job.audio.true_peak_db;
    const outcome = keep ? "" : "; still off, the original file is kept";
    if (keep) {
      await rename(fixedPath, file);
      fixedLoudness = after;
      video = await probeFile(file, {
        kind: "video",
        ...(ctx.ffmpeg.signal ? { signal: ctx.ffmpeg.signal } : {}),
      });
    }
    if (loudness.status === "warn")
      loudness = {
        check: "loudness",
        status: keep ? "fixed" : "warn",
        detail: `integrated ${measured.integrated_lufs.toFixed(1)} LUFS on the file, target ${job.audio.target_lufs} ±${LOUDNESS_TOLERANCE_LU}: ${how}, re-measured ${after.integrated_lufs.toFixed(1)} LUFS${outcome}`,
        value: Number((keep ? after : measured).integrated_lufs.toFixed(1)),
      };
    if (peak.status === "warn")
      peak = {
        check: "true_peak",
        status: keep ? "fixed" : "warn",
        detail: `true peak ${measured.true_peak_dbtp.toFixed(1)} dBTP on the file, ceiling ${job.audio.true_peak_db}: ${how}, re-measured ${after.true_peak_dbtp.toFixed(1)} dBTP${outcome}`,
        value: Number((keep ? after : measured).true_peak_dbtp.toFixed(1)),
      };
    else if (keep)
      peak = {
        ...truePeakCheck(job, after.true_peak_dbtp),
        detail: `${truePeakCheck(job, after.true_peak_dbtp).detail} (after the loudness fix)`,
      };
  }

  const windows = plannedWindows(
    job,
    tl,
    inputs.clips.map((c) => c.info.duration_s),
  );
  const lastClipHasAudio = inputs.clips.at(-1)?.info.audio !== undefined;
  const checks: QcCheck[] = [
    loudness,
    peak,
    blackFramesCheck(job, m.black, windows.black),
    frozenFramesCheck(job, m.frozen, windows.frozen, m.black),
    durationCheck(job, tl, m.frames),
    audioTailCheck(job, tl, m.tail, expectsSoundAtEnd(job, lastClipHasAudio)),
    formatCheck(job, video),
    safeZoneCheck(job, boxes),
    contrastCheck(m.contrast, contrastBefore),
    copyFactsCheck(job),
  ];
  const loudnessOfFile = fixedLoudness ?? m.loudness;
  return {
    qc: report(checks),
    video,
    ...(loudnessOfFile ? { loudness: loudnessOfFile } : {}),
    loudnessFixed: fixedLoudness !== undefined,
  };
}
