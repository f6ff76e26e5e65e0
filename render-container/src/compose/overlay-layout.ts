/**
 * Overlay layout, pure: where a text block goes, how it wraps, how big it is, and which colours keep
 * it readable over any background. No I/O; `video-graph.ts` turns the result into filters.
 */
import { contrastRatio, mix, parseHex, type Rgb, toHex } from "../colour.ts";
import type { Overlay } from "../contract.ts";
import {
  chooseFace,
  type FontFace,
  type FontFamily,
  faceOf,
  fitToFace,
  hasCjk,
  textAdvance,
} from "../fonts.ts";

/** The 9:16 social safe zone in output pixels: UI chrome covers the top 14 % and bottom 20 %. */
export interface SafeZone {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Computes the safe zone for a frame (the same fractions are used for square and landscape frames). */
export function safeZone(width: number, height: number): SafeZone {
  const marginX = Math.round(width * 0.06);
  return {
    left: marginX,
    right: width - marginX,
    top: Math.round(height * 0.14),
    bottom: Math.round(height * 0.8),
  };
}

/** Width of a line in pixels at a font size, from the face's real advance widths (see fonts.ts). */
export function textWidth(line: string, size: number, face: FontFace | FontFamily): number {
  return textAdvance(line, typeof face === "string" ? faceOf(face) : face, size);
}

/**
 * Greedy word wrap to a pixel width. CJK text has no spaces, so it may break between any two
 * characters; a single word wider than the line is broken by characters too.
 */
export function wrapText(
  text: string,
  size: number,
  maxWidth: number,
  face: FontFace | FontFamily,
): string[] {
  const f = typeof face === "string" ? faceOf(face) : face;
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    const cjk = f.family === "cjk" || hasCjk(paragraph);
    const tokens = cjk ? tokensCjk(paragraph) : paragraph.split(/\s+/).filter(Boolean);
    let line = "";
    for (const token of tokens) {
      const sep = line && !cjk ? " " : "";
      if (textWidth(line + sep + token, size, f) <= maxWidth) {
        line += sep + token;
        continue;
      }
      if (line) lines.push(line.trim());
      line = "";
      // A token wider than the line on its own: break it by characters.
      for (const ch of token) {
        if (line && textWidth(line + ch, size, f) > maxWidth) {
          lines.push(line);
          line = "";
        }
        line += ch;
      }
    }
    if (line.trim()) lines.push(line.trim());
  }
  return lines.length ? lines : [text.trim()];
}

function tokensCjk(paragraph: string): string[] {
  // Keep Latin words whole inside CJK text; every CJK character is its own token.
  return paragraph.match(/[A-Za-z0-9'’-]+|\s+|./gu) ?? [];
}

/** A resolved layout for one overlay. */
export interface OverlayLayout {
  /** The face of the block (of every line but in a mix no single face covers; see `lineFaces`). */
  face: FontFace;
  /** The lines in logical order, without the code points no face can draw (emoji, symbols). */
  lines: string[];
  /** The face of each line, by coverage (`face` when absent). */
  lineFaces?: FontFace[];
  fontSize: number;
  lineHeight: number;
  /** Padding between the box edge and the text. */
  pad: number;
  /** Top-left corner and size of the whole block (box included), in output pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  textColour: string;
  boxColour: string;
  boxAlpha: number;
  borderColour: string;
  borderWidth: number;
  /** True when the requested colour could not be made to read and was replaced. */
  colourFallback: boolean;
}

/**
 * The contrast every overlay's text must have against what is behind it: WCAG AA for normal text,
 * the QC's threshold measured on the rendered frame (`qc/`), though overlays are large and bold.
 */
export const MIN_CONTRAST = 4.5;
/** What the layout aims for: the limit plus a margin for encoding noise and anti-aliasing, so the
 * QC's measurement clears it on the first render and no second compose pass is needed. */
const LAYOUT_CONTRAST = MIN_CONTRAST + 0.5;

/**
 * Text measures per frame shape: a portrait (9:16) or square frame wraps to the safe width in up to
 * three lines; a landscape (16:9) frame has a wider line (72 % of the width, still wider than the
 * portrait safe width in pixels) and at most two lines, so a headline reads in one glance.
 */
export function textMeasure(width: number, height: number): { maxLineWidth: number; maxLines: number } {
  const zone = safeZone(width, height);
  const safeW = zone.right - zone.left;
  if (width > height * 1.2) return { maxLineWidth: Math.min(safeW, Math.round(width * 0.72)), maxLines: 2 };
  return { maxLineWidth: safeW, maxLines: 3 };
}

/** Lays out an overlay inside the safe zone: wrap, shrink to fit, position, contrast. */
export function layoutOverlay(
  overlay: Overlay,
  width: number,
  height: number,
  style?: string,
): OverlayLayout {
  const zone = safeZone(width, height);
  const choice = chooseFace(overlay.text, overlay.font, style);
  const face = choice.face;
  const text = choice.text;
  const { maxLineWidth, maxLines } = textMeasure(width, height);
  const base = Math.min(width * 0.085, height * 0.05);
  let fontSize = Math.round(overlay.size ?? base);
  const minSize = Math.max(10, Math.round(Math.min(width, height) * 0.028));
  const maxBlockHeight = (zone.bottom - zone.top) * 0.9;
  let lines: string[] = [];
  let pad = 0;
  let lineHeight = 0;
  // Shrink until the block fits: at most maxLines lines, within the line width and safe height.
  for (;;) {
    pad = Math.round(fontSize * 0.35);
    lineHeight = Math.round(fontSize * 1.3);
    lines = wrapText(text, fontSize, maxLineWidth - 2 * pad, face);
    const tooTall = lines.length * lineHeight + 2 * pad > maxBlockHeight;
    if ((lines.length <= maxLines && !tooTall) || fontSize <= minSize) break;
    fontSize = Math.max(minSize, Math.floor(fontSize * 0.9));
  }
  // A mix no single face covers: each line gets its own face, and loses what that face lacks.
  let lineFaces = lines.map(() => face);
  if (!choice.whole) {
    lineFaces = lines.map((l) => chooseFace(l, overlay.font, style).face);
    lines = lines.map((l, k) => fitToFace(l, lineFaces[k]!));
  }
  const textW = Math.max(0, ...lines.map((l, k) => textWidth(l, fontSize, lineFaces[k]!)));
  const blockW = Math.min(zone.right - zone.left, Math.ceil(textW + 2 * pad));
  const blockH = Math.min(zone.bottom - zone.top, lines.length * lineHeight + 2 * pad);
  const w = floorEven(blockW);
  const h = Math.min(floorEven(zone.bottom - zone.top), ceilEven(blockH));
  const x = ceilEven((width - w) / 2);
  let y: number;
  if (overlay.position === "top") y = ceilEven(zone.top);
  else if (overlay.position === "bottom") y = floorEven(zone.bottom - h);
  else y = floorEven((height - h) / 2);
  const colours = readableColours(overlay.colour);
  // Nothing drawable (an overlay of emoji only): an invisible box rather than an empty plate.
  if (!lines.some((l) => l.trim())) colours.boxAlpha = 0;
  return {
    face,
    lines,
    lineFaces,
    fontSize,
    lineHeight,
    pad,
    x,
    y,
    width: w,
    height: h,
    ...colours,
    borderWidth: Math.max(1, Math.round(fontSize * 0.05)),
  };
}

/** Seconds a `fade_in` / `slide_up` entrance lasts. */
export const ENTRANCE_S = 0.5;

/**
 * How far (pixels, downwards) a `slide_up` block starts below its place: 3.5 % of the frame height,
 * less when that would take the block below the safe zone (a bottom block), never below 1.5 % of the
 * height unless the frame itself ends there. The block's box stays inside the frame at every instant.
 */
export function slideOffset(layout: OverlayLayout, width: number, height: number): number {
  const zone = safeZone(width, height);
  const nominal = Math.round(height * 0.035);
  const inZone = zone.bottom - (layout.y + layout.height);
  const inFrame = height - (layout.y + layout.height);
  return Math.max(0, Math.min(nominal, inFrame, Math.max(inZone, Math.round(height * 0.015))));
}

// Even coordinates and sizes keep yuv420p chroma aligned.
function floorEven(n: number): number {
  return Math.max(0, Math.floor(n / 2) * 2);
}

function ceilEven(n: number): number {
  return Math.max(0, Math.ceil(n / 2) * 2);
}

/**
 * Chooses box and outline colours so the text reads over any background. The worst backgrounds are
 * black, white and the text colour itself; the box alpha rises until the text clears
 * {@link LAYOUT_CONTRAST} against the box blended over each of them, and a colour that cannot get
 * there by 0.7 falls back to white on black.
 */
export function readableColours(colour: string): {
  textColour: string;
  boxColour: string;
  boxAlpha: number;
  borderColour: string;
  colourFallback: boolean;
} {
  const text = parseHex(colour);
  const dark: Rgb = [0, 0, 0];
  const light: Rgb = [255, 255, 255];
  const box = contrastRatio(text, dark) >= contrastRatio(text, light) ? dark : light;
  const worst = (alpha: number) =>
    Math.min(...[dark, light, text].map((bg) => contrastRatio(text, mix(bg, box, alpha))));
  // Above 0.7 the box would hide the picture: a colour that needs more falls back instead.
  for (const alpha of [0.45, 0.5, 0.55, 0.6, 0.65, 0.7]) {
    if (worst(alpha) >= LAYOUT_CONTRAST) {
      return {
        textColour: toHex(text),
        boxColour: toHex(box),
        boxAlpha: alpha,
        borderColour: toHex(box),
        colourFallback: false,
      };
    }
  }
  return {
    textColour: "#ffffff",
    boxColour: "#000000",
    boxAlpha: 0.6,
    borderColour: "#000000",
    colourFallback: true,
  };
}
