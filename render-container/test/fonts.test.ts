/** Face choice by coverage, read from the installed fonts themselves (fontkit). */
import { describe, expect, it, vi } from "vitest";
import {
  candidateFaces,
  chooseFace,
  coversText,
  faceCovers,
  faceOf,
  fitToFace,
  pickFont,
  textAdvance,
} from "../src/fonts.ts";

describe("fonts: coverage", () => {
  it("reads each face's coverage as the fc-query charsets say", () => {
    const latin = "Café Olé — 100% €";
    const arabic = "عطر فاخر جديد";
    expect(coversText(faceOf("sans"), latin)).toBe(true);
    expect(coversText(faceOf("sans"), arabic)).toBe(false);
    expect(coversText(faceOf("arabic"), arabic)).toBe(true);
    expect(faceCovers(faceOf("arabic"), "O".codePointAt(0)!)).toBe(false);
    expect(coversText(faceOf("dejavu"), latin + arabic)).toBe(true);
    // The presentation forms fribidi's shaping writes (ع initial form, lam-alef ligature).
    expect(faceCovers(faceOf("dejavu"), 0xfecb)).toBe(true);
    expect(faceCovers(faceOf("dejavu"), 0xfefb)).toBe(true);
    expect(coversText(faceOf("cjk"), "東京ラーメン Tokyo")).toBe(true);
    for (const f of ["sans", "serif", "condensed", "cjk", "dejavu", "arabic"] as const)
      expect(faceCovers(faceOf(f), 0x1f35c)).toBe(false);
  });

  it("tries the requested family, then CJK, then DejaVu Sans, then Noto Sans Arabic", () => {
    expect(candidateFaces("serif").map((f) => f.family)).toEqual(["serif", "cjk", "dejavu", "arabic"]);
    expect(candidateFaces("auto", "bold sport").map((f) => f.family)).toEqual([
      "condensed",
      "cjk",
      "dejavu",
      "arabic",
    ]);
    expect(pickFont("Hello", "auto", "luxury").family).toBe("serif");
    expect(pickFont("東京 sale", "serif").family).toBe("cjk");
    expect(pickFont("Oud Royal عطر فاخر", "serif").family).toBe("dejavu");
    expect(pickFont("عطر", "sans").family).toBe("dejavu");
  });

  it("drops what no face draws and collapses the spaces left behind", () => {
    const c = chooseFace("Tokyo 🍜 ramen 🔥\nnow ✨ 🍣", "auto");
    expect(c.text).toBe("Tokyo ramen\nnow");
    expect(c.dropped).toEqual(["🍜", "🔥", "✨", "🍣"]);
    expect(c.whole).toBe(true);
    // CJK with Arabic: no single face, the caller splits by line.
    const mix = chooseFace("東京 عطر", "auto");
    expect(mix.whole).toBe(false);
    expect(fitToFace("東京 عطر", faceOf("cjk"))).toBe("東京");
  });

  it("removes Arabic vowel marks, which drawtext would set beside their letter", () => {
    expect(chooseFace("تجربة لا تُنسى — تسوّق الآن، حمّل مجانًا", "auto").text).toBe(
      "تجربة لا تنسى — تسوق الآن، حمل مجانا",
    );
    expect(chooseFace("Café Olé", "auto").text).toBe("Café Olé");
  });

  it("measures real advance widths (proportional, shaped for Arabic)", () => {
    const sans = faceOf("sans");
    expect(textAdvance("iiii", sans, 100)).toBeLessThan(textAdvance("WWWW", sans, 100) / 2);
    expect(textAdvance("Hello", sans, 200)).toBeCloseTo(2 * textAdvance("Hello", sans, 100), 6);
    expect(textAdvance("عطر فاخر", faceOf("dejavu"), 60)).toBeGreaterThan(100);
    expect(textAdvance("東京", faceOf("cjk"), 100)).toBeCloseTo(200, 0);
  });

  it("does not hide a broken install: a missing requested face is returned, and named", async () => {
    const before = process.env.RENDER_FONT_DIR;
    process.env.RENDER_FONT_DIR = "/nonexistent-fonts";
    vi.resetModules();
    try {
      const fonts = await import("../src/fonts.ts");
      const c = fonts.chooseFace("Hello 🍜", "condensed");
      expect(c.face.family).toBe("condensed");
      expect(() => fonts.assertFontInstalled(c.face)).toThrow(/fonts-dejavu-extra/);
    } finally {
      if (before === undefined) delete process.env.RENDER_FONT_DIR;
      else process.env.RENDER_FONT_DIR = before;
      vi.resetModules();
    }
  });
});
