/**
 * The user's own media (`/api/assets`): list, delete, and upload. Reads and deletes go through
 * the typed client; uploads use XMLHttpRequest, the one browser API that reports upload progress.
 */
import type { InferResponseType } from "hono/client";
import { client } from "./api.ts";
import { ApiError, errorFromResponse, networkError } from "./api-error.ts";
import { currentToken, endSession } from "./session.ts";

/** One page of assets with the user's usage and quota. */
export type AssetPage = InferResponseType<typeof client.api.assets.$get, 200>;
/** One asset as the API shows it. */
export type Asset = AssetPage["assets"][number];
/** An asset's kind. */
export type AssetKind = Asset["kind"];

/** A megabyte as the server counts it (10^6 bytes: `worker/src/limits/asset-quota.ts`). */
const MB = 1_000_000;
/** The largest file the server accepts (`worker/src/assets/intake.ts`). */
export const MAX_UPLOAD_BYTES = 50 * MB;

/** What the file picker offers. */
export const ACCEPT = "image/png,image/jpeg,image/webp,audio/*,video/mp4,video/quicktime,video/webm";
/** What the image pickers offer. */
export const ACCEPT_IMAGES = "image/png,image/jpeg,image/webp";
/** What the clip uploads offer (the stitch page). */
export const ACCEPT_VIDEOS = "video/mp4,video/quicktime,video/webm";

/** One page of my assets, newest first; `kind` narrows it. */
export async function listAssets(
  opts: { kind?: AssetKind | null; cursor?: string | null; limit?: number } = {},
): Promise<AssetPage> {
  const query: { limit: string; kind?: AssetKind; cursor?: string } = { limit: String(opts.limit ?? 24) };
  if (opts.kind) query.kind = opts.kind;
  if (opts.cursor) query.cursor = opts.cursor;
  return (await client.api.assets.$get({ query })).json();
}

/** One of my assets. */
export async function getAsset(id: string): Promise<Asset> {
  return (await client.api.assets[":id"].$get({ param: { id } })).json();
}

/** Deletes one of my assets (204). */
export async function deleteAsset(id: string): Promise<void> {
  await client.api.assets[":id"].$delete({ param: { id } });
}

/** "12.3 MB", "640 kB", "12 bytes": decimal units, as the server's limits and messages count. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < MB) return `${Math.round(bytes / 1000)} kB`;
  const mb = bytes / MB;
  return `${mb >= 100 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
}

/** Why a file is refused before it is sent (the server's own limits), or null. */
export function uploadProblem(file: File): string | null {
  if (file.size === 0) return "The file is empty.";
  if (file.size > MAX_UPLOAD_BYTES)
    return `The file is ${(file.size / MB).toFixed(1)} MB; the most accepted is ${MAX_UPLOAD_BYTES / MB} MB.`;
  return null;
}

/** The new asset (or the existing one with the same bytes, `created` false). */
export interface UploadResult {
  asset: Asset;
  created: boolean;
}

/**
 * Uploads one file as the raw body (`POST /api/assets?name=`), reporting progress as a fraction
 * 0-1. Rejects with an ApiError carrying the server's message; a 401 ends the session.
 */
export function uploadAsset(
  file: File,
  onProgress: (fraction: number) => void = () => {},
  signal?: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const url = new URL(
      "/api/assets",
      typeof location === "undefined" ? "http://localhost" : location.origin,
    );
    url.searchParams.set("name", file.name);
    xhr.open("POST", url.href);
    const token = currentToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = async () => {
      const res = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        headers: { "content-type": xhr.getResponseHeader("content-type") ?? "application/json" },
      });
      if (xhr.status === 200 || xhr.status === 201) {
        onProgress(1);
        try {
          resolve({ asset: (await res.json()) as Asset, created: xhr.status === 201 });
        } catch (err) {
          reject(networkError(err));
        }
        return;
      }
      const retry = xhr.getResponseHeader("retry-after");
      const error = await errorFromResponse(
        new Response(xhr.responseText, {
          status: xhr.status || 500,
          headers: {
            "content-type": "application/json",
            ...(retry ? { "retry-after": retry } : {}),
          },
        }),
      );
      if (xhr.status === 401 && token) endSession("expired");
      reject(error);
    };
    xhr.onerror = () => reject(networkError(new Error("upload failed")));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "The upload was cancelled."));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
