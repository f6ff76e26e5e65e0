/**
 * The music library the project makes itself: one synthesised track per mood (pad, bass, arpeggio
 * and drums from an `aevalsrc` expression), plus a whoosh. Generated with ffmpeg at first use into
 * MUSIC_CACHE_DIR (default render-container/.cache/music) and reused; never downloaded. Each file's
 * loudness profile is measured right after it is made and kept beside it (`<name>.loudness.json`,
 * see `profile.ts`), so the image build measures them once and a render only reads them.
 */
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Mood } from "../contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../ffmpeg.ts";
import { type LoudnessProfile, sidecarProfile } from "./profile.ts";

/** Length of every library track in seconds (the render loops and trims it). */
export const TRACK_SECONDS = 32;
/** Where the whoosh is loudest, so the planner can centre it on a transition. */
export const WHOOSH_PEAK_S = 0.45;

const here = dirname(fileURLToPath(import.meta.url));

/** The cache directory (MUSIC_CACHE_DIR, default render-container/.cache/music). */
export function musicCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MUSIC_CACHE_DIR ?? join(here, "../../.cache/music"));
}

/** Where the loudness profiles of uploaded tracks are cached, by content hash: `<music cache>/loudness`. */
export function uploadLoudnessDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(musicCacheDir(env), "loudness");
}

/** Musical recipe of a mood. */
interface Recipe {
  bpm: number;
  /** Key root in Hz. */
  base: number;
  /** Chord roots in semitones, one chord per bar. */
  roots: [number, number, number, number];
  /** Third of each chord: 3 minor, 4 major. */
  thirds: [number, number, number, number];
  kick: "none" | "half" | "four";
  hat: boolean;
  snare: boolean;
  /** Arpeggio notes per beat (0 = none). */
  arp: number;
  pad: number;
  bassPerBeat: number;
}

const RECIPES: Record<Mood, Recipe> = {
  upbeat: {
    bpm: 118,
    base: 220,
    roots: [0, 7, 9, 5],
    thirds: [4, 4, 3, 4],
    kick: "four",
    hat: true,
    snare: false,
    arp: 4,
    pad: 0.05,
    bassPerBeat: 2,
  },
  calm: {
    bpm: 72,
    base: 196,
    roots: [0, 5, 9, 7],
    thirds: [4, 4, 3, 4],
    kick: "none",
    hat: false,
    snare: false,
    arp: 2,
    pad: 0.08,
    bassPerBeat: 0.5,
  },
  luxury: {
    bpm: 84,
    base: 174.61,
    roots: [0, 8, 3, 10],
    thirds: [3, 4, 4, 4],
    kick: "half",
    hat: false,
    snare: false,
    arp: 2,
    pad: 0.07,
    bassPerBeat: 1,
  },
  energetic: {
    bpm: 128,
    base: 246.94,
    roots: [0, 8, 10, 7],
    thirds: [3, 4, 4, 4],
    kick: "four",
    hat: true,
    snare: true,
    arp: 4,
    pad: 0.04,
    bassPerBeat: 2,
  },
  corporate: {
    bpm: 104,
    base: 261.63,
    roots: [0, 5, 9, 7],
    thirds: [4, 4, 3, 4],
    kick: "half",
    hat: true,
    snare: false,
    arp: 2,
    pad: 0.06,
    bassPerBeat: 1,
  },
};

const pick = (values: readonly number[], index: string) =>
  values.slice(0, -1).reduceRight((acc, v, i) => `if(eq(${index},${i}),${v},${acc})`, String(values.at(-1)));

/**
 * The `aevalsrc` expression of a mood. Registers: 0 beat, 1 chord index, 2 root semitone, 3 third.
 * A pure function (exported for tests).
 */
export function musicExpression(mood: Mood): string {
  const r = RECIPES[mood];
  const B = r.bpm / 60;
  const parts: string[] = [];
  const setup = `st(0,t*${B});st(1,mod(floor(ld(0)/4),4));st(2,${pick(r.roots, "ld(1)")});st(3,${pick(r.thirds, "ld(1)")})`;
  const hz = (semis: string, mul: number) => `${r.base * mul}*pow(2,(${semis})/12)`;
  // Pad: root, third, fifth and octave, slightly detuned, breathing over the bar.
  const swell = "(0.75+0.25*sin(2*PI*ld(0)/8))";
  for (const [semi, mul, det] of [
    ["ld(2)", 1, 1],
    ["ld(2)+ld(3)", 1, 1.003],
    ["ld(2)+7", 1, 0.997],
    ["ld(2)+12", 1, 1.002],
  ] as const) {
    parts.push(`${r.pad}*${swell}*sin(2*PI*t*${hz(semi, mul)}*${det})`);
  }
  // Bass: plucked root an octave or two down.
  parts.push(`0.22*exp(-3*mod(ld(0)*${r.bassPerBeat},1))*sin(2*PI*t*${hz("ld(2)", 0.25)})`);
  if (r.arp > 0) {
    const note = `mod(floor(ld(0)*${r.arp}),4)`;
    const step = `if(eq(${note},0),0,if(eq(${note},1),ld(3),if(eq(${note},2),7,12)))`;
    parts.push(`0.09*exp(-7*mod(ld(0)*${r.arp},1))*sin(2*PI*t*${hz(`ld(2)+${step}`, 2)})`);
  }
  if (r.kick !== "none") {
    const every = r.kick === "four" ? 1 : 2;
    const tau = `(mod(ld(0),${every})/${B})`;
    parts.push(`0.5*exp(-9*${tau})*sin(2*PI*(48*${tau}+4*(1-exp(-40*${tau}))))`);
  }
  if (r.hat) parts.push(`0.05*exp(-70*(mod(ld(0)+0.5,1)/${B}))*(2*random(8)-1)`);
  if (r.snare) parts.push(`0.18*exp(-22*(mod(ld(0)+1,2)/${B}))*(2*random(9)-1)`);
  return `${setup};${parts.join("+")}`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.size > 0,
    () => false,
  );
}

// Concurrent first uses of the same track share one generation.
const pending = new Map<string, Promise<string>>();

async function generate(file: string, graph: string, signal?: AbortSignal): Promise<string> {
  if (await exists(file)) return file;
  const existing = pending.get(file);
  if (existing) return existing;
  const job = (async () => {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp.flac`;
    const script = `${file}.${process.pid}.graph.txt`;
    await writeFile(script, graph);
    await runFfmpeg(
      [...QUIET_ARGS, "-filter_complex_script", script, "-map", "[out]", "-c:a", "flac", tmp],
      signal ? { signal } : {},
    );
    await rename(tmp, file); // atomic: a half-written track is never picked up
    await rm(script, { force: true });
    await sidecarProfile(file, signal); // its loudness, measured once with it
    return file;
  })();
  pending.set(file, job);
  try {
    return await job;
  } finally {
    pending.delete(file);
  }
}

/**
 * The loudness profile of a track this module made (library or whoosh): its sidecar, written when the
 * track was generated (or, for a track cached before sidecars existed, measured now and kept).
 */
export function trackLoudness(file: string, signal?: AbortSignal): Promise<LoudnessProfile> {
  return sidecarProfile(file, signal);
}

/** Path of the library track for a mood, generating it on first use. */
export function libraryTrack(mood: Mood, signal?: AbortSignal): Promise<string> {
  const file = join(musicCacheDir(), `music-${mood}-v1.flac`);
  const graph =
    `aevalsrc=exprs='${musicExpression(mood)}':s=44100:d=${TRACK_SECONDS},` +
    "lowpass=f=9000,aecho=0.8:0.6:45|80:0.22|0.15,pan=stereo|c0=c0|c1=c0," +
    // Haas widening: the right channel a few ms late.
    `adelay=delays=0|7,afade=t=in:d=0.3,afade=t=out:st=${TRACK_SECONDS - 1}:d=1,alimiter=limit=0.89:level=false[out]`;
  return generate(file, graph, signal);
}

/** Path of the whoosh (two noise bands sweeping past, peak at {@link WHOOSH_PEAK_S}). */
export function whooshTrack(signal?: AbortSignal): Promise<string> {
  const file = join(musicCacheDir(), "whoosh-v1.flac");
  const env = (peak: number, width: number) => `'exp(-pow((t-${peak})/${width},2))'`;
  const graph =
    "anoisesrc=color=pink:r=44100:d=0.9:seed=7:a=0.8,asplit=2[lo][hi];" +
    `[lo]highpass=f=150,lowpass=f=900,volume=volume=${env(WHOOSH_PEAK_S - 0.05, 0.16)}:eval=frame[l];` +
    `[hi]highpass=f=1800,lowpass=f=6000,volume=volume=${env(WHOOSH_PEAK_S + 0.05, 0.1)}:eval=frame[h];` +
    "[l][h]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=c0,alimiter=limit=0.89:level=false[out]";
  return generate(file, graph, signal);
}
