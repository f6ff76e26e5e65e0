/**
 * Container-level checks of a stored upload, read with R2 range gets (never the whole file):
 * the file must end where its format says it ends. A PNG ends with its IEND chunk, a JPEG with
 * FFD9, a RIFF file (WAV, WebP) is as long as its header says, and an MP4/MOV/M4A is a run of
 * top-level boxes that tiles the file exactly and holds a `moov`. A shorter file is truncated; a
 * longer one carries appended data (a polyglot: an image that is also a ZIP, say). Both are 422.
 */
import { type AcceptedFormat, invalidMedia } from "./formats.ts";

/** Bytes read from the end of an image to find its end marker. */
const TAIL_BYTES = 64 * 1024;
/** Fragmented MP4s with more top-level boxes are refused (each costs one R2 read). */
const MAX_TOP_LEVEL_BOXES = 256;

/** Reads stored bytes, from the already-read head when it covers the range. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link ByteSource} over an R2 object whose first bytes are already in `head`. */
export function r2Bytes(bucket: R2Bucket, key: string, size: number, head: Uint8Array): ByteSource {
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      if (offset + n <= head.byteLength) return head.subarray(offset, offset + n);
      const object = await bucket.get(key, { range: { offset, length: n } });
      if (!object) throw new Error(`stored upload ${key} is gone`);
      return new Uint8Array(await object.arrayBuffer());
    },
  };
}

const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const u32be = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, false);
const u32le = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

function lastIndexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const appended = (label: string, bytes: number, after: string) =>
  invalidMedia(
    `The ${label} has ${bytes} bytes of other data after its ${after}. Files with data appended (such as an archive hidden behind an image) are not accepted.`,
    { appended_bytes: bytes },
  );
const truncated = (label: string, why: string) =>
  invalidMedia(`The ${label} is truncated: ${why}. Upload the complete file.`);

/** An image must end with its end marker; finding the marker earlier means data was appended. */
async function checkTrailer(src: ByteSource, label: string, marker: readonly number[], markerName: string) {
  const tailStart = Math.max(0, src.size - TAIL_BYTES);
  const tail = await src.read(tailStart, src.size - tailStart);
  const at = lastIndexOf(tail, marker);
  if (at >= 0 && at + marker.length === tail.length) return;
  if (at >= 0) throw appended(label, tail.length - at - marker.length, markerName);
  throw invalidMedia(
    `The ${label} does not end with its ${markerName}: it is truncated or has other data appended.`,
  );
}

/** RIFF: "RIFF", a little-endian size of what follows, then the form type (WAVE, WEBP). */
async function checkRiff(src: ByteSource, label: string) {
  const header = await src.read(0, 12);
  if (header.byteLength < 12 || ascii(header.subarray(0, 4)) !== "RIFF")
    throw truncated(label, "its header is incomplete");
  const declared = u32le(header, 4) + 8;
  if (declared > src.size)
    throw truncated(label, `its header says ${declared} bytes but the file has ${src.size}`);
  // A chunk of odd length is followed by one pad byte, which some writers leave out of the size.
  if (src.size > declared + (declared % 2)) throw appended(label, src.size - declared, "RIFF data");
}

/** ISO BMFF (MP4, MOV, M4A): top-level boxes, each `size type [largesize]`, must tile the file. */
async function checkBoxes(src: ByteSource, label: string) {
  let pos = 0;
  let boxes = 0;
  let moov = false;
  while (pos < src.size) {
    if (++boxes > MAX_TOP_LEVEL_BOXES)
      throw invalidMedia(
        `The ${label} has more than ${MAX_TOP_LEVEL_BOXES} top-level boxes; fragmented files this long are not accepted.`,
      );
    const h = await src.read(pos, 16);
    if (h.byteLength < 8) throw truncated(label, `it ends inside a box header at byte ${pos}`);
    const type = ascii(h.subarray(4, 8));
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      if (moov) throw appended(label, src.size - pos, "last box");
      throw invalidMedia(`The ${label} has unreadable data at byte ${pos}: it is corrupt.`);
    }
    let boxSize = u32be(h, 0);
    if (boxSize === 1) {
      if (h.byteLength < 16) throw truncated(label, `it ends inside the ${type} box header`);
      boxSize = u32be(h, 8) * 2 ** 32 + u32be(h, 12);
    } else if (boxSize === 0) {
      boxSize = src.size - pos; // "extends to the end of the file"
    }
    if (boxSize < 8)
      throw invalidMedia(`The ${label} has a malformed ${type} box at byte ${pos}: it is corrupt.`);
    if (pos + boxSize > src.size)
      throw truncated(label, `its ${type} box needs ${pos + boxSize} bytes but the file has ${src.size}`);
    if (type === "moov") moov = true;
    pos += boxSize;
  }
  if (!moov) throw truncated(label, "it has no moov box (the index of its media)");
}

const IEND = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]; // "IEND" and its fixed CRC
const EOI = [0xff, 0xd9];

/** Refuses a truncated upload or one with data appended, by its format's structure. */
export async function checkStructure(src: ByteSource, format: AcceptedFormat): Promise<void> {
  switch (format.structure) {
    case "png":
      return checkTrailer(src, format.label, IEND, "IEND chunk");
    case "jpeg":
      return checkTrailer(src, format.label, EOI, "end-of-image marker (FFD9)");
    case "riff":
      return checkRiff(src, format.label);
    case "isobmff":
      return checkBoxes(src, format.label);
    case "stream":
      return; // MP3, Ogg, WebM: the probe reads them through
  }
}
