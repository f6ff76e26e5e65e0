/**
 * Colour arithmetic, pure: hex parsing and printing, mixing, WCAG contrast, hue rotation and
 * BT.601 chroma. The one place colours are parsed; overlays, grades and the synthesiser's
 * palettes all use it. (The contract validates the `#rrggbb` form with zod on its own, because it
 * must depend on zod only.)
 */

/** Red, green and blue, nominally 0..255 (intermediate results may stray outside). */
export type Rgb = [number, number, number];

/** Parses `#rrggbb` (the `#` is optional). */
export function parseHex(hex: string): Rgb {
  const h = hex.replace(/^#/, "");
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as Rgb;
}

/** Rounds each channel and clamps it to 0..255. */
export function clampRgb(rgb: Rgb): Rgb {
  return rgb.map((v) => Math.round(Math.max(0, Math.min(255, v)))) as Rgb;
}

/** Prints a colour as `#rrggbb`, or with `prefix` `0x` as ffmpeg's `0xRRGGBB` (clamped, rounded). */
export function toHex(rgb: Rgb, prefix: "#" | "0x" = "#"): string {
  return `${prefix}${clampRgb(rgb)
    .map((c) => c.toString(16).padStart(2, "0"))
    .join("")}`;
}

/** `a` moved towards `b` by `t` (0 = a, 1 = b): also `b` laid over `a` with alpha `t`. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return a.map((v, i) => v * (1 - t) + (b[i] ?? 0) * t) as Rgb;
}

/** WCAG relative luminance, 0..1. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1..21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Rotation around the grey axis: good enough for a companion colour. */
export function rotateHue([r, g, b]: Rgb, degrees: number): Rgb {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const k = (1 - cos) / 3;
  const s3 = Math.sqrt(1 / 3) * sin;
  return [
    r * (cos + k) + g * (k - s3) + b * (k + s3),
    r * (k + s3) + g * (cos + k) + b * (k - s3),
    r * (k - s3) + g * (k + s3) + b * (cos + k),
  ];
}

/** BT.601 chroma (U, V; each about -128..128) of a colour. */
export function chroma([r, g, b]: Rgb): { u: number; v: number } {
  return {
    u: -0.1687 * r - 0.3313 * g + 0.5 * b,
    v: 0.5 * r - 0.4187 * g - 0.0813 * b,
  };
}
