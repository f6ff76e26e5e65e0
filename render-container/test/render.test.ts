import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { measureLoudness } from "../src/audio/loudness.ts";
import { crossfadeChains } from "../src/compose/crossfade.ts";
import { layoutOverlay, safeZone } from "../src/compose/overlay-layout.ts";
import { runRenderJob } from "../src/compose/render.ts";
import { type RenderJobInput, RenderJobSchema } from "../src/contract.ts";
import { liveChildren, QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { JobRunner } from "../src/jobs.ts";
import { alive, ffmpegChildren, frameAt, makeClip, meanDiff, meanLuma, tempDir } from "./helpers.ts";

const W = 270;
const H = 480;
let dir: string;
let clips: string[];

beforeAll(async () => {
  dir = await tempDir("rc-render");
  // Mixed sizes, rates, pixel formats, audio or not, shorter and longer than their scene, one rotated.
  clips = await Promise.all([
    makeClip(join(dir, "a.mp4"), {
      width: 320,
      height: 240,
      fps: 30,
      duration: 1.5,
      audio: true,
      pixFmt: "yuv444p",
      source: "color=c=0x2060c0",
    }),
    makeClip(join(dir, "b.mp4"), { width: 640, height: 480, fps: 25, duration: 4, source: "mandelbrot" }),
    makeClip(join(dir, "c.mp4"), { width: 200, height: 400, fps: 24, duration: 3, rotate: 90 }),
  ]);
});

function baseJob(overlays: boolean, out: string, size = { width: W, height: H }): RenderJobInput {
  const texts = [`It's 50% "off": C:\\deals\\now`, "Crafted for every day", "限时优惠 خصم اليوم"];
  return {
    version: 1,
    job_id: `render:${out.split("/").pop()}`,
    video: { ...size, preset: "veryfast" },
    scenes: clips.map((clip, i) => ({
      clip: { path: clip },
      duration_s: 2,
      ...(overlays
        ? {
            overlay: {
              text: texts[i]!,
              position: (["top", "center", "bottom"] as const)[i],
              animation: "none" as const,
            },
          }
        : {}),
    })),
    audio: { music: { library: "calm" }, clip_volume: 0.6 },
    grade: "warm",
    outputs: { video: { path: join(dir, `${out}.mp4`) }, thumbnail: { path: join(dir, `${out}.jpg`) } },
  };
}

describe("composition in one ffmpeg pass", () => {
  let withText: Awaited<ReturnType<typeof runRenderJob>>;

  beforeAll(async () => {
    [withText] = await Promise.all([
      runRenderJob(RenderJobSchema.parse(baseJob(true, "with-text")), { allowLocal: true }),
      runRenderJob(RenderJobSchema.parse(baseJob(false, "plain")), { allowLocal: true }),
    ]);
  });

  it("normalises mixed inputs to the output format and lasts the sum minus the crossfades", () => {
    const v = withText.outputs.video;
    // 3 scenes of 2 s with two 0.5 s crossfades: 5 s, within one frame.
    expect(Math.abs(v.duration_s - 5)).toBeLessThanOrEqual(1 / 24 + 0.001);
    expect(v.video).toMatchObject({
      codec: "h264",
      width: W,
      height: H,
      fps: 24,
      pix_fmt: "yuv420p",
      profile: "High",
    });
    expect(v.audio).toMatchObject({ codec: "aac", sample_rate: 48000, channels: 2 });
    expect(v.faststart).toBe(true);
    expect(withText.outputs.thumbnail?.video).toMatchObject({ width: W, height: H });
  });

  it("meets the loudness target: -14 LUFS ±1 and true peak at most -1 dBTP", async () => {
    expect(withText.loudness?.integrated_lufs).toBeGreaterThanOrEqual(-15);
    expect(withText.loudness?.integrated_lufs).toBeLessThanOrEqual(-13);
    expect(withText.loudness?.true_peak_dbtp).toBeLessThanOrEqual(-1);
    // The reported figures are metered inside the main pass, before AAC: check the file itself too.
    const file = await measureLoudness(join(dir, "with-text.mp4"));
    expect(file.integrated_lufs).toBeGreaterThanOrEqual(-15);
    expect(file.integrated_lufs).toBeLessThanOrEqual(-13);
    expect(file.true_peak_dbtp).toBeLessThanOrEqual(-1);
    expect(Math.abs(file.integrated_lufs - withText.loudness!.integrated_lufs)).toBeLessThanOrEqual(0.3);
    // AAC encoding adds a little inter-sample peak (0.1-0.3 dB seen).
    expect(Math.abs(file.true_peak_dbtp - withText.loudness!.true_peak_dbtp)).toBeLessThanOrEqual(0.5);
  });

  it("starts and ends near black (0.3 s fades)", async () => {
    const first = await frameAt(join(dir, "with-text.mp4"), 0, dir);
    const last = await frameAt(join(dir, "with-text.mp4"), 5 - 1 / 24, dir);
    const middle = await frameAt(join(dir, "with-text.mp4"), 1, dir);
    expect(meanLuma(first)).toBeLessThan(20);
    expect(meanLuma(last)).toBeLessThan(20);
    expect(meanLuma(middle)).toBeGreaterThan(40);
  });

  it("draws each overlay inside its box, inside the safe zone, and nowhere else", async () => {
    const zone = safeZone(W, H);
    const texts = baseJob(true, "x").scenes.map((s) => s.overlay!);
    // Mid-scene times away from the crossfades.
    for (const [i, t] of [0.9, 2.25, 4.0].entries()) {
      const a = await frameAt(join(dir, "with-text.mp4"), t, dir);
      const b = await frameAt(join(dir, "plain.mp4"), t, dir);
      const l = layoutOverlay({ font: "auto", colour: "#ffffff", ...texts[i]! } as never, W, H);
      expect(l.y).toBeGreaterThanOrEqual(zone.top);
      expect(l.y + l.height).toBeLessThanOrEqual(zone.bottom);
      expect(meanDiff(a, b, { x: l.x, y: l.y, w: l.width, h: l.height })).toBeGreaterThan(15);
      // Above and below the safe zone nothing changed (only encoder noise).
      expect(meanDiff(a, b, { x: 0, y: 0, w: W, h: zone.top - 2 })).toBeLessThan(3);
      expect(meanDiff(a, b, { x: 0, y: zone.bottom + 2, w: W, h: H - zone.bottom - 2 })).toBeLessThan(3);
    }
  });

  it("takes the thumbnail from the same pass, not from the black first frame", async () => {
    const thumb = await frameAt(join(dir, "with-text.jpg"), 0, dir);
    expect(meanLuma(thumb)).toBeGreaterThan(40);
  });
});

describe("crossfades", () => {
  it("blends a fade with overlay and a rising alpha as xfade's fade does, frame for frame", async () => {
    const a = clips[1]!; // mandelbrot, 640x480
    const b = await makeClip(join(dir, "xf-b.mp4"), { width: 640, height: 480, fps: 24, duration: 3 });
    const scenes = [a, b].map(
      (_, i) =>
        `[${i}:v:0]fps=24,scale=270:480,setsar=1,format=yuv420p,trim=duration=2,setpts=PTS-STARTPTS[v${i}]`,
    );
    const ours = crossfadeChains([2, 2], 0.5, "fade", 24, "out");
    // The same pieces joined with ffmpeg's own xfade fade (4:4:4 in, 4:2:0 out).
    const blend = ours.findIndex((c) => c.includes("overlay="));
    const reference = [
      ...ours.slice(0, blend - 1),
      "[t0p][h1p]xfade=transition=fade:duration=0.5:offset=0,format=yuv420p[m1]",
      ...ours.slice(blend + 1),
    ];
    expect(ours.join(";")).not.toContain("xfade");
    const render = async (chains: string[], out: string) => {
      await runFfmpeg([
        ...[...QUIET_ARGS, "-i", a, "-i", b, "-filter_complex", [...scenes, ...chains].join(";")],
        ...["-map", "[out]", "-f", "rawvideo", "-pix_fmt", "yuv420p", join(dir, out)],
      ]);
      return join(dir, out);
    };
    const [mine, theirs] = await Promise.all([render(ours, "xf-ours.yuv"), render(reference, "xf-ref.yuv")]);
    const raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "270x480", "-r", "24"];
    const stats = join(dir, "xf-psnr.txt");
    const { stderr } = await runFfmpeg([
      ...["-hide_banner", "-nostdin", ...raw, "-i", mine, ...raw, "-i", theirs],
      ...["-lavfi", `[0:v][1:v]psnr=stats_file=${stats}`, "-f", "null", "-"],
    ]);
    // 3.5 s: 84 frames each, the same outside the window; inside it the luma differs by rounding only.
    // xfade resamples the chroma to 4:4:4 and back, which softens sharp colour edges a little; the
    // overlay blends the 4:2:0 chroma as it is.
    expect(/frame=\s*84\b/.test(stderr)).toBe(true);
    const frames = (await readFile(stats, "utf8")).trim().split("\n");
    expect(frames).toHaveLength(84);
    const value = (line: string, key: string) => {
      const v = new RegExp(`${key}:(\\S+)`).exec(line)![1]!;
      return v === "inf" ? Number.POSITIVE_INFINITY : Number(v);
    };
    const windowed = frames.filter((_, n) => n >= 36 && n < 48);
    expect(frames.filter((_, n) => n < 36 || n >= 48).every((f) => value(f, "psnr_avg") === Infinity)).toBe(
      true,
    );
    for (const f of windowed) {
      expect(value(f, "psnr_y")).toBeGreaterThanOrEqual(45);
      expect(Math.min(value(f, "psnr_u"), value(f, "psnr_v"))).toBeGreaterThanOrEqual(35);
    }
    // And it is a crossfade: midway through the window the picture is neither scene.
    const at = async (file: string, n: number) => {
      const size = 270 * 480 * 1.5;
      return (await readFile(file)).subarray(n * size, n * size + 270 * 480);
    };
    const diff = (x: Buffer, y: Buffer) => x.reduce((s, v, i) => s + Math.abs(v - y[i]!), 0) / x.length;
    const [before, middle, after] = await Promise.all([at(mine, 35), at(mine, 42), at(mine, 49)]);
    expect(diff(middle, before)).toBeGreaterThan(3);
    expect(diff(middle, after)).toBeGreaterThan(3);
  });
});

describe("cancel", () => {
  it("kills ffmpeg within 2 s and leaves no child", async () => {
    const long = await makeClip(join(dir, "long.mp4"), { width: 640, height: 360, fps: 24, duration: 2 });
    const runner = new JobRunner({ allowLocal: true, concurrency: 1 });
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "cancel-me",
      // Slow on purpose: 40 s at 720x1280 with preset slow takes far longer than the test waits.
      video: { width: 720, height: 1280, preset: "slow" },
      scenes: [
        { clip: { path: long }, duration_s: 20 },
        { clip: { path: long }, duration_s: 20 },
      ],
      audio: { music: { library: "calm" } },
      outputs: { video: { path: join(dir, "cancelled.mp4") } },
    });
    const pids: number[] = [];
    let rendering!: () => void;
    const started = new Promise<void>((r) => (rendering = r));
    const done = runner.run(
      { kind: "render", job },
      (e) => {
        if (e.type === "progress" && e.phase === "rendering" && e.percent > 20) rendering();
      },
      undefined,
      { onSpawn: (pid) => pids.push(pid) },
    );
    await started;
    const main = pids.at(-1)!;
    expect(await alive(main)).toBe(true);
    const t0 = performance.now();
    expect(runner.cancel("cancel-me")).toBe(true);
    const final = await done;
    const elapsed = performance.now() - t0;
    expect(final).toMatchObject({ type: "error", code: "cancelled" });
    expect(elapsed).toBeLessThan(2000);
    expect(await alive(main)).toBe(false);
    expect(liveChildren()).toEqual([]);
    expect(await ffmpegChildren()).toEqual([]);
  });
});

describe("the same ad in other aspects (exports re-compose with that aspect's layout)", () => {
  const sizes = [
    { aspect: "1:1", width: 320, height: 320 },
    { aspect: "16:9", width: 480, height: 270 },
  ];
  beforeAll(async () => {
    await Promise.all(
      sizes.flatMap(({ aspect, width, height }) =>
        [true, false].map((text) => {
          const name = `${aspect.replace(":", "x")}-${text ? "text" : "plain"}`;
          return runRenderJob(RenderJobSchema.parse(baseJob(text, name, { width, height })), {
            allowLocal: true,
          });
        }),
      ),
    );
  });

  for (const { aspect, width, height } of sizes) {
    it(`keeps every overlay inside the ${aspect} safe area: the text changes pixels only there`, async () => {
      const zone = safeZone(width, height);
      const texts = baseJob(true, "x").scenes.map((s) => s.overlay!);
      const name = aspect.replace(":", "x");
      for (const [i, t] of [0.9, 2.25, 4.0].entries()) {
        const a = await frameAt(join(dir, `${name}-text.mp4`), t, dir);
        const b = await frameAt(join(dir, `${name}-plain.mp4`), t, dir);
        expect([a.width, a.height]).toEqual([width, height]);
        const l = layoutOverlay({ font: "auto", colour: "#ffffff", ...texts[i]! } as never, width, height);
        // The layout is refit for this frame: the box lies inside the safe area.
        expect(l.x).toBeGreaterThanOrEqual(zone.left);
        expect(l.x + l.width).toBeLessThanOrEqual(zone.right);
        expect(l.y).toBeGreaterThanOrEqual(zone.top);
        expect(l.y + l.height).toBeLessThanOrEqual(zone.bottom);
        expect(meanDiff(a, b, { x: l.x, y: l.y, w: l.width, h: l.height })).toBeGreaterThan(15);
        // Around the safe area (all four sides), nothing but encoder noise.
        expect(meanDiff(a, b, { x: 0, y: 0, w: width, h: zone.top - 2 })).toBeLessThan(3);
        expect(
          meanDiff(a, b, { x: 0, y: zone.bottom + 2, w: width, h: height - zone.bottom - 2 }),
        ).toBeLessThan(3);
        expect(meanDiff(a, b, { x: 0, y: 0, w: zone.left - 2, h: height })).toBeLessThan(3);
        expect(
          meanDiff(a, b, { x: zone.right + 2, y: 0, w: width - zone.right - 2, h: height }),
        ).toBeLessThan(3);
      }
    });
  }
});
