/** Text drawing shared by the scene overlays and the logo's end card, pure. */
import { assertPlainPath, type PlanFile } from "../ffmpeg.ts";
import { drawnLine, isRtl } from "../fonts.ts";
import type { OverlayLayout } from "./overlay-layout.ts";

/**
 * The `drawtext` filters that write a layout's lines onto its layer (top-left at 0,0), and the text
 * files they read (`<stem>-<line>.txt`). Shared by the scene overlays and the logo's end card. Each
 * line is drawn in its own face (by coverage), and a right-to-left line is wrapped in RLE … PDF so
 * drawtext's fribidi orders it as an RTL paragraph (see fonts.ts).
 */
export function textDraw(layout: OverlayLayout, stem: string): { draw: string[]; files: PlanFile[] } {
  const files: PlanFile[] = [];
  const draw: string[] = [];
  const rtl = isRtl(layout.lines.join(" "));
  layout.lines.forEach((line, k) => {
    const file = assertPlainPath(`${stem}-${k}.txt`);
    files.push({ path: file, content: drawnLine(line, rtl) });
    const face = layout.lineFaces?.[k] ?? layout.face;
    const baseline = layout.pad + k * layout.lineHeight + Math.round(layout.lineHeight * 0.74);
    draw.push(
      `drawtext=fontfile=${assertPlainPath(face.file)}:textfile=${file}:expansion=none:fontsize=${layout.fontSize}` +
        `:fontcolor=${layout.textColour}:borderw=${layout.borderWidth}:bordercolor=${layout.borderColour}@0.7` +
        `:shadowx=${Math.max(1, layout.borderWidth)}:shadowy=${Math.max(1, layout.borderWidth)}:shadowcolor=black@0.35` +
        `:x=(w-text_w)/2:y=${baseline}-ascent`,
    );
  });
  return { draw, files };
}
