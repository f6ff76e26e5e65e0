/**
 * The QC's contrast fix, pure: a stronger backing for an overlay whose text measured under 4.5:1
 * against the pixels behind it. The layout keeps its text, size, place and colours; only the box
 * behind the text gets more opaque (and the outline a little wider), enough that the text clears
 * {@link QC_MIN_CONTRAST} against the box laid over ANY picture (black, white or the text's colour).
 */
import { contrastRatio, mix, parseHex, type Rgb } from "../colour.ts";
import type { OverlayLayout } from "../compose/overlay-layout.ts";

/** WCAG AA for normal text: what the QC asks of every overlay, measured on the rendered frame. */
export const QC_MIN_CONTRAST = 4.5;

/** Aimed above the limit, so the re-check (encoder noise, anti-aliasing) still clears it. */
const AIM = QC_MIN_CONTRAST + 0.5;

/** The layout with the least box alpha (0.8 up to opaque) that reads over any picture. */
export function strongBacking(layout: OverlayLayout): OverlayLayout {
  const text = parseHex(layout.textColour);
  const box = parseHex(layout.boxColour);
  const worst = (alpha: number) =>
    Math.min(
      ...([[0, 0, 0], [255, 255, 255], text] as Rgb[]).map((bg) => contrastRatio(text, mix(bg, box, alpha))),
    );
  const alpha = [0.8, 0.85, 0.9, 0.95].find((a) => a > layout.boxAlpha && worst(a) >= AIM) ?? 1;
  return {
    ...layout,
    boxAlpha: Math.max(layout.boxAlpha, alpha),
    borderWidth: Math.max(layout.borderWidth + 1, Math.round(layout.borderWidth * 1.5)),
  };
}
