/**
 * Bundled fonts, resolved by path, and the choice of face by character coverage. They come from
 * Debian packages (fonts-dejavu-core, fonts-dejavu-extra, fonts-noto-core, fonts-noto-cjk) installed
 * by scripts/ensure-system.sh and the Dockerfile; nothing is fetched at run time.
 *
 * Coverage and widths come from the fonts themselves, read with `fontkit` (a maintained npm
 * library, pure JavaScript, no native build): it reads the cmap of `.ttf` files and of `.ttc`
 * collections (face 0, the one ffmpeg's drawtext opens), answers `hasGlyphForCodePoint`, and gives
 * real advance widths (and OpenType shaping for Arabic, whose joined forms differ in width). That
 * beats shelling out to `fc-query` per font (a process per face, a charset range string to parse, no
 * widths). Each face is opened once and its answers are cached per code point.
 *
 * The rule: a text is drawn in the first face that covers every one of its code points, trying the
 * requested (or brand-style) family, then Noto Sans CJK, then DejaVu Sans Bold (Latin and Arabic
 * together, with the Arabic presentation forms fribidi's shaping produces), then Noto Sans Arabic.
 * Code points no candidate covers (emoji, most symbols) are dropped, never drawn as boxes.
 *
 * Right-to-left: ffmpeg 5.1's drawtext runs fribidi with a forced left-to-right paragraph, which
 * puts neutrals (dashes, numbers, %) of an Arabic line at the wrong end. A line whose first strong
 * character is right-to-left is wrapped in U+202B RIGHT-TO-LEFT EMBEDDING … U+202C POP DIRECTIONAL
 * FORMATTING: fribidi then resolves it at an RTL level (as a browser would), and its
 * REMOVE_SPECIALS flag drops the two marks before drawing. (The isolates U+2067…U+2069 are not
 * removed by that fribidi and draw as boxes.)
 */
import { existsSync } from "node:fs";
import * as fontkit from "fontkit";
import type { Font } from "./contract.ts";

/** A face family. `dejavu` is DejaVu Sans Bold, the fallback that draws Latin and Arabic together. */
export type FontFamily = "sans" | "serif" | "condensed" | "cjk" | "dejavu" | "arabic";

/** A concrete face: its family and its file. */
export interface FontFace {
  family: FontFamily;
  file: string;
}

const FONT_ROOT = process.env.RENDER_FONT_DIR ?? "/usr/share/fonts";

const FILES: Record<FontFamily, string> = {
  sans: "truetype/noto/NotoSans-Bold.ttf",
  serif: "truetype/noto/NotoSerifDisplay-Bold.ttf",
  condensed: "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
  cjk: "opentype/noto/NotoSansCJK-Bold.ttc",
  dejavu: "truetype/dejavu/DejaVuSans-Bold.ttf",
  arabic: "truetype/noto/NotoSansArabic-Bold.ttf",
};

const PACKAGES: Record<FontFamily, string> = {
  sans: "fonts-noto-core",
  serif: "fonts-noto-core",
  condensed: "fonts-dejavu-extra",
  cjk: "fonts-noto-cjk",
  dejavu: "fonts-dejavu-core",
  arabic: "fonts-noto-core",
};

/** The face of a family. */
export function faceOf(family: FontFamily): FontFace {
  return { family, file: `${FONT_ROOT}/${FILES[family]}` };
}

/** True when the text needs a CJK face (Han, kana, hangul, full-width forms). */
export function hasCjk(text: string): boolean {
  return /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u.test(text);
}

/** True when the text contains Arabic script. */
export function hasArabic(text: string): boolean {
  return /[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]/u.test(text);
}

/** Family for a brand style when the overlay says `auto`: elegant brands get the serif display face. */
export function familyForStyle(style: string | undefined): "sans" | "serif" | "condensed" {
  const s = (style ?? "").toLowerCase();
  if (/(luxur|elegan|classic|editorial|premium|serif|timeless|refined)/.test(s)) return "serif";
  if (/(bold|sport|energ|impact|condensed|street|urgent|loud)/.test(s)) return "condensed";
  return "sans";
}

interface Loaded {
  font: fontkit.Font;
  covers: Map<number, boolean>;
  advances: Map<number, number>;
  shaped: Map<string, number>;
}

const loaded = new Map<string, Loaded | null>();

/** Opens a face once (face 0 of a collection, as drawtext does); null when the file is missing. */
function load(face: FontFace): Loaded | null {
  let l = loaded.get(face.file);
  if (l !== undefined) return l;
  l = null;
  if (existsSync(face.file)) {
    const f = fontkit.openSync(face.file);
    const font = "fonts" in f ? f.fonts[0]! : f;
    l = { font, covers: new Map(), advances: new Map(), shaped: new Map() };
  }
  loaded.set(face.file, l);
  return l;
}

/** Characters that never need a glyph: whitespace and controls (the line splitter handles them). */
function needsNoGlyph(cp: number): boolean {
  return cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0x202b || cp === 0x202c;
}

/** True when the face has a glyph for the code point (cached). False when the face is missing. */
export function faceCovers(face: FontFace, cp: number): boolean {
  if (needsNoGlyph(cp)) return true;
  const l = load(face);
  if (!l) return false;
  let c = l.covers.get(cp);
  if (c === undefined) {
    c = l.font.hasGlyphForCodePoint(cp);
    l.covers.set(cp, c);
  }
  return c;
}

/** True when the face covers every code point of the text. */
export function coversText(face: FontFace, text: string): boolean {
  for (const ch of text) if (!faceCovers(face, ch.codePointAt(0)!)) return false;
  return true;
}

/** The faces tried for a text, in order: requested or style family, CJK, DejaVu Sans, Noto Arabic. */
export function candidateFaces(font: Font | FontFamily, style?: string): FontFace[] {
  const first: FontFamily = font === "auto" ? familyForStyle(style) : font;
  return [...new Set<FontFamily>([first, "cjk", "dejavu", "arabic"])].map(faceOf);
}

/** Collapses the spaces left by dropped characters, line by line. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/[ \t\u00a0]{2,}/g, " ").trim())
    .join("\n")
    .trim();
}

/**
 * Arabic vowel and shadda marks (harakat) removed. drawtext draws glyph by glyph without HarfBuzz,
 * so a combining mark lands beside its letter instead of above it; everyday Arabic (signage, ads)
 * is written without them and reads the same.
 */
export function withoutArabicMarks(text: string): string {
  return text.replace(/[\u064b-\u065f\u0670\u06d6-\u06ed]/gu, "");
}

/** A text ready to draw: its face, the text with undrawable code points removed, and those removed. */
export interface TextChoice {
  face: FontFace;
  text: string;
  dropped: string[];
  /** True when `face` covers all of `text`; false only for mixes no single face covers (CJK + Arabic). */
  whole: boolean;
}

/**
 * Chooses the face for a text by coverage and drops what no candidate can draw. When no single face
 * covers the rest (CJK with Arabic), the face covering most of it is returned with `whole: false`,
 * and the caller chooses per line ({@link fitToFace} drops what a line's face still lacks).
 */
export function chooseFace(raw: string, font: Font | FontFamily, style?: string): TextChoice {
  const text = withoutArabicMarks(raw);
  const cands = candidateFaces(font, style);
  // The requested face missing means a broken install, not a reason to draw in another face:
  // return it as is, so assertFontInstalled names the missing Debian package.
  if (!load(cands[0]!)) return { face: cands[0]!, text, dropped: [], whole: true };
  const available = cands.filter((f) => load(f));
  const dropped: string[] = [];
  let kept = "";
  for (const ch of text) {
    if (available.some((f) => faceCovers(f, ch.codePointAt(0)!))) kept += ch;
    else dropped.push(ch);
  }
  const clean = tidy(kept);
  const face = available.find((f) => coversText(f, clean));
  if (face) return { face, text: clean, dropped, whole: true };
  const count = (f: FontFace) => [...clean].filter((ch) => faceCovers(f, ch.codePointAt(0)!)).length;
  const best = available.reduce((a, b) => (count(b) > count(a) ? b : a));
  return { face: best, text: clean, dropped, whole: false };
}

/** Drops the code points a face lacks (collapsing spaces). */
export function fitToFace(text: string, face: FontFace): string {
  let kept = "";
  for (const ch of text) if (faceCovers(face, ch.codePointAt(0)!)) kept += ch;
  return tidy(kept);
}

/**
 * Picks the face for a text: the first candidate that covers it (see {@link chooseFace}). Kept for
 * callers that only need the face.
 */
export function pickFont(text: string, font: Font | FontFamily, style?: string): FontFace {
  return chooseFace(text, font, style).face;
}

const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** True when the first strong (letter) character of the text is right-to-left. */
export function isRtl(text: string): boolean {
  for (const ch of text) if (/\p{L}/u.test(ch)) return RTL_SCRIPT.test(ch);
  return false;
}

/**
 * The text of one line as drawtext must get it: an RTL line wrapped in RLE … PDF (see top). `rtl`
 * is the paragraph's direction, by default the line's own; the lines of one wrapped block share the
 * block's, so a line of only neutrals ("- 50%") still reads right to left.
 */
export function drawnLine(line: string, rtl = isRtl(line)): string {
  return rtl ? `\u202b${line}\u202c` : line;
}

const SHAPED = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;

/**
 * Advance width of a line in pixels at a font size, from the face's own metrics: the sum of the
 * glyph advances (drawtext without harfbuzz draws glyph by glyph), or the shaped width for Arabic
 * and Hebrew (joined forms). Falls back to a generous estimate when the face is not installed.
 */
export function textAdvance(text: string, face: FontFace, size: number): number {
  const l = load(face);
  if (!l) {
    let em = 0;
    for (const ch of text) em += face.family === "cjk" && ch.codePointAt(0)! > 0x2e7f ? 1.02 : 0.7;
    return em * size;
  }
  let units = 0;
  if (SHAPED.test(text)) {
    let w = l.shaped.get(text);
    if (w === undefined) {
      w = l.font.layout(text).advanceWidth;
      if (l.shaped.size > 2000) l.shaped.clear();
      l.shaped.set(text, w);
    }
    units = w;
  } else {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let a = l.advances.get(cp);
      if (a === undefined) {
        a = l.font.glyphForCodePoint(cp).advanceWidth;
        l.advances.set(cp, a);
      }
      units += a;
    }
  }
  return (units * size) / l.font.unitsPerEm;
}

/** Throws a clear error when a font file is missing, naming the Debian package that provides it. */
export function assertFontInstalled(face: FontFace): void {
  if (!existsSync(face.file)) {
    throw new Error(
      `font file ${face.file} is missing: install the Debian package ${PACKAGES[face.family]} (scripts/ensure-system.sh)`,
    );
  }
}
