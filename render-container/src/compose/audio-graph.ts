/**
 * The audio half of the composition, pure: the mix (clip audio, music, whooshes), the loudness
 * filter built from the analysis pass's measurement, and the meter of the final mix.
 */
import type { LoudnessMeasure } from "../audio/loudness.ts";
import type { RenderJob } from "../contract.ts";
import { num } from "../ffmpeg.ts";
import { type ComposeInputs, type InputLayout, mixesClipSound } from "./inputs.ts";
import type { Timeline } from "./timeline.ts";

/**
 * The audio part: a silent bed of exactly the output length, the clips' own audio (if wanted),
 * the music at its gain with a fade-out, and a whoosh centred on every transition, then `tail`.
 */
export function audioGraph(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  idx: InputLayout,
  tail: string,
): string[] {
  const { starts, total, transition } = tl;
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
    const n = job.scenes.length - 1;
    const labels = Array.from({ length: n }, (_, k) => `[w${k}]`);
    chains.push(`[${idx.whoosh}:a:0]${fmt},asplit=${n}${labels.join("")}`);
    for (let k = 0; k < n; k++) {
      const centre = starts[k + 1]! + transition / 2;
      const delay = Math.max(0, Math.round((centre - inputs.whoosh.peak_s) * 1000));
      chains.push(`[w${k}]adelay=delays=${delay}:all=1[wd${k}]`);
      mix.push(`[wd${k}]`);
    }
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

/** Turns the analysis pass's measurement into the final, linear `loudnorm` (or nothing for silence). */
export function loudnessFilter(job: RenderJob, m: LoudnessMeasure | undefined): string {
  if (!m || !Number.isFinite(Number(m.input_i)) || Number(m.input_i) < -70) return "";
  // Aim 0.5 dB under the ceiling: AAC encoding adds a little inter-sample peak.
  const tp = job.audio.true_peak_db - 0.5;
  return (
    `loudnorm=I=${job.audio.target_lufs}:TP=${tp}:LRA=20:measured_I=${m.input_i}:measured_TP=${m.input_tp}` +
    `:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true:print_format=none,aresample=48000`
  );
}
