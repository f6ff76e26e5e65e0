/**
 * `npm run bench:render -- --profile`: where the time of one render job goes. The job's own steps
 * (fetch, probe, compose, QC, deliver) are timed by `runRenderJob` (`onTiming`); the composition pass
 * is then split by running parts of its own plan again (same inputs, same graph text, same encoder
 * settings), each with `-benchmark` (CPU time of the transcoding loop, all threads; wall time):
 * startup (every input opened, one frame decoded), decode (the clips' pictures to a null sink),
 * filters (the video graph to a null sink), encode (the video graph into libx264), audio (the audio
 * graph into AAC), and the whole pass. Each is the median of 3 (this machine's CPU time of the same
 * work varies by a few per cent from run to run). CPU seconds subtract; wall seconds overlap, so
 * they are shown as measured.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runRenderJob } from "../src/compose/render.ts";
import type { RenderJob } from "../src/contract.ts";
import { audioOutputArgs, encoderArgs, type FfmpegPlan, num, runFfmpeg } from "../src/ffmpeg.ts";

/** One variant's cost. */
interface Cost {
  cpu: number;
  wall: number;
}

const BENCH_ARGS = ["-hide_banner", "-nostdin", "-y", "-nostats", "-loglevel", "info", "-benchmark"];

async function once(args: string[]): Promise<Cost> {
  const { stderr } = await runFfmpeg([...BENCH_ARGS, ...args]);
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(stderr);
  if (!m) throw new Error(`no -benchmark line: ${stderr.slice(-300)}`);
  return { cpu: Number(m[1]) + Number(m[2]), wall: Number(m[3]) };
}

const REPS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs every variant REPS times, interleaved (drift hits them alike); the median CPU and wall of each. */
async function costs<K extends string>(variants: Record<K, string[]>): Promise<Record<K, Cost>> {
  const names = Object.keys(variants) as K[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as Cost[]])) as Record<K, Cost[]>;
  for (let r = 0; r < REPS; r++) for (const name of names) runs[name].push(await once(variants[name]));
  const out = {} as Record<K, Cost>;
  for (const name of names)
    out[name] = { cpu: median(runs[name].map((c) => c.cpu)), wall: median(runs[name].map((c) => c.wall)) };
  return out;
}

/** The plan's arguments cut into its inputs (each with its options), its graph, and its taps. */
function dissect(plan: FfmpegPlan, video: string) {
  const a = plan.args;
  const graphAt = a.indexOf("-filter_complex_script");
  // PROGRESS_ARGS end with `-progress pipe:1`; the inputs (each behind its guard) follow.
  const inputs = a.slice(a.indexOf("pipe:1") + 1, graphAt);
  const taps = a.slice(a.indexOf(video) + 1); // the thumbnail and poster outputs
  const chains = plan.graph.split(";\n");
  const audioAt = chains.findIndex((c) => c.startsWith("anullsrc="));
  if (audioAt < 0) throw new Error("the plan's graph has no audio bed: cannot split it");
  return { inputs, taps, videoChains: chains.slice(0, audioAt), audioChains: chains.slice(audioAt) };
}

/** Runs one profiled render job and the split of its composition pass; returns printable rows. */
export async function profileRender(job: RenderJob): Promise<{ rows: [string, string][] }> {
  const steps: [string, number][] = [];
  let plan: FfmpegPlan | undefined;
  const t0 = performance.now();
  await runRenderJob(job, {
    allowLocal: true,
    keepTemp: true,
    onTiming: (step, s) => steps.push([step, s]),
    onPlan: (p) => (plan ??= p),
  });
  const total = (performance.now() - t0) / 1000;
  if (!plan) throw new Error("the job ran no composition");
  const work = plan.graphPath.replace(/\/[^/]+$/, "");
  const video = plan.args.find((x) => x.endsWith(`out.${job.video.format}`))!;
  const { inputs, taps, videoChains, audioChains } = dissect(plan, video);
  const { preset, crf, fps, max_kbps, content } = job.video;
  const T = num(plan.duration_s);
  const write = async (name: string, chains: string[]) => {
    const path = join(work, name);
    await writeFile(path, chains.join(";\n"));
    return path;
  };
  const videoGraph = await write("profile-video.txt", videoChains);
  const audioGraph = await write("profile-audio.txt", audioChains);
  const clipMaps = job.scenes.flatMap((_, i) => ["-map", `${i}:v:0`]);
  const { startup, decode, filters, encode, audio, full } = await costs({
    startup: [...inputs, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"],
    decode: [...inputs, ...clipMaps, "-f", "null", "-"],
    filters: [...inputs, "-filter_complex_script", videoGraph, "-map", "[vout]", "-f", "null", "-", ...taps],
    encode: [
      ...[...inputs, "-filter_complex_script", videoGraph, "-map", "[vout]"],
      ...encoderArgs(preset, crf, fps, max_kbps, content),
      ...["-movflags", "+faststart", "-t", T, join(work, "profile-video.mp4")],
      ...taps,
    ],
    audio: [
      ...[...inputs, "-filter_complex_script", audioGraph, "-map", "[aout]"],
      ...audioOutputArgs("mp4"),
      ...["-t", T, join(work, "profile-audio.m4a")],
    ],
    full: plan.args.slice(plan.args.indexOf("pipe:1") + 1),
  });
  await rm(work, { recursive: true, force: true });
  const f = (c: Cost) => `${c.cpu.toFixed(2)} CPU-s, ${c.wall.toFixed(2)} s wall`;
  const d = (x: number) => `${x.toFixed(2)} CPU-s`;
  const named = steps.map(([s, x]) => `${s} ${x.toFixed(2)}`).join(", ");
  const counted = steps.filter(([s]) => !s.includes("_")).reduce((a, [, x]) => a + x, 0);
  return {
    rows: [
      [
        "profile: job steps (s)",
        `${named}; other ${(total - counted).toFixed(2)}; total ${total.toFixed(2)}`,
      ],
      ["profile: composition pass", `${f(full)} (${(full.cpu / full.wall).toFixed(2)} cores busy)`],
      ["profile:   startup", `${f(startup)} (every input opened, one frame decoded)`],
      ["profile:   decode", `${d(decode.cpu - startup.cpu)} (${f(decode)} with startup)`],
      ["profile:   filters", `${d(filters.cpu - decode.cpu)} (${f(filters)} with decode)`],
      ["profile:   encode", `${d(encode.cpu - filters.cpu)} (${f(encode)} with decode and filters)`],
      [
        "profile:   audio",
        `${d(audio.cpu - startup.cpu)} (${f(audio)} with startup: mix, levels, meter, AAC)`,
      ],
      [
        "profile:   unexplained",
        `${d(full.cpu - (encode.cpu + audio.cpu - startup.cpu))} (full - video pass - audio pass + startup)`,
      ],
    ],
  };
}
