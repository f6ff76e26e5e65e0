/**
 * Runs a composition job end to end: fetch, probe, music, loudness analysis, the one composition
 * pass (which also meters its final mix), checks of the outputs, delivery. Progress is reported as
 * (percent, phase).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libraryTrack, WHOOSH_PEAK_S, whooshTrack } from "./audio/music.ts";
import { mixesClipSound } from "./audio-graph.ts";
import type { JobResult, MediaInfo, Phase, RenderJob } from "./contract.ts";
import { deliver, resolveSource, type TransferOptions } from "./fetch-inputs.ts";
import { runFfmpeg } from "./ffmpeg.ts";
import { assertFontInstalled } from "./fonts.ts";
import { probeJpeg } from "./jpeg.ts";
import { measureLoudness, parseEbur128Summary, parseLoudnormJson } from "./loudness.ts";
import { layoutOverlay } from "./overlay-layout.ts";
import { type ComposeInputs, planCompose, planLoudnessAnalysis } from "./plan.ts";
import { probeFile } from "./probe.ts";
import { stagingDir } from "./staging.ts";

/** Progress callback: percent 0..100 and the current phase. */
export type OnProgress = (percent: number, phase: Phase) => void;

/** Options shared by every job runner. */
export interface RunJobOptions {
  signal?: AbortSignal;
  onProgress?: OnProgress;
  allowLocal: boolean;
  /** Keep the temp dir (debugging). */
  keepTemp?: boolean;
  /** Receives the pid of every ffmpeg child (tests, bench). */
  onSpawn?: (pid: number) => void;
  /** Peak RSS of the composition child in KiB, for the bench. */
  onStats?: (stats: { peakRssKib: number }) => void;
}

/** A temp dir whose name is safe inside a filter graph (no job id characters like `:`). */
export async function makeWorkDir(prefix: string): Promise<string> {
  const root = process.env.RENDER_TMP_DIR ?? tmpdir();
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, `${prefix}-`));
}

/** How a job moves its files (staging dir, local paths allowed or not) and its abort signal as a probe option. */
export function jobTransfer(
  jobId: string,
  opts: RunJobOptions,
): { transfer: TransferOptions; signalOpt: { signal?: AbortSignal } } {
  const signalOpt = opts.signal ? { signal: opts.signal } : {};
  return {
    transfer: { allowLocal: opts.allowLocal, stagingDir: stagingDir(jobId), ...signalOpt },
    signalOpt,
  };
}

/** Renders one ad. Throws a JobError on failure; the temp dir is always removed. */
export async function runRenderJob(job: RenderJob, opts: RunJobOptions): Promise<JobResult> {
  const started = performance.now();
  const progress: OnProgress = (p, phase) => opts.onProgress?.(Math.round(p * 10) / 10, phase);
  const work = await makeWorkDir("render");
  const { transfer, signalOpt } = jobTransfer(job.job_id, opts);
  try {
    progress(0, "fetching");
    const clipPaths = await Promise.all(
      job.scenes.map((s, i) => resolveSource(s.clip, work, `clip-${i}`, transfer)),
    );
    const musicPath =
      job.audio.music === undefined
        ? undefined
        : "library" in job.audio.music
          ? await libraryTrack(job.audio.music.library, opts.signal)
          : await resolveSource(job.audio.music.source, work, "music", transfer);
    const whooshPath = job.audio.whoosh && job.scenes.length > 1 ? await whooshTrack(opts.signal) : undefined;
    progress(10, "probing");
    // Every ffmpeg/ffprobe start costs ~0.25 s of CPU (Debian's build loads ~150 libraries), so the
    // independent launches run together rather than one after another. The music probe starts first:
    // the loudness analysis waits for it.
    const musicProbe = musicPath ? probeFile(musicPath, { kind: "audio", ...signalOpt }) : undefined;
    const clipProbes = settleAll(
      clipPaths.map(async (path, i) => {
        try {
          return { path, info: await probeFile(path, { kind: "video", ...signalOpt }) };
        } catch (err) {
          if (err instanceof Error) err.message = `scene ${i + 1}: ${err.message}`;
          throw err;
        }
      }),
    );
    const composeInputs = (
      clips: ComposeInputs["clips"],
      musicInfo: MediaInfo | undefined,
    ): ComposeInputs => ({
      clips,
      workDir: work,
      output: {
        video: join(work, "out.mp4"),
        ...(job.outputs.thumbnail ? { thumbnail: join(work, "thumb.jpg") } : {}),
      },
      ...(musicPath && musicInfo ? { music: { path: musicPath, duration_s: musicInfo.duration_s } } : {}),
      ...(whooshPath ? { whoosh: { path: whooshPath, peak_s: WHOOSH_PEAK_S } } : {}),
    });
    // The loudness analysis opens a clip only to mix its sound. Without clip sound (clip_volume 0, the
    // default) it waits only for the music probe, and runs alongside the clip probes. Inputs are still
    // only opened once probed.
    const analysing = (async () => {
      const [musicInfo, clips] = await Promise.all([musicProbe, mixesClipSound(job) ? clipProbes : []]);
      progress(15, "analysing");
      const analysis = planLoudnessAnalysis(job, composeInputs(clips, musicInfo), join(work, "analysis.txt"));
      await writeFile(join(work, "analysis.txt"), analysis.graph);
      return parseLoudnormJson((await runFfmpeg(analysis.args, runOpts(opts))).stderr);
    })();
    const [clips, musicInfo, measured] = await settleAll([clipProbes, musicProbe, analysing] as const);
    for (const s of job.scenes) if (s.overlay) assertFontInstalled(layoutOverlay(s.overlay, 64, 64).face);
    const inputs = composeInputs(clips, musicInfo);
    progress(20, "rendering");
    const plan = planCompose(job, inputs, join(work, "graph.txt"), measured);
    await writeFile(join(work, "graph.txt"), plan.graph);
    await Promise.all(plan.files.map((f) => writeFile(f.path, f.content)));
    const result = await runFfmpeg(plan.args, {
      ...runOpts(opts),
      duration_s: plan.duration_s,
      onProgress: (f) => progress(20 + f * 72, "rendering"),
    });
    opts.onStats?.({ peakRssKib: result.peakRssKib });
    // Checks of the outputs. The thumbnail is checked in Node (no ffprobe launch); the loudness of the
    // final mix was metered inside the main pass. Only if its summary is missing or ambiguous is the
    // output file measured separately.
    const [video, thumbnail, loudness] = await settleAll([
      probeFile(inputs.output.video, { kind: "video", ...signalOpt }),
      inputs.output.thumbnail ? probeJpeg(inputs.output.thumbnail) : undefined,
      parseEbur128Summary(result.stderr) ?? measureLoudness(inputs.output.video, opts.signal),
    ] as const);
    progress(95, "uploading");
    await deliver(job.outputs.video, inputs.output.video, "video/mp4", transfer);
    if (job.outputs.thumbnail && inputs.output.thumbnail) {
      await deliver(job.outputs.thumbnail, inputs.output.thumbnail, "image/jpeg", transfer);
    }
    return {
      job_id: job.job_id,
      outputs: { video, ...(thumbnail ? { thumbnail } : {}) },
      ...(Number.isFinite(loudness.integrated_lufs) ? { loudness } : {}),
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  } finally {
    if (!opts.keepTemp) await rm(work, { recursive: true, force: true });
  }
}

/**
 * Promise.all that waits for every promise to settle before throwing the first error (in order): a
 * failed probe must not leave its sibling ffmpeg running after the job has ended.
 */
async function settleAll<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === "rejected") throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

function runOpts(opts: RunJobOptions): { signal?: AbortSignal; onSpawn?: (pid: number) => void } {
  return {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
  };
}
