/**
 * Bundled fonts, resolved by path. They come from Debian packages (fonts-dejavu-core,
 * fonts-dejavu-extra, fonts-noto-core, fonts-noto-cjk) installed by scripts/ensure-system.sh and
 * the Dockerfile; nothing is fetched at run time.
 */
import { existsSync } from "node:fs";
import type { Font } from "./contract.ts";

/** A concrete face: its family and its file. */
export interface FontFace {
  family: "sans" | "serif" | "condensed" | "cjk" | "arabic";
  file: string;
}

const FONT_ROOT = process.env.RENDER_FONT_DIR ?? "/usr/share/fonts";

const FILES: Record<FontFace["family"], string> = {
  sans: "truetype/noto/NotoSans-Bold.ttf",
  serif: "truetype/noto/NotoSerifDisplay-Bold.ttf",
  condensed: "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
  cjk: "opentype/noto/NotoSansCJK-Bold.ttc",
  arabic: "truetype/noto/NotoSansArabic-Bold.ttf",
};

const PACKAGES: Record<FontFace["family"], string> = {
  sans: "fonts-noto-core",
  serif: "fonts-noto-core",
  condensed: "fonts-dejavu-extra",
  cjk: "fonts-noto-cjk",
  arabic: "fonts-noto-core",
};

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

/**
 * Picks the face for a text: the script wins over the requested family (a Latin face cannot draw
 * CJK or Arabic), then the explicit family, then the brand style.
 */
export function pickFont(text: string, font: Font, style?: string): FontFace {
  let family: FontFace["family"];
  if (hasCjk(text)) family = "cjk";
  else if (hasArabic(text)) family = "arabic";
  else family = font === "auto" ? familyForStyle(style) : font;
  return { family, file: `${FONT_ROOT}/${FILES[family]}` };
}

/** Throws a clear error when a font file is missing, naming the Debian package that provides it. */
export function assertFontInstalled(face: FontFace): void {
  if (!existsSync(face.file)) {
    throw new Error(
      `font file ${face.file} is missing: install the Debian package ${PACKAGES[face.family]} (scripts/ensure-system.sh)`,
    );
  }
}
