/** Runs a synthesis job: fetch and probe the optional image, plan, one ffmpeg pass, check, deliver. */

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JobResult, SynthesizeJob } from "../contract.ts";
import { deliver, resolveSource } from "../fetch-inputs.ts";
import { runFfmpeg } from "../ffmpeg.ts";
import { assertFontInstalled, pickFont } from "../fonts.ts";
import { probeFile } from "../probe.ts";
import { jobTransfer, makeWorkDir, type RunJobOptions } from "../render.ts";
import { planSynth } from "./plan-synth.ts";

/** Synthesises one scene clip. Throws a JobError on failure; the temp dir is always removed. */
export async function runSynthesizeJob(job: SynthesizeJob, opts: RunJobOptions): Promise<JobResult> {
  const started = performance.now();
  const work = await makeWorkDir("synth");
  const { transfer, signalOpt } = jobTransfer(job.job_id, opts);
  try {
    opts.onProgress?.(0, "fetching");
    let image: { path: string; width: number; height: number } | undefined;
    if (job.image) {
      const path = await resolveSource(job.image, work, "image", transfer);
      opts.onProgress?.(5, "probing");
      const info = await probeFile(path, { kind: "image", ...signalOpt });
      image = { path, width: info.video?.width ?? 0, height: info.video?.height ?? 0 };
    }
    assertFontInstalled(pickFont(job.brand.name, "auto", job.brand.style));
    assertFontInstalled(pickFont("X", "condensed"));
    const out = join(work, "clip.mp4");
    const plan = planSynth(job, work, out, join(work, "graph.txt"), image);
    await writeFile(join(work, "graph.txt"), plan.graph);
    await Promise.all(plan.files.map((f) => writeFile(f.path, f.content)));
    opts.onProgress?.(10, "rendering");
    const result = await runFfmpeg(plan.args, {
      ...signalOpt,
      ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
      duration_s: plan.duration_s,
      onProgress: (f) => opts.onProgress?.(Math.round((10 + f * 85) * 10) / 10, "rendering"),
    });
    opts.onStats?.({ peakRssKib: result.peakRssKib });
    const video = await probeFile(out, { kind: "video", ...signalOpt });
    opts.onProgress?.(95, "uploading");
    await deliver(job.output.video, out, "video/mp4", transfer);
    return {
      job_id: job.job_id,
      outputs: { video },
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  } finally {
    if (!opts.keepTemp) await rm(work, { recursive: true, force: true });
  }
}
