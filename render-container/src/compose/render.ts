/**
 * Runs a composition job end to end: fetch, probe, music, loudness analysis, the one composition
 * pass (which also meters its final mix and taps the thumbnail and the scene posters), checks of the
 * outputs, the QC report measured on the finished file (with its fixes: a re-render for contrast, a
 * re-mux for loudness), delivery. Progress is reported as (percent, phase).
 */
import { join } from "node:path";
import {
  type LoudnessMeasure,
  measureLoudness,
  parseEbur128Summary,
  parseLoudnormJson,
} from "../audio/loudness.ts";
import { libraryTrack, WHOOSH_PEAK_S, whooshTrack } from "../audio/music.ts";
import { CONTAINER_CONTENT_TYPES, type JobResult, type MediaInfo, type RenderJob } from "../contract.ts";
import { JobError } from "../errors.ts";
import { runPlan } from "../ffmpeg.ts";
import { assertFontInstalled } from "../fonts.ts";
import { probeJpeg } from "../jpeg.ts";
import { probeFile } from "../probe.ts";
import { qualityControl } from "../qc/run.ts";
import { deliver, resolveSource } from "../transfer.ts";
import { type OnProgress, type RunJobOptions, type Workspace, withWorkspace } from "../workspace.ts";
import { type ComposeInputs, mixesClipSound } from "./inputs.ts";
import { layoutOverlay } from "./overlay-layout.ts";
import { planCompose, planLoudnessAnalysis } from "./plan.ts";
import { type Timeline, timeline } from "./timeline.ts";

/** The job's inputs as local files, not yet probed. */
interface LocalSources {
  clips: string[];
  music?: string;
  whoosh?: string;
  logo?: string;
}

/** A render job's result: unlike a synthesis job's, it always has the video. */
export type RenderResult = JobResult & { outputs: { video: MediaInfo } };

/** Renders one ad. Throws a JobError on failure; the temp dir is always removed. */
export function runRenderJob(job: RenderJob, opts: RunJobOptions): Promise<RenderResult> {
  const started = performance.now();
  const progress: OnProgress = (p, phase) => opts.onProgress?.(Math.round(p * 10) / 10, phase);
  const tl = timeline(job);
  const posters = job.outputs.posters;
  if (posters && posters.length !== job.scenes.length) {
    const n = job.scenes.length;
    return Promise.reject(
      new JobError(
        "invalid_job",
        `outputs.posters: one target per scene (${n} scenes, ${posters.length} targets)`,
      ),
    );
  }
  return withWorkspace("render", job.job_id, opts, async (ws) => {
    progress(0, "fetching");
    const sources = await fetchSources(job, ws);
    progress(10, "probing");
    const { inputs, measured } = await probeAndAnalyse(job, tl, ws, sources, progress);
    for (const s of job.scenes) if (s.overlay) assertFontInstalled(layoutOverlay(s.overlay, 64, 64).face);
    if (job.logo && !inputs.logo) throw new JobError("input_rejected", "logo: not a still image");
    progress(20, "rendering");
    // The composition (again with a stronger backing under some overlays, if the QC asks for it).
    const compose = async (strong?: ReadonlySet<number>) => {
      const plan = planCompose(job, tl, inputs, join(ws.dir, "graph.txt"), measured, strong);
      const from = strong ? 91 : 20;
      const result = await runPlan(plan, {
        ...ws.ffmpeg,
        onProgress: (f) => progress(from + f * (strong ? 2 : 68), "rendering"),
      });
      opts.onStats?.({ peakRssKib: result.peakRssKib });
      return checkOutputs(inputs, result.stderr, ws);
    };
    let checked = await compose();
    progress(88, "rendering");
    const quality = await qualityControl({
      job,
      tl,
      inputs,
      video: checked.video,
      dir: ws.dir,
      ffmpeg: ws.ffmpeg,
      rerender: async (strong) => {
        checked = await compose(strong);
        return checked.video;
      },
    });
    progress(95, "uploading");
    await deliver(
      job.outputs.video,
      inputs.output.video,
      CONTAINER_CONTENT_TYPES[job.video.format],
      ws.transfer,
    );
    if (job.outputs.thumbnail && inputs.output.thumbnail) {
      await deliver(job.outputs.thumbnail, inputs.output.thumbnail, "image/jpeg", ws.transfer);
    }
    if (posters && inputs.output.posters) {
      const files = inputs.output.posters;
      await Promise.all(posters.map((target, i) => deliver(target, files[i]!, "image/jpeg", ws.transfer)));
    }
    const loudness = quality.loudness ?? checked.loudness;
    return {
      job_id: job.job_id,
      outputs: {
        video: quality.video,
        ...(checked.thumbnail ? { thumbnail: checked.thumbnail } : {}),
        ...(checked.posters ? { posters: checked.posters } : {}),
      },
      ...(Number.isFinite(loudness.integrated_lufs) ? { loudness } : {}),
      qc: quality.qc,
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  });
}

/** Makes every input a local file: clips, the music (library or uploaded) and the whoosh. */
async function fetchSources(job: RenderJob, ws: Workspace): Promise<LocalSources> {
  const clips = await Promise.all(
    job.scenes.map((s, i) => resolveSource(s.clip, ws.dir, `clip-${i}`, ws.transfer)),
  );
  const music =
    job.audio.music === undefined
      ? undefined
      : "library" in job.audio.music
        ? await libraryTrack(job.audio.music.library, ws.signalOpt.signal)
        : await resolveSource(job.audio.music.source, ws.dir, "music", ws.transfer);
  const whoosh =
    job.audio.whoosh && job.scenes.length > 1 ? await whooshTrack(ws.signalOpt.signal) : undefined;
  const logo = job.logo ? await resolveSource(job.logo.source, ws.dir, "logo", ws.transfer) : undefined;
  return { clips, ...(music ? { music } : {}), ...(whoosh ? { whoosh } : {}), ...(logo ? { logo } : {}) };
}

/** The planner's view of the inputs once probed (`clips` may be empty for the early analysis). */
function composeInputs(
  job: RenderJob,
  ws: Workspace,
  sources: LocalSources,
  clips: ComposeInputs["clips"],
  musicInfo: MediaInfo | undefined,
  logoInfo?: MediaInfo,
): ComposeInputs {
  return {
    clips,
    workDir: ws.dir,
    output: {
      video: join(ws.dir, `out.${job.video.format}`),
      ...(job.outputs.thumbnail ? { thumbnail: join(ws.dir, "thumb.jpg") } : {}),
      ...(job.outputs.posters ? { posters: job.scenes.map((_, i) => join(ws.dir, `poster-${i}.jpg`)) } : {}),
    },
    ...(sources.music && musicInfo
      ? { music: { path: sources.music, duration_s: musicInfo.duration_s } }
      : {}),
    ...(sources.whoosh ? { whoosh: { path: sources.whoosh, peak_s: WHOOSH_PEAK_S } } : {}),
    ...(sources.logo && logoInfo?.video
      ? { logo: { path: sources.logo, width: logoInfo.video.width, height: logoInfo.video.height } }
      : {}),
  };
}

/**
 * Probes every input and runs the loudness analysis. Every ffmpeg/ffprobe start costs ~0.25 s of
 * CPU (Debian's build loads ~150 libraries), so the independent launches run together rather than
 * one after another. The music probe starts first: the analysis waits for it.
 */
async function probeAndAnalyse(
  job: RenderJob,
  tl: Timeline,
  ws: Workspace,
  sources: LocalSources,
  progress: OnProgress,
): Promise<{ inputs: ComposeInputs; measured: LoudnessMeasure | undefined }> {
  const musicProbe = sources.music ? probeFile(sources.music, { kind: "audio", ...ws.signalOpt }) : undefined;
  const logoProbe = sources.logo
    ? probeFile(sources.logo, { kind: "image", ...ws.signalOpt }).catch((err: unknown) => {
        if (err instanceof Error) err.message = `logo: ${err.message}`;
        throw err;
      })
    : undefined;
  const clipProbes = settleAll(
    sources.clips.map(async (path, i) => {
      try {
        return { path, info: await probeFile(path, { kind: "video", ...ws.signalOpt }) };
      } catch (err) {
        if (err instanceof Error) err.message = `scene ${i + 1}: ${err.message}`;
        throw err;
      }
    }),
  );
  // The loudness analysis opens a clip only to mix its sound. Without clip sound (clip_volume 0, the
  // default) it waits only for the music probe, and runs alongside the clip probes. Inputs are still
  // only opened once probed.
  const analysing = (async () => {
    const [musicInfo, clips] = await Promise.all([musicProbe, mixesClipSound(job) ? clipProbes : []]);
    progress(15, "analysing");
    const inputs = composeInputs(job, ws, sources, clips, musicInfo);
    const analysis = planLoudnessAnalysis(job, tl, inputs, join(ws.dir, "analysis.txt"));
    return parseLoudnormJson((await runPlan(analysis, ws.ffmpeg)).stderr);
  })();
  const [clips, musicInfo, measured, logoInfo] = await settleAll([
    clipProbes,
    musicProbe,
    analysing,
    logoProbe,
  ] as const);
  return { inputs: composeInputs(job, ws, sources, clips, musicInfo, logoInfo), measured };
}

/**
 * Checks of the outputs. The thumbnail is checked in Node (no ffprobe launch); the loudness of the
 * final mix was metered inside the main pass. Only if its summary is missing or ambiguous is the
 * output file measured separately.
 */
async function checkOutputs(inputs: ComposeInputs, stderr: string, ws: Workspace) {
  const [video, thumbnail, loudness, posters] = await settleAll([
    probeFile(inputs.output.video, { kind: "video", ...ws.signalOpt }),
    inputs.output.thumbnail ? probeJpeg(inputs.output.thumbnail) : undefined,
    parseEbur128Summary(stderr) ?? measureLoudness(inputs.output.video, ws.signalOpt.signal),
    inputs.output.posters ? Promise.all(inputs.output.posters.map((p) => probeJpeg(p))) : undefined,
  ] as const);
  return { video, thumbnail, loudness, posters };
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
