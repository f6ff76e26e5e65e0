/**
 * Overlay layout, pure: where a text block goes, how it wraps, how big it is, and which colours keep
 * it readable over any background. No I/O; `video-graph.ts` turns the result into filters.
 */
import { contrastRatio, mix, parseHex, type Rgb, toHex } from "../colour.ts";
import type { Overlay } from "../contract.ts";
import { type FontFace, pickFont } from "../fonts.ts";

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

// Advance widths per em, deliberately a little generous for bold faces: overestimating keeps the
// block inside the safe zone, at worst a line wraps a word early.
function charEm(ch: string, family: FontFace["family"]): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (family === "cjk" && cp > 0x2e7f) return 1.02;
  let em: number;
  if (ch === " ") em = 0.3;
  else if (/[iIl.,:;'!|]/.test(ch)) em = 0.34;
  else if (/[mwMW@%]/.test(ch)) em = 0.98;
  else if (/[A-Z]/.test(ch)) em = 0.74;
  else if (/[0-9]/.test(ch)) em = 0.64;
  else if (/[a-z]/.test(ch)) em = 0.62;
  else if (cp > 0xffff)
    em = 1.25; // emoji and other astral symbols
  else em = 0.7;
  if (family === "condensed") em *= 0.85;
  if (family === "serif") em *= 0.95;
  return em;
}

/** Estimated width of a line in pixels at a font size. */
export function textWidth(line: string, size: number, family: FontFace["family"]): number {
  let em = 0;
  for (const ch of line) em += charEm(ch, family);
  return em * size;
}

/**
 * Greedy word wrap to a pixel width. CJK text has no spaces, so it may break between any two
 * characters; a single word wider than the line is broken by characters too.
 */
export function wrapText(text: string, size: number, maxWidth: number, family: FontFace["family"]): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    const tokens = family === "cjk" ? tokensCjk(paragraph) : paragraph.split(/\s+/).filter(Boolean);
    let line = "";
    for (const token of tokens) {
      const sep = line && family !== "cjk" ? " " : "";
      if (textWidth(line + sep + token, size, family) <= maxWidth) {
        line += sep + token;
        continue;
      }
      if (line) lines.push(line.trim());
      line = "";
      // A token wider than the line on its own: break it by characters.
      for (const ch of token) {
        if (line && textWidth(line + ch, size, family) > maxWidth) {
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
  face: FontFace;
  lines: string[];
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

const MAX_LINES = 3;
/** WCAG AA contrast for large text; overlays are always large and bold. */
export const MIN_CONTRAST = 3;

/** Lays out an overlay inside the safe zone: wrap, shrink to fit, position, contrast. */
export function layoutOverlay(
  overlay: Overlay,
  width: number,
  height: number,
  style?: string,
): OverlayLayout {
  const zone = safeZone(width, height);
  const face = pickFont(overlay.text, overlay.font, style);
  const base = Math.min(width * 0.085, height * 0.05);
  let fontSize = Math.round(overlay.size ?? base);
  const minSize = Math.max(10, Math.round(Math.min(width, height) * 0.028));
  const maxBlockHeight = (zone.bottom - zone.top) * 0.9;
  let lines: string[] = [];
  let pad = 0;
  let lineHeight = 0;
  // Shrink until the block fits: at most MAX_LINES lines, within the safe width and height.
  for (;;) {
    pad = Math.round(fontSize * 0.35);
    lineHeight = Math.round(fontSize * 1.3);
    lines = wrapText(overlay.text, fontSize, zone.right - zone.left - 2 * pad, face.family);
    const tooTall = lines.length * lineHeight + 2 * pad > maxBlockHeight;
    if ((lines.length <= MAX_LINES && !tooTall) || fontSize <= minSize) break;
    fontSize = Math.max(minSize, Math.floor(fontSize * 0.9));
  }
  const textW = Math.max(...lines.map((l) => textWidth(l, fontSize, face.family)));
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
  return {
    face,
    lines,
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

// Even coordinates and sizes keep yuv420p chroma aligned.
function floorEven(n: number): number {
  return Math.max(0, Math.floor(n / 2) * 2);
}

function ceilEven(n: number): number {
  return Math.max(0, Math.ceil(n / 2) * 2);
}

/**
 * Chooses box and outline colours so the text reads over any background. The worst backgrounds are
 * black, white and the text colour itself; the box alpha rises until the text clears 3:1 (WCAG AA for
 * large bold text, which every overlay is) against
 * the box blended over each of them, and a colour that cannot get there falls back to white on black.
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
  for (const alpha of [0.45, 0.55, 0.65, 0.7]) {
    if (worst(alpha) >= MIN_CONTRAST) {
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
