/**
 * `npm run bench:export`: exports of a 15 s 1080x1920 ad (three synthesised scenes, overlays,
 * crossfades, music) in every format and quality through `POST /transcode`'s code path, and in the
 * other two aspects through a re-compose; then the VP9 speed sweep that chose `VP9_CPU_USED`
 * (wall time, size and SSIM against the master at each `-cpu-used`). Prints tables and, as the LAST
 * line, a JSON summary.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runRenderJob } from "../src/compose/render.ts";
import {
  type ContainerFormat,
  RenderJobSchema,
  SynthesizeJobSchema,
  TranscodeJobSchema,
} from "../src/contract.ts";
import { planTranscode, runTranscodeJob } from "../src/export/transcode.ts";
import { runFfmpeg, runPlan, VP9_CPU_USED } from "../src/ffmpeg.ts";
import { probeFile } from "../src/probe.ts";
import { runSynthesizeJob } from "../src/synth/synthesize.ts";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../bench-output/export");
const log = (s: string) => process.stderr.write(`${s}\n`);
const FPS = 24;
const SCENE_S = 5.5;
/** The worker's caps (worker/src/exports/formats.ts MAX_KBPS). */
const QUALITIES = [
  { q: 1080, kbps: 8000 },
  { q: 720, kbps: 4000 },
  { q: 480, kbps: 2000 },
] as const;
const FORMATS: ContainerFormat[] = ["mp4", "mov", "webm"];
const even = (x: number) => Math.round(x / 2) * 2;

async function makeMaster(): Promise<{ file: string; duration: number; composeWall: number }> {
  await mkdir(join(out, "inputs"), { recursive: true });
  const types = ["attention", "desire", "action"] as const;
  const texts = ["Meet Aurum", "Light as air", "Shop now: 20% off"];
  const clips = await Promise.all(
    types.map(async (type, i) => {
      const path = join(out, "inputs", `clip-${i}.mp4`);
      await runSynthesizeJob(
        SynthesizeJobSchema.parse({
          version: 1,
          job_id: `bench-export-clip-${i}`,
          width: 1080,
          height: 1920,
          fps: FPS,
          duration_s: SCENE_S,
          seed: 7,
          scene: { index: i, type, text: "" },
          brand: { name: "Aurum", colours: ["#c8a04a", "#1d2a44"], mood: "upbeat", style: "modern" },
          output: { video: { path } },
        }),
        { allowLocal: true },
      );
      return path;
    }),
  );
  const job = (width: number, height: number, file: string) =>
    RenderJobSchema.parse({
      version: 1,
      job_id: `bench-export-${width}x${height}`,
      video: { width, height, fps: FPS, preset: "medium" },
      scenes: clips.map((clip, i) => ({
        clip: { path: clip },
        duration_s: SCENE_S,
        overlay: { text: texts[i], position: i === 2 ? "center" : "bottom" },
      })),
      audio: { music: { library: "upbeat" }, whoosh: true },
      grade: "warm",
      outputs: { video: { path: file } },
    });
  const file = join(out, "master.mp4");
  const t0 = performance.now();
  const result = await runRenderJob(job(1080, 1920, file), { allowLocal: true });
  return { file, duration: result.outputs.video.duration_s, composeWall: (performance.now() - t0) / 1000 };
}

/** SSIM (All) of `file` against the master scaled to its size. */
async function ssim(file: string, master: string, width: number, height: number): Promise<number> {
  const r = await runFfmpeg([
    "-hide_banner",
    "-nostdin",
    "-i",
    file,
    "-i",
    master,
    "-lavfi",
    `[1:v]scale=${width}:${height}:flags=lanczos[ref];[0:v][ref]ssim`,
    "-f",
    "null",
    "-",
  ]);
  const m = / All:([\d.]+)/.exec(r.stderr);
  return m ? Number(m[1]) : Number.NaN;
}

async function transcode(master: string, format: ContainerFormat, q: (typeof QUALITIES)[number]) {
  const file = join(out, `export-${q.q}.${format}`);
  const job = TranscodeJobSchema.parse({
    version: 1,
    job_id: `bench-${format}-${q.q}`,
    source: { path: master },
    video: { width: q.q, height: even((q.q * 16) / 9), format, max_kbps: q.kbps },
    output: { path: file },
  });
  const t0 = performance.now();
  await runTranscodeJob(job, { allowLocal: true });
  return { file, wall: (performance.now() - t0) / 1000, size: (await stat(file)).size };
}

/** One 720p VP9 encode at `cpuUsed`, the job's plan with only `-cpu-used` changed. */
async function vp9At(master: string, duration: number, cpuUsed: number) {
  const file = join(out, `vp9-cpu${cpuUsed}.webm`);
  const job = TranscodeJobSchema.parse({
    version: 1,
    job_id: `bench-vp9-${cpuUsed}`,
    source: { path: master },
    video: { width: 720, height: 1280, format: "webm", max_kbps: 4000 },
    output: { path: file },
  });
  const plan = planTranscode(
    job,
    { path: master, duration_s: duration, audio: true },
    file,
    join(out, "vp9-graph.txt"),
  );
  plan.args[plan.args.indexOf("-cpu-used") + 1] = String(cpuUsed);
  const t0 = performance.now();
  await runPlan(plan);
  const wall = (performance.now() - t0) / 1000;
  return { cpuUsed, wall, size: (await stat(file)).size, ssim: await ssim(file, master, 720, 1280) };
}

async function main(): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  log("[bench] making the master (three synthesised scenes, composed)...");
  const master = await makeMaster();
  log(`[bench] master: ${master.duration.toFixed(2)} s, composed in ${master.composeWall.toFixed(1)} s`);

  const rows: Record<string, unknown>[] = [];
  for (const format of FORMATS)
    for (const q of QUALITIES) {
      const r = await transcode(master.file, format, q);
      const info = await probeFile(r.file, { kind: "video" });
      const capMb = ((q.kbps + 192) * 1000 * master.duration * 1.1) / 8 / 1e6;
      const row = {
        export: `${format} ${q.q}p`,
        wall_s: Number(r.wall.toFixed(2)),
        x_realtime: Number((master.duration / r.wall).toFixed(2)),
        size_mb: Number((r.size / 1e6).toFixed(2)),
        cap_mb: Number(capMb.toFixed(1)),
        under_cap: r.size / 1e6 < capMb,
        codecs: `${info.video?.codec}+${info.audio?.codec}`,
        size: `${info.video?.width}x${info.video?.height}`,
      };
      rows.push(row);
      log(`[bench] ${JSON.stringify(row)}`);
    }

  log("[bench] re-compose in the other aspects (1080p MP4)...");
  const recompose: Record<string, number> = {};
  for (const [aspect, w, h] of [
    ["1:1", 1080, 1080],
    ["16:9", 1920, 1080],
  ] as const) {
    const file = join(out, `recompose-${w}x${h}.mp4`);
    const t0 = performance.now();
    const clips = [0, 1, 2].map((i) => join(out, "inputs", `clip-${i}.mp4`));
    await runRenderJob(
      RenderJobSchema.parse({
        version: 1,
        job_id: `bench-recompose-${w}x${h}`,
        video: { width: w, height: h, fps: FPS, preset: "medium" },
        scenes: clips.map((clip, i) => ({
          clip: { path: clip },
          duration_s: SCENE_S,
          overlay: { text: ["Meet Aurum", "Light as air", "Shop now: 20% off"][i]! },
        })),
        audio: { music: { library: "upbeat" }, whoosh: true },
        grade: "warm",
        outputs: { video: { path: file } },
      }),
      { allowLocal: true },
    );
    recompose[aspect] = Number(((performance.now() - t0) / 1000).toFixed(2));
    log(`[bench] re-compose ${aspect}: ${recompose[aspect]} s`);
  }

  log("[bench] VP9 speed sweep at 720p...");
  const sweep = [];
  for (const cpuUsed of [2, 4, 5, 6, 8]) {
    const r = await vp9At(master.file, master.duration, cpuUsed);
    sweep.push({
      ...r,
      wall: Number(r.wall.toFixed(2)),
      size_mb: Number((r.size / 1e6).toFixed(2)),
      ssim: Number(r.ssim.toFixed(4)),
    });
    log(`[bench] vp9 cpu-used ${cpuUsed}: ${JSON.stringify(sweep.at(-1))}`);
  }

  console.log("\nExports of a %s s 1080x1920 ad (2 cores):", master.duration.toFixed(2));
  console.table(rows);
  console.log("Re-compose, 1080p MP4 (wall s):", recompose);
  console.log(`VP9 720p speed sweep (chosen -cpu-used ${VP9_CPU_USED}):`);
  console.table(sweep.map(({ size: _s, ...r }) => r));
  console.log(
    JSON.stringify({
      master_s: master.duration,
      exports: rows,
      recompose_s: recompose,
      vp9_sweep: sweep.map(({ size: _s, ...r }) => r),
      vp9_cpu_used: VP9_CPU_USED,
    }),
  );
}

await main();
