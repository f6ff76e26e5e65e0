/**
 * The motion-graphics looks of the offline clip synthesiser, as filter-graph text (pure).
 *
 * Everything soft (gradient, glows, particles, panels, sweeps) is composed at half resolution and
 * scaled up once; sharp type is drawn at full resolution afterwards. Sprites are drawn with `geq` for
 * ONE frame and repeated with `loop`, so per-frame cost is only overlays and the gradient.
 */
import type { Rgb } from "../colour.ts";
import type { Mood, SceneType } from "../contract.ts";
import { num } from "../ffmpeg.ts";
import type { Palette } from "./palette.ts";

/** The four looks; scene types map onto them so neighbouring scenes differ. */
export type LookName = "hero" | "float" | "panels" | "burst";

/** Look for a scene type. */
export function lookFor(type: SceneType): LookName {
  switch (type) {
    case "attention":
    case "problem":
    case "before":
      return "hero";
    case "interest":
    case "agitate":
    case "bridge":
      return "float";
    case "desire":
    case "solution":
    case "after":
      return "panels";
    case "action":
      return "burst";
  }
}

/** Motion speed multiplier per mood. */
export function moodSpeed(mood: Mood): number {
  return { upbeat: 1.2, calm: 0.6, luxury: 0.7, energetic: 1.6, corporate: 0.9 }[mood];
}

/** Parameters of one look. */
export interface LookParams {
  w: number;
  h: number;
  fps: number;
  d: number;
  seed: number;
  speed: number;
  palette: Palette;
  /**
   * The first frame wanted (0: all). A still alone sets it: the time-varying sources then skip to it
   * with `trim=start_frame`, which keeps timestamps, so every `t` expression draws the same frame as
   * in the clip, and nothing downstream works on the frames before.
   */
  from: number;
}

/** Synthesiser graphs print 3 decimals. */
export const n = (x: number): string => num(x, 3);
const frac = (e: string) => `(${e}-floor(${e}))`;

/**
 * The tail of a sprite drawn once: converted once to the pixel format `overlay` blends in (yuva420p:
 * its default `format=yuv420`), then repeated. Without the conversion here ffmpeg converts the
 * repeated RGBA frame again on every output frame: the same pixels, at up to twice the CPU (a 4 s
 * panels clip: 2.6 against 1.2 CPU-s; hero 1.7 against 1.2).
 */
const held = (label: string) => `,format=yuva420p,loop=loop=-1:size=1[${label}]`;

/** A soft round glow sprite (one frame, looped). */
function glowSprite(size: number, [r, g, b]: Rgb, label: string, fps: number): string {
  const c = size / 2;
  return (
    `nullsrc=s=${size}x${size}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `geq=r=${r}:g=${g}:b=${b}:a='200*pow(max(0,1-hypot(X-${c},Y-${c})/${c}),2.2)'${held(label)}`
  );
}

/** A thin ring sprite. */
function ringSprite(size: number, [r, g, b]: Rgb, label: string, fps: number): string {
  const c = size / 2;
  const radius = c * 0.8;
  const width = Math.max(2, size * 0.02);
  return (
    `nullsrc=s=${size}x${size}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `geq=r=${r}:g=${g}:b=${b}:a='230*exp(-pow((hypot(X-${c},Y-${c})-${n(radius)})/${n(width)},2))'${held(label)}`
  );
}

/**
 * A field of soft bokeh dots, one per grid cell where a hash says so. The cell's hash and offsets are
 * kept in `geq` variables (`st`/`ld`: computed once per pixel, not once per use), and a cell without
 * a dot stops after its first hash: the same pixels as writing every term out, at a quarter of the
 * CPU (4.2 to 1.1 CPU-s for a 540x1920 field, measured with `ffmpeg -f null`). With `step` > 1 the
 * field is sampled at the centre of every `step` x `step` block and scaled up: the float look draws
 * it at step 2, a quarter of the `geq` work, SSIM 0.99967 (PSNR 63 dB) on its clip against step 1.
 */
export function particleSprite(
  w: number,
  h: number,
  cell: number,
  seed: number,
  rgb: Rgb,
  label: string,
  fps: number,
  step = 1,
): string {
  const X = step === 1 ? "X" : `(${step}*X+${n((step - 1) / 2)})`;
  const Y = step === 1 ? "Y" : `(${step}*Y+${n((step - 1) / 2)})`;
  const id = "ld(0)";
  const hs = "ld(1)";
  const alpha = [
    `st(0,floor(${X}/${cell})*7.13+floor(${Y}/${cell})*157.1+${seed % 997})`,
    `st(1,${frac(`sin(${id}+3.1)*13758.9`)})`,
    // Inside the `if`: the dot's centre offsets and radius (ld 2..4), then its alpha.
    `if(gt(${hs},0.5),` +
      `st(2,${X}-(floor(${X}/${cell})+0.2+0.6*${frac(`sin(${id})*43758.5`)})*${cell});` +
      `st(3,${Y}-(floor(${Y}/${cell})+0.2+0.6*${frac(`sin(${id}+1.7)*24634.6`)})*${cell});` +
      `st(4,1.5+${hs}*${n(cell / 7)});` +
      `255*(0.35+0.65*${hs})*exp(-(ld(2)*ld(2)+ld(3)*ld(3))/(ld(4)*ld(4))))`,
  ].join(";");
  const size = `${Math.round(w / step)}x${Math.round(h / step)}`;
  const up = step === 1 ? "" : `,scale=${w}:${h}:flags=bicubic`;
  return (
    `nullsrc=s=${size}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `geq=r=${rgb[0]}:g=${rgb[1]}:b=${rgb[2]}:a='${alpha}'${up}${held(label)}`
  );
}

/** A diagonal soft light band, rotated once. */
function sweepSprite(h: number, label: string, fps: number): string {
  const bw = Math.round(h * 0.12);
  return (
    `nullsrc=s=${bw}x${Math.round(h * 1.6)}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `geq=r=255:g=255:b=255:a='110*exp(-pow((X-${bw / 2})/${n(bw / 5)},2))',rotate=a=0.35:ow=rotw(0.35):oh=roth(0.35):c=none${held(label)}`
  );
}

/** A solid diagonal panel, rotated once. */
function panelSprite(
  w: number,
  h: number,
  colour: string,
  alpha: number,
  label: string,
  fps: number,
): string {
  return (
    `color=c=${colour}@${alpha}:s=${w}x${h}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `rotate=a=-0.3:ow=rotw(0.3):oh=roth(0.3):c=none${held(label)}`
  );
}

/** Radial rays around the centre. */
function raysSprite(size: number, rgb: Rgb, label: string, fps: number): string {
  const c = size / 2;
  return (
    `nullsrc=s=${size}x${size}:r=${fps}:d=${n(1 / fps)},format=rgba,` +
    `geq=r=${rgb[0]}:g=${rgb[1]}:b=${rgb[2]}:a='70*gt(sin(12*atan2(Y-${c},X-${c})),0.55)*max(0,1-hypot(X-${c},Y-${c})/${c})',` +
    `loop=loop=-1:size=1[${label}]`
  );
}

/** What every look draws with: its parameters and the expression helpers built from them. */
interface LookKit extends LookParams {
  /** The moving three-colour gradient under everything (counted in frames: it runs from frame 0). */
  base: (c0: string, c1: string, c2: string) => string;
  /** `trim=start_frame=<from>,` before per-frame work on a looped sprite, or nothing. */
  seek: string;
  /** Ease-out cubic from 0 to 1 between `t0` and `t0 + dur`. */
  ease: (t0: number, dur: number) => string;
  /** An overlay x that sweeps a layer across the frame between `t0` and `t0 + dur`. */
  sweepX: (t0: number, dur: number) => string;
  /** A seeded offset in -1..1, one per `k`. */
  jitter: (k: number) => number;
  /** Size of the main glow sprite. */
  glow: number;
}

function lookKit(p: LookParams): LookKit {
  const { w, h, fps, d, seed, speed, from } = p;
  const trim = from > 0 ? `trim=start_frame=${from}` : "";
  return {
    ...p,
    base: (c0, c1, c2) =>
      `gradients=s=${w}x${h}:c0=${c0}:c1=${c1}:c2=${c2}:n=3:speed=${n(0.006 * speed + 0.004)}:seed=${seed}:r=${fps}:d=${n(d)}` +
      (trim && `,${trim}`),
    seek: trim && `${trim},`,
    ease: (t0, dur) => `(1-pow(1-min(1,max(0,(t-${n(t0)})/${n(dur)})),3))`,
    sweepX: (t0, dur) => `'-overlay_w+(W+overlay_w)*min(1,max(0,(t-${n(t0)})/${n(dur)}))'`,
    jitter: (k) => (((seed * 9301 + k * 49297) % 233280) / 233280) * 2 - 1,
    glow: Math.round(Math.min(w, h) * 1.1),
  };
}

function heroChains(k: LookKit): string[] {
  const { w, h, fps, d, speed: s, palette, jitter, ease, sweepX } = k;
  const gx = `'(W-overlay_w)/2+${n(w * 0.25 * jitter(1))}+${n(w * 0.05 * s)}*sin(t*0.8)'`;
  return [
    `${k.base(palette.dark, palette.primary, palette.secondary)}[g]`,
    glowSprite(k.glow, palette.lightRgb, "glow", fps),
    ringSprite(Math.round(w * 0.9), palette.lightRgb, "ring", fps),
    sweepSprite(h, "sweep", fps),
    `color=c=${palette.light}@0.85:s=${Math.round(w * 0.42)}x${Math.max(4, Math.round(h * 0.008))}:r=${fps}:d=${n(d)},format=rgba[bar]`,
    `[g][glow]overlay=x=${gx}:y='${n(h * 0.18)}+${n(h * 0.03)}*cos(t*0.6*${n(s)})':shortest=1[a1]`,
    `[a1][ring]overlay=x='(W-overlay_w)/2':y='${n(h * 0.55)}-${n(h * 0.08 * s)}*t/${n(d)}':shortest=1[a2]`,
    `[a2][bar]overlay=x='-overlay_w+${n(w * 0.06)}+overlay_w*${ease(0.2, 0.6)}':y=${n(h * 0.72)}:shortest=1[a3]`,
    `[a3][sweep]overlay=x=${sweepX(d * 0.35, 1.1 / Math.max(0.6, s))}:y=-${n(h * 0.3)}:shortest=1,vignette=PI/5[bgout]`,
  ];
}

function floatChains(k: LookKit): string[] {
  const { w, h, fps, seed, speed: s, palette, jitter } = k;
  return [
    `${k.base(palette.deep, palette.dark, palette.primary)}[g]`,
    glowSprite(k.glow, palette.secondaryRgb, "glow", fps),
    particleSprite(w, h * 2, Math.round(w / 9), seed, palette.lightRgb, "p1", fps, 2),
    particleSprite(w, h * 2, Math.round(w / 4), seed + 17, palette.lightRgb, "p2", fps, 2),
    `[g][glow]overlay=x='(W-overlay_w)/2+${n(w * 0.3 * jitter(2))}':y='${n(h * 0.6)}-${n(h * 0.05)}*sin(t*${n(0.7 * s)})':shortest=1[a1]`,
    // Two particle layers at different speeds: parallax; the field is twice as tall, so it wraps.
    `[a1][p1]overlay=x=0:y='-mod(t*${n(h * 0.06 * s)}+${n(h * 0.5 * (1 + jitter(3)))},${h})':shortest=1[a2]`,
    `[a2][p2]overlay=x=0:y='-mod(t*${n(h * 0.14 * s)}+${n(h * 0.4)},${h})':shortest=1,vignette=PI/4[bgout]`,
  ];
}

function panelsChains(k: LookKit): string[] {
  const { w, h, fps, d, speed: s, palette, jitter, ease, sweepX } = k;
  return [
    `${k.base(palette.primary, palette.secondary, palette.dark)}[g]`,
    panelSprite(Math.round(w * 0.55), Math.round(h * 1.4), palette.dark, 0.55, "pa", fps),
    panelSprite(Math.round(w * 0.18), Math.round(h * 1.4), palette.light, 0.35, "pb", fps),
    glowSprite(k.glow, palette.lightRgb, "glow", fps),
    sweepSprite(h, "sweep", fps),
    `[g][pa]overlay=x='${n(w * 0.75)}-${n(w * 0.45)}*${ease(0, 0.9)}-t*${n(w * 0.02 * s)}':y=-${n(h * 0.2)}:shortest=1[a1]`,
    `[a1][pb]overlay=x='${n(-w * 0.4)}+${n(w * 0.5)}*${ease(0.15, 1)}+t*${n(w * 0.03 * s)}':y=-${n(h * 0.2)}:shortest=1[a2]`,
    `[a2][glow]overlay=x='(W-overlay_w)/2':y='${n(h * 0.05 + h * 0.1 * jitter(4))}':shortest=1[a3]`,
    `[a3][sweep]overlay=x=${sweepX(d * 0.2, 1.3 / Math.max(0.6, s))}:y=-${n(h * 0.3)}:shortest=1,vignette=PI/5[bgout]`,
  ];
}

function burstChains(k: LookKit): string[] {
  const { w, h, fps, speed: s, palette } = k;
  const raysSize = Math.round(Math.max(w, h) * 1.2);
  const half = (x: number) => Math.max(2, Math.round(x / 4) * 2);
  return [
    `${k.base(palette.primary, palette.dark, palette.secondary)}[g]`,
    `${raysSprite(Math.round(raysSize / 2), palette.lightRgb, "rays0", fps)}`,
    // Rotated at the sprite's own resolution straight into a window the frame's shape, then scaled
    // to the frame: only the visible part is interpolated (the rays fade out inside the square's
    // inscribed circle, so nothing is lost at any angle), a tenth of the pixels of rotating the
    // scaled square; SSIM 0.9988 (PSNR 55 dB) against that, 1.0 CPU-s less per 4 s clip.
    `[rays0]${k.seek}rotate=a='t*${n(0.12 * s)}':ow=${half(w)}:oh=${half(h)}:c=none,scale=${w}:${h}[rays]`,
    ringSprite(Math.round(w * 0.7), palette.lightRgb, "ring", fps),
    glowSprite(Math.round(w * 0.9), palette.lightRgb, "glow", fps),
    `[g][rays]overlay=x='(W-overlay_w)/2':y='(H-overlay_h)/2':shortest=1[a1]`,
    `[a1][glow]overlay=x='(W-overlay_w)/2':y='(H-overlay_h)/2':shortest=1[a2]`,
    `[a2][ring]overlay=x='(W-overlay_w)/2':y='(H-overlay_h)/2+${n(h * 0.01)}*sin(t*${n(3 * s)})':shortest=1,vignette=PI/4[bgout]`,
  ];
}

/** The registry of looks, keyed by name. */
const LOOKS: Record<LookName, (k: LookKit) => string[]> = {
  hero: heroChains,
  float: floatChains,
  panels: panelsChains,
  burst: burstChains,
};

/**
 * Half-resolution background chains for a look; the last chain ends in `[bgout]`.
 * Positions use the seed so two scenes of the same type still differ.
 */
export function lookChains(look: LookName, p: LookParams): string[] {
  return LOOKS[look](lookKit(p));
}
