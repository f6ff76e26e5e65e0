/**
 * Transcoding a finished ad (an export of the master in another container or a smaller size):
 * one ffmpeg pass that scales (Lanczos, cover and centre-crop, so never letterboxed), sets the
 * frame rate and encodes with the format's settings (`outputArgs` in ffmpeg.ts); the output is
 * probed before delivery. The planner is pure; `runTranscodeJob` does the I/O.
 */
import { join } from "node:path";
import { CONTAINER_CONTENT_TYPES, type JobResult, type TranscodeJob } from "../contract.ts";
import { JobError } from "../errors.ts";
import {
  assertPlainPath,
  type FfmpegPlan,
  inputGuard,
  num,
  outputArgs,
  PROGRESS_ARGS,
  runPlan,
} from "../ffmpeg.ts";
import { probeFile } from "../probe.ts";
import { deliver, resolveSource } from "../transfer.ts";
import { type RunJobOptions, withWorkspace } from "../workspace.ts";

/** The one pass: `input` (probed: `duration_s`, whether it has sound) to `output`. */
export function planTranscode(
  job: TranscodeJob,
  input: { path: string; duration_s: number; audio: boolean },
  output: string,
  graphPath: string,
): FfmpegPlan {
  const { width: W, height: H, fps, preset, crf, format, max_kbps, content } = job.video;
  const graph =
    `[0:v:0]scale=${W}:${H}:force_original_aspect_ratio=increase:flags=lanczos,crop=${W}:${H},` +
    `setsar=1,fps=${fps},format=yuv420p[vout]`;
  const args = [
    ...PROGRESS_ARGS,
    ...inputGuard(),
    "-i",
    assertPlainPath(input.path),
    "-filter_complex_script",
    assertPlainPath(graphPath),
    ...["-map", "[vout]"],
    ...(input.audio ? ["-map", "0:a:0"] : []),
    ...outputArgs(format, { preset, crf, fps, maxKbps: max_kbps, content }),
    ...["-t", num(input.duration_s), "-map_metadata", "-1", output],
  ];
  return { args, graph, graphPath, files: [], duration_s: input.duration_s };
}

/** Transcodes one ad. Throws a JobError on failure; the temp dir is always removed. */
export function runTranscodeJob(job: TranscodeJob, opts: RunJobOptions): Promise<JobResult> {
  const started = performance.now();
  return withWorkspace("transcode", job.job_id, opts, async (ws) => {
    opts.onProgress?.(0, "fetching");
    const path = await resolveSource(job.source, ws.dir, "master", ws.transfer);
    opts.onProgress?.(5, "probing");
    const info = await probeFile(path, { kind: "video", ...ws.signalOpt });
    const output = join(ws.dir, `out.${job.video.format}`);
    const plan = planTranscode(
      job,
      { path, duration_s: info.duration_s, audio: info.audio !== undefined },
      output,
      join(ws.dir, "graph.txt"),
    );
    opts.onProgress?.(10, "rendering");
    const result = await runPlan(plan, {
      ...ws.ffmpeg,
      onProgress: (f) => opts.onProgress?.(Math.round((10 + f * 85) * 10) / 10, "rendering"),
    });
    opts.onStats?.({ peakRssKib: result.peakRssKib });
    const video = await probeFile(output, { kind: "video", ...ws.signalOpt });
    if (!video.video) throw new JobError("internal", "the transcoded file has no video");
    opts.onProgress?.(95, "uploading");
    await deliver(job.output, output, CONTAINER_CONTENT_TYPES[job.video.format], ws.transfer);
    return {
      job_id: job.job_id,
      outputs: { video },
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  });
}
