/**
 * The audio half of the composition, pure: the mix (clip audio, music, whooshes), its levels (the gain
 * to the loudness target from `mix-loudness.ts`, and a limiter), and the meter of the final mix.
 */
import type { RenderJob } from "../contract.ts";
import { num } from "../ffmpeg.ts";
import { type ComposeInputs, type InputLayout, mixesClipSound } from "./inputs.ts";
import { LIMITER_MARGIN_DB, type MixLevels } from "./mix-loudness.ts";
import type { Timeline } from "./timeline.ts";

/** Where each whoosh starts (s, whole milliseconds): its loudest point on the middle of a transition. */
export function whooshStarts(job: RenderJob, tl: Timeline, peak_s: number): number[] {
  return Array.from({ length: job.scenes.length - 1 }, (_, k) => {
    const centre = tl.starts[k + 1]! + tl.transition / 2;
    return Math.max(0, Math.round((centre - peak_s) * 1000)) / 1000;
  });
}

/**
 * The audio part: a silent bed of exactly the output length, the clips' own audio (if wanted),
 * the music at its gain with a fade-out, and a whoosh centred on every transition (at `whooshDb`),
 * then `tail`.
 */
export function audioGraph(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  idx: InputLayout,
  tail: string,
  whooshDb = 0,
): string[] {
  const { starts, total } = tl;
  const T = num(total);
  const fmt = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo";
  const chains: string[] = [`anullsrc=r=48000:cl=stereo,atrim=duration=${T}[abed]`];
  const mix = ["[abed]"];
  if (mixesClipSound(job)) {
    job.scenes.forEach((scene, i) => {
      const input = idx.clips[i];
      if (!inputs.clips[i]?.info.audio || input === undefined) return; // silent clips simply add nothing
      const delay = Math.round(starts[i]! * 1000);
      chains.push(
        `[${input}:a:0]asetpts=PTS-STARTPTS,atrim=duration=${num(scene.duration_s)},${fmt},volume=${job.audio.clip_volume},` +
          `afade=t=in:d=0.05,afade=t=out:st=${num(Math.max(0, scene.duration_s - 0.1))}:d=0.1,adelay=delays=${delay}:all=1[ac${i}]`,
      );
      mix.push(`[ac${i}]`);
    });
  }
  if (idx.music !== undefined) {
    const fo = Math.min(job.audio.fade_out_s, total);
    chains.push(
      `[${idx.music}:a:0]asetpts=PTS-STARTPTS,atrim=duration=${T},${fmt},volume=${job.audio.music_volume}` +
        (fo > 0 ? `,afade=t=out:st=${num(total - fo)}:d=${num(fo)}` : "") +
        "[amus]",
    );
    mix.push("[amus]");
  }
  if (idx.whoosh !== undefined && inputs.whoosh) {
    const at = whooshStarts(job, tl, inputs.whoosh.peak_s);
    const labels = at.map((_, k) => `[w${k}]`);
    const gain = whooshDb < 0 ? `,volume=${num(whooshDb, 2)}dB` : "";
    chains.push(`[${idx.whoosh}:a:0]${fmt}${gain},asplit=${at.length}${labels.join("")}`);
    at.forEach((start, k) => {
      chains.push(`[w${k}]adelay=delays=${Math.round(start * 1000)}:all=1[wd${k}]`);
      mix.push(`[wd${k}]`);
    });
  }
  const mixed =
    mix.length > 1 ? `${mix.join("")}amix=inputs=${mix.length}:duration=first:normalize=0` : "[abed]anull";
  chains.push(`${mixed},atrim=duration=${T}${tail ? `,${tail}` : ""}[aout]`);
  return chains;
}

/**
 * Meters the final mix inside the main pass, as the last audio filter: integrated loudness and true
 * peak (`peak=true`) of exactly what the AAC encoder gets, logged in a `Summary:` at info level when
 * the graph closes (parsed by `parseEbur128Summary`). Saves a separate ffmpeg run over the output.
 * The layout is pinned first: ebur128 takes any layout, and ffmpeg 5.1 then fails to choose one for
 * the link into it ("Unknown channel layouts not supported"). `framelog=verbose` keeps its
 * per-100 ms lines out of stderr. Audio passes through unchanged (float to double and back is exact).
 */
export const MIX_METER = "aformat=channel_layouts=stereo,ebur128=peak=true:framelog=verbose";

/**
 * The mix's levels: the gain to the loudness target (predicted by `mixLevels`), then a look-ahead
 * limiter 1 dB under the true-peak ceiling (a sample-peak limiter: the dB leaves room for inter-sample
 * peaks and AAC), delay-compensated so the sound stays on the picture. Nothing for a silent mix.
 */
export function levelFilters(job: RenderJob, levels: MixLevels | undefined): string {
  if (!levels) return "";
  const limit = 10 ** ((job.audio.true_peak_db - LIMITER_MARGIN_DB) / 20);
  return `volume=${num(levels.gain_db, 2)}dB,alimiter=limit=${num(limit)}:level=false:latency=1`;
}
