/**
 * The inputs of a composition, pure: the local, probed files, which of them an ffmpeg pass opens
 * (and at which input index), and the `-i` arguments that open them.
 */
import type { MediaInfo, RenderJob } from "../contract.ts";
import { inputGuard } from "../ffmpeg.ts";
import type { Timeline } from "./timeline.ts";

/** Local, probed inputs of a composition. */
export interface ComposeInputs {
  clips: { path: string; info: MediaInfo }[];
  music?: { path: string; duration_s: number };
  whoosh?: { path: string; peak_s: number };
  /** The logo image (job.logo), probed as a still image: its pixel size sizes the layers. */
  logo?: { path: string; width: number; height: number };
  /** Directory for the text files of the overlays; must be a plain path (see `assertPlainPath`). */
  workDir: string;
  /** `posters[i]`: the JPEG of scene i (job.outputs.posters), tapped from the same pass. */
  output: { video: string; thumbnail?: string; posters?: string[] };
}

/** Which ffmpeg input index holds what; `clips[i]` is undefined for a clip that is not opened. */
export interface InputLayout {
  clips: (number | undefined)[];
  music?: number;
  whoosh?: number;
  logo?: number;
}

/** Whether the clips' own sound is mixed in; only then is it measured (audio only) before composing. */
export const mixesClipSound = (job: RenderJob): boolean => job.audio.clip_volume > 0;

/**
 * Input indices. The composition opens every clip (it needs the pictures); the audio-only clip sound
 * analysis opens only clips whose sound is mixed in, because opening a video file makes ffmpeg probe
 * it (decoding frames to find its parameters), which is most of the cost of a pass over 15 s of audio.
 */
export function inputLayout(job: RenderJob, inputs: ComposeInputs, audioOnly: boolean): InputLayout {
  let next = 0;
  const clips = inputs.clips.map((c) =>
    !audioOnly || (mixesClipSound(job) && c.info.audio) ? next++ : undefined,
  );
  const out: InputLayout = { clips };
  if (inputs.music) out.music = next++;
  if (inputs.whoosh && job.audio.whoosh && job.scenes.length > 1) out.whoosh = next++;
  // The logo is a picture: the audio-only analysis never opens it.
  if (!audioOnly && inputs.logo && job.logo) out.logo = next++;
  return out;
}

/** The `-i` arguments of the inputs a layout opens, each behind the input guard. */
export function inputArgs(tl: Timeline, inputs: ComposeInputs, layout: InputLayout): string[] {
  const args: string[] = [];
  inputs.clips.forEach((clip, i) => {
    if (layout.clips[i] === undefined) return;
    // One decoder thread per clip: all clips are open at once, and frame-threaded decoders would
    // each hold a dozen 1080x1920 frames (RSS) and compete with libx264 for the two cores.
    args.push("-threads", "1", ...inputGuard(), "-i", clip.path);
  });
  if (layout.music !== undefined && inputs.music) {
    // Loop a short track to cover the ad; the graph trims it to the exact length.
    if (inputs.music.duration_s < tl.total) args.push("-stream_loop", "-1");
    args.push(...inputGuard(), "-i", inputs.music.path);
  }
  if (layout.whoosh !== undefined && inputs.whoosh) args.push(...inputGuard(), "-i", inputs.whoosh.path);
  // One frame, decoded once; the graph scales it once and repeats it (overlay's eof_action).
  if (layout.logo !== undefined && inputs.logo) args.push(...inputGuard(), "-i", inputs.logo.path);
  return args;
}
