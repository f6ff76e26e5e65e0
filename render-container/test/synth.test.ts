import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { libraryTrack, whooshTrack } from "../src/audio/music.ts";
import { MoodSchema, type SceneType, SynthesizeJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { probeFile } from "../src/probe.ts";
import { runSynthesizeJob } from "../src/synth/synthesize.ts";
import { frameAt, meanDiff, meanLuma, tempDir } from "./helpers.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("rc-synth");
});

function job(i: number, type: SceneType, image?: string) {
  return SynthesizeJobSchema.parse({
    version: 1,
    job_id: `synth-${i}`,
    width: 270,
    height: 480,
    duration_s: 2,
    seed: 5,
    scene: { index: i, type, text: "Bright ideas for busy mornings" },
    brand: { name: "Kettle & Co", colours: ["#e4572e", "#29335c"], mood: "upbeat", style: "modern" },
    ...(image ? { image: { path: image } } : {}),
    output: { video: { path: join(dir, `clip-${i}.mp4`) } },
  });
}

describe("offline clip synthesis", () => {
  it("makes moving, distinct motion-graphics clips per scene type", async () => {
    const types: SceneType[] = ["attention", "interest", "desire", "action"];
    const results = await Promise.all(types.map((t, i) => runSynthesizeJob(job(i, t), { allowLocal: true })));
    for (const r of results) {
      expect(r.outputs.video.video).toMatchObject({
        codec: "h264",
        width: 270,
        height: 480,
        pix_fmt: "yuv420p",
      });
      expect(r.outputs.video.duration_s).toBeCloseTo(2, 1);
    }
    const mid = await Promise.all(types.map((_, i) => frameAt(join(dir, `clip-${i}.mp4`), 1.2, dir)));
    // Different looks differ clearly from each other.
    for (let a = 0; a < mid.length; a++) {
      for (let b = a + 1; b < mid.length; b++) expect(meanDiff(mid[a]!, mid[b]!)).toBeGreaterThan(8);
    }
    // Each clip moves, and is neither black nor a flat field.
    for (let i = 0; i < types.length; i++) {
      const early = await frameAt(join(dir, `clip-${i}.mp4`), 0.2, dir);
      expect(meanDiff(early, mid[i]!)).toBeGreaterThan(1);
      expect(meanLuma(mid[i]!)).toBeGreaterThan(10);
    }
  });

  it("moves slowly over an image on a blurred fill (Ken Burns)", async () => {
    const image = join(dir, "product.png");
    await runFfmpeg([...QUIET_ARGS, "-f", "lavfi", "-i", "testsrc2=s=400x400", "-frames:v", "1", image]);
    const r = await runSynthesizeJob(job(9, "desire", image), { allowLocal: true });
    expect(r.outputs.video.video).toMatchObject({ width: 270, height: 480 });
    const a = await frameAt(join(dir, "clip-9.mp4"), 0.1, dir);
    const b = await frameAt(join(dir, "clip-9.mp4"), 1.9, dir);
    expect(meanDiff(a, b)).toBeGreaterThan(2);
  });
});

describe("music library", () => {
  it("synthesises a track of at least 30 s for every mood, and a whoosh", async () => {
    for (const mood of MoodSchema.options) {
      const info = await probeFile(await libraryTrack(mood), { kind: "audio" });
      expect(info.duration_s).toBeGreaterThanOrEqual(30);
    }
    const whoosh = await probeFile(await whooshTrack(), { kind: "audio" });
    expect(whoosh.duration_s).toBeGreaterThan(0.5);
  });
});
