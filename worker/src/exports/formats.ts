/**
 * What an export can be: formats, qualities, aspects, their sizes and bitrate caps, the platform
 * presets with their limits, and the download file name. Plain values and pure functions.
 */
import { EXPORT_FORMATS, EXPORT_PRESETS, EXPORT_QUALITIES } from "../pipeline/rules.ts";
import type { ASPECT_RATIOS } from "../pipeline/settings.ts";

export { EXPORT_FORMATS, EXPORT_QUALITIES };
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportQuality = (typeof EXPORT_QUALITIES)[number];
export type Aspect = (typeof ASPECT_RATIOS)[number];

/**
 * Video bitrate caps (kb/s) per quality, and so the most a 15 s export weighs: about
 * (cap + 192 kb/s audio) x 15 s, i.e. 15.7 MB at 1080p (the spec's "under 50 MB" with room),
 * 7.9 MB at 720p and 4.1 MB at 480p; x2 and x4 for 30 s and 60 s ads.
 */
export const MAX_KBPS: Record<ExportQuality, number> = { 1080: 8000, 720: 4000, 480: 2000 };

/** The most bytes an export of `durationS` may weigh at `quality` (the cap plus 10 % container slack). */
export const sizeCapBytes = (quality: ExportQuality, durationS: number) =>
  Math.ceil((((MAX_KBPS[quality] + 192) * 1000) / 8) * durationS * 1.1);

const even = (x: number) => Math.round(x / 2) * 2;

/** The frame size of `quality` (the short side) in `aspect`. */
export function exportSize(aspect: Aspect, quality: ExportQuality): { width: number; height: number } {
  const long = even((quality * 16) / 9);
  if (aspect === "1:1") return { width: quality, height: quality };
  return aspect === "16:9" ? { width: long, height: quality } : { width: quality, height: long };
}

/** A platform preset: what it exports, and the platform's limits it is checked against. */
export type Preset = (typeof EXPORT_PRESETS)[number];

/** The presets by name (the table is in rules.ts, shared with the web app). */
export const PRESETS: Record<string, Preset> = Object.fromEntries(EXPORT_PRESETS.map((p) => [p.name, p]));
export const PRESET_NAMES = EXPORT_PRESETS.map((p) => p.name) as [Preset["name"], ...Preset["name"][]];

/** Why an ad of `durationS` cannot be exported with `preset`, or null when it fits every limit. */
export function presetProblem(preset: Preset, durationS: number, quality: ExportQuality): string | null {
  if (durationS > preset.limits.max_duration_s)
    return `${preset.label} takes videos of at most ${preset.limits.max_duration_s} s; this ad lasts ${durationS} s.`;
  if (MAX_KBPS[quality] > preset.limits.max_video_kbps)
    return `${preset.label} takes at most ${preset.limits.max_video_kbps} kb/s of video.`;
  const mb = sizeCapBytes(quality, durationS) / 1e6;
  if (mb > preset.limits.max_size_mb)
    return `${preset.label} takes files of at most ${preset.limits.max_size_mb} MB; this export may reach ${mb.toFixed(0)} MB.`;
  return null;
}

/** `Café Olé!` -> `cafe-ole`: a file-name-safe slug (ASCII letters, digits and dashes). */
export function slug(text: string): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return s || "ad";
}

/** The download's file name: `<product>-<aspect>-<quality>.<ext>` (`cafe-ole-9x16-1080p.mp4`). */
export const downloadName = (product: string, aspect: Aspect, quality: ExportQuality, format: ExportFormat) =>
  `${slug(product)}-${aspect.replace(":", "x")}-${quality}p.${format}`;
