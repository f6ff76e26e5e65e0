/**
 * The composition planner: pure functions from a validated job, its timeline and the probed local
 * inputs to the ffmpeg arguments and the filter graph text of ONE invocation (video, overlays,
 * transitions, fades, grade, audio mix, levels, thumbnail), plus the audio-only measurement of the
 * clips' own sound when the job mixes it. No I/O here; `render.ts` runs the plans.
 */
import { profileFilters } from "../audio/profile.ts";
import type { RenderJob } from "../contract.ts";
import { assertPlainPath, type FfmpegPlan, num, outputArgs, PROGRESS_ARGS } from "../ffmpeg.ts";
import { audioGraph, levelFilters, MIX_METER } from "./audio-graph.ts";
import { type ComposeInputs, inputArgs, inputLayout, mixesClipSound } from "./inputs.ts";
import type { MixLevels } from "./mix-loudness.ts";
import type { Timeline } from "./timeline.ts";
import { videoGraph } from "./video-graph.ts";

/**
 * The clips' own sound, mixed as the composition mixes it (volume, fades, places) and nothing else,
 * measured into a loudness profile (`metadataPath`, see `audio/profile.ts`): its loudness is not known
 * before, unlike the music's and the whoosh's. Opens only the clips that have sound; no video decoded.
 */
export function planClipSoundAnalysis(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  graphPath: string,
  metadataPath: string,
): FfmpegPlan {
  if (!mixesClipSound(job) || inputs.clips.length !== job.scenes.length) {
    throw new Error("the clip sound analysis needs a job that mixes clip sound and every probed clip");
  }
  const clipsOnly: ComposeInputs = { clips: inputs.clips, workDir: inputs.workDir, output: inputs.output };
  const layout = inputLayout(job, clipsOnly, true);
  const graph = audioGraph(job, tl, clipsOnly, layout, profileFilters(metadataPath)).join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(tl, clipsOnly, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...["-map", "[aout]", "-f", "null", "-"],
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
  levels: MixLevels | undefined,
  strong?: ReadonlySet<number>,
): FfmpegPlan {
  const { fps, preset, crf, content } = job.video;
  const withThumb = inputs.output.thumbnail !== undefined;
  const layout = inputLayout(job, inputs, false);
  const video = videoGraph(job, tl, inputs, withThumb, layout.logo, strong);
  // The meter comes last, so it measures exactly the mix handed to the AAC encoder.
  const tail = [levelFilters(job, levels), MIX_METER].filter(Boolean).join(",");
  const audio = audioGraph(job, tl, inputs, layout, tail, levels?.whoosh_db);
  const graph = [...video.chains, ...audio].join(";\n");
  const args = [
    ...PROGRESS_ARGS,
    ...inputArgs(tl, inputs, layout),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...["-map", "[vout]", "-map", "[aout]"],
    ...outputArgs(job.video.format, { preset, crf, fps, maxKbps: job.video.max_kbps, content }),
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
