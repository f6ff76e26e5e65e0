import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { parseJpeg, probeJpeg } from "../src/jpeg.ts";
import { probeFile } from "../src/probe.ts";
import { tempDir } from "./helpers.ts";

let dir: string;
/** A thumbnail made the way the main pass makes it (yuv420p frame, mjpeg, -q:v 3). */
let thumb: string;

async function makeJpeg(path: string, size: string, pixFmt: string): Promise<string> {
  await runFfmpeg([
    ...QUIET_ARGS,
    ...["-f", "lavfi", "-i", `testsrc2=s=${size}:r=24`, "-vf", `format=${pixFmt}`],
    ...["-frames:v", "1", "-update", "1", "-q:v", "3", path],
  ]);
  return path;
}

/** Offset of the first frame header (SOF0) in a file made by ffmpeg's mjpeg encoder. */
function sofOffset(data: Buffer): number {
  const at = data.indexOf(Buffer.from([0xff, 0xc0]));
  expect(at).toBeGreaterThan(0);
  return at;
}

beforeAll(async () => {
  dir = await tempDir("rc-jpeg");
  thumb = await makeJpeg(join(dir, "thumb.jpg"), "270x480", "yuv420p");
});

describe("JPEG check in Node", () => {
  it("describes real ffmpeg JPEGs exactly as the ffprobe image probe does", async () => {
    const files = [
      thumb,
      await makeJpeg(join(dir, "wide-422.jpg"), "1921x1081", "yuvj422p"),
      await makeJpeg(join(dir, "small-444.jpeg"), "64x48", "yuvj444p"),
    ];
    for (const file of files) {
      expect(await probeJpeg(file)).toEqual(await probeFile(file, { kind: "image" }));
    }
    expect((await probeJpeg(thumb)).video).toMatchObject({
      width: 270,
      height: 480,
      pix_fmt: "yuvj420p",
      profile: "Baseline",
    });
  });

  it("rejects a truncated JPEG wherever it is cut, with a clear error", async () => {
    const data = await readFile(thumb);
    const sof = sofOffset(data);
    for (const cut of [1, 3, sof + 1, sof + 6, Math.floor(data.length / 2), data.length - 2]) {
      expect(() => parseJpeg(data.subarray(0, cut))).toThrow(
        /not a valid JPEG: (truncated|no start-of-image)/,
      );
    }
    await writeFile(join(dir, "half.jpg"), data.subarray(0, Math.floor(data.length / 2)));
    await expect(probeJpeg(join(dir, "half.jpg"))).rejects.toThrow(
      /not a valid JPEG: truncated \(in the image data\)/,
    );
  });

  it("rejects corrupt files, other JPEG codings and missing files", async () => {
    const data = await readFile(thumb);
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
    expect(() => parseJpeg(noise)).toThrow(/not a valid JPEG: no start-of-image marker/);
    // A PNG is not a JPEG.
    expect(() => parseJpeg(Buffer.from("\x89PNG\r\n\x1a\n", "latin1"))).toThrow(/no start-of-image/);
    // SOI followed by garbage instead of a marker.
    expect(() => parseJpeg(Buffer.concat([data.subarray(0, 2), noise]))).toThrow(/corrupt \(no marker/);
    // A segment length running past the end of the file.
    const longSegment = Buffer.from(data);
    longSegment.writeUInt16BE(0xfff0, sofOffset(longSegment) + 2);
    expect(() => parseJpeg(longSegment)).toThrow(/truncated \(in a segment\)/);
    // Arithmetic coding (SOF9): refused even though the structure is intact.
    const arithmetic = Buffer.from(data);
    arithmetic[sofOffset(arithmetic) + 1] = 0xc9;
    expect(() => parseJpeg(arithmetic)).toThrow(/unsupported coding \(SOF9\)/);
    // Zero height (defined later by a DNL marker): not something we produce or accept.
    const noHeight = Buffer.from(data);
    noHeight.writeUInt16BE(0, sofOffset(noHeight) + 5);
    expect(() => parseJpeg(noHeight)).toThrow(/no dimensions/);
    await expect(probeJpeg(join(dir, "missing.jpg"))).rejects.toThrow(/cannot read image/);
  });

  it("accepts a progressive frame header (SOF2) and reports it", async () => {
    // ffmpeg cannot write progressive JPEG: relabel the frame header, which is all the check reads
    // about the coding (the marker walk over the scans is the same).
    const data = await readFile(thumb);
    data[sofOffset(data) + 1] = 0xc2;
    expect(parseJpeg(data)).toMatchObject({ width: 270, height: 480, progressive: true });
  });

  it("holds the image to the probe's dimension limits", async () => {
    const limits = { maxDurationS: 600, maxWidth: 200, maxHeight: 200, maxStreams: 6 };
    await expect(probeJpeg(thumb, { limits })).rejects.toThrow(
      /dimensions 270x480 exceed the limit of 200x200/,
    );
  });
});
