/**
 * Colour grades as cheap YUV filters. Everything stays in yuv420p (`eq` and `lutyuv`), because a
 * round trip through RGB at 1080x1920 would cost more than all other filters together.
 */
import { chroma, parseHex } from "../colour.ts";
import type { Grade } from "../contract.ts";

/** Chroma shift that warms (positive) or cools (negative) the picture. */
function temperature(amount: number): string {
  const k = Math.round(amount * 10);
  if (k === 0) return "";
  // Warm = more red (V up) and less blue (U down).
  return `lutyuv=u='clip(val-${k},0,255)':v='clip(val+${k},0,255)'`;
}

/** Filters for a grade, or `[]` for none. `brandColour` tints mid-tones for the `brand` preset. */
export function gradeFilters(grade: Grade, brandColour?: string): string[] {
  if (typeof grade === "object") {
    const eq = `eq=brightness=${grade.brightness}:contrast=${grade.contrast}:saturation=${grade.saturation}:gamma=${grade.gamma}`;
    return [eq, temperature(grade.temperature)].filter(Boolean);
  }
  switch (grade) {
    case "none":
      return [];
    case "warm":
      return ["eq=saturation=1.08:contrast=1.03", temperature(0.6)];
    case "cool":
      return ["eq=saturation=0.97:contrast=1.03", temperature(-0.6)];
    case "cinematic":
      return ["eq=contrast=1.1:saturation=0.88:gamma=0.96", temperature(-0.3)];
    case "vivid":
      return ["eq=contrast=1.06:saturation=1.3"];
    case "brand": {
      if (!brandColour) return ["eq=saturation=1.1"];
      // BT.601 chroma of the brand colour, scaled down to a gentle tint.
      const { u, v } = chroma(parseHex(brandColour));
      const du = Math.round(u * 0.08);
      const dv = Math.round(v * 0.08);
      return ["eq=saturation=1.1", `lutyuv=u='clip(val+${du},0,255)':v='clip(val+${dv},0,255)'`];
    }
  }
}
