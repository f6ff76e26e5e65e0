/**
 * `npm run bench:render`: the standard ad (5 x 3.5 s 1080x1920 24 fps clips, overlays, 0.5 s
 * crossfades, fades, music, whooshes, grade, thumbnail; libx264 medium) against a transcode floor
 * (decode the same clips, concatenate, encode 15.5 s with the same encoder settings, no filters,
 * no audio). Median of 3 each. The compose time is the whole render job: fetch, probes, the one
 * composition pass, the output checks and the QC pass. The music is an "uploaded" file: its loudness
 * is measured once before the runs, as it would have been at upload (the cost is printed), so every
 * run finds it in the cache; the library's and the whoosh's come with the generated files.
 * Prints a table, writes a contact sheet, and prints the JSON summary as the LAST line.
 *
 * `npm run bench:render -- --profile` adds one profiled job after the runs: its steps' wall times,
 * and the composition pass split into startup, decode, filters, encode and audio (bench/profile.ts).
 */
import { copyFile, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureLoudness } from "../src/audio/loudness.ts";
import { libraryTrack, trackLoudness, uploadLoudnessDir, whooshTrack } from "../src/audio/music.ts";
import { measureProfile, uploadProfile } from "../src/audio/profile.ts";
import { runRenderJob } from "../src/compose/render.ts";
import { type JobResult, RenderJobSchema, SynthesizeJobSchema } from "../src/contract.ts";
import { encoderArgs, QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { probeFile } from "../src/probe.ts";
import { runSynthesizeJob } from "../src/synth/synthesize.ts";
import { profileRender } from "./profile.ts";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../bench-output");
const RUNS = 3;
const FPS = 24;
const TYPES = ["attention", "interest", "desire", "solution", "action"] as const;
const TEXTS = ["Meet Aurum", "Crafted to last", "Light as air", "Made for every day", "Shop now: 20% off"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (s: string) => process.stderr.write(`${s}\n`);

async function makeInputs(): Promise<{ clips: string[]; music: string }> {
  await mkdir(join(out, "inputs"), { recursive: true });
  const clips: string[] = [];
  for (const [i, type] of TYPES.entries()) {
    const path = join(out, "inputs", `clip-${i}.mp4`);
    await runSynthesizeJob(
      SynthesizeJobSchema.parse({
        version: 1,
        job_id: `bench-clip-${i}`,
        width: 1080,
        height: 1920,
        fps: FPS,
        duration_s: 3.5,
        seed: 11,
        scene: { index: i, type, text: TEXTS[i] },
        brand: { name: "Aurum", colours: ["#c8a04a", "#1d2a44"], mood: "upbeat", style: "modern" },
        output: { video: { path } },
      }),
      { allowLocal: true },
    );
    clips.push(path);
  }
  // The "uploaded" music file: a 30 s cut of a library track, handed over as a plain file.
  const music = join(out, "inputs", "music-30s.m4a");
  await runFfmpeg([
    ...QUIET_ARGS,
    "-i",
    await libraryTrack("upbeat"),
    "-t",
    "30",
    "-c:a",
    "aac",
    "-b:a",
    "192k",
    music,
  ]);
  return { clips, music };
}

function benchJob(clips: string[], music: string, run: number) {
  return RenderJobSchema.parse({
    version: 1,
    job_id: `bench-${run}`,
    video: { width: 1080, height: 1920, fps: FPS, preset: "medium" },
    scenes: clips.map((clip, i) => ({
      clip: { path: clip },
      duration_s: 3.5,
      overlay: {
        text: TEXTS[i],
        position: i === 4 ? "center" : "bottom",
        animation: i % 2 ? "slide_up" : "fade_in",
      },
    })),
    audio: { music: { source: { path: music } }, whoosh: true },
    grade: "warm",
    outputs: { video: { path: join(out, "ad.mp4") }, thumbnail: { path: join(out, "thumbnail.jpg") } },
  });
}

async function compose(
  clips: string[],
  music: string,
  run: number,
): Promise<{ wall: number; rssKib: number; file: string; reported: JobResult["loudness"] }> {
  const file = join(out, "ad.mp4");
  const job = benchJob(clips, music, run);
  let rssKib = 0;
  const t0 = performance.now();
  const result = await runRenderJob(job, { allowLocal: true, onStats: (s) => (rssKib = s.peakRssKib) });
  return { wall: (performance.now() - t0) / 1000, rssKib, file, reported: result.loudness };
}

async function floor(clips: string[]): Promise<{ wall: number; rssKib: number }> {
  const list = join(out, "floor-list.txt");
  // The concat demuxer is fine here: a trusted list the bench wrote itself, never user input.
  await writeFile(list, clips.map((c) => `file '${c}'`).join("\n"));
  const t0 = performance.now();
  const r = await runFfmpeg([
    ...QUIET_ARGS,
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    list,
    ...[
      "-t",
      "15.5",
      "-an",
      ...encoderArgs("medium", 20, FPS),
      "-movflags",
      "+faststart",
      join(out, "floor.mp4"),
    ],
  ]);
  return { wall: (performance.now() - t0) / 1000, rssKib: r.peakRssKib };
}

async function main(): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  log("[bench] generating inputs (not timed)...");
  const { clips, music } = await makeInputs();
  await libraryTrack("upbeat"); // warm the cache outside the timing
  await trackLoudness(await whooshTrack()); // made with the whoosh; measured here if the cache predates it
  // The upload's loudness, measured once as at upload (timed here, outside the runs) and cached.
  const m0 = performance.now();
  await measureProfile(music);
  const uploadMeasure = (performance.now() - m0) / 1000;
  await uploadProfile(music, uploadLoudnessDir(), { duration_s: 30 });
  const composeRuns: Awaited<ReturnType<typeof compose>>[] = [];
  const floorRuns: { wall: number; rssKib: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift in machine load hits both sides alike.
    composeRuns.push(await compose(clips, music, run));
    floorRuns.push(await floor(clips));
    log(
      `[bench] run ${run + 1}: compose ${composeRuns.at(-1)!.wall.toFixed(2)} s, floor ${floorRuns.at(-1)!.wall.toFixed(2)} s`,
    );
  }
  // Every run writes the same file: the checks below measure the last run's output, independently of
  // what the job reported (its loudness is metered inside the main pass, before AAC encoding).
  const file = composeRuns.at(-1)!.file;
  const reported = composeRuns.at(-1)!.reported;
  const info = await probeFile(file, { kind: "video" });
  const size = (await stat(file)).size;
  const loud = await measureLoudness(file);
  const checks = {
    duration: Math.abs(info.duration_s - 15.5) <= 1 / FPS + 1e-6,
    size_1080x1920: info.video?.width === 1080 && info.video?.height === 1920,
    h264_yuv420p: info.video?.codec === "h264" && info.video?.pix_fmt === "yuv420p",
    aac: info.audio?.codec === "aac",
    faststart: info.faststart === true,
    under_50mb: size < 50 * 1024 * 1024,
    loudness: Math.abs(loud.integrated_lufs + 14) <= 1,
    true_peak: loud.true_peak_dbtp <= -1,
  };
  await runFfmpeg([
    ...QUIET_ARGS,
    "-i",
    file,
    ...[
      "-vf",
      "fps=1,scale=216:384,tile=8x2:padding=6:margin=6:color=0x202020",
      "-frames:v",
      "1",
      join(out, "contact-sheet.png"),
    ],
  ]);
  await copyFile(join(out, "thumbnail.jpg"), join(out, "thumbnail-copy.jpg")).catch(() => undefined);
  const composeWall = median(composeRuns.map((r) => r.wall));
  const floorWall = median(floorRuns.map((r) => r.wall));
  const peakMib = Math.max(...composeRuns.map((r) => r.rssKib)) / 1024;
  const rows: [string, string][] = [
    [
      "compose wall (median of 3)",
      `${composeWall.toFixed(2)} s  [${composeRuns.map((r) => r.wall.toFixed(2)).join(", ")}]`,
    ],
    [
      "floor wall (median of 3)",
      `${floorWall.toFixed(2)} s  [${floorRuns.map((r) => r.wall.toFixed(2)).join(", ")}]`,
    ],
    ["ratio", (composeWall / floorWall).toFixed(3)],
    [
      "peak RSS compose ffmpeg",
      `${peakMib.toFixed(0)} MiB (floor ${(Math.max(...floorRuns.map((r) => r.rssKib)) / 1024).toFixed(0)} MiB)`,
    ],
    ["duration", `${info.duration_s.toFixed(3)} s`],
    [
      "video",
      `${info.video?.codec} ${info.video?.profile} ${info.video?.pix_fmt} ${info.video?.width}x${info.video?.height} ${info.video?.fps} fps`,
    ],
    ["audio", `${info.audio?.codec} ${info.audio?.sample_rate} Hz ${info.audio?.channels} ch`],
    ["size", `${(size / 1024 / 1024).toFixed(2)} MB`],
    ["loudness", `${loud.integrated_lufs} LUFS, true peak ${loud.true_peak_dbtp} dBTP`],
    [
      "loudness reported by the job",
      reported
        ? `${reported.integrated_lufs} LUFS, true peak ${reported.true_peak_dbtp} dBTP (in the main pass, before AAC)`
        : "none",
    ],
    ["upload loudness, measured once", `${uploadMeasure.toFixed(2)} s (before the runs, as at upload)`],
    [
      "checks",
      Object.entries(checks)
        .map(([k, v]) => `${k}=${v ? "ok" : "FAIL"}`)
        .join(" "),
    ],
    ["contact sheet", join(out, "contact-sheet.png")],
  ];
  // Through the root script (`npm run bench:render -- --profile`) the flag reaches the inner `npm run`,
  // which takes it as its own config and passes it on as npm_config_profile.
  if (process.argv.includes("--profile") || process.env.npm_config_profile === "true") {
    log("[bench] profiling one more job...");
    rows.push(...(await profileRender(benchJob(clips, music, RUNS))).rows);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
  console.log(
    JSON.stringify({
      compose_wall_s: Number(composeWall.toFixed(3)),
      floor_wall_s: Number(floorWall.toFixed(3)),
      ratio: Number((composeWall / floorWall).toFixed(3)),
      peak_rss_mib: Math.round(peakMib),
      output_ok: Object.values(checks).every(Boolean),
      loudness_lufs: loud.integrated_lufs,
    }),
  );
}

await main();
