import { copyFile, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureLoudness, parseEbur128Summary } from "../src/audio/loudness.ts";
import {
  libraryTrack,
  trackLoudness,
  uploadLoudnessDir,
  WHOOSH_PEAK_S,
  whooshTrack,
} from "../src/audio/music.ts";
import {
  blockPower,
  contentHash,
  gatedLoudness,
  type LoudnessProfile,
  measureProfile,
  sidecarPath,
  uploadProfile,
} from "../src/audio/profile.ts";
import { audioGraph, MIX_METER, whooshStarts } from "../src/compose/audio-graph.ts";
import { inputArgs, inputLayout } from "../src/compose/inputs.ts";
import { LIMITER_MARGIN_DB, mixLevels } from "../src/compose/mix-loudness.ts";
import { runRenderJob } from "../src/compose/render.ts";
import { timeline } from "../src/compose/timeline.ts";
import { type RenderJobInput, RenderJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { makeClip, tempDir } from "./helpers.ts";

let dir: string;

/** An "uploaded" track: a cut of a library track, quieter, mono, 44.1 kHz AAC; unique bytes per run. */
async function upload(name: string, seconds: number, gainDb: number): Promise<string> {
  const path = join(dir, name);
  const nonce = Math.floor(Math.random() * 1e6);
  await runFfmpeg([
    ...QUIET_ARGS,
    ...["-i", await libraryTrack("energetic"), "-t", String(seconds)],
    ...["-af", `volume=${gainDb}dB`, "-ac", "1", "-ar", "44100", "-c:a", "aac", "-b:a", "128k"],
    ...["-metadata", `comment=${nonce}`, path],
  ]);
  return path;
}

beforeAll(async () => {
  dir = await tempDir("rc-loudness");
});

describe("loudness profiles, measured once", () => {
  it("measures what ebur128 measures on the file, block by block", async () => {
    // 2 s of a 1 kHz tone, 1 s of silence, 2 s of pink noise.
    const file = join(dir, "steps.wav");
    await runFfmpeg([
      ...QUIET_ARGS,
      "-f",
      "lavfi",
      "-i",
      "aevalsrc='if(lt(t,2),0.05*sin(2*PI*1000*t),0)':s=48000:d=5",
      ...["-f", "lavfi", "-i", "anoisesrc=c=pink:r=48000:a=0.2:d=2:seed=3,adelay=delays=3000:all=1"],
      ...["-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0:duration=first", "-ac", "2", file],
    ]);
    const p = await measureProfile(file);
    const file128 = await measureLoudness(file);
    // The gating the arithmetic does over the blocks is the meter's.
    expect(Math.abs(p.integrated_lufs - file128.integrated_lufs)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(p.true_peak_dbtp - file128.true_peak_dbtp)).toBeLessThanOrEqual(0.1);
    // One block per 100 ms, from the one ending 0.1 s in to the one ending 0.3 s after the end.
    expect(p.blocks).toHaveLength(53);
    // The same signal with a second of silence on each side: the same blocks, shifted by ten.
    const padded = join(dir, "steps-padded.wav");
    await runFfmpeg([...QUIET_ARGS, "-i", file, "-af", "adelay=delays=1000:all=1,apad=pad_dur=1", padded]);
    const q = await measureProfile(padded);
    const same = p.blocks.map((b, i) => Math.abs(b - q.blocks[i + 10]!));
    expect(Math.max(...same.filter((_, i) => p.blocks[i]! > -70))).toBeLessThan(0.05);
    expect(gatedLoudness(q.blocks.map(blockPower))).toBeCloseTo(p.integrated_lufs, 0);
    // The tone's blocks (wholly inside 0-2 s) are steady; the silent second's are silent.
    const tone = p.blocks.slice(4, 20);
    expect(Math.max(...tone) - Math.min(...tone)).toBeLessThan(0.1);
    expect(p.blocks[26]).toBeLessThan(-100); // the block 2.3-2.7 s
    expect(p.blocks[45]).toBeGreaterThan(-40); // noise, 4.2-4.6 s
  });

  it("keeps a generated track's profile beside it, made with the track", async () => {
    // A fresh cache (the env is read when the call starts): the whoosh is generated, and its sidecar
    // exists as soon as the track does.
    const saved = process.env.MUSIC_CACHE_DIR;
    process.env.MUSIC_CACHE_DIR = join(dir, "fresh-cache");
    const making = whooshTrack();
    if (saved === undefined) delete process.env.MUSIC_CACHE_DIR;
    else process.env.MUSIC_CACHE_DIR = saved;
    const track = await making;
    expect(track.startsWith(join(dir, "fresh-cache"))).toBe(true);
    expect((await stat(sidecarPath(track))).size).toBeGreaterThan(0);
    const p = await trackLoudness(track);
    const measured = await measureLoudness(track);
    expect(Math.abs(p.integrated_lufs - measured.integrated_lufs)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(p.true_peak_dbtp - measured.true_peak_dbtp)).toBeLessThanOrEqual(0.2);
  });

  it("caches an upload's profile by its bytes and reuses it; a loudness given with the job is used as is", async () => {
    const cache = join(dir, "cache");
    const a = await upload("a.m4a", 4, -6);
    const first = await uploadProfile(a, cache, { duration_s: 4 });
    const entry = join(cache, `${await contentHash(a)}.json`);
    const measured = await measureLoudness(a);
    expect(Math.abs(first.integrated_lufs - measured.integrated_lufs)).toBeLessThanOrEqual(0.1);
    // Mark the entry: what comes back next is the cache's, not a new measurement.
    const stored = JSON.parse(await readFile(entry, "utf8")) as LoudnessProfile;
    await writeFile(entry, JSON.stringify({ ...stored, integrated_lufs: -42.42 }));
    expect((await uploadProfile(a, cache, { duration_s: 4 })).integrated_lufs).toBe(-42.42);
    // The same bytes under another name are the same entry; a loudness given with the job does not
    // replace a measurement this instance has.
    const copy = join(dir, "a-copy.m4a");
    await copyFile(a, copy);
    expect((await uploadProfile(copy, cache, { duration_s: 4, lufs: -20 })).integrated_lufs).toBe(-42.42);
    // Other bytes with a given loudness: a flat profile of that loudness, nothing measured or stored.
    const b = await upload("b.m4a", 4, -3);
    const given = await uploadProfile(b, cache, { duration_s: 4, lufs: -19.5 });
    expect(given.integrated_lufs).toBe(-19.5);
    expect(new Set(given.blocks)).toEqual(new Set([-19.5]));
    await expect(stat(join(cache, `${await contentHash(b)}.json`))).rejects.toThrow();
  });
});

describe("the mix's loudness by arithmetic", () => {
  const standard = RenderJobSchema.parse({
    version: 1,
    job_id: "mix",
    scenes: [0, 1, 2, 3, 4].map(() => ({ clip: { path: "/x.mp4" }, duration_s: 3.5 })),
    audio: { music: { library: "upbeat" } },
    outputs: { video: { path: "/o.mp4" } },
  });
  const tl = timeline(standard);

  it("predicts the loudness ffmpeg measures on the mixed audio (library track, whooshes, fade-out)", async () => {
    const music = await libraryTrack("upbeat");
    const whoosh = await whooshTrack();
    const [musicP, whooshP] = await Promise.all([trackLoudness(music), trackLoudness(whoosh)]);
    const inputs = {
      clips: [],
      music: { path: music, duration_s: 32 },
      whoosh: { path: whoosh, peak_s: WHOOSH_PEAK_S },
      workDir: dir,
      output: { video: join(dir, "o.mp4") },
    };
    const levels = mixLevels(standard, tl, {
      music: { profile: musicP, duration_s: 32 },
      whoosh: { profile: whooshP, starts_s: whooshStarts(standard, tl, WHOOSH_PEAK_S) },
    })!;
    // The composition's own audio chains, whoosh gain included, metered before any mix gain.
    const layout = inputLayout(standard, inputs, true);
    const graph = audioGraph(standard, tl, inputs, layout, MIX_METER, levels.whoosh_db).join(";\n");
    const { stderr } = await runFfmpeg([
      ...["-hide_banner", "-nostdin", "-nostats", ...inputArgs(tl, inputs, layout)],
      ...["-filter_complex", graph, "-map", "[aout]", "-f", "null", "-"],
    ]);
    const mixed = parseEbur128Summary(stderr)!;
    expect(Math.abs(levels.mix_lufs - mixed.integrated_lufs)).toBeLessThanOrEqual(0.3);
    expect(levels.gain_db).toBeCloseTo(standard.audio.target_lufs - levels.mix_lufs, 1);
    // The whoosh (about 10 LU over the music bed in the graph) is lowered just enough that its peak
    // meets the limiter's threshold after the mix gain, and no further.
    expect(levels.whoosh_db).toBeLessThan(0);
    const threshold = standard.audio.true_peak_db - LIMITER_MARGIN_DB;
    expect(whooshP.true_peak_dbtp + levels.whoosh_db + levels.gain_db).toBeCloseTo(threshold, 1);
  });

  it("lowers the whoosh only when lowering it helps, and leaves silence alone", () => {
    const flat = (lufs: number, peak: number, seconds: number): LoudnessProfile => ({
      integrated_lufs: lufs,
      true_peak_dbtp: peak,
      blocks: new Array(Math.round(seconds * 10)).fill(lufs),
    });
    const whoosh = { profile: flat(-24, -12, 0.9), starts_s: whooshStarts(standard, tl, 0.45) };
    // Whooshes only (no music): the mix is theirs, lowering them cannot change their peak-to-loudness.
    expect(mixLevels(standard, tl, { whoosh })?.whoosh_db).toBe(0);
    // A loud bed: the whoosh's peak stays under the limiter at its own level.
    const loud = { profile: flat(-10, -4, 32), duration_s: 32 };
    const full = RenderJobSchema.parse({ ...standard, audio: { ...standard.audio, music_volume: 1 } });
    expect(mixLevels(full, tl, { music: loud, whoosh })?.whoosh_db).toBe(0);
    // Nothing audible: nothing to normalise.
    expect(mixLevels(standard, tl, {})).toBeUndefined();
    // A track shorter than the ad loops: the loudness is the loop's.
    const short = mixLevels(full, tl, { music: { profile: flat(-20, -8, 4), duration_s: 4 } })!;
    expect(short.mix_lufs).toBeGreaterThan(-20.5);
    expect(short.mix_lufs).toBeLessThan(-19.5);
  });
});

describe("renders land on the target by arithmetic: the QC measures the file and fixes nothing", () => {
  const results: Record<string, Awaited<ReturnType<typeof runRenderJob>>> = {};
  const uploads: string[] = [];
  let clips: string[];

  const job = (name: string, music: RenderJobInput["audio"]): RenderJobInput => ({
    version: 1,
    job_id: `loud-${name}`,
    video: { width: 270, height: 480, preset: "veryfast" },
    scenes: clips.map((clip) => ({ clip: { path: clip }, duration_s: 2 })),
    audio: music,
    outputs: { video: { path: join(dir, `${name}.mp4`) } },
  });

  beforeAll(async () => {
    clips = await Promise.all(
      [0, 1, 2].map((i) =>
        makeClip(join(dir, `clip-${i}.mp4`), { width: 270, height: 480, fps: 24, duration: 2 }),
      ),
    );
    const [measured, given] = await Promise.all([
      upload("upload-1.m4a", 8, -9),
      upload("upload-2.m4a", 8, -4),
    ]);
    uploads.push(measured, given);
    // The loudness the worker would send, measured once at upload.
    const givenLufs = (await measureLoudness(given)).integrated_lufs;
    const run = async (name: string, audio: RenderJobInput["audio"]) => {
      results[name] = await runRenderJob(RenderJobSchema.parse(job(name, audio)), { allowLocal: true });
    };
    await Promise.all([
      run("library", { music: { library: "luxury" } }),
      run("upload-measured", { music: { source: { path: measured } } }),
      run("upload-given", { music: { source: { path: given }, loudness_lufs: givenLufs } }),
      run("whooshes-only", {}),
    ]);
  }, 300_000);

  afterAll(async () => {
    // The uploads' cache entries (the renders used the container's own cache directory).
    await Promise.all(
      uploads.map(async (u) =>
        rm(join(uploadLoudnessDir(), `${await contentHash(u)}.json`), { force: true }),
      ),
    );
  });

  for (const name of ["library", "upload-measured", "upload-given", "whooshes-only"]) {
    it(`${name}: -14 ±1 LUFS and at most -1 dBTP on the file, without the QC's loudness fix`, async () => {
      const r = results[name]!;
      const file = await measureLoudness(join(dir, `${name}.mp4`));
      expect(Math.abs(file.integrated_lufs + 14)).toBeLessThanOrEqual(1);
      expect(file.true_peak_dbtp).toBeLessThanOrEqual(-1);
      const check = (c: string) => r.qc?.checks.find((x) => x.check === c);
      expect(check("loudness")).toMatchObject({ status: "pass" });
      expect(check("true_peak")).toMatchObject({ status: "pass" });
      // What the job reports (metered in the main pass, before AAC) is what the file measures.
      expect(Math.abs(r.loudness!.integrated_lufs - file.integrated_lufs)).toBeLessThanOrEqual(0.3);
    });
  }

  it("measured the upload once and kept its profile by content hash", async () => {
    const entry = join(uploadLoudnessDir(), `${await contentHash(uploads[0]!)}.json`);
    const kept = JSON.parse(await readFile(entry, "utf8")) as LoudnessProfile;
    const measured = await measureLoudness(uploads[0]!);
    expect(Math.abs(kept.integrated_lufs - measured.integrated_lufs)).toBeLessThanOrEqual(0.2);
    // The upload whose loudness came with the job was not measured here.
    await expect(stat(join(uploadLoudnessDir(), `${await contentHash(uploads[1]!)}.json`))).rejects.toThrow();
  });
});
