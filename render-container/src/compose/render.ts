/**
 * Runs a composition job end to end: fetch, probe (and the loudness profiles of the music and the
 * whoosh, measured once and kept; the clips' own sound is measured only when the job mixes it), the
 * one composition pass at the levels the mix arithmetic gives (it also meters its final mix and taps
 * the thumbnail and the scene posters), checks of the outputs, the QC report measured on the finished
 * file (with its fixes: a re-render for contrast, a re-mux for loudness), delivery. Progress is
 * reported as (percent, phase).
 */
import { join } from "node:path";
import { type LoudnessSummary, parseEbur128Summary } from "../audio/loudness.ts";
import {
  libraryTrack,
  trackLoudness,
  uploadLoudnessDir,
  WHOOSH_PEAK_S,
  whooshTrack,
} from "../audio/music.ts";
import { type LoudnessProfile, profileFromRun, uploadProfile } from "../audio/profile.ts";
import { CONTAINER_CONTENT_TYPES, type JobResult, type MediaInfo, type RenderJob } from "../contract.ts";
import { JobError } from "../errors.ts";
import { runPlan } from "../ffmpeg.ts";
import { assertFontInstalled } from "../fonts.ts";
import { probeJpeg } from "../jpeg.ts";
import { probeFile } from "../probe.ts";
import { qualityControl } from "../qc/run.ts";
import { deliver, resolveSource } from "../transfer.ts";
import { type OnProgress, type RunJobOptions, type Workspace, withWorkspace } from "../workspace.ts";
import { whooshStarts } from "./audio-graph.ts";
import { type ComposeInputs, mixesClipSound } from "./inputs.ts";
import { type MixLevels, mixLevels } from "./mix-loudness.ts";
import { layoutOverlay } from "./overlay-layout.ts";
import { planClipSoundAnalysis, planCompose } from "./plan.ts";
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
    const step = stepTimer(opts);
    progress(0, "fetching");
    const sources = await step("fetch", () => fetchSources(job, ws));
    progress(10, "probing");
    const { inputs, levels } = await step("probe", () => probeAndLevel(job, tl, ws, sources, progress, step));
    for (const s of job.scenes) if (s.overlay) assertFontInstalled(layoutOverlay(s.overlay, 64, 64).face);
    if (job.logo && !inputs.logo) throw new JobError("input_rejected", "logo: not a still image");
    progress(20, "rendering");
    // The composition (again with a stronger backing under some overlays, if the QC asks for it).
    const compose = async (strong?: ReadonlySet<number>) => {
      const plan = planCompose(job, tl, inputs, join(ws.dir, "graph.txt"), levels, strong);
      opts.onPlan?.(plan);
      const from = strong ? 91 : 20;
      const result = await runPlan(plan, {
        ...ws.ffmpeg,
        onProgress: (f) => progress(from + f * (strong ? 2 : 68), "rendering"),
      });
      opts.onStats?.({ peakRssKib: result.peakRssKib });
      return checkOutputs(inputs, result.stderr);
    };
    let checked = await step("compose", () => compose());
    progress(88, "rendering");
    const quality = await step("qc", () =>
      qualityControl({
        job,
        tl,
        inputs,
        // The composition always maps an audio stream (a silent bed at least).
        hasAudio: true,
        dir: ws.dir,
        ffmpeg: ws.ffmpeg,
        rerender: async (strong) => {
          checked = await compose(strong);
        },
        onTiming: (qcStep, seconds) => opts.onTiming?.(`qc_${qcStep}`, seconds),
      }),
    );
    progress(95, "uploading");
    await step("deliver", async () => {
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
    });
    // The main pass's meter (the mix as it enters the encoder), unless the QC re-muxed the audio; the
    // QC's measurement of the file when the meter's summary was missing or ambiguous.
    const loudness: LoudnessSummary | undefined = quality.loudnessFixed
      ? quality.loudness
      : (checked.loudness ?? quality.loudness);
    return {
      job_id: job.job_id,
      outputs: {
        video: quality.video,
        ...(checked.thumbnail ? { thumbnail: checked.thumbnail } : {}),
        ...(checked.posters ? { posters: checked.posters } : {}),
      },
      ...(loudness && Number.isFinite(loudness.integrated_lufs) ? { loudness } : {}),
      qc: quality.qc,
      wall_s: Math.round((performance.now() - started) / 10) / 100,
    };
  });
}

/** Times a job's steps for `opts.onTiming` (the bench's profile). */
function stepTimer(opts: RunJobOptions) {
  return async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      opts.onTiming?.(name, (performance.now() - t0) / 1000);
    }
  };
}
type Step = ReturnType<typeof stepTimer>;

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

/** The planner's view of the inputs once probed (without the music for the clip sound analysis). */
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
 * Probes every input and works out the mix's levels. Every ffmpeg/ffprobe start costs CPU (Debian's
 * build loads ~150 libraries), so the independent launches run together rather than one after another.
 * The levels come from loudness profiles measured once: the library track's and the whoosh's are
 * sidecars made with the files, an uploaded track's is cached by its bytes (or came with the job), so
 * normally nothing is measured here. Only clip sound (`clip_volume` > 0) is unknown until now: then the
 * clips' sound is mixed and measured (audio only) once the clips are probed.
 */
async function probeAndLevel(
  job: RenderJob,
  tl: Timeline,
  ws: Workspace,
  sources: LocalSources,
  progress: OnProgress,
  step: Step,
): Promise<{ inputs: ComposeInputs; levels: MixLevels | undefined }> {
  const { signal } = ws.signalOpt;
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
  const music = job.audio.music;
  const musicProfile = (async (): Promise<LoudnessProfile | undefined> => {
    if (!sources.music || !music) return undefined;
    if ("library" in music) return trackLoudness(sources.music, signal);
    // An upload is read only once its probe accepted it.
    const info = await musicProbe!;
    return step("music_loudness", () =>
      uploadProfile(
        sources.music!,
        uploadLoudnessDir(),
        { lufs: music.loudness_lufs, duration_s: info.duration_s },
        signal,
      ),
    );
  })();
  const whooshProfile = sources.whoosh ? trackLoudness(sources.whoosh, signal) : undefined;
  // The clips' own sound: mixed and measured once every clip is probed (only clips with sound open).
  const clipSound = mixesClipSound(job)
    ? clipProbes.then((clips) =>
        step("clip_sound_analysis", async () => {
          progress(15, "analysing");
          const inputs = composeInputs(job, ws, sources, clips, undefined);
          const metadata = join(ws.dir, "clip-sound.r128.txt");
          const plan = planClipSoundAnalysis(job, tl, inputs, join(ws.dir, "clip-sound.txt"), metadata);
          return profileFromRun(metadata, (await runPlan(plan, ws.ffmpeg)).stderr, "the clips' sound");
        }),
      )
    : undefined;
  const [clips, musicInfo, logoInfo, musicLoudness, whooshLoudness, clipLoudness] = await settleAll([
    clipProbes,
    musicProbe,
    logoProbe,
    musicProfile,
    whooshProfile,
    clipSound,
  ] as const);
  const inputs = composeInputs(job, ws, sources, clips, musicInfo, logoInfo);
  const levels = mixLevels(job, tl, {
    ...(inputs.music && musicLoudness
      ? { music: { profile: musicLoudness, duration_s: inputs.music.duration_s } }
      : {}),
    ...(inputs.whoosh && whooshLoudness
      ? { whoosh: { profile: whooshLoudness, starts_s: whooshStarts(job, tl, inputs.whoosh.peak_s) } }
      : {}),
    ...(clipLoudness ? { clipSound: clipLoudness } : {}),
  });
  return { inputs, levels };
}

/**
 * Checks of the outputs that need no launch: the thumbnail and the posters are read in Node, and the
 * loudness of the final mix was metered inside the main pass (undefined when its summary is missing or
 * ambiguous: the QC pass measures the file anyway). The video file itself is described and checked by
 * the QC pass, which opens it.
 */
async function checkOutputs(inputs: ComposeInputs, stderr: string) {
  const [thumbnail, posters] = await settleAll([
    inputs.output.thumbnail ? probeJpeg(inputs.output.thumbnail) : undefined,
    inputs.output.posters ? Promise.all(inputs.output.posters.map((p) => probeJpeg(p))) : undefined,
  ] as const);
  return { thumbnail, loudness: parseEbur128Summary(stderr), posters };
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
