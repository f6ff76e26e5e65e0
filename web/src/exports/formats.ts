/**
 * What an export of a finished ad can be, for people: the platform presets (the server's table,
 * `@promptreel/worker/rules`), the custom choices, and the labels and file names the export dialog
 * shows. The server checks a preset against its platform's limits (422 naming the limit).
 */
import { EXPORT_PRESETS } from "@promptreel/worker/rules";
import type { ExportRequest, ExportView } from "../api.ts";

export type ExportFormat = NonNullable<ExportRequest["format"]>;
export type ExportQuality = NonNullable<ExportRequest["quality"]>;
export type ExportAspect = NonNullable<ExportRequest["aspect"]>;

/** Formats, value -> label. */
export const FORMATS: Record<ExportFormat, string> = { mp4: "MP4", mov: "MOV", webm: "WebM" };
/** Qualities (the short side, in pixels). */
export const QUALITIES: readonly ExportQuality[] = [480, 720, 1080];
/** Aspect ratios with their names. */
export const ASPECTS: Record<ExportAspect, string> = {
  "9:16": "Vertical",
  "1:1": "Square",
  "16:9": "Landscape",
};

/** A platform preset: what it makes (`aspect` null: the ad's own). */
export type ExportPreset = (typeof EXPORT_PRESETS)[number];

/** The presets, in the order the dialog offers them. */
export const PRESETS: readonly ExportPreset[] = EXPORT_PRESETS;

/** A preset's label by its name ("tiktok" -> "TikTok"), or null. */
export const presetLabel = (name: string | null): string | null =>
  PRESETS.find((p) => p.name === name)?.label ?? null;

/** What a preset makes for an ad of `adAspect`: "9:16 · 1080p · MP4". */
export function presetSummary(preset: ExportPreset, adAspect: ExportAspect): string {
  return `${preset.aspect ?? adAspect} · ${preset.quality}p · ${FORMATS[preset.format]}`;
}

/** An export's variant as a heading: "WebM · 720p · 1:1". */
export function exportTitle(e: Pick<ExportView, "format" | "quality" | "aspect">): string {
  return `${FORMATS[e.format]} · ${e.quality}p · ${e.aspect}`;
}

/** An export's variant inside an accessible name: "WebM 720p 1:1". */
export function exportName(e: Pick<ExportView, "format" | "quality" | "aspect">): string {
  return `${FORMATS[e.format]} ${e.quality}p ${e.aspect}`;
}

/** True while an export may still change (queued or processing). */
export const isOpenExport = (e: Pick<ExportView, "status">): boolean =>
  e.status === "queued" || e.status === "processing";

/** True when its owner stopped it: `failed` with `error_code` "cancelled" (never the message). */
export const isCancelledExport = (e: Pick<ExportView, "status" | "error_code">): boolean =>
  e.status === "failed" && e.error_code === "cancelled";

/** `promptreel-<id8>-metadata.json`, beside the ad's own `promptreel-<id8>.mp4`. */
export const metadataFileName = (generationId: string): string =>
  `promptreel-${generationId.slice(0, 8)}-metadata.json`;
