import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { libraryTrack, whooshTrack } from "../src/audio/music.ts";
import { MoodSchema, type SceneType, type SynthesizeJobInput, SynthesizeJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { probeFile } from "../src/probe.ts";
import { runSynthesizeJob } from "../src/synth/synthesize.ts";
import { frameAt, meanDiff, meanLuma, tempDir } from "./helpers.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("rc-synth");
});

const KETTLE = {
  name: "Kettle & Co",
  colours: ["#e4572e", "#29335c"],
  mood: "upbeat",
  style: "modern",
} as const;

function job(i: number, type: SceneType, opts: Partial<SynthesizeJobInput> & { imagePath?: string } = {}) {
  const { imagePath, ...extra } = opts;
  return SynthesizeJobSchema.parse({
    version: 1,
    job_id: `synth-${i}`,
    width: 270,
    height: 480,
    duration_s: 2,
    seed: 5,
    scene: { index: i, type, text: "Bright ideas for busy mornings" },
    brand: KETTLE,
    ...(imagePath ? { image: { path: imagePath } } : {}),
    output: { video: { path: join(dir, `clip-${i}.mp4`) } },
    ...extra,
  });
}

describe("offline clip synthesis", () => {
  it("makes moving, distinct motion-graphics clips per scene type", async () => {
    const types: SceneType[] = ["attention", "interest", "desire", "action"];
    const results = await Promise.all(types.map((t, i) => runSynthesizeJob(job(i, t), { allowLocal: true })));
    for (const r of results) {
      expect(r.outputs.video?.video).toMatchObject({
        codec: "h264",
        width: 270,
        height: 480,
        pix_fmt: "yuv420p",
      });
      expect(r.outputs.video?.duration_s).toBeCloseTo(2, 1);
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
    const r = await runSynthesizeJob(job(9, "desire", { imagePath: image }), { allowLocal: true });
    expect(r.outputs.video?.video).toMatchObject({ width: 270, height: 480 });
    const a = await frameAt(join(dir, "clip-9.mp4"), 0.1, dir);
    const b = await frameAt(join(dir, "clip-9.mp4"), 1.9, dir);
    expect(meanDiff(a, b)).toBeGreaterThan(2);
  });
});

describe("scene stills", () => {
  const still = (name: string) => ({ path: join(dir, name) });

  it("makes a still alone: a JPEG of the job's full size (1080x1920 for 9:16), no clip", async () => {
    const spawned: number[] = [];
    const j = job(20, "attention", {
      width: 1080,
      height: 1920,
      duration_s: 4,
      output: { still: still("s20.jpg") },
    });
    const r = await runSynthesizeJob(j, { allowLocal: true, onSpawn: (pid) => spawned.push(pid) });
    expect(r.outputs.video).toBeUndefined();
    expect(r.outputs.still).toMatchObject({
      format: "image2",
      video: { codec: "mjpeg", width: 1080, height: 1920 },
    });
    expect(spawned).toHaveLength(1); // one ffmpeg pass; the JPEG is checked in Node
    const f = await frameAt(join(dir, "s20.jpg"), 0, dir);
    expect([f.width, f.height]).toEqual([1080, 1920]);
    expect(meanLuma(f)).toBeGreaterThan(10);
  });

  // Every look (the sources that move differ per look) and both image layouts (fit on a fill, full-bleed).
  const cases: { type: SceneType; image?: string }[] = [
    { type: "attention" },
    { type: "interest" },
    { type: "desire" },
    { type: "action" },
    { type: "solution", image: "square.png" },
    { type: "bridge", image: "tall.png" },
  ];

  it("makes clip and still in one pass, and a still alone draws the same frame as the clip", async () => {
    const picture = (src: string, name: string) =>
      runFfmpeg([...QUIET_ARGS, "-f", "lavfi", "-i", src, "-frames:v", "1", join(dir, name)]);
    await Promise.all([
      picture("testsrc2=s=400x400", "square.png"),
      picture("mandelbrot=s=360x640", "tall.png"),
    ]);
    const at = 1.75;
    const stills = await Promise.all(
      cases.map(async ({ type, image }, k) => {
        const i = 30 + k;
        const spawned: number[] = [];
        const opts = { still_at_s: at, ...(image ? { imagePath: join(dir, image) } : {}) };
        const both = await runSynthesizeJob(
          job(i, type, {
            ...opts,
            output: { video: { path: join(dir, `clip-${i}.mp4`) }, still: still(`tap-${i}.jpg`) },
          }),
          { allowLocal: true, onSpawn: (pid) => spawned.push(pid) },
        );
        expect(spawned).toHaveLength(1); // one ffmpeg pass for both outputs
        expect(both.outputs.video?.duration_s).toBeCloseTo(2, 1);
        expect(both.outputs.still?.video).toMatchObject({ width: 270, height: 480 });
        await runSynthesizeJob(job(i, type, { ...opts, output: { still: still(`alone-${i}.jpg`) } }), {
          allowLocal: true,
        });
        const clip = join(dir, `clip-${i}.mp4`);
        const [tap, alone, same, away] = await Promise.all([
          frameAt(join(dir, `tap-${i}.jpg`), 0, dir),
          frameAt(join(dir, `alone-${i}.jpg`), 0, dir),
          frameAt(clip, at, dir),
          frameAt(clip, at - 1.5, dir),
        ]);
        const what = `${type}${image ? ` over ${image}` : ""}`;
        // The seek draws the clip's own frame: the tap and the still alone differ only by the
        // vignette's dither (its noise state runs on with every frame, under one level a pixel), then
        // JPEG; against the clip, H.264 losses come on top.
        expect(meanDiff(tap, alone), what).toBeLessThan(1.5);
        const near = Math.max(meanDiff(tap, same), meanDiff(alone, same));
        expect(near, what).toBeLessThan(4);
        expect(meanDiff(alone, away), what).toBeGreaterThan(3 * near);
        return { alone, same, near };
      }),
    );
    // Another scene's still is not this scene's frame either.
    stills.forEach((s, k) => {
      const other = stills[(k + 1) % stills.length]!;
      expect(meanDiff(other.alone, s.same)).toBeGreaterThan(Math.max(8, 3 * s.near));
    });
  });

  it("gives different stills for a different brand", async () => {
    const other = {
      name: "Northwind",
      colours: ["#1b998b", "#fffd82"],
      mood: "calm" as const,
      style: "luxury",
    };
    await runSynthesizeJob(job(40, "attention", { output: { still: still("a.jpg") } }), { allowLocal: true });
    await runSynthesizeJob(job(40, "attention", { brand: other, output: { still: still("b.jpg") } }), {
      allowLocal: true,
    });
    const [a, b] = await Promise.all([
      frameAt(join(dir, "a.jpg"), 0, dir),
      frameAt(join(dir, "b.jpg"), 0, dir),
    ]);
    expect(meanDiff(a, b)).toBeGreaterThan(8);
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
