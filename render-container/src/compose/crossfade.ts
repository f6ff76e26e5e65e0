/**
 * Crossfades between scenes, pure: filter chains that join the per-scene streams `[v0]..[vN]`.
 *
 * ffmpeg 5.1's `xfade` has no 4:2:0 formats, so a plain chain of xfades makes ffmpeg convert EVERY
 * frame of every scene to yuv444p and the whole output back to yuv420p (two full-frame swscale passes
 * per frame, a quarter of the graph's CPU, plus a chroma resampling round trip). Instead each scene is
 * cut into head, body and tail; only the short windows that actually blend go through `xfade` (and
 * through the 4:4:4 conversion), and the bodies stay yuv420p untouched. `concat` joins the pieces.
 *
 * The plain `fade` (the product's transition) does not need `xfade` at all: it is the incoming scene
 * laid over the outgoing one with its opacity rising linearly (`fade` on the alpha plane, `overlay`
 * in yuv420), the same blend computed without the three 4:4:4 conversions of each blended frame
 * (~1 CPU-s of the standard ad's 4.5 s of filtering; the frames differ from xfade's by rounding, ±1
 * level, PSNR ~51 dB). Every other transition keeps `xfade`.
 */
import { num } from "../ffmpeg.ts";

/** Scene `i` lasts `durations[i]`; neighbours overlap by `transition` seconds (> 0) with `type`. */
export function crossfadeChains(
  durations: number[],
  transition: number,
  type: string,
  fps: number,
  out: string,
): string[] {
  const n = durations.length;
  const chains: string[] = [];
  const pieces: string[] = [];
  // Shorter than half a frame, a body holds no frame: leave it out rather than feed concat nothing.
  const halfFrame = 0.5 / fps;
  for (let i = 0; i < n; i++) {
    const d = durations[i]!;
    const parts: { label: string; start: number; end: number }[] = [];
    if (i > 0) parts.push({ label: `h${i}`, start: 0, end: transition });
    const bodyStart = i > 0 ? transition : 0;
    const bodyEnd = i < n - 1 ? d - transition : d;
    if (bodyEnd - bodyStart > halfFrame) parts.push({ label: `b${i}`, start: bodyStart, end: bodyEnd });
    if (i < n - 1) parts.push({ label: `t${i}`, start: d - transition, end: d });
    const split = parts.length > 1 ? `split=${parts.length}${parts.map((p) => `[${p.label}]`).join("")}` : "";
    if (split) chains.push(`[v${i}]${split}`);
    for (const p of parts) {
      const src = split ? `[${p.label}]` : `[v${i}]`;
      const trim = p.start > 0 ? `trim=start=${num(p.start)}:end=${num(p.end)}` : `trim=end=${num(p.end)}`;
      chains.push(`${src}${trim},setpts=PTS-STARTPTS[${p.label}p]`);
    }
    if (i > 0) {
      // The blend window: both sides are exactly `transition` long, so the output is too.
      if (type === "fade") {
        chains.push(
          `[h${i}p]format=yuva420p,fade=t=in:st=0:d=${num(transition)}:alpha=1[a${i}]`,
          `[t${i - 1}p][a${i}]overlay=format=yuv420[m${i}]`,
        );
      } else {
        chains.push(
          `[t${i - 1}p][h${i}p]xfade=transition=${type}:duration=${num(transition)}:offset=0,format=yuv420p[m${i}]`,
        );
      }
      pieces.push(`[m${i}]`);
    }
    if (parts.some((p) => p.label === `b${i}`)) pieces.push(`[b${i}p]`);
  }
  chains.push(`${pieces.join("")}concat=n=${pieces.length}:v=1:a=0[${out}]`);
  return chains;
}
