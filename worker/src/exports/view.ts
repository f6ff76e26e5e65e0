/**
 * How an export leaves the API (REST and the group's live `export` events): its variant, status
 * and progress, the file's size and duration once made, a signed link to play it, a signed
 * download link (Content-Disposition attachment, counted) and the caption files beside it.
 */
import { z } from "zod";
import type { adExports } from "../db/schema.ts";
import { EXPORT_STATUSES } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { signedApiUrl, signedMediaUrl } from "../lib/media-signing.ts";
import { EXPORT_FORMATS } from "../pipeline/rules.ts";
import { ASPECT_RATIOS } from "../pipeline/settings.ts";

export type ExportRow = typeof adExports.$inferSelect;

export const ExportViewSchema = z.object({
  export_id: z.string(),
  generation_id: z.string(),
  version: z.number().int(),
  format: z.enum(EXPORT_FORMATS),
  quality: z.number().int(),
  aspect: z.enum(ASPECT_RATIOS),
  preset: z.string().nullable(),
  status: z.enum(EXPORT_STATUSES),
  progress: z.number().int().min(0).max(100),
  error: z.string().nullable(),
  /** `cancelled` when the user stopped it; what code compares (`error` is for people). */
  error_code: z.enum(["cancelled", "failed"]).nullable(),
  size_bytes: z.number().nullable(),
  duration_s: z.number().nullable(),
  downloads: z.number().int(),
  /** A signed link to play the file (null until completed). */
  url: z.string().nullable(),
  /** A signed link that downloads it as an attachment and counts the download (null until completed). */
  download_url: z.string().nullable(),
  /** The ad's on-screen text as caption files, beside every export. */
  captions: z.object({ vtt_url: z.string(), srt_url: z.string() }),
  created_at: z.number(),
  completed_at: z.number().nullable(),
});
export type ExportView = z.infer<typeof ExportViewSchema>;

/** The path of an export's download route. */
export const downloadPath = (generationId: string, exportId: string) =>
  `/api/generations/${generationId}/exports/${exportId}/download`;
/** The path of a generation's caption file. */
export const captionsPath = (generationId: string, ext: "vtt" | "srt") =>
  `/api/generations/${generationId}/captions.${ext}`;

/** The export as the API shows it, with links for `origin`. */
export async function exportView(env: Env, origin: string, row: ExportRow): Promise<ExportView> {
  const done = row.status === "completed";
  return {
    export_id: row.id,
    generation_id: row.generationId,
    version: row.version,
    format: row.format,
    quality: row.quality,
    aspect: row.aspect as ExportView["aspect"],
    preset: row.preset,
    status: row.status,
    progress: row.progress,
    error: row.error,
    error_code: row.status === "failed" ? (row.cancelled ? "cancelled" : "failed") : null,
    size_bytes: row.sizeBytes,
    duration_s: row.durationS,
    downloads: row.downloads,
    url: done ? await signedMediaUrl(env, origin, row.r2Key) : null,
    download_url: done ? await signedApiUrl(env, origin, downloadPath(row.generationId, row.id)) : null,
    captions: {
      vtt_url: await signedApiUrl(env, origin, captionsPath(row.generationId, "vtt")),
      srt_url: await signedApiUrl(env, origin, captionsPath(row.generationId, "srt")),
    },
    created_at: row.createdAt,
    completed_at: row.completedAt,
  };
}
