/** Brand palette derivation for the synthesiser: pure colour arithmetic. */
import { parseHex } from "../overlay-layout.ts";

type Rgb = [number, number, number];

const hex = (c: Rgb) =>
  `0x${c
    .map((v) =>
      Math.round(Math.max(0, Math.min(255, v)))
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => a.map((v, i) => v * (1 - t) + (b[i] ?? 0) * t) as Rgb;

function rotateHue([r, g, b]: Rgb, degrees: number): Rgb {
  // Rotation around the grey axis: good enough for a companion colour.
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

/** Colours (ffmpeg `0xRRGGBB`) used by the looks. */
export interface Palette {
  primary: string;
  secondary: string;
  dark: string;
  deep: string;
  light: string;
  /** R, G, B of the light colour 0..255, for `geq` sprites. */
  lightRgb: Rgb;
  secondaryRgb: Rgb;
}

/** Derives a palette from brand colours: the first is primary; a missing second is a hue rotation. */
export function derivePalette(colours: string[]): Palette {
  const primary = parseHex(colours[0] ?? "#3355ff");
  const secondary = colours[1] ? parseHex(colours[1]) : rotateHue(primary, 40);
  const light = mix(primary, [255, 255, 255], 0.72);
  return {
    primary: hex(primary),
    secondary: hex(secondary),
    dark: hex(mix(primary, [0, 0, 0], 0.78)),
    deep: hex(mix(secondary, [0, 0, 0], 0.55)),
    light: hex(light),
    lightRgb: light.map(Math.round) as Rgb,
    secondaryRgb: secondary.map((v) => Math.round(Math.max(0, Math.min(255, v)))) as Rgb,
  };
}
