/**
 * Loudness profiles of the mix's sources, measured once and kept: the library tracks and the whoosh
 * in a sidecar next to the generated file (made with it, so at image build time), an uploaded track
 * by the SHA-256 of its bytes in a cache directory. A profile is what the mix arithmetic
 * (`compose/mix-loudness.ts`) needs to predict the integrated loudness of any mix of its sources:
 * the K-weighted loudness of every 400 ms block at 100 ms steps, the blocks BS.1770 gates.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { assertPlainPath, inputGuard, runFfmpeg } from "../ffmpeg.ts";
import { type LoudnessSummary, parseEbur128Summary } from "./loudness.ts";

/** The block step (s): ebur128's 100 ms hop. */
export const BLOCK_STEP_S = 0.1;
/** Silence before the source when it is measured, so the blocks that start before it are complete. */
const PRE_PAD_S = 0.3;
/** The profile file format; a sidecar or cache entry of another version is measured again. */
const PROFILE_VERSION = 1;

/**
 * A source's loudness as the mix hears it (converted to 48 kHz stereo first, as the mix does):
 * `blocks[i]` is the loudness (LUFS) of the 400 ms block ending at (i + 1) × 100 ms of the source's
 * own time (silence before its start and after its end), so blocks[0] covers -0.3..0.1 s.
 */
export interface LoudnessProfile extends LoudnessSummary {
  blocks: number[];
}

/**
 * The filters that measure a profile at the end of an audio chain (already 48 kHz stereo): silence
 * before and after, and `ebur128` cutting the audio into 100 ms frames whose metadata (the momentary
 * loudness: the 400 ms block ending with the frame) goes to a file (a long track's would overflow
 * stderr). Its summary (integrated loudness, true peak) goes to stderr as usual.
 */
export function profileFilters(metadataPath: string): string {
  return (
    `adelay=delays=${PRE_PAD_S * 1000}:all=1,apad=pad_dur=${PRE_PAD_S},` +
    "ebur128=peak=true:metadata=1:framelog=verbose," +
    `ametadata=mode=print:key=lavfi.r128.M:file=${assertPlainPath(metadataPath)}`
  );
}

/** The ffmpeg arguments of a file's profile measurement: one decode of its first audio stream. */
export function profileArgs(file: string, metadataPath: string): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"],
    ...inputGuard(),
    ...["-i", file, "-vn", "-map", "0:a:0", "-af"],
    `aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,${profileFilters(metadataPath)}`,
    ...["-f", "null", "-"],
  ];
}

const power = (lufs: number) => 10 ** ((lufs + 0.691) / 10);
const lufsOf = (p: number) => -0.691 + 10 * Math.log10(p);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The power (mean square, K-weighted, channels summed) of a block of the given loudness; 0 for silence. */
export function blockPower(lufs: number): number {
  return lufs <= -120 ? 0 : power(lufs);
}

/** BS.1770 gating over block powers: -70 LUFS absolute, then 10 LU under the mean of the rest. */
export function gatedLoudness(blockPowers: number[]): number {
  const audible = blockPowers.filter((p) => lufsOf(p) > -70);
  if (!audible.length) return Number.NEGATIVE_INFINITY;
  const relative = lufsOf(mean(audible)) - 10;
  return lufsOf(mean(audible.filter((p) => lufsOf(p) > relative)));
}

/**
 * Reads a profile from the measurement's outputs: the `ametadata` file (frame n holds the block ending
 * at (n + 1) × 100 ms of padded time) and the `ebur128` summary in stderr (the true peak). The
 * integrated loudness is the gated mean of the blocks wholly inside the source, as `ebur128` measures
 * the file alone (the padding's part-silent blocks would otherwise count). Pure.
 */
export function parseProfile(metadata: string, stderr: string): LoudnessProfile | undefined {
  const values = [...metadata.matchAll(/lavfi\.r128\.M=(\S+)/g)].map((m) => Number(m[1]));
  // Frames 0..2 end before the source starts (the pre-pad); frame 3 ends 0.1 s into it.
  const pad = Math.round(PRE_PAD_S / BLOCK_STEP_S);
  const blocks = values
    .slice(pad)
    .map((v) => (Number.isFinite(v) ? Math.max(-120, Math.round(v * 100) / 100) : -120));
  if (!blocks.length) return undefined;
  // Blocks 3.. end 0.4 s or more into the source; the last `pad` blocks reach into the silence after it.
  const inside = blocks.slice(pad, Math.max(pad, blocks.length - pad));
  const peak = parseEbur128Summary(stderr)?.true_peak_dbtp;
  return {
    integrated_lufs: Math.round(gatedLoudness(inside.map(blockPower)) * 100) / 100,
    true_peak_dbtp: peak ?? Number.NaN,
    blocks,
  };
}

/** A temp file for a measurement's metadata (a plain path: it goes into a filter graph). */
export async function metadataTempPath(): Promise<string> {
  const dir = process.env.RENDER_TMP_DIR ?? tmpdir();
  await mkdir(dir, { recursive: true });
  return join(dir, `r128-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
}

/** Reads (and removes) what a run of {@link profileFilters} wrote; throws when it measured nothing. */
export async function profileFromRun(
  metadataPath: string,
  stderr: string,
  what: string,
): Promise<LoudnessProfile> {
  try {
    const profile = parseProfile(await readFile(metadataPath, "utf8"), stderr);
    if (!profile) throw new Error(`no loudness measured for ${what}`);
    return profile;
  } finally {
    await rm(metadataPath, { force: true });
  }
}

/** Measures a file's first audio stream (one ffmpeg launch, about 1/100 of real time). */
export async function measureProfile(file: string, signal?: AbortSignal): Promise<LoudnessProfile> {
  const metadata = await metadataTempPath();
  try {
    const { stderr } = await runFfmpeg(profileArgs(file, metadata), signal ? { signal } : {});
    return await profileFromRun(metadata, stderr, file);
  } finally {
    await rm(metadata, { force: true });
  }
}

/** A profile of constant loudness: an uploaded track whose loudness came with the job, unmeasured here. */
export function flatProfile(lufs: number, duration_s: number): LoudnessProfile {
  const n = Math.max(1, Math.round(duration_s / BLOCK_STEP_S));
  return { integrated_lufs: lufs, true_peak_dbtp: Number.NaN, blocks: new Array(n).fill(lufs) };
}

async function readProfile(path: string): Promise<LoudnessProfile | undefined> {
  try {
    const j = JSON.parse(await readFile(path, "utf8")) as Partial<LoudnessProfile> & { version?: number };
    if (j.version !== PROFILE_VERSION || !Array.isArray(j.blocks) || typeof j.integrated_lufs !== "number")
      return undefined;
    return {
      integrated_lufs: j.integrated_lufs,
      true_peak_dbtp: typeof j.true_peak_dbtp === "number" ? j.true_peak_dbtp : Number.NaN,
      blocks: j.blocks,
    };
  } catch {
    return undefined; // missing or unreadable: measured again
  }
}

async function writeProfile(path: string, p: LoudnessProfile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  // -Infinity (a silent file's peak) is not JSON: kept as null, read back as NaN (unknown).
  const peak = Number.isFinite(p.true_peak_dbtp) ? p.true_peak_dbtp : null;
  await writeFile(tmp, JSON.stringify({ version: PROFILE_VERSION, ...p, true_peak_dbtp: peak }));
  await rename(tmp, path); // atomic: a reader never sees half a file
}

// Concurrent first uses of one file share one measurement.
const pending = new Map<string, Promise<LoudnessProfile>>();

async function cached(
  entry: string,
  measure: () => Promise<LoudnessProfile>,
  signal?: AbortSignal,
): Promise<LoudnessProfile> {
  const hit = await readProfile(entry);
  if (hit) return hit;
  const running = pending.get(entry);
  if (running) {
    try {
      return await running;
    } catch (err) {
      // Another job's measurement failed or was cancelled with that job: ours measures itself.
      if (signal?.aborted) throw err;
    }
  }
  const job = (async () => {
    const p = await measure();
    // A cache that cannot be written costs the next job a measurement, not this job its render.
    await writeProfile(entry, p).catch((err: unknown) =>
      console.error(`[render-container] loudness cache: cannot write ${entry}: ${(err as Error).message}`),
    );
    return p;
  })();
  pending.set(entry, job);
  try {
    return await job;
  } finally {
    if (pending.get(entry) === job) pending.delete(entry);
  }
}

/** Where the sidecar of a generated file lives: `music-calm-v1.flac` -> `music-calm-v1.loudness.json`. */
export function sidecarPath(file: string): string {
  return `${file.replace(/\.[^./]+$/, "")}.loudness.json`;
}

/** The profile of a file we generate, kept next to it (measured once, when missing). */
export function sidecarProfile(file: string, signal?: AbortSignal): Promise<LoudnessProfile> {
  return cached(sidecarPath(file), () => measureProfile(file, signal), signal);
}

/** SHA-256 of a file's bytes, streamed. */
export async function contentHash(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The profile of an uploaded track, cached by the SHA-256 of its bytes in `cacheDir`: the same track
 * in many ads (every variation of a group, every re-render) is measured once per container instance.
 * Not yet measured here, a loudness that came with the job (measured once at upload) stands in for it
 * as a {@link flatProfile} and nothing is launched; without one the file is measured and cached.
 */
export async function uploadProfile(
  file: string,
  cacheDir: string,
  given: { lufs?: number | undefined; duration_s: number },
  signal?: AbortSignal,
): Promise<LoudnessProfile> {
  const entry = join(cacheDir, `${await contentHash(file)}.json`);
  if (given.lufs !== undefined)
    return (await readProfile(entry)) ?? flatProfile(given.lufs, given.duration_s);
  return cached(entry, () => measureProfile(file, signal), signal);
}
