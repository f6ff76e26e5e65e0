/**
 * A JPEG check in Node, for the thumbnail the main pass writes: it replaces an ffprobe launch
 * (~0.25 CPU-s) with a walk over the file's marker segments. The walk goes from SOI to EOI, so a
 * truncated or corrupt file fails; the frame header (SOF) gives the size and sampling. The result
 * has the shape and values `probeFile(path, { kind: "image" })` gives for the same file.
 */
import { readFile, stat } from "node:fs/promises";
import type { MediaInfo } from "./contract.ts";
import { JobError } from "./errors.ts";
import { limitsFromEnv, type ProbeLimits } from "./probe.ts";

/** What the frame header says. */
export interface JpegHeader {
  width: number;
  height: number;
  /** SOF2 (progressive) rather than SOF0 (baseline). */
  progressive: boolean;
  /** Per component: horizontal and vertical sampling factors. */
  sampling: { h: number; v: number }[];
}

/** A thumbnail is a few hundred kB; refuse to read anything absurd into memory. */
const MAX_BYTES = 64 * 1024 * 1024;

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DHT = 0xc4;
/** Frame headers: C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== DHT && m !== 0xc8 && m !== 0xcc;
/** Markers without a length: RST0..7 and TEM. */
const isStandalone = (m: number) => (m >= 0xd0 && m <= 0xd7) || m === 0x01;

function bad(reason: string): JobError {
  return new JobError("input_rejected", `not a valid JPEG: ${reason}`);
}

/** Parses and checks a whole JPEG file held in memory; throws a {@link JobError} saying what is wrong. */
export function parseJpeg(buf: Uint8Array): JpegHeader {
  const len = buf.length;
  if (len < 4 || buf[0] !== 0xff || buf[1] !== SOI) throw bad("no start-of-image marker");
  const u16 = (at: number) => (buf[at]! << 8) | buf[at + 1]!;
  let pos = 2;
  let frame: JpegHeader | undefined;
  let dqt = false;
  let dht = false;
  let scans = 0;
  for (;;) {
    if (pos >= len) throw bad("truncated (no end-of-image marker)");
    if (buf[pos] !== 0xff) throw bad(`corrupt (no marker at byte ${pos})`);
    while (pos < len && buf[pos] === 0xff) pos++; // fill bytes may precede a marker
    if (pos >= len) throw bad("truncated (no end-of-image marker)");
    const marker = buf[pos++]!;
    if (marker === EOI) break;
    if (isStandalone(marker)) continue;
    if (marker === SOI || marker === 0x00) throw bad(`corrupt (unexpected marker at byte ${pos - 2})`);
    if (pos + 2 > len) throw bad("truncated (in a segment header)");
    const end = pos + u16(pos);
    if (end < pos + 2) throw bad(`corrupt (bad segment length at byte ${pos})`);
    if (end > len) throw bad("truncated (in a segment)");
    if (isSof(marker)) {
      if (frame) throw bad("corrupt (two frame headers)");
      if (marker !== 0xc0 && marker !== 0xc2) {
        throw bad(`unsupported coding (SOF${marker - 0xc0}): only baseline and progressive are accepted`);
      }
      frame = readFrame(buf, pos + 2, end, marker === 0xc2);
    }
    if (marker === DQT) dqt = true;
    if (marker === DHT) dht = true;
    pos = end;
    if (marker !== SOS) continue;
    if (!frame) throw bad("corrupt (image data before the frame header)");
    if (!dqt || !dht) throw bad("corrupt (image data before its quantisation or Huffman tables)");
    scans++;
    // Entropy-coded data: a 0xFF in it is followed by 0x00 (stuffing) or a restart marker; any other
    // byte after 0xFF starts the next segment (EOI, or the tables and header of the next scan).
    for (;;) {
      pos = buf.indexOf(0xff, pos);
      if (pos < 0 || pos + 1 >= len) throw bad("truncated (in the image data)");
      const next = buf[pos + 1]!;
      if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
      pos += 2;
    }
  }
  if (!frame || scans === 0) throw bad("no image data");
  return frame;
}

function readFrame(buf: Uint8Array, at: number, end: number, progressive: boolean): JpegHeader {
  if (at + 6 > end) throw bad("corrupt (short frame header)");
  const precision = buf[at]!;
  const height = (buf[at + 1]! << 8) | buf[at + 2]!;
  const width = (buf[at + 3]! << 8) | buf[at + 4]!;
  const count = buf[at + 5]!;
  if (precision !== 8) throw bad(`unsupported ${precision}-bit samples`);
  if (width === 0 || height === 0) throw bad("the frame header has no dimensions");
  if ((count !== 1 && count !== 3) || at + 6 + 3 * count > end) {
    throw bad(`corrupt frame header (${count} components)`);
  }
  const sampling = Array.from({ length: count }, (_, c) => {
    const hv = buf[at + 6 + 3 * c + 1]!;
    return { h: hv >> 4, v: hv & 15 };
  });
  if (sampling.some((s) => s.h < 1 || s.h > 4 || s.v < 1 || s.v > 4)) {
    throw bad("corrupt frame header (sampling factors)");
  }
  return { width, height, progressive, sampling };
}

/**
 * ffmpeg's name for the decoded pixel format of the usual layouts (JPEG is full range: yuvj*). What
 * counts is the ratio of luma to chroma sampling: ffmpeg's encoder writes 4:4:4 as 1x2 everywhere.
 */
function jpegPixFmt(h: JpegHeader): string {
  const [y, cb, cr] = h.sampling;
  if (!y) return "unknown";
  if (!cb || !cr) return "gray";
  if (cb.h !== cr.h || cb.v !== cr.v || y.h % cb.h !== 0 || y.v % cb.v !== 0) return "unknown";
  const names: Record<string, string> = {
    "1x1": "yuvj444p",
    "2x1": "yuvj422p",
    "2x2": "yuvj420p",
    "1x2": "yuvj440p",
    "4x1": "yuvj411p",
  };
  return names[`${y.h / cb.h}x${y.v / cb.v}`] ?? "unknown";
}

/**
 * Checks a JPEG file and describes it as `probeFile(path, { kind: "image" })` does, dimension limits
 * included. Throws a {@link JobError} (`input_rejected`, as the probe did) when it is missing,
 * truncated, corrupt, not baseline/progressive or too large.
 */
export async function probeJpeg(path: string, opts: { limits?: ProbeLimits } = {}): Promise<MediaInfo> {
  const limits = opts.limits ?? limitsFromEnv();
  const size = await stat(path).then(
    (s) => s.size,
    (err: Error) => {
      throw new JobError("input_rejected", `cannot read image: ${err.message}`);
    },
  );
  if (size > MAX_BYTES) throw bad(`${size} bytes is too large for an image`);
  const header = parseJpeg(await readFile(path));
  if (header.width > limits.maxWidth || header.height > limits.maxHeight) {
    throw new JobError(
      "input_rejected",
      `dimensions ${header.width}x${header.height} exceed the limit of ${limits.maxWidth}x${limits.maxHeight}`,
    );
  }
  return {
    // ffprobe's names: the image2 demuxer for a .jpg/.jpeg name, jpeg_pipe (content probing) otherwise.
    format: /\.jpe?g$/i.test(path) ? "image2" : "jpeg_pipe",
    duration_s: 0,
    size_bytes: size,
    video: {
      codec: "mjpeg",
      width: header.width,
      height: header.height,
      // A still has no rate: ffprobe reports the demuxer's default of 25, kept so results are unchanged.
      fps: 25,
      pix_fmt: jpegPixFmt(header),
      rotation: 0,
      profile: header.progressive ? "Progressive" : "Baseline",
    },
  };
}
