/**
 * The video half of the composition, pure: one normalised chain per scene with its overlay, the
 * transitions between scenes, then grade, fades and the thumbnail tap.
 */
import type { RenderJob } from "../contract.ts";
import { num, type PlanFile } from "../ffmpeg.ts";
import { strongBacking } from "../qc/backing.ts";
import { crossfadeChains } from "./crossfade.ts";
import { gradeFilters } from "./grade.ts";
import type { ComposeInputs } from "./inputs.ts";
import { endCardStart, logoChains } from "./logo.ts";
import { ENTRANCE_S, layoutOverlay, type OverlayLayout, slideOffset } from "./overlay-layout.ts";
import { textDraw } from "./text-layer.ts";
import type { Timeline } from "./timeline.ts";

/** Filter chains plus the text files they read. */
interface Chains {
  chains: string[];
  files: PlanFile[];
}

/** Time (output seconds) of the thumbnail: the first scene with its overlay fully shown. */
export function thumbnailTime(job: RenderJob, tl: Timeline): number {
  if (job.thumbnail_time_s !== undefined) return Math.min(job.thumbnail_time_s, tl.total - 1 / job.video.fps);
  return sceneTime(job, tl, 0);
}

/**
 * The representative time (output seconds) of scene `i`: its overlay fully shown (0.7 s after it
 * starts fading in; the middle of the scene without animation), clear of the crossfades, the fades
 * and the end card. The thumbnail is scene 0's; the posters and the QC's contrast frames use it too.
 */
export function sceneTime(job: RenderJob, tl: Timeline, i: number): number {
  const { starts, transition, total } = tl;
  const scene = job.scenes[i]!;
  const start = starts[i]!;
  const last = i === job.scenes.length - 1;
  const wanted =
    start +
    (scene.overlay && scene.overlay.animation !== "none" ? overlayStart(job) + 0.7 : scene.duration_s / 2);
  let end = start + scene.duration_s - (last ? job.fade_out_s : transition);
  const cardAt = last ? endCardStart(job, tl) : undefined;
  if (cardAt !== undefined) end = Math.min(end, cardAt);
  const lo = i === 0 ? job.fade_in_s + 0.1 : start + transition + 0.05;
  return Math.min(total - 1 / job.video.fps, Math.max(lo, Math.min(wanted, end - 0.05)));
}

/** The frame number (output) of a time, as the taps select it. */
export function frameAt(t: number, fps: number): number {
  return Math.round(t * fps);
}

function overlayStart(job: RenderJob): number {
  return Math.max(0.2, job.fade_in_s);
}

/** The overlay of scene `i` as a layer (`[ov<i>]`) and the `overlay` filter that applies it. */
function overlayFilters(
  i: number,
  job: RenderJob,
  layout: OverlayLayout,
  workDir: string,
  animation: string,
): Chains & { apply: string } {
  const { fps, width, height } = job.video;
  const d = job.scenes[i]!.duration_s;
  const { draw, files } = textDraw(layout, `${workDir}/overlay-${i}`);
  const t0 = overlayStart(job);
  const layer = [
    // The layer's own colour is the box; drawbox would not write the alpha plane.
    `color=c=${layout.boxColour}@${layout.boxAlpha}:s=${layout.width}x${layout.height}:r=${fps}:d=${num(1 / fps)}`,
    "format=rgba",
    ...draw,
    // Text is static: draw it (outline stroking is the costly part) once, then repeat that frame.
    // Convert once to the overlay's native yuva420p, or `overlay` would convert every frame.
    `format=yuva420p,loop=loop=-1:size=1,setpts=N/${fps}/TB,trim=duration=${num(d)}`,
  ];
  if (animation !== "none") layer.push(`fade=t=in:st=${num(t0)}:d=${num(ENTRANCE_S)}:alpha=1`);
  // The slide keeps the block inside the frame (and the safe zone when there is room below it).
  const slide = slideOffset(layout, width, height);
  const y =
    animation === "slide_up" && slide > 0
      ? `'${layout.y}+${slide}*pow(1-min(1,max(0,(t-${num(t0)})/${num(ENTRANCE_S)})),2)'`
      : `${layout.y}`;
  return {
    chains: [`${layer.join(",")}[ov${i}]`],
    files,
    apply: `[ov${i}]overlay=x=${layout.x}:y=${y}:eval=frame:format=yuv420`,
  };
}

/** One chain per scene, ending in `[v<i>]`: the clip normalised, with its overlay on top. */
function sceneChains(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  strong?: ReadonlySet<number>,
): Chains {
  const cardAt = endCardStart(job, tl);
  const { width: W, height: H, fps } = job.video;
  const chains: string[] = [];
  const files: PlanFile[] = [];
  job.scenes.forEach((scene, i) => {
    const d = num(scene.duration_s);
    // Normalise any size, rate, pixel format and length: cover-scale and crop, constant rate,
    // hold the last frame when the clip is short, cut when it is long.
    const base =
      `[${i}:v:0]setpts=PTS-STARTPTS,fps=${fps},scale=${W}:${H}:force_original_aspect_ratio=increase:flags=bicubic,` +
      `crop=${W}:${H},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration=${d},trim=duration=${d},setpts=PTS-STARTPTS`;
    if (scene.overlay) {
      const laid = layoutOverlay(scene.overlay, W, H, job.brand.style);
      // The QC's contrast fix: a scene whose text did not read gets an opaque enough backing.
      const layout = strong?.has(i) ? strongBacking(laid) : laid;
      const o = overlayFilters(i, job, layout, inputs.workDir, scene.overlay.animation);
      // The end card shows the last scene's text itself: the scene's own overlay stops under it.
      const hide =
        cardAt !== undefined && i === job.scenes.length - 1
          ? `:enable='lt(t,${num(cardAt - tl.starts[i]!)})'`
          : "";
      chains.push(...o.chains, `${base}[s${i}]`, `[s${i}]${o.apply}${hide}[v${i}]`);
      files.push(...o.files);
    } else {
      chains.push(`${base}[v${i}]`);
    }
  });
  return { chains, files };
}

/** Joins the scene streams (crossfades, or a plain concat); returns the chains and the last label. */
function joinScenes(job: RenderJob, tl: Timeline): { chains: string[]; last: string } {
  const n = job.scenes.length;
  if (n > 1 && tl.transition > 0) {
    const durations = job.scenes.map((s) => s.duration_s);
    return {
      chains: crossfadeChains(durations, tl.transition, job.transition.type, job.video.fps, "xv"),
      last: "xv",
    };
  }
  if (n > 1) {
    return {
      chains: [`${job.scenes.map((_, i) => `[v${i}]`).join("")}concat=n=${n}:v=1:a=0[xv]`],
      last: "xv",
    };
  }
  return { chains: [], last: "v0" };
}

/** The video part of the graph: one chain per scene, the transitions, grade, fades and the thumbnail tap. */
export function videoGraph(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  withThumb: boolean,
  logoInput?: number,
  strong?: ReadonlySet<number>,
): Chains {
  const { fps } = job.video;
  const { chains, files } = sceneChains(job, tl, inputs, strong);
  const joined = joinScenes(job, tl);
  chains.push(...joined.chains);
  const grade = gradeFilters(job.grade, job.brand.colours[0]);
  const post: string[] = [];
  if (job.logo && inputs.logo && logoInput !== undefined) {
    // The logo goes over the graded picture (the grade must not tint it), under the fades.
    let from = joined.last;
    if (grade.length) {
      chains.push(`[${from}]${grade.join(",")}[graded]`);
      from = "graded";
    }
    const logo = logoChains(job, tl, inputs, logoInput, from, "logoed");
    chains.push(...logo.chains);
    files.push(...logo.files);
    joined.last = "logoed";
  } else {
    post.push(...grade);
  }
  if (job.fade_in_s > 0) post.push(`fade=t=in:st=0:d=${num(job.fade_in_s)}`);
  if (job.fade_out_s > 0)
    post.push(`fade=t=out:st=${num(tl.total - job.fade_out_s)}:d=${num(job.fade_out_s)}`);
  post.push("format=yuv420p");
  // Taps on the final frames: the thumbnail (`[thumb]`) and one poster per scene (`[poster<i>]`).
  const taps: { src: string; frame: number; out: string }[] = [];
  if (withThumb) taps.push({ src: "tsrc", frame: frameAt(thumbnailTime(job, tl), fps), out: "thumb" });
  if (inputs.output.posters?.length) {
    for (let i = 0; i < job.scenes.length; i++)
      taps.push({ src: `psrc${i}`, frame: frameAt(sceneTime(job, tl, i), fps), out: `poster${i}` });
  }
  if (taps.length) {
    chains.push(
      `[${joined.last}]${post.join(",")},split=${taps.length + 1}[vout]${taps.map((t) => `[${t.src}]`).join("")}`,
    );
    for (const t of taps) chains.push(`[${t.src}]select='eq(n,${t.frame})'[${t.out}]`);
  } else {
    chains.push(`[${joined.last}]${post.join(",")}[vout]`);
  }
  return { chains, files };
}
