/**
 * The QC report's checks, pure: what the job planned (fade, crossfade, hold and end-card windows,
 * overlay boxes and their frames), the parsers of ffmpeg's detector logs, the contrast of a text
 * box measured on its pixels, and one function per check from measured figures to a {@link QcCheck}.
 * The measurements themselves are taken by `measure.ts`; `render.ts` runs them and the fixes.
 */
import { contrastRatio, luminance, parseHex, type Rgb } from "../colour.ts";
import { endCardStart } from "../compose/logo.ts";
import { layoutOverlay, type OverlayLayout, safeZone } from "../compose/overlay-layout.ts";
import type { Timeline } from "../compose/timeline.ts";
import { frameAt, sceneTime } from "../compose/video-graph.ts";
import type { MediaInfo, QcCheck, QcReport, RenderJob } from "../contract.ts";
import { QC_CHECKS } from "../contract.ts";
import { QC_MIN_CONTRAST, strongBacking } from "./backing.ts";

/** A stretch of the output, in seconds. */
export interface Span {
  start: number;
  end: number;
}

/** Loudness limits: the job's target ±1 LU, and its true-peak ceiling. */
export const LOUDNESS_TOLERANCE_LU = 1;
/** The audio tail window: the last half second of the planned ad. */
export const TAIL_WINDOW_S = 0.5;
/** How far back the QC pass keeps the audio's samples, to tell where a short audio stream ends. */
export const REACH_WINDOW_S = 3;
/**
 * Below this RMS (dBFS) the tail window counts as silent. A music bed normalised to -14 LUFS sits
 * near -17 dBFS RMS; its linear fade-out (up to 5 s long) leaves the last 0.5 s 11 to 25 dB lower,
 * so down to about -45 dBFS. Digital silence and AAC's rounding of it are below -90.
 */
export const TAIL_SILENCE_DBFS = -60;

const round = (n: number, d = 2) => Number(n.toFixed(d));

/** An overlay as laid out, and the frame (output) at which it is fully shown. */
export interface OverlayBox {
  scene: number;
  layout: OverlayLayout;
  frame: number;
  t: number;
}

/** The overlay boxes of a job as laid out (`strong`: scenes that got the contrast fix). */
export function overlayBoxes(
  job: RenderJob,
  tl: Timeline,
  strong: ReadonlySet<number> = new Set(),
): OverlayBox[] {
  const { width: W, height: H, fps } = job.video;
  const out: OverlayBox[] = [];
  const cardAt = endCardStart(job, tl);
  job.scenes.forEach((scene, i) => {
    if (!scene.overlay) return;
    const laid = layoutOverlay(scene.overlay, W, H, job.brand.style);
    const t = sceneTime(job, tl, i);
    // A last scene whose own overlay is never on screen outside the crossfade: the end card shows it.
    if (cardAt !== undefined && i === job.scenes.length - 1 && t >= cardAt) return;
    out.push({ scene: i, layout: strong.has(i) ? strongBacking(laid) : laid, frame: frameAt(t, fps), t });
  });
  return out;
}

/**
 * Where black and frozen pictures are planned. Black: the fade-in, the fade-out, and every
 * crossfade window (a blend of two dark frames may read black). Frozen: a clip shorter than its
 * scene holds its last frame to the scene's end (`clipDurations[i]`), and the end card.
 */
export function plannedWindows(
  job: RenderJob,
  tl: Timeline,
  clipDurations: (number | undefined)[] = [],
): { black: Span[]; frozen: Span[] } {
  const black: Span[] = [];
  if (job.fade_in_s > 0) black.push({ start: 0, end: job.fade_in_s });
  if (job.fade_out_s > 0) black.push({ start: tl.total - job.fade_out_s, end: tl.total });
  if (tl.transition > 0)
    for (let i = 1; i < job.scenes.length; i++)
      black.push({ start: tl.starts[i]!, end: tl.starts[i]! + tl.transition });
  const frozen: Span[] = [];
  job.scenes.forEach((scene, i) => {
    const clip = clipDurations[i];
    if (clip !== undefined && clip < scene.duration_s)
      frozen.push({ start: tl.starts[i]! + clip, end: tl.starts[i]! + scene.duration_s });
  });
  const cardAt = endCardStart(job, tl);
  if (cardAt !== undefined) frozen.push({ start: cardAt, end: tl.total });
  return { black, frozen };
}

/** Seconds of `spans` outside every `allowed` window widened by `tolerance` on both sides. */
export function unplannedSeconds(spans: Span[], allowed: Span[], tolerance: number): number {
  const widened = allowed
    .map((a) => ({ start: a.start - tolerance, end: a.end + tolerance }))
    .sort((a, b) => a.start - b.start);
  let outside = 0;
  for (const s of spans) {
    let covered = 0;
    let cursor = s.start;
    for (const a of widened) {
      const from = Math.max(cursor, a.start);
      const to = Math.min(s.end, a.end);
      if (to > from) {
        covered += to - from;
        cursor = to;
      }
    }
    outside += Math.max(0, s.end - s.start - covered);
  }
  return outside;
}

/** `black_start:1 black_end:2.04 black_duration:1.04` lines of `blackdetect`. */
export function parseBlackdetect(stderr: string, total: number): Span[] {
  const spans: Span[] = [];
  for (const m of stderr.matchAll(/black_start:\s*(-?[\d.]+)(?:\s+black_end:\s*([\d.]+))?/g)) {
    spans.push({ start: Number(m[1]), end: m[2] === undefined ? total : Number(m[2]) });
  }
  return spans;
}

/**
 * `lavfi.freezedetect.freeze_start: 1` ... `freeze_end: 2.04` lines of `freezedetect`; a freeze that
 * lasts to the end of the file has no end line.
 */
export function parseFreezedetect(stderr: string, total: number): Span[] {
  const spans: Span[] = [];
  for (const m of stderr.matchAll(/freezedetect\.freeze_(start|end):\s*(-?[\d.]+)/g)) {
    if (m[1] === "start") spans.push({ start: Number(m[2]), end: total });
    else if (spans.length) spans[spans.length - 1]!.end = Number(m[2]);
  }
  return spans;
}

/** Frames the QC pass decoded: the last `frame=` of ffmpeg's stats (its first output, passthrough). */
export function parseFrameCount(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return all.length ? Number(all.at(-1)![1]) : undefined;
}

/** Level and reach of the audio in the tail window, from its mono float samples. */
export interface TailMeasure {
  /** RMS of the window in dBFS (missing samples count as silence); -Infinity for none. */
  rms_dbfs: number;
  /** Where the audio ends (output seconds), as far as the window can tell. */
  end_s: number;
}

/**
 * Measures the tail from the audio's last seconds (`f32le` mono at `rate` from `from` to `total`):
 * the RMS of the last {@link TAIL_WINDOW_S} (missing samples count as silence), and where the audio
 * ends (exact when it ends after `from`, otherwise "at or before `from`").
 */
export function measureTail(samples: Float32Array, rate: number, from: number, total: number): TailMeasure {
  const windowStart = Math.max(from, total - TAIL_WINDOW_S);
  const first = Math.round((windowStart - from) * rate);
  let sum = 0;
  for (let k = first; k < samples.length; k++) sum += samples[k]! * samples[k]!;
  const expected = Math.round((total - windowStart) * rate);
  const rms = Math.sqrt(sum / Math.max(1, expected));
  return {
    rms_dbfs: rms > 0 ? 20 * Math.log10(rms) : Number.NEGATIVE_INFINITY,
    end_s: from + samples.length / rate,
  };
}

/** The contrast of a text box as measured on its rendered pixels. */
export interface ContrastMeasure {
  /** WCAG ratio of the text colour against the background (see {@link measureContrast}). */
  ratio: number;
  /** The background's relative luminance used (the worst percentile). */
  background_luminance: number;
  text_pixels: number;
  background_pixels: number;
}

/**
 * The contrast of a rendered text box (`rgb`: packed RGB, `w`x`h`, the box's crop of the frame).
 * Text pixels are those within 48 levels (every channel) of the text colour. The background is the
 * box's pixels farther than `halo` pixels (the outline, the shadow and the anti-aliasing) from any
 * text pixel: the picture the eye reads the letters against, behind the translucent box. The
 * worst-case background is its 90th luminance percentile for text lighter than the background's
 * median (its 10th for darker text), so a bright patch covering a tenth of the box is enough to
 * fail. The ratio is WCAG's, between the text colour's relative luminance and that percentile.
 * Undefined when the text is not found (under 0.2 % of the box) or nothing is left as background.
 */
export function measureContrast(
  rgb: Uint8Array,
  w: number,
  h: number,
  textColour: string,
  halo: number,
): ContrastMeasure | undefined {
  const text = parseHex(textColour);
  const n = w * h;
  const isText = new Uint8Array(n);
  let textCount = 0;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    if (
      Math.abs(rgb[i]! - text[0]) <= 48 &&
      Math.abs(rgb[i + 1]! - text[1]) <= 48 &&
      Math.abs(rgb[i + 2]! - text[2]) <= 48
    ) {
      isText[p] = 1;
      textCount++;
    }
  }
  if (textCount < Math.max(4, n * 0.002)) return undefined;
  const near = dilate(isText, w, h, halo);
  const lin = new Float64Array(256);
  for (let v = 0; v < 256; v++) lin[v] = luminance([v, 0, 0]) / 0.2126;
  const lums: number[] = [];
  for (let p = 0; p < n; p++) {
    if (near[p]) continue;
    const i = p * 3;
    lums.push(0.2126 * lin[rgb[i]!]! + 0.7152 * lin[rgb[i + 1]!]! + 0.0722 * lin[rgb[i + 2]!]!);
  }
  if (lums.length < Math.max(4, n * 0.01)) return undefined;
  lums.sort((a, b) => a - b);
  const at = (q: number) => lums[Math.min(lums.length - 1, Math.floor(q * lums.length))]!;
  const lt = luminance(text);
  const bg = lt > at(0.5) ? at(0.9) : at(0.1);
  return {
    ratio: (Math.max(lt, bg) + 0.05) / (Math.min(lt, bg) + 0.05),
    background_luminance: bg,
    text_pixels: textCount,
    background_pixels: lums.length,
  };
}

/** A square (Chebyshev) dilation of a mask by `r` pixels, separable. */
function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    let last = -Infinity;
    // Left to right then right to left: distance to the nearest set pixel in the row.
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) last = x;
      if (x - last <= r) rows[y * w + x] = 1;
    }
    last = Infinity;
    for (let x = w - 1; x >= 0; x--) {
      if (mask[y * w + x]) last = x;
      if (last - x <= r) rows[y * w + x] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) {
      if (rows[y * w + x]) last = y;
      if (y - last <= r) out[y * w + x] = 1;
    }
    last = Infinity;
    for (let y = h - 1; y >= 0; y--) {
      if (rows[y * w + x]) last = y;
      if (last - y <= r) out[y * w + x] = 1;
    }
  }
  return out;
}

/** WCAG contrast of two colours (re-exported for the report's tests). */
export const wcagRatio = (a: Rgb, b: Rgb): number => contrastRatio(a, b);

/** Case- and accent-insensitive form: NFD, combining marks stripped, lower case, spaces collapsed. */
export function foldText(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase("und").replace(/\s+/g, " ").trim();
}

/** The facts that appear in none of the overlay texts. */
export function missingFacts(facts: string[], texts: string[]): string[] {
  const folded = texts.map(foldText);
  return facts.filter((f) => !folded.some((t) => t.includes(foldText(f))));
}

// ---- one function per check -------------------------------------------------------------

/** Integrated loudness of the file against the job's target ±1 LU. */
export function loudnessCheck(job: RenderJob, integrated: number | undefined): QcCheck {
  const target = job.audio.target_lufs;
  if (integrated === undefined)
    return { check: "loudness", status: "warn", detail: "the file has no audio stream" };
  if (!Number.isFinite(integrated) || integrated <= -70)
    return {
      check: "loudness",
      status: "warn",
      detail: "the mix is silent (no music, no clip sound, no whoosh): nothing to normalise",
      value: -70,
    };
  const ok = Math.abs(integrated - target) <= LOUDNESS_TOLERANCE_LU;
  return {
    check: "loudness",
    status: ok ? "pass" : "warn",
    detail: `integrated ${round(integrated, 1)} LUFS measured on the file (ebur128), target ${target} ±${LOUDNESS_TOLERANCE_LU}`,
    value: round(integrated, 1),
  };
}

/** True peak of the file against the job's ceiling. */
export function truePeakCheck(job: RenderJob, peak: number | undefined): QcCheck {
  const ceiling = job.audio.true_peak_db;
  if (peak === undefined)
    return { check: "true_peak", status: "warn", detail: "the file has no audio stream" };
  const ok = peak <= ceiling;
  return {
    check: "true_peak",
    status: ok ? "pass" : "warn",
    detail: `true peak ${Number.isFinite(peak) ? round(peak, 1) : "-inf"} dBTP measured on the file (ebur128 peak=true), ceiling ${ceiling}`,
    ...(Number.isFinite(peak) ? { value: round(peak, 1) } : {}),
  };
}

/** Black pictures outside the planned fades and crossfades. */
export function blackFramesCheck(job: RenderJob, spans: Span[], allowed: Span[]): QcCheck {
  const fps = job.video.fps;
  const outside = unplannedSeconds(spans, allowed, 1 / fps);
  const ok = outside <= 1 / fps;
  const where = spans.map((s) => `${round(s.start)}-${round(s.end)} s`).join(", ");
  return {
    check: "black_frames",
    status: ok ? "pass" : "warn",
    detail: ok
      ? `no black picture outside the planned fades and crossfades${where ? ` (black at ${where}, all planned)` : ""}`
      : `${round(outside)} s of black picture outside the planned fades and crossfades (black at ${where})`,
    value: round(outside),
  };
}

/**
 * Frozen pictures (0.5 s or longer) outside the planned holds and the end card. A black stretch is
 * frozen too: it is reported once, by the black check (`black`: the black spans found).
 */
export function frozenFramesCheck(
  job: RenderJob,
  spans: Span[],
  allowed: Span[],
  black: Span[] = [],
): QcCheck {
  const fps = job.video.fps;
  const outside = unplannedSeconds(spans, [...allowed, ...black], 2 / fps);
  const ok = outside <= 1 / fps;
  const where = spans.map((s) => `${round(s.start)}-${round(s.end)} s`).join(", ");
  return {
    check: "frozen_frames",
    status: ok ? "pass" : "warn",
    detail: ok
      ? `no unplanned still picture of 0.5 s or more${where ? ` (still at ${where}, planned)` : ""}`
      : `${round(outside)} s of picture frozen for 0.5 s or more where the job planned motion (still at ${where})`,
    value: round(outside),
  };
}

/** The video stream's length (decoded frames) against the plan, within one frame. */
export function durationCheck(job: RenderJob, tl: Timeline, frames: number | undefined): QcCheck {
  const fps = job.video.fps;
  if (frames === undefined)
    return { check: "duration", status: "warn", detail: "the QC pass could not count the video frames" };
  const seconds = frames / fps;
  const ok = Math.abs(seconds - tl.total) <= 1 / fps + 1e-6;
  return {
    check: "duration",
    status: ok ? "pass" : "warn",
    detail: `${frames} frames = ${round(seconds, 3)} s against ${round(tl.total, 3)} s planned (tolerance one frame)`,
    value: round(seconds, 3),
  };
}

/** Whether the mix is meant to sound in its last half second (music bed or the last clip's sound). */
export function expectsSoundAtEnd(job: RenderJob, lastClipHasAudio: boolean): boolean {
  const music = job.audio.music !== undefined && job.audio.music_volume > 0;
  return music || (job.audio.clip_volume > 0 && lastClipHasAudio);
}

/**
 * Audio to the end: the audio stream reaches the planned end (within one frame), and when the mix is
 * meant to sound there (music, or the last clip's sound), the last 0.5 s is above -60 dBFS RMS
 * (see {@link TAIL_SILENCE_DBFS}: the music's fade-out is far above it, silence far below).
 */
export function audioTailCheck(
  job: RenderJob,
  tl: Timeline,
  tail: TailMeasure | undefined,
  expectSound: boolean,
): QcCheck {
  if (!tail) return { check: "audio_tail", status: "warn", detail: "the file has no audio stream" };
  const short = tl.total - tail.end_s > 1 / job.video.fps;
  const level = Number.isFinite(tail.rms_dbfs) ? `${round(tail.rms_dbfs, 1)} dBFS` : "silence";
  if (short) {
    const reach = tl.total - REACH_WINDOW_S;
    const at =
      tail.end_s > reach + 1e-6 ? `at ${round(tail.end_s)} s` : `${round(Math.max(0, reach))} s or earlier`;
    return {
      check: "audio_tail",
      status: "warn",
      detail: `the audio ends ${at}, ${round(tl.total - tail.end_s)} s or more before the picture (${round(tl.total)} s)`,
      value: round(tail.end_s),
    };
  }
  if (expectSound && !(tail.rms_dbfs > TAIL_SILENCE_DBFS))
    return {
      check: "audio_tail",
      status: "warn",
      detail: `the last ${TAIL_WINDOW_S} s is silent (${level} RMS, limit ${TAIL_SILENCE_DBFS} dBFS) though the music should fade out there`,
      value: Number.isFinite(tail.rms_dbfs) ? round(tail.rms_dbfs, 1) : -120,
    };
  return {
    check: "audio_tail",
    status: "pass",
    detail: expectSound
      ? `audio to the end: the last ${TAIL_WINDOW_S} s at ${level} RMS (limit ${TAIL_SILENCE_DBFS} dBFS)`
      : `audio stream to the end (the mix has no bed under the last ${TAIL_WINDOW_S} s: ${level})`,
    ...(Number.isFinite(tail.rms_dbfs) ? { value: round(tail.rms_dbfs, 1) } : {}),
  };
}

/** Container, codecs, size, rate and pixel format against the job's video settings. */
export function formatCheck(job: RenderJob, info: MediaInfo): QcCheck {
  const { width, height, fps, format } = job.video;
  const [vcodec, acodec, container] =
    format === "webm" ? ["vp9", "opus", "webm"] : ["h264", "aac", format === "mov" ? "mov" : "mp4"];
  const problems: string[] = [];
  if (!info.format.split(",").includes(container))
    problems.push(`container ${info.format}, not ${container}`);
  const v = info.video;
  if (!v) problems.push("no video stream");
  else {
    if (v.codec !== vcodec) problems.push(`video codec ${v.codec}, not ${vcodec}`);
    if (v.width !== width || v.height !== height)
      problems.push(`size ${v.width}x${v.height}, not ${width}x${height}`);
    if (Math.abs(v.fps - fps) > 0.01) problems.push(`${v.fps} fps, not ${fps}`);
    if (v.pix_fmt !== "yuv420p") problems.push(`pixel format ${v.pix_fmt}, not yuv420p`);
  }
  if (!info.audio) problems.push("no audio stream");
  else {
    if (info.audio.codec !== acodec) problems.push(`audio codec ${info.audio.codec}, not ${acodec}`);
    if (info.audio.sample_rate !== 48000 || info.audio.channels !== 2)
      problems.push(`audio ${info.audio.sample_rate} Hz ${info.audio.channels} ch, not 48000 Hz stereo`);
  }
  if (format !== "webm" && info.faststart === false) problems.push("moov atom after mdat (no faststart)");
  return {
    check: "format",
    status: problems.length ? "warn" : "pass",
    detail: problems.length
      ? problems.join("; ")
      : `${container}: ${vcodec} ${width}x${height} ${fps} fps yuv420p, ${acodec} 48000 Hz stereo`,
  };
}

/** Every overlay box inside the safe zone. */
export function safeZoneCheck(job: RenderJob, boxes: { scene: number; layout: OverlayLayout }[]): QcCheck {
  const zone = safeZone(job.video.width, job.video.height);
  const outside = boxes.filter(
    ({ layout: l }) =>
      l.x < zone.left || l.x + l.width > zone.right || l.y < zone.top || l.y + l.height > zone.bottom,
  );
  return {
    check: "safe_zone",
    status: outside.length ? "warn" : "pass",
    detail: boxes.length
      ? outside.length
        ? `overlay of scene ${outside.map((b) => b.scene + 1).join(", ")} reaches outside the safe zone`
        : `${boxes.length} overlay box${boxes.length > 1 ? "es" : ""} inside the safe zone`
      : "no overlay",
    value: outside.length,
  };
}

/** One overlay's contrast as measured (undefined: the text was not found in its box). */
export interface OverlayContrast {
  scene: number;
  t: number;
  measured: ContrastMeasure | undefined;
}

/** Scenes whose overlay measured under the limit (a text not found is not: a backing cannot help). */
export function failingContrast(results: OverlayContrast[]): number[] {
  return results.filter((r) => r.measured && r.measured.ratio < QC_MIN_CONTRAST).map((r) => r.scene);
}

/**
 * Every overlay's text at least 4.5:1 against the pixels behind it on the rendered frame; `before`:
 * the first measurement when the scenes in `fixed` were re-rendered with a stronger backing.
 */
export function contrastCheck(results: OverlayContrast[], before?: OverlayContrast[]): QcCheck {
  if (!results.length) return { check: "contrast", status: "pass", detail: "no overlay" };
  const fmt = (r: OverlayContrast) =>
    `scene ${r.scene + 1} ${r.measured ? `${round(r.measured.ratio, 1)}:1` : "text not found"} at ${round(r.t)} s`;
  const worst = Math.min(...results.map((r) => r.measured?.ratio ?? 0));
  const failing = results.filter((r) => !r.measured || r.measured.ratio < QC_MIN_CONTRAST);
  const value = round(worst, 2);
  if (before) {
    const was = before.filter((r) => failingContrast([r]).length);
    return {
      check: "contrast",
      status: failing.length ? "warn" : "fixed",
      detail:
        `under ${QC_MIN_CONTRAST}:1 at first (${was.map(fmt).join(", ")}); re-rendered with a stronger backing: ` +
        `${results
          .filter((r) => was.some((w) => w.scene === r.scene))
          .map(fmt)
          .join(", ")}` +
        (failing.length ? `; still under ${QC_MIN_CONTRAST}:1` : ""),
      value,
    };
  }
  return {
    check: "contrast",
    status: failing.length ? "warn" : "pass",
    detail: `text against the pixels behind it (90th percentile), limit ${QC_MIN_CONTRAST}:1: ${results.map(fmt).join(", ")}`,
    value,
  };
}

/** Each of `job.qc.facts` in at least one overlay. */
export function copyFactsCheck(job: RenderJob): QcCheck {
  const facts = job.qc.facts;
  const texts = job.scenes.flatMap((s) => (s.overlay ? [s.overlay.text] : []));
  const missing = missingFacts(facts, texts);
  return {
    check: "copy_facts",
    status: missing.length ? "warn" : "pass",
    detail: facts.length
      ? missing.length
        ? `not in any overlay: ${missing.map((f) => `"${f}"`).join(", ")}`
        : `all ${facts.length} fact${facts.length > 1 ? "s" : ""} appear in the overlays`
      : "no facts to check",
    value: missing.length,
  };
}

/** The report: the checks in the contract's order; `warn` when any check warns. */
export function report(checks: QcCheck[]): QcReport {
  const ordered = [...checks].sort((a, b) => QC_CHECKS.indexOf(a.check) - QC_CHECKS.indexOf(b.check));
  return { status: ordered.some((c) => c.status === "warn") ? "warn" : "pass", checks: ordered };
}
