/** Brand palette derivation for the synthesiser: pure colour arithmetic. */
import { clampRgb, mix, parseHex, type Rgb, rotateHue, toHex } from "../colour.ts";

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
    primary: toHex(primary, "0x"),
    secondary: toHex(secondary, "0x"),
    dark: toHex(mix(primary, [0, 0, 0], 0.78), "0x"),
    deep: toHex(mix(secondary, [0, 0, 0], 0.55), "0x"),
    light: toHex(light, "0x"),
    lightRgb: clampRgb(light),
    secondaryRgb: clampRgb(secondary),
  };
}
