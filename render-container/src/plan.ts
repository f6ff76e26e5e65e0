/**
 * The composition planner: a pure function from a validated job plus probed local inputs to the
 * ffmpeg arguments and the filter graph text of ONE invocation (video, overlays, transitions, fades,
 * grade, audio mix, loudness, thumbnail). No I/O here; `render.ts` writes the files and runs it.
 */

import {
  audioGraph,
  type InputLayout,
  inputLayout,
  type LoudnessMeasure,
  loudnessFilter,
  MIX_METER,
  mixesClipSound,
} from "./audio-graph.ts";
import type { MediaInfo, RenderJob } from "./contract.ts";
import { crossfadeChains } from "./crossfade.ts";
import { PROGRESS_ARGS } from "./ffmpeg.ts";
import { gradeFilters } from "./grade.ts";
import { layoutOverlay, type OverlayLayout } from "./overlay-layout.ts";
import { num, timeline } from "./timeline.ts";

export type { LoudnessMeasure } from "./audio-graph.ts";
export { timeline } from "./timeline.ts";

/** Demuxers ffmpeg may use on user inputs: no playlists (hls, dash), no concat lists, no network. */
export const INPUT_FORMATS =
  "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,mp3,wav,flac,ogg,aac,image2,png_pipe,jpeg_pipe,webp_pipe";
/** Input options put before every `-i` of user data. */
export function inputGuard(): string[] {
  return ["-protocol_whitelist", "file", "-format_whitelist", INPUT_FORMATS];
}

/** Local, probed inputs of a composition. */
export interface ComposeInputs {
  clips: { path: string; info: MediaInfo }[];
  music?: { path: string; duration_s: number };
  whoosh?: { path: string; peak_s: number };
  /** Directory for the text files of the overlays; must be a plain path (see {@link assertPlainPath}). */
  workDir: string;
  output: { video: string; thumbnail?: string };
}

/** A file the caller writes before running ffmpeg. */
export interface PlanFile {
  path: string;
  content: string;
}

/** Everything needed to run one ffmpeg invocation. */
export interface FfmpegPlan {
  args: string[];
  graph: string;
  files: PlanFile[];
  duration_s: number;
}

/** Paths inside a filter graph must not need escaping; ours are generated, so insist on it. */
export function assertPlainPath(p: string): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(p)) throw new Error(`path not safe for a filter graph: ${p}`);
  return p;
}

/** Time (output seconds) of the thumbnail: the first scene with its overlay fully shown. */
export function thumbnailTime(job: RenderJob): number {
  const { total, transition } = timeline(job);
  if (job.thumbnail_time_s !== undefined) return Math.min(job.thumbnail_time_s, total - 1 / job.video.fps);
  const first = job.scenes[0]!;
  const end = first.duration_s - transition;
  const wanted =
    first.overlay && first.overlay.animation !== "none" ? overlayStart(job) + 0.7 : first.duration_s / 2;
  return Math.max(job.fade_in_s + 0.1, Math.min(wanted, end - 0.05));
}

function overlayStart(job: RenderJob): number {
  return Math.max(0.2, job.fade_in_s);
}

function overlayFilters(
  i: number,
  job: RenderJob,
  layout: OverlayLayout,
  workDir: string,
  animation: string,
): { chains: string[]; files: PlanFile[]; apply: string } {
  const { fps, height } = job.video;
  const d = job.scenes[i]!.duration_s;
  const files: PlanFile[] = [];
  const draw: string[] = [];
  layout.lines.forEach((line, k) => {
    const file = assertPlainPath(`${workDir}/overlay-${i}-${k}.txt`);
    files.push({ path: file, content: line });
    const baseline = layout.pad + k * layout.lineHeight + Math.round(layout.lineHeight * 0.74);
    draw.push(
      `drawtext=fontfile=${assertPlainPath(layout.face.file)}:textfile=${file}:expansion=none:fontsize=${layout.fontSize}` +
        `:fontcolor=${layout.textColour}:borderw=${layout.borderWidth}:bordercolor=${layout.borderColour}@0.7` +
        `:shadowx=${Math.max(1, layout.borderWidth)}:shadowy=${Math.max(1, layout.borderWidth)}:shadowcolor=black@0.35` +
        `:x=(w-text_w)/2:y=${baseline}-ascent`,
    );
  });
  const t0 = overlayStart(job);
  const layer = [
    // The layer's own colour is the box; drawbox would not write the alpha plane.
    `color=c=${layout.boxColour}@${layout.boxAlpha}:s=${layout.width}x${layout.height}:r=${fps}:d=${num(1 / fps)}`,
    "format=rgba",
    ...draw,
    // Text is static: draw it (outline stroking is the costly part) once, then repeat that frame.
    // Convert once to the overlay's native yuva420p, or `overlay` would convert every frame.
    `format=yuva420p,loop=loop=-1:size=1,setpts=N/${fps}/TB,trim=duration=${num(d)}`,
  ];
  if (animation !== "none") layer.push(`fade=t=in:st=${num(t0)}:d=0.5:alpha=1`);
  const slide = Math.round(height * 0.035);
  const y =
    animation === "slide_up"
      ? `'${layout.y}+${slide}*pow(1-min(1,max(0,(t-${num(t0)})/0.5)),2)'`
      : `${layout.y}`;
  return {
    chains: [`${layer.join(",")}[ov${i}]`],
    files,
    apply: `[ov${i}]overlay=x=${layout.x}:y=${y}:eval=frame:format=yuv420`,
  };
}

/** The video part of the graph: one chain per scene, the transitions, grade, fades and the thumbnail tap. */
function videoGraph(
  job: RenderJob,
  inputs: ComposeInputs,
  withThumb: boolean,
): { chains: string[]; files: PlanFile[] } {
  const { width: W, height: H, fps } = job.video;
  const { total, transition } = timeline(job);
  const chains: string[] = [];
  const files: PlanFile[] = [];
  job.scenes.forEach((scene, i) => {
    const d = num(scene.duration_s);
    // Normalise any size, rate, pixel format and length: cover-scale and crop, constant rate,
    // hold the last frame when the clip is short, cut when it is long.
    const base =
      `[${i}:v:0]setpts=PTS-STARTPTS,fps=${fps},scale=${W}:${H}:force_original_aspect_ratio=increase:flags=bicubic,` +
      `crop=${W}:${H},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS`;
    if (scene.overlay) {
      const layout = layoutOverlay(scene.overlay, W, H, job.brand.style);
      const o = overlayFilters(i, job, layout, inputs.workDir, scene.overlay.animation);
      chains.push(...o.chains, `${base}[s${i}]`, `[s${i}]${o.apply}[v${i}]`);
      files.push(...o.files);
    } else {
      chains.push(`${base}[v${i}]`);
    }
  });
  let last = "v0";
  if (job.scenes.length > 1 && transition > 0) {
    last = "xv";
    chains.push(
      ...crossfadeChains(
        job.scenes.map((s) => s.duration_s),
        transition,
        job.transition.type,
        fps,
        last,
      ),
    );
  } else if (job.scenes.length > 1) {
    last = "xv";
    chains.push(
      `${job.scenes.map((_, i) => `[v${i}]`).join("")}concat=n=${job.scenes.length}:v=1:a=0[${last}]`,
    );
  }
  const post = [...gradeFilters(job.grade, job.brand.colours[0])];
  if (job.fade_in_s > 0) post.push(`fade=t=in:st=0:d=${num(job.fade_in_s)}`);
  if (job.fade_out_s > 0) post.push(`fade=t=out:st=${num(total - job.fade_out_s)}:d=${num(job.fade_out_s)}`);
  post.push("format=yuv420p");
  if (withThumb) {
    const frame = Math.round(thumbnailTime(job) * fps);
    chains.push(`[${last}]${post.join(",")},split=2[vout][tsrc]`);
    chains.push(`[tsrc]select='eq(n,${frame})'[thumb]`);
  } else {
    chains.push(`[${last}]${post.join(",")}[vout]`);
  }
  return { chains, files };
}

function inputArgs(job: RenderJob, inputs: ComposeInputs, layout: InputLayout): string[] {
  const args: string[] = [];
  inputs.clips.forEach((clip, i) => {
    if (layout.clips[i] === undefined) return;
    // One decoder thread per clip: all clips are open at once, and frame-threaded decoders would
    // each hold a dozen 1080x1920 frames (RSS) and compete with libx264 for the two cores.
    args.push("-threads", "1", ...inputGuard(), "-i", clip.path);
  });
  const { total } = timeline(job);
  if (layout.music !== undefined && inputs.music) {
    // Loop a short track to cover the ad; the graph trims it to the exact length.
    if (inputs.music.duration_s < total) args.push("-stream_loop", "-1");
    args.push(...inputGuard(), "-i", inputs.music.path);
  }
  if (layout.whoosh !== undefined && inputs.whoosh) args.push(...inputGuard(), "-i", inputs.whoosh.path);
  return args;
}

/**
 * The cheap first pass: the same audio mix, measured by `loudnorm`, no video decoded or encoded.
 * It opens a clip only to mix its sound, so with `clip_volume` 0 it needs no clip information and
 * `inputs.clips` may be empty: the caller then runs it alongside the clip probes.
 */
export function planLoudnessAnalysis(job: RenderJob, inputs: ComposeInputs, graphPath: string): FfmpegPlan {
  const { total, loudness } = { total: timeline(job).total, loudness: job.audio };
  if (mixesClipSound(job) && inputs.clips.length !== job.scenes.length) {
    throw new Error("the loudness analysis mixes the clips' sound: it needs every probed clip");
  }
  const layout = inputLayout(job, inputs, true);
  const graph = audioGraph(
    job,
    inputs,
    layout,
    `loudnorm=I=${loudness.target_lufs}:TP=${loudness.true_peak_db}:LRA=11:print_format=json`,
  ).join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(job, inputs, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    "-map",
    "[aout]",
    "-f",
    "null",
    "-",
  ];
  return { args, graph, files: [], duration_s: total };
}

/** The composition: one ffmpeg invocation producing the MP4 (and the thumbnail from the same pass). */
export function planCompose(
  job: RenderJob,
  inputs: ComposeInputs,
  graphPath: string,
  loudness: LoudnessMeasure | undefined,
): FfmpegPlan {
  const { total } = timeline(job);
  const { fps, preset, crf } = job.video;
  const withThumb = inputs.output.thumbnail !== undefined;
  const video = videoGraph(job, inputs, withThumb);
  const layout = inputLayout(job, inputs, false);
  // The meter comes last, so it measures exactly the mix handed to the AAC encoder.
  const tail = [loudnessFilter(job, loudness), MIX_METER].filter(Boolean).join(",");
  const audio = audioGraph(job, inputs, layout, tail);
  const graph = [...video.chains, ...audio].join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(job, inputs, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...["-map", "[vout]", "-map", "[aout]"],
    ...encoderArgs(preset, crf, fps),
    ...["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2"],
    ...["-movflags", "+faststart", "-t", num(total), inputs.output.video],
  ];
  if (inputs.output.thumbnail) {
    args.push("-map", "[thumb]", "-frames:v", "1", "-update", "1", "-q:v", "3", inputs.output.thumbnail);
  }
  return { args, graph, files: video.files, duration_s: total };
}

/** H.264 High yuv420p; CRF with an 8 Mb/s cap keeps a 15 s ad far under 50 MB. Shared with the bench floor. */
export function encoderArgs(preset: string, crf: number, fps: number): string[] {
  return [
    ...["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-pix_fmt", "yuv420p"],
    ...["-crf", String(crf), "-maxrate", "8M", "-bufsize", "16M", "-g", String(fps * 2), "-r", String(fps)],
  ];
}
