/**
 * Transcoding a finished ad into each export format and quality (POST /transcode): the right
 * container and codecs, the size of the quality, the same duration within a frame, sound, faststart
 * where the container has it, and a file under the quality's size cap. Real ffmpeg, checked with
 * ffprobe and the file's own bytes.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type ContainerFormat, TranscodeJobSchema } from "../src/contract.ts";
import { runTranscodeJob } from "../src/export/transcode.ts";
import { probeFile } from "../src/probe.ts";
import { makeClip, tempDir } from "./helpers.ts";

const MASTER_S = 1;
/** Quality (the short side) -> the 9:16 size and the video bitrate cap the worker asks for. */
const QUALITIES = [
  { q: 1080, width: 1080, height: 1920, maxKbps: 8000 },
  { q: 720, width: 720, height: 1280, maxKbps: 4000 },
  { q: 480, width: 480, height: 854, maxKbps: 2000 },
];
const FORMATS: { format: ContainerFormat; video: string; audio: string; brand?: string }[] = [
  { format: "mp4", video: "h264", audio: "aac", brand: "isom" },
  { format: "mov", video: "h264", audio: "aac", brand: "qt  " },
  { format: "webm", video: "vp9", audio: "opus" },
];

let dir: string;
let master: string;
beforeAll(async () => {
  dir = await tempDir("rc-transcode");
  master = await makeClip(join(dir, "master.mp4"), {
    width: 1080,
    height: 1920,
    fps: 24,
    duration: MASTER_S,
    audio: true,
  });
});

describe("transcode", () => {
  for (const f of FORMATS) {
    for (const q of QUALITIES) {
      it(`${f.format} at ${q.q}p`, async () => {
        const out = join(dir, `out-${q.q}.${f.format}`);
        const job = TranscodeJobSchema.parse({
          version: 1,
          job_id: `t-${f.format}-${q.q}`,
          source: { path: master },
          video: { width: q.width, height: q.height, format: f.format, max_kbps: q.maxKbps },
          output: { path: out },
        });
        const result = await runTranscodeJob(job, { allowLocal: true });
        const info = await probeFile(out, { kind: "video" });
        expect(info.video).toMatchObject({ codec: f.video, width: q.width, height: q.height, fps: 24 });
        expect(info.video!.pix_fmt).toBe("yuv420p");
        expect(info.audio?.codec).toBe(f.audio);
        expect(Math.abs(info.duration_s - MASTER_S)).toBeLessThanOrEqual(1 / 24 + 0.03);
        if (f.format === "webm") expect(info.format).toContain("webm");
        else {
          expect(info.faststart).toBe(true);
          // The major brand says which container: ISO MP4 or QuickTime.
          const head = await readFile(out);
          expect(head.subarray(4, 8).toString("latin1")).toBe("ftyp");
          expect(head.subarray(8, 12).toString("latin1")).toBe(f.brand);
          if (f.format === "mp4") expect(info.video!.profile).toBe("High");
        }
        // Under the cap: video at most max_kbps, plus audio, over the duration (10 % slack for the container).
        const capBytes = ((q.maxKbps + 192) * 1000 * MASTER_S * 1.1) / 8;
        expect((await stat(out)).size).toBeLessThan(capBytes);
        expect(result.outputs.video?.video?.width).toBe(q.width);
      });
    }
  }

  it("crops a master of another aspect to cover, never letterboxing", async () => {
    const out = join(dir, "square.mp4");
    const job = TranscodeJobSchema.parse({
      version: 1,
      job_id: "t-square",
      source: { path: master },
      video: { width: 480, height: 480, preset: "veryfast" },
      output: { path: out },
    });
    await runTranscodeJob(job, { allowLocal: true });
    expect((await probeFile(out, { kind: "video" })).video).toMatchObject({ width: 480, height: 480 });
  });
});
