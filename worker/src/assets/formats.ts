/**
 * Which uploads are accepted, decided by their bytes: the first bytes go through the `file-type`
 * package's signature detection, and only the formats below pass. The client's Content-Type and
 * file-name extension are hints: when present and not one of the detected format's own names,
 * the upload is refused naming both. Text that `file-type` does not name (SVG, HTML, playlists,
 * concat lists) gets a message saying what it looks like.
 */
import { fileTypeFromBuffer, supportedExtensions } from "file-type";
import type { AssetKind } from "../db/schema.ts";
import { ApiError } from "../lib/errors.ts";

/** How an accepted format is checked further: image trailers, ISO BMFF boxes, RIFF sizes, or the probe alone. */
export type Structure = "png" | "jpeg" | "riff" | "isobmff" | "stream";

export interface AcceptedFormat {
  /** The content type stored and served (the detected one). */
  contentType: string;
  kind: Exclude<AssetKind, "reference">;
  label: string;
  structure: Structure;
  /** Declared content types that agree with it. */
  hintTypes: readonly string[];
  /** File-name extensions that agree with it. */
  extensions: readonly string[];
}

const MP4_TYPES = ["video/mp4", "audio/mp4", "audio/x-m4a", "audio/m4a", "video/x-m4v"];
const MP4_EXTENSIONS = ["mp4", "m4v", "m4a"];

/** Keyed by the MIME type `file-type` reports. */
const ACCEPTED: Record<string, AcceptedFormat> = {
  "image/png": {
    contentType: "image/png",
    kind: "image",
    label: "PNG image",
    structure: "png",
    hintTypes: ["image/png", "image/apng"],
    extensions: ["png"],
  },
  "image/jpeg": {
    contentType: "image/jpeg",
    kind: "image",
    label: "JPEG image",
    structure: "jpeg",
    hintTypes: ["image/jpeg", "image/jpg", "image/pjpeg"],
    extensions: ["jpg", "jpeg", "jpe", "jfif"],
  },
  "image/webp": {
    contentType: "image/webp",
    kind: "image",
    label: "WebP image",
    structure: "riff",
    hintTypes: ["image/webp"],
    extensions: ["webp"],
  },
  "audio/mpeg": {
    contentType: "audio/mpeg",
    kind: "audio",
    label: "MP3 audio",
    structure: "stream",
    hintTypes: ["audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3"],
    extensions: ["mp3"],
  },
  "audio/wav": {
    contentType: "audio/wav",
    kind: "audio",
    label: "WAV audio",
    structure: "riff",
    hintTypes: ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"],
    extensions: ["wav", "wave"],
  },
  "audio/x-m4a": {
    contentType: "audio/mp4",
    kind: "audio",
    label: "M4A audio",
    structure: "isobmff",
    hintTypes: MP4_TYPES,
    extensions: MP4_EXTENSIONS,
  },
  "audio/ogg": {
    contentType: "audio/ogg",
    kind: "audio",
    label: "Ogg audio",
    structure: "stream",
    hintTypes: ["audio/ogg", "application/ogg", "audio/opus", "audio/vorbis"],
    extensions: ["ogg", "oga", "opus"],
  },
  "video/mp4": {
    contentType: "video/mp4",
    kind: "video",
    label: "MP4 video",
    structure: "isobmff",
    hintTypes: MP4_TYPES,
    extensions: MP4_EXTENSIONS,
  },
  "video/quicktime": {
    contentType: "video/quicktime",
    kind: "video",
    label: "QuickTime video",
    structure: "isobmff",
    hintTypes: ["video/quicktime"],
    extensions: ["mov", "qt"],
  },
  "video/webm": {
    contentType: "video/webm",
    kind: "video",
    label: "WebM video",
    structure: "stream",
    hintTypes: ["video/webm", "audio/webm"],
    extensions: ["webm"],
  },
};
ACCEPTED["audio/ogg; codecs=opus"] = ACCEPTED["audio/ogg"]!;

const ACCEPTED_LIST = "PNG, JPEG, WebP, MP3, WAV, M4A, Ogg, MP4, MOV or WebM";

/** Declared types that say nothing about the bytes. */
const NO_HINT = new Set(["", "application/octet-stream", "binary/octet-stream", "application/unknown"]);

/** What a text upload looks like, for the refusal message. */
function describeText(head: Uint8Array): string | null {
  const text = new TextDecoder()
    .decode(head)
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (/^#EXTM3U/i.test(text) || /^#EXT-X-/im.test(text)) return "an HLS playlist";
  if (/^ffconcat\b/i.test(text) || /^\s*file\s+\S/im.test(text)) return "a concat list";
  if (/<svg[\s>]/i.test(text)) return "an SVG image (SVG can carry scripts)";
  if (/^<!doctype html|<html[\s>]|<script[\s>]/i.test(text)) return "an HTML document";
  if (/^\[playlist\]|^<\?xml|^<MPD|^<smil/i.test(text)) return "a playlist or XML document";
  return null;
}

/** 422 for an upload of an accepted type that fails a deeper check. */
export const invalidMedia = (message: string, details?: unknown) =>
  new ApiError(422, "invalid_media", message, details === undefined ? {} : { details });

/** Text types that `file-type` does not list; their extensions are hints too. */
const TEXT_EXTENSIONS = new Set([
  "svg",
  "svgz",
  "html",
  "htm",
  "xhtml",
  "m3u",
  "m3u8",
  "txt",
  "js",
  "xml",
  "pls",
]);

/**
 * The lower-case extension of a file name when it names a file type, else "" (so "v1.final"
 * or "shot 12.01" is no claim at all).
 */
export function extensionOf(name: string | undefined): string {
  const m = name ? /\.([A-Za-z0-9]{1,8})$/.exec(name.trim()) : null;
  const ext = m ? m[1]!.toLowerCase() : "";
  const known =
    supportedExtensions.has(ext as never) ||
    TEXT_EXTENSIONS.has(ext) ||
    Object.values(ACCEPTED).some((f) => f.extensions.includes(ext));
  return known ? ext : "";
}

/** A declared Content-Type without parameters, lower-cased; "" when it says nothing. */
export function hintType(declared: string | undefined): string {
  const type = (declared ?? "").split(";")[0]!.trim().toLowerCase();
  return NO_HINT.has(type) ? "" : type;
}

/**
 * The accepted format of an upload whose first bytes are `head`, or a 415 saying what it is.
 * `declaredType` and `name` are the client's hints; a contradiction is a 415 too.
 */
export async function detectFormat(
  head: Uint8Array,
  hints: { declaredType?: string | undefined; name?: string | undefined },
): Promise<AcceptedFormat> {
  const detected = await fileTypeFromBuffer(head);
  const format = detected ? ACCEPTED[detected.mime] : undefined;
  const declared = hintType(hints.declaredType);
  const ext = extensionOf(hints.name);
  const claim = [declared && `declared ${declared}`, ext && `named .${ext}`].filter(Boolean).join(", ");
  if (!format) {
    const what = detected
      ? `${detected.mime} (.${detected.ext})`
      : (describeText(head) ?? "not a file type we recognise");
    throw new ApiError(
      415,
      "unsupported_media_type",
      `${claim ? `The file is ${claim}, but its` : "The file's"} content is ${what}. Upload ${ACCEPTED_LIST}.`,
      {
        details: {
          declared_type: declared || null,
          extension: ext || null,
          detected: detected?.mime ?? null,
        },
      },
    );
  }
  const typeAgrees = !declared || format.hintTypes.includes(declared);
  const extAgrees = !ext || format.extensions.includes(ext);
  if (!typeAgrees || !extAgrees) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `The file is ${claim}, but its content is a ${format.label} (${format.contentType}).`,
      { details: { declared_type: declared || null, extension: ext || null, detected: format.contentType } },
    );
  }
  return format;
}
