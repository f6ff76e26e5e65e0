/**
 * Plans one offline clip (pure): a motion-graphics look from the brand palette, mood and scene type,
 * or a Ken Burns move over an image on a blurred fill; brand wordmark and a drifting ghost keyword
 * drawn sharp at full resolution. The same graph gives the scene's still: tapped from the clip's
 * pass, or, for a still alone, drawn with the time-varying sources skipped ahead to its frame.
 */
import type { SynthesizeJob } from "../contract.ts";
import {
  assertPlainPath,
  encoderArgs,
  type FfmpegPlan,
  inputGuard,
  type PlanFile,
  PROGRESS_ARGS,
} from "../ffmpeg.ts";
import { chooseFace, drawnLine, type FontFace, textAdvance } from "../fonts.ts";
import { lookChains, lookFor, moodSpeed, n } from "./looks.ts";
import { derivePalette } from "./palette.ts";

/**
 * The word that becomes the big background type: a fact, never filler. The scene text's first offer
 * or number ("50%", "24H", "$19") when it has one, otherwise the brand's name (as written, upper-cased
 * where the script has case), cut only between words. `typeLayout` sizes it to fit inside the frame.
 */
export function ghostWord(job: SynthesizeJob): string {
  const figure = job.scene.text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}\p{Sc}]+|[^\p{L}\p{N}%+]+$/gu, ""))
    .find((w) => /\p{N}/u.test(w) && w.length <= 8);
  return wholeWords((figure ?? job.brand.name).toUpperCase(), 16);
}

/** The leading whole words of a text that fit in `max` characters (at least its first word). */
function wholeWords(text: string, max: number): string {
  const words = text.trim().split(/\s+/);
  let kept = words[0] ?? "";
  for (const w of words.slice(1)) {
    if ([...`${kept} ${w}`].length > max) break;
    kept = `${kept} ${w}`;
  }
  return kept;
}

/** The local files one synthesis pass writes: the clip, the still, or both. */
export interface SynthFiles {
  video?: string;
  still?: string;
}

/**
 * Index of the still's frame: the frame on screen at `still_at_s` (the middle by default), never past
 * the clip's last frame (the clip holds round(duration × fps) frames: measured, ffmpeg's output `-t`
 * keeps a frame when most of it is in). A thousandth of a frame of slack keeps k/fps written in
 * decimals on frame k.
 */
export function stillFrame(job: SynthesizeJob): number {
  const last = Math.round(job.duration_s * job.fps) - 1;
  const at = job.still_at_s ?? job.duration_s / 2;
  return Math.max(0, Math.min(last, Math.floor(at * job.fps + 1e-3)));
}

/**
 * Chains of the image path: blurred cover fill plus the fitted image slowly zooming (or full-bleed).
 * `from` > 0 skips the looped image to that frame before any per-frame work (a still alone).
 */
function kenBurnsChains(
  job: SynthesizeJob,
  imageSize: { width: number; height: number },
  from: number,
): string[] {
  const { width: W, height: H, duration_s: D, fps } = job;
  const frameAspect = W / H;
  const imageAspect = imageSize.width / imageSize.height;
  const zoom = `(1+0.09*t/${n(D)})`;
  // Direction of the move alternates with the scene index, so consecutive scenes do not repeat it.
  const dir = job.scene.index % 2 === 0 ? 1 : -1;
  const seek = from > 0 ? `,trim=start_frame=${from}` : "";
  const still = `[0:v]loop=loop=-1:size=1,setpts=N/${fps}/TB,fps=${fps},trim=duration=${n(D)}${seek},format=yuv420p`;
  if (Math.abs(imageAspect / frameAspect - 1) < 0.15) {
    return [
      `${still},scale=${Math.round(W * 1.12)}:${Math.round(H * 1.12)}:force_original_aspect_ratio=increase,` +
        `scale=w='trunc(iw*${zoom}/2)*2':h=-2:eval=frame,` +
        `crop=${W}:${H}:x='(iw-${W})/2+${dir}*(iw-${W})/2*(t/${n(D)}-0.5)':y='(ih-${H})/2',setsar=1[kb]`,
    ];
  }
  const fitW = Math.round(W * 0.84);
  const fitH = Math.round(H * 0.62);
  return [
    `${still},split=2[kbsrc1][kbsrc2]`,
    `[kbsrc1]scale=${Math.round(W / 4)}:${Math.round(H / 4)}:force_original_aspect_ratio=increase,crop=${Math.round(W / 4)}:${Math.round(H / 4)},` +
      `gblur=sigma=12,eq=brightness=-0.12:saturation=1.2,scale=${W}:${H}[kbfill]`,
    `[kbsrc2]scale=${fitW}:${fitH}:force_original_aspect_ratio=decrease,scale=w='trunc(iw*${zoom}/2)*2':h=-2:eval=frame[kbfg]`,
    `[kbfill][kbfg]overlay=x='(W-overlay_w)/2+${dir}*${n(W * 0.02)}*t/${n(D)}':y='(H-overlay_h)/2-${n(H * 0.03)}':eval=frame:shortest=1,setsar=1[kb]`,
  ];
}

/** The motion-graphics background of a scene without an image, scaled to full size as `[kb]`. */
function lookBackground(job: SynthesizeJob, speed: number, from: number): string[] {
  const { width: W, height: H, fps, duration_s: D } = job;
  const palette = derivePalette(job.brand.colours);
  const seed = (job.seed * 31 + job.scene.index * 7919) % 100000;
  const look = lookFor(job.scene.type);
  const half = { w: Math.max(32, Math.round(W / 4) * 2), h: Math.max(32, Math.round(H / 4) * 2) };
  const tone =
    job.scene.type === "before"
      ? ",hue=s=0.35,eq=brightness=-0.06"
      : job.scene.type === "after"
        ? ",eq=saturation=1.25"
        : "";
  return [
    ...lookChains(look, { w: half.w, h: half.h, fps, d: D, seed, speed, palette, from }),
    `[bgout]scale=${W}:${H}:flags=bicubic,setsar=1,format=yuv420p${tone}[kb]`,
  ];
}

/** Where the drifting ghost word and the brand wordmark go (pure; exported for tests). */
export interface TypeLayout {
  ghost: { face: FontFace; text: string; size: number; width: number; amplitude: number; rate: number };
  brand: { face: FontFace; text: string; size: number; width: number };
}

/**
 * Sizes the type from the faces' real advance widths. The ghost word drifts sideways by `rate`
 * pixels a second from the centre (± `amplitude` at the clip's ends); its size leaves room for the
 * drift and a 4 % margin each side, so it never leaves the frame at either edge. The brand wordmark
 * is 3.4 % of the frame height on a portrait frame (3.5 % of the short side otherwise), shrunk only to
 * fit 88 % of the width.
 */
export function typeLayout(job: SynthesizeJob, speed: number): TypeLayout {
  const { width: W, height: H, duration_s: D } = job;
  const g = chooseFace(ghostWord(job), "condensed", job.brand.style);
  // The drift: as before (6 % of the width a second, by mood speed), capped at 7 % of the width.
  const amplitude = Math.min((W * 0.06 * speed * D) / 2, W * 0.07);
  const rate = D > 0 ? (2 * amplitude) / D : 0;
  const ghostUnit = Math.max(1e-6, textAdvance(g.text, g.face, 1));
  const ghostSize = Math.max(
    8,
    Math.floor(Math.min(W * 0.3, H * 0.3, (W * 0.92 - 2 * amplitude) / ghostUnit)),
  );
  const b = chooseFace(job.brand.name.toUpperCase(), "auto", job.brand.style);
  const wanted = Math.round(H > W * 1.2 ? H * 0.034 : Math.min(W, H) * 0.035);
  const brandUnit = Math.max(1e-6, textAdvance(b.text, b.face, 1));
  const brandSize = Math.max(10, Math.floor(Math.min(wanted, (W * 0.88) / brandUnit)));
  return {
    ghost: { face: g.face, text: g.text, size: ghostSize, width: ghostUnit * ghostSize, amplitude, rate },
    brand: { face: b.face, text: b.text, size: brandSize, width: brandUnit * brandSize },
  };
}

/** The sharp type over `[kb]`, ending in `[out]`: the drifting ghost keyword and the brand wordmark. */
function typeChain(job: SynthesizeJob, workDir: string, speed: number): { chain: string; files: PlanFile[] } {
  const { duration_s: D } = job;
  const { ghost, brand } = typeLayout(job, speed);
  const ghostFile = assertPlainPath(`${workDir}/ghost.txt`);
  const brandFile = assertPlainPath(`${workDir}/brand.txt`);
  const files = [
    { path: ghostFile, content: drawnLine(ghost.text) },
    { path: brandFile, content: drawnLine(brand.text) },
  ];
  const drift = job.scene.index % 2 === 0 ? 1 : -1;
  const chain =
    `[kb]drawtext=fontfile=${assertPlainPath(ghost.face.file)}:textfile=${ghostFile}:expansion=none:fontsize=${ghost.size}` +
    `:fontcolor=white:alpha=0.10:x='(w-text_w)/2+${drift}*${n(ghost.rate)}*(t-${n(D / 2)})':y='h*0.42-text_h/2',` +
    `drawtext=fontfile=${assertPlainPath(brand.face.file)}:textfile=${brandFile}:expansion=none:fontsize=${brand.size}` +
    `:fontcolor=white:alpha='0.85*min(1,t/0.6)':x=(w-text_w)/2:y=h*0.075,format=yuv420p[out]`;
  return { chain, files };
}

/**
 * Plans a synthesis job: ONE ffmpeg pass writing the clip, the still, or both. `image` is the local,
 * probed image when the job has one. With the clip, the still is a tap on the final frames (as the
 * compose thumbnail); alone, the sources seek to its frame and only that frame is drawn in full.
 */
export function planSynth(
  job: SynthesizeJob,
  workDir: string,
  files: SynthFiles,
  graphPath: string,
  image?: { path: string; width: number; height: number },
): FfmpegPlan {
  if (!files.video && !files.still) throw new Error("planSynth: no output asked for");
  const speed = moodSpeed(job.brand.mood);
  const still = files.still ? stillFrame(job) : 0;
  const from = files.video ? 0 : still;
  const background = image ? kenBurnsChains(job, image, from) : lookBackground(job, speed, from);
  const type = typeChain(job, workDir, speed);
  const chains = [...background, type.chain];
  const args = [...PROGRESS_ARGS];
  if (image) args.push(...inputGuard(), "-i", image.path);
  args.push("-filter_complex_script", assertPlainPath(graphPath));
  if (files.video) {
    if (files.still) chains.push("[out]split=2[vout][stap]", `[stap]select='eq(n,${still})'[still]`);
    // An intermediate (the compose re-encodes it) and the scene's preview: x264 `ultrafast` at CRF 18
    // keeps the fidelity `veryfast` at CRF 20 had (SSIM 0.99497 against a lossless encode, both) and
    // cuts the encode from ~9 to ~2.5 CPU-s per four clips, for files about twice the size (issue 15).
    args.push("-map", files.still ? "[vout]" : "[out]", ...encoderArgs("ultrafast", 18, job.fps));
    args.push("-t", n(job.duration_s), "-an", "-movflags", "+faststart", files.video);
  } else {
    // A backstop for the seek: a source a look did not skip ahead still never reaches the JPEG early.
    chains.push(`[out]trim=start=${n(Math.max(0, (still - 0.5) / job.fps))}[still]`);
  }
  if (files.still) args.push("-map", "[still]", "-frames:v", "1", "-update", "1", "-q:v", "3", files.still);
  const duration_s = files.video ? job.duration_s : (still + 1) / job.fps;
  return { args, graph: chains.join(";\n"), graphPath, files: type.files, duration_s };
}
