/**
 * The composition planner: pure functions from a validated job, its timeline and the probed local
 * inputs to the ffmpeg arguments and the filter graph text of ONE invocation (video, overlays,
 * transitions, fades, grade, audio mix, loudness, thumbnail), plus the cheap audio-only analysis
 * pass before it. No I/O here; `render.ts` runs the plans.
 */
import type { LoudnessMeasure } from "../audio/loudness.ts";
import type { RenderJob } from "../contract.ts";
import { assertPlainPath, type FfmpegPlan, num, outputArgs, PROGRESS_ARGS } from "../ffmpeg.ts";
import { audioGraph, loudnessFilter, MIX_METER } from "./audio-graph.ts";
import { type ComposeInputs, inputArgs, inputLayout, mixesClipSound } from "./inputs.ts";
import type { Timeline } from "./timeline.ts";
import { videoGraph } from "./video-graph.ts";

/**
 * The cheap first pass: the same audio mix, measured by `loudnorm`, no video decoded or encoded.
 * It opens a clip only to mix its sound, so with `clip_volume` 0 it needs no clip information and
 * `inputs.clips` may be empty: the caller then runs it alongside the clip probes.
 */
export function planLoudnessAnalysis(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  graphPath: string,
): FfmpegPlan {
  const loudness = job.audio;
  if (mixesClipSound(job) && inputs.clips.length !== job.scenes.length) {
    throw new Error("the loudness analysis mixes the clips' sound: it needs every probed clip");
  }
  const layout = inputLayout(job, inputs, true);
  const graph = audioGraph(
    job,
    tl,
    inputs,
    layout,
    `loudnorm=I=${loudness.target_lufs}:TP=${loudness.true_peak_db}:LRA=11:print_format=json`,
  ).join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(tl, inputs, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    "-map",
    "[aout]",
    "-f",
    "null",
    "-",
  ];
  return { args, graph, graphPath, files: [], duration_s: tl.total };
}

/**
 * The composition: one ffmpeg invocation producing the MP4 (and the thumbnail and the scene posters
 * from the same pass). `strong`: scenes whose overlay gets a stronger backing (the QC's contrast fix).
 */
export function planCompose(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  graphPath: string,
  loudness: LoudnessMeasure | undefined,
  strong?: ReadonlySet<number>,
): FfmpegPlan {
  const { fps, preset, crf } = job.video;
  const withThumb = inputs.output.thumbnail !== undefined;
  const layout = inputLayout(job, inputs, false);
  const video = videoGraph(job, tl, inputs, withThumb, layout.logo, strong);
  // The meter comes last, so it measures exactly the mix handed to the AAC encoder.
  const tail = [loudnessFilter(job, loudness), MIX_METER].filter(Boolean).join(",");
  const audio = audioGraph(job, tl, inputs, layout, tail);
  const graph = [...video.chains, ...audio].join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(tl, inputs, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...["-map", "[vout]", "-map", "[aout]"],
    ...outputArgs(job.video.format, { preset, crf, fps, maxKbps: job.video.max_kbps }),
    ...["-t", num(tl.total), inputs.output.video],
  ];
  if (inputs.output.thumbnail) {
    args.push("-map", "[thumb]", "-frames:v", "1", "-update", "1", "-q:v", "3", inputs.output.thumbnail);
  }
  inputs.output.posters?.forEach((poster, i) => {
    args.push("-map", `[poster${i}]`, "-frames:v", "1", "-update", "1", "-q:v", "3", poster);
  });
  return { args, graph, graphPath, files: video.files, duration_s: tl.total };
}
