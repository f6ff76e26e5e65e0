/**
 * The loudness of the mix by arithmetic, pure: from each source's loudness profile (measured once,
 * `audio/profile.ts`) and the gains and times the audio graph gives it, the K-weighted power of every
 * 400 ms block of the mix, gated as BS.1770 gates them. The sources are independent signals (music,
 * noise sweeps, the clips' own sound), so their powers add. The composition then applies the gain to
 * the target with `volume`, and a limiter is the safety net for peaks; the QC pass measures the file.
 */
import {
  BLOCK_STEP_S,
  gatedLoudness,
  type LoudnessProfile,
  blockPower as powerOf,
} from "../audio/profile.ts";
import type { RenderJob } from "../contract.ts";
import type { Timeline } from "./timeline.ts";

/** The limiter's threshold (sample peak) sits this far under the job's true-peak ceiling. */
export const LIMITER_MARGIN_DB = 1;

/** What the mix is made of, as the arithmetic needs it. */
export interface MixSources {
  /** The music file (looped when shorter than the ad) and its profile. */
  music?: { profile: LoudnessProfile; duration_s: number };
  /** The whoosh and where each copy starts in the ad (s). */
  whoosh?: { profile: LoudnessProfile; starts_s: number[] };
  /** The clips' own sound, already mixed and placed in ad time (the analysis pass's profile). */
  clipSound?: LoudnessProfile;
}

/** The levels the composition applies. */
export interface MixLevels {
  /** Gain of the whole mix (dB): the target minus {@link MixLevels.mix_lufs}. */
  gain_db: number;
  /** Gain of every whoosh (dB, at most 0): lowered only when its peak would go over the limiter. */
  whoosh_db: number;
  /** The mix's integrated loudness before `gain_db`, predicted (LUFS). */
  mix_lufs: number;
}

/** Power of block `i` of a profile; silence outside it. */
function blockPower(profile: LoudnessProfile, i: number): number {
  return i >= 0 && i < profile.blocks.length ? powerOf(profile.blocks[i]!) : 0;
}

/** The music's gain squared over the block ending at `end`: its volume and the linear fade-out. */
function musicGain2(job: RenderJob, tl: Timeline, end: number): number {
  const fo = Math.min(job.audio.fade_out_s, tl.total);
  let sum = 0;
  const samples = 8;
  for (let j = 0; j < samples; j++) {
    const t = end - 0.4 + ((j + 0.5) * 0.4) / samples;
    const g = fo > 0 && t > tl.total - fo ? Math.max(0, (tl.total - t) / fo) : 1;
    sum += g * g;
  }
  return job.audio.music_volume ** 2 * (sum / samples);
}

/** The power of every gated block of the mix (blocks ending at 0.4 s .. the end), whooshes at `whooshDb`. */
export function mixBlockPowers(job: RenderJob, tl: Timeline, src: MixSources, whooshDb: number): number[] {
  const last = Math.floor(tl.total / BLOCK_STEP_S + 1e-6);
  const w2 = 10 ** (whooshDb / 10);
  const out: number[] = [];
  for (let k = 4; k <= last; k++) {
    const end = k * BLOCK_STEP_S;
    let z = 0;
    if (src.music) {
      const { profile, duration_s } = src.music;
      // A looped track starts again after its length (ffmpeg's -stream_loop).
      const loop = Math.max(1, Math.round(duration_s / BLOCK_STEP_S));
      z += musicGain2(job, tl, end) * blockPower(profile, duration_s < tl.total ? (k - 1) % loop : k - 1);
    }
    for (const start of src.whoosh?.starts_s ?? []) {
      z += w2 * blockPower(src.whoosh!.profile, Math.round((end - start) / BLOCK_STEP_S) - 1);
    }
    if (src.clipSound) z += blockPower(src.clipSound, k - 1);
    out.push(z);
  }
  return out;
}

/**
 * The levels of the mix: its predicted loudness and the gain to the job's target. A whoosh whose
 * peak would land over the limiter's threshold (it sits ~10 LU over the music bed in the graph) is
 * lowered just enough, so the limiter stays a safety net instead of taking loudness off every
 * transition; lowering it makes the mix quieter and the gain larger, so the level is solved for.
 * Undefined for a silent mix (nothing to normalise).
 */
export function mixLevels(job: RenderJob, tl: Timeline, src: MixSources): MixLevels | undefined {
  const loudness = (whooshDb: number) => gatedLoudness(mixBlockPowers(job, tl, src, whooshDb));
  const target = job.audio.target_lufs;
  if (!(loudness(0) > -70)) return undefined;
  const peak = src.whoosh?.profile.true_peak_dbtp;
  const aim = job.audio.true_peak_db - LIMITER_MARGIN_DB;
  // How far the whoosh's peak lands over the aim, after its own gain and the mix gain.
  const over = (w: number) => (peak ?? 0) + w + (target - loudness(w)) - aim;
  let whooshDb = 0;
  // over() never falls as w rises (the whoosh is at most all of the mix's loudness); when even a
  // whoosh 40 dB down is over (a mix of whooshes only), its gain cannot help: the limiter acts.
  if (src.whoosh?.starts_s.length && Number.isFinite(peak) && over(0) > 0 && over(-40) <= 0) {
    let lo = -40;
    let hi = 0;
    for (let i = 0; i < 30; i++) {
      const mid = (lo + hi) / 2;
      if (over(mid) > 0) hi = mid;
      else lo = mid;
    }
    whooshDb = Math.round(lo * 100) / 100;
  }
  const mix = loudness(whooshDb);
  return {
    gain_db: Math.round((target - mix) * 100) / 100,
    whoosh_db: whooshDb,
    mix_lufs: Math.round(mix * 100) / 100,
  };
}
