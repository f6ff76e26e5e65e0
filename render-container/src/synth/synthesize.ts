/**
 * Runs a synthesis job: fetch and probe the optional image, plan, one ffmpeg pass (clip, still or
 * both), check, deliver.
 */
import { join } from "node:path";
import type { JobResult, SynthesizeJob } from "../contract.ts";
import { runPlan } from "../ffmpeg.ts";
import { assertFontInstalled, pickFont } from "../fonts.ts";
import { probeJpeg } from "../jpeg.ts";
import { probeFile } from "../probe.ts";
import { deliver, resolveSource } from "../transfer.ts";
import { type RunJobOptions, type Workspace, withWorkspace } from "../workspace.ts";
import { planSynth, type SynthFiles } from "./plan-synth.ts";

/**
 * Synthesises one scene's clip, its still, or both. Throws a JobError on failure; the temp dir is
 * always removed.
 */
export function runSynthesizeJob(job: SynthesizeJob, opts: RunJobOptions): Promise<JobResult> {
  const started = performance.now();
  return withWorkspace("synth", job.job_id, opts, async (ws) => {
    opts.onProgress?.(0, "fetching");
    const image = await fetchImage(job, ws, opts);
    assertFontInstalled(pickFont(job.brand.name, "auto", job.brand.style));
    assertFontInstalled(pickFont("X", "condensed"));
    const files: SynthFiles = {
      ...(job.output.video ? { video: join(ws.dir, "clip.mp4") } : {}),
      ...(job.output.still ? { still: join(ws.dir, "still.jpg") } : {}),
    };
    const plan = planSynth(job, ws.dir, files, join(ws.dir, "graph.txt"), image);
    opts.onProgress?.(10, "rendering");
    const result = await runPlan(plan, {
      ...ws.ffmpeg,
      onProgress: (f) => opts.onProgress?.(Math.round((10 + f * 85) * 10) / 10, "rendering"),
    });
    opts.onStats?.({ peakRssKib: result.peakRssKib });
    // The still is checked in Node (no ffprobe launch), before the clip's probe starts.
    const still = files.still ? await probeJpeg(files.still) : undefined;
    const video = files.video ? await probeFile(files.video, { kind: "video", ...ws.signalOpt }) : undefined;
    opts.onProgress?.(95, "uploading");
    if (job.output.video && files.video)
      await deliver(job.output.video, files.video, "video/mp4", ws.transfer);
    if (job.output.still && files.still)
      await deliver(job.output.still, files.still, "image/jpeg", ws.transfer);
    return {
      job_id: job.job_id,
      outputs: { ...(video ? { video } : {}), ...(still ? { still } : {}) },
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  });
}

/** The job's image as a local, probed still, or undefined when it has none. */
async function fetchImage(
  job: SynthesizeJob,
  ws: Workspace,
  opts: RunJobOptions,
): Promise<{ path: string; width: number; height: number } | undefined> {
  if (!job.image) return undefined;
  const path = await resolveSource(job.image, ws.dir, "image", ws.transfer);
  opts.onProgress?.(5, "probing");
  const info = await probeFile(path, { kind: "image", ...ws.signalOpt });
  return { path, width: info.video?.width ?? 0, height: info.video?.height ?? 0 };
}
