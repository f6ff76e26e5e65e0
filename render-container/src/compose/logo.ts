/**
 * The logo (`job.logo`), pure: a small corner logo on a translucent plate over every scene, and an
 * end card over the last scene's final seconds (picture darkened, logo large and centred, the last
 * scene's overlay text, the call to action, under it). The image is decoded once, scaled once to the
 * end card's size and split; each layer is built on one frame and repeated, so the per-frame cost is
 * two small overlays. The ad's duration does not change.
 */
import type { Overlay, RenderJob } from "../contract.ts";
import { num, type PlanFile } from "../ffmpeg.ts";
import type { ComposeInputs } from "./inputs.ts";
import { layoutOverlay, type OverlayLayout, safeZone } from "./overlay-layout.ts";
import { textDraw } from "./text-layer.ts";
import type { Timeline } from "./timeline.ts";

/** Longest end card, seconds. */
export const END_CARD_S = 1.5;
/** How the end card enters: its darkening, logo and text fade in over this long. */
const CARD_FADE_S = 0.3;
/** Darkening of the picture behind the end card (black at this opacity). */
const CARD_DIM = 0.65;
/** The corner logo's plate: black at this opacity. */
const PLATE_ALPHA = 0.35;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** A logo of `w`x`h` scaled to fit a `box`x`box` square, even sides. */
function fit(w: number, h: number, box: number): { w: number; h: number } {
  const s = Math.min(box / w, box / h);
  return { w: even(w * s), h: even(h * s) };
}

/**
 * When the end card starts (output seconds, on a frame), or undefined without one. It covers the
 * last scene alone: at most {@link END_CARD_S}, never the crossfade into it.
 */
export function endCardStart(job: RenderJob, tl: Timeline): number | undefined {
  if (!job.logo?.end_card) return undefined;
  const last = job.scenes.at(-1)!.duration_s;
  const length = Math.min(END_CARD_S, last - tl.transition);
  return Math.ceil((tl.total - length) * job.video.fps - 1e-6) / job.video.fps;
}

/** Where the logo's layers go, in output pixels (exported for tests). */
export interface LogoGeometry {
  /** The end card's logo: size and top-left corner. */
  card: { w: number; h: number; x: number; y: number };
  /** The corner logo's size, and its plate (size, top-left corner per scene, padding). */
  corner: { w: number; h: number; plateW: number; plateH: number; pad: number; x: number; ys: number[] };
}

/**
 * Sizes and places the logo: the end card's fits a square 40 % of the frame's short side, the
 * corner one 12 %. The corner plate sits in the safe zone's top-right corner, moved below a scene's
 * top overlay when that overlay would reach it.
 */
export function logoGeometry(job: RenderJob, logo: { width: number; height: number }): LogoGeometry {
  const { width: W, height: H } = job.video;
  const short = Math.min(W, H);
  const zone = safeZone(W, H);
  const big = fit(logo.width, logo.height, even(short * 0.4));
  const small = fit(logo.width, logo.height, even(short * 0.12));
  const pad = even(short * 0.012);
  const plateW = small.w + 2 * pad;
  const plateH = small.h + 2 * pad;
  const x = Math.floor((zone.right - plateW) / 2) * 2;
  const gap = even(short * 0.015);
  const ys = job.scenes.map((scene) => {
    if (scene.overlay?.position !== "top") return Math.ceil(zone.top / 2) * 2;
    const l = layoutOverlay(scene.overlay, W, H, job.brand.style);
    return l.x + l.width + gap <= x ? Math.ceil(zone.top / 2) * 2 : l.y + l.height + gap;
  });
  const card = { ...big, x: Math.round((W - big.w) / 4) * 2, y: 0 };
  return { card, corner: { ...small, plateW, plateH, pad, x, ys } };
}

/**
 * The end card's text: the last overlay laid out centred, shrunk until the logo, the gap and the
 * text fit in 94 % of the frame height together (a large `size` on a landscape frame would push
 * the text off the bottom). Exported for tests.
 */
export function endCardText(
  cta: Overlay,
  W: number,
  H: number,
  above: number,
  style?: string,
): OverlayLayout {
  let l = layoutOverlay({ ...cta, position: "center" }, W, H, style);
  while (above + l.height > H * 0.94 && l.fontSize > 10) {
    const size = Math.max(8, Math.floor(l.fontSize * 0.85));
    const next = layoutOverlay({ ...cta, position: "center", size }, W, H, style);
    if (next.fontSize >= l.fontSize) break;
    l = next;
  }
  return l;
}

/**
 * The logo's chains: reads `[from]` (the graded picture), writes `[to]`. `input` is the logo's
 * ffmpeg input index.
 */
export function logoChains(
  job: RenderJob,
  tl: Timeline,
  inputs: ComposeInputs,
  input: number,
  from: string,
  to: string,
): { chains: string[]; files: PlanFile[] } {
  const logo = job.logo!;
  const { width: W, height: H, fps } = job.video;
  const g = logoGeometry(job, inputs.logo!);
  const cardAt = endCardStart(job, tl);
  const corner = logo.corner;
  const chains: string[] = [];
  const files: PlanFile[] = [];
  const scaled = `[${input}:v:0]format=rgba,scale=${g.card.w}:${g.card.h}:flags=lanczos`;
  if (corner && cardAt !== undefined) chains.push(`${scaled},split=2[lgbig][lgsrc]`);
  else chains.push(`${scaled}[${corner ? "lgsrc" : "lgbig"}]`);
  let current = from;
  if (corner) {
    const c = g.corner;
    chains.push(`[lgsrc]scale=${c.w}:${c.h}:flags=lanczos[lgsmall]`);
    chains.push(
      `color=c=black@${PLATE_ALPHA}:s=${c.plateW}x${c.plateH}:r=${fps}:d=${num(1 / fps)},format=yuva420p[lgplate]`,
    );
    chains.push(`[lgplate][lgsmall]overlay=x=${c.pad}:y=${c.pad}:format=yuv420[lgcorner]`);
    // The plate's row per scene, switching halfway through each crossfade.
    let y = String(c.ys.at(-1));
    for (let i = c.ys.length - 2; i >= 0; i--) {
      if (c.ys[i] !== c.ys[i + 1])
        y = `if(lt(t\\,${num(tl.starts[i + 1]! + tl.transition / 2)})\\,${c.ys[i]}\\,${y})`;
    }
    const enable = cardAt !== undefined ? `:enable='lt(t,${num(cardAt)})'` : "";
    const next = cardAt !== undefined ? "lgc" : to;
    chains.push(
      `[${current}][lgcorner]overlay=x=${c.x}:y=${y}:eof_action=repeat:format=yuv420${enable}[${next}]`,
    );
    current = next;
  }
  if (cardAt !== undefined) {
    const cta = job.scenes.at(-1)!.overlay;
    const short = Math.min(W, H);
    const gap = even(short * 0.04);
    const text = cta ? endCardText(cta, W, H, g.card.h + gap, job.brand.style) : undefined;
    const groupH = g.card.h + (text ? gap + text.height : 0);
    const top = Math.max(0, Math.round((H - groupH) / 4) * 2);
    chains.push(
      `color=c=black@${CARD_DIM}:s=${W}x${H}:r=${fps}:d=${num(1 / fps)},format=yuva420p[lgbg]`,
      `[lgbg][lgbig]overlay=x=${g.card.x}:y=${top}:format=yuv420${text ? "[lgcard0]" : "[lgcard1]"}`,
    );
    if (text) {
      const t = textDraw(text, `${inputs.workDir}/endcard`);
      files.push(...t.files);
      chains.push(
        `color=c=${text.boxColour}@${text.boxAlpha}:s=${text.width}x${text.height}:r=${fps}:d=${num(1 / fps)},` +
          `format=rgba,${t.draw.join(",")},format=yuva420p[lgtext]`,
        `[lgcard0][lgtext]overlay=x=${text.x}:y=${top + g.card.h + gap}:format=yuv420[lgcard1]`,
      );
    }
    // Built once, repeated for the card's frames only, stamped from the card's start.
    const frames = Math.round((tl.total - cardAt) * fps) + 1;
    chains.push(
      `[lgcard1]loop=loop=${frames - 1}:size=1,setpts=N/${fps}/TB+${num(cardAt)}/TB,` +
        `fade=t=in:st=${num(cardAt)}:d=${num(CARD_FADE_S)}:alpha=1[lgcard]`,
      `[${current}][lgcard]overlay=x=0:y=0:eof_action=repeat:format=yuv420[${to}]`,
    );
  }
  return { chains, files };
}
