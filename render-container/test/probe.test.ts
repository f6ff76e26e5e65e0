import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { describeFromLog, probeFile } from "../src/probe.ts";
import { makeClip, tempDir } from "./helpers.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("rc-probe");
});

describe("probe limits", () => {
  it("accepts a normal clip and reports its streams", async () => {
    const clip = await makeClip(join(dir, "ok.mp4"), {
      width: 320,
      height: 240,
      fps: 25,
      duration: 1,
      audio: true,
    });
    const info = await probeFile(clip, { kind: "video" });
    expect(info.video).toMatchObject({ codec: "h264", width: 320, height: 240, fps: 25 });
    expect(info.audio?.codec).toBe("aac");
    expect(info.duration_s).toBeCloseTo(1, 0);
  });

  it("rejects a corrupt file with a clear error", async () => {
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    await writeFile(join(dir, "corrupt.mp4"), bytes);
    await expect(probeFile(join(dir, "corrupt.mp4"))).rejects.toThrow(/not a readable media file/);
  });

  it("rejects a truncated MP4 (no moov) with a clear error", async () => {
    const clip = await makeClip(join(dir, "whole.mp4"), { width: 160, height: 120, fps: 24, duration: 1 });
    const { readFile } = await import("node:fs/promises");
    const data = await readFile(clip);
    await writeFile(join(dir, "truncated.mp4"), data.subarray(0, Math.floor(data.length / 3)));
    await expect(probeFile(join(dir, "truncated.mp4"))).rejects.toThrow(/not a readable media file|corrupt/);
  });

  it("rejects a 10-hour file, made cheaply with one frame per hour", async () => {
    const file = join(dir, "ten-hours.mkv");
    // 11 frames at 1/3600 fps: a few kilobytes whose duration is 10 hours.
    await runFfmpeg([
      ...QUIET_ARGS,
      "-f",
      "lavfi",
      "-i",
      "color=c=blue:s=64x64:r=1/3600",
      "-t",
      "36000",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      file,
    ]);
    await expect(probeFile(file)).rejects.toThrow(/duration 10\.0 h exceeds the limit of 10\.0 min/);
  });

  it("rejects a 16000x16000 file by its dimensions", async () => {
    const file = join(dir, "huge.png");
    // 1-bit PNG: 32 MB in memory while encoding, a few kB on disk.
    await runFfmpeg([
      ...QUIET_ARGS,
      "-f",
      "lavfi",
      "-i",
      "color=c=white:s=16000x16000:d=1",
      "-frames:v",
      "1",
      "-pix_fmt",
      "monob",
      file,
    ]);
    await expect(probeFile(file)).rejects.toThrow(/dimensions 16000x16000 exceed the limit of 4096x4096/);
  });

  it("refuses an HLS playlist, whatever its name", async () => {
    await makeClip(join(dir, "seg.ts"), { width: 160, height: 120, fps: 24, duration: 1 });
    const playlist =
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nseg.ts\n#EXT-X-ENDLIST\n";
    await writeFile(join(dir, "list.m3u8"), playlist);
    await writeFile(join(dir, "disguised.mp4"), playlist);
    await expect(probeFile(join(dir, "list.m3u8"))).rejects.toThrow(/HLS playlists are not accepted/);
    await expect(probeFile(join(dir, "disguised.mp4"))).rejects.toThrow(/HLS playlists are not accepted/);
  });

  it("refuses a concat list", async () => {
    await writeFile(join(dir, "list.txt"), "ffconcat version 1.0\nfile 'ok.mp4'\nfile '/etc/passwd'\n");
    await writeFile(join(dir, "plain.txt"), "file 'ok.mp4'\n");
    await expect(probeFile(join(dir, "list.txt"))).rejects.toThrow(/concat lists are not accepted/);
    await expect(probeFile(join(dir, "plain.txt"))).rejects.toThrow(/concat lists are not accepted/);
  });

  it("rejects a text file and an empty file", async () => {
    await writeFile(join(dir, "notes.mp4"), "just some text, not a video\n".repeat(20));
    await writeFile(join(dir, "empty.mp4"), "");
    await expect(probeFile(join(dir, "notes.mp4"))).rejects.toThrow(/not a readable media file|not accepted/);
    await expect(probeFile(join(dir, "empty.mp4"))).rejects.toThrow(/empty/);
  });
});

describe("a file's description from ffmpeg's log (the QC pass's, instead of an ffprobe launch)", () => {
  const encode = async (name: string, args: string[]) => {
    const path = join(dir, name);
    await runFfmpeg([
      ...[...QUIET_ARGS, "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30000/1001:d=1"],
      ...["-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:d=1", ...args, path],
    ]);
    return path;
  };

  it("reads what ffprobe reads: container, codecs, profile, size, rate, pixel format, audio, faststart", async () => {
    const files = await Promise.all([
      encode("log.mp4", [
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-ar",
        "48000",
        "-movflags",
        "+faststart",
      ]),
      encode("log.mov", ["-c:v", "libx264", "-profile:v", "main", "-c:a", "aac", "-ac", "1", "-f", "mov"]),
      encode("log.webm", [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-c:a",
        "libopus",
        "-ac",
        "2",
        "-ar",
        "48000",
      ]),
      makeClip(join(dir, "log-plain.mp4"), { width: 200, height: 400, fps: 24, duration: 1, audio: true }),
    ]);
    for (const file of files) {
      const { stderr } = await runFfmpeg([
        "-hide_banner",
        "-nostdin",
        "-i",
        file,
        "-t",
        "0.1",
        "-f",
        "null",
        "-",
      ]);
      const logged = (await describeFromLog(file, stderr))!;
      const probed = await probeFile(file);
      // ffmpeg prints the duration to 10 ms and the rate to 4 significant digits.
      expect(Math.abs(logged.duration_s - probed.duration_s), file).toBeLessThanOrEqual(0.006);
      expect(Math.abs(logged.video!.fps - probed.video!.fps), file).toBeLessThan(0.01);
      const same = (i: typeof logged) => ({ ...i, duration_s: 0, video: { ...i.video!, fps: 0 } });
      expect(same(logged), file).toEqual(same(probed));
    }
  });

  it("has nothing to say without an input in the log", async () => {
    expect(await describeFromLog(join(dir, "none.mp4"), "Output #0, null, to 'pipe:':")).toBeUndefined();
  });
});
