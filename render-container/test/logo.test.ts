import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runRenderJob } from "../src/compose/render.ts";
import { type RenderJobInput, RenderJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { type Frame, frameAt, makeClip, tempDir } from "./helpers.ts";

const W = 270;
const H = 480;
let dir: string;
let clips: string[];
let logo: string;

/** Pixels of the logo's pure magenta (the clips are blue and green). */
function magenta(f: Frame, r = { x: 0, y: 0, w: f.width, h: f.height }) {
  let count = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (y * f.width + x) * 3;
      if (f.rgb[i]! > 180 && f.rgb[i + 1]! < 90 && f.rgb[i + 2]! > 180) {
        count++;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
  }
  return { count, x0, y0, x1, y1 };
}

const pixel = (f: Frame, x: number, y: number) => [
  ...f.rgb.subarray((y * f.width + x) * 3, (y * f.width + x) * 3 + 3),
];

function job(out: string, withLogo: boolean): RenderJobInput {
  return {
    version: 1,
    job_id: `logo:${out}`,
    video: { width: W, height: H, preset: "ultrafast" },
    scenes: [
      { clip: { path: clips[0]! }, duration_s: 2, overlay: { text: "Fresh every day", animation: "none" } },
      { clip: { path: clips[1]! }, duration_s: 2, overlay: { text: "Shop now", animation: "none" } },
    ],
    audio: { whoosh: false },
    ...(withLogo ? { logo: { source: { path: logo } } } : {}),
    outputs: { video: { path: join(dir, `${out}.mp4`) } },
  };
}

beforeAll(async () => {
  dir = await tempDir("rc-logo");
  clips = await Promise.all([
    makeClip(join(dir, "a.mp4"), {
      width: 320,
      height: 240,
      fps: 24,
      duration: 2,
      source: "color=c=0x2060c0",
    }),
    makeClip(join(dir, "b.mp4"), {
      width: 320,
      height: 240,
      fps: 24,
      duration: 2,
      source: "color=c=0x2060c0",
    }),
  ]);
  // 200x200 PNG: a 160x160 magenta square inside a fully transparent 20 px border.
  logo = join(dir, "logo.png");
  await runFfmpeg([
    ...QUIET_ARGS,
    "-f",
    "lavfi",
    "-i",
    "color=c=0xff00ff:s=160x160:d=1,format=rgba,pad=200:200:20:20:color=black@0",
    "-frames:v",
    "1",
    logo,
  ]);
});

describe("logo: corner and end card", () => {
  let withLogo: Awaited<ReturnType<typeof runRenderJob>>;
  let plain: Awaited<ReturnType<typeof runRenderJob>>;

  beforeAll(async () => {
    [withLogo, plain] = await Promise.all([
      runRenderJob(RenderJobSchema.parse(job("with-logo", true)), { allowLocal: true }),
      runRenderJob(RenderJobSchema.parse(job("plain", false)), { allowLocal: true }),
    ]);
  });

  it("keeps the ad's duration (2 scenes of 2 s, one 0.5 s crossfade: 3.5 s)", () => {
    expect(Math.abs(withLogo.outputs.video.duration_s - 3.5)).toBeLessThanOrEqual(1 / 24 + 0.001);
    expect(Math.abs(plain.outputs.video.duration_s - 3.5)).toBeLessThanOrEqual(1 / 24 + 0.001);
  });

  it("puts a small logo in the top-right corner of the safe zone, nothing in the centre", async () => {
    const f = await frameAt(join(dir, "with-logo.mp4"), 1, dir);
    const m = magenta(f);
    // About 12 % of the short side (32 px box, the square 26 px of it).
    expect(m.count).toBeGreaterThan(400);
    expect(m.count).toBeLessThan(1200);
    expect(m.x0).toBeGreaterThan(W / 2);
    expect(m.x1).toBeLessThan(W * 0.94 + 1);
    expect(m.y0).toBeGreaterThanOrEqual(Math.round(H * 0.14));
    expect(m.y1).toBeLessThan(H * 0.3);
    expect(magenta(f, { x: W / 4, y: H / 4, w: W / 2, h: H / 2 }).count).toBe(0);
  });

  it("shows the end card: the logo large and centred over the darkened picture, alpha kept", async () => {
    const f = await frameAt(join(dir, "with-logo.mp4"), 2.9, dir);
    const m = magenta(f);
    // The 108 px logo's square is ~86 px wide.
    expect(m.count).toBeGreaterThan(6000);
    expect(Math.abs((m.x0 + m.x1) / 2 - W / 2)).toBeLessThanOrEqual(4);
    expect((m.y0 + m.y1) / 2).toBeGreaterThan(H * 0.3);
    expect((m.y0 + m.y1) / 2).toBeLessThan(H * 0.6);
    // No corner logo on the end card.
    expect(magenta(f, { x: 0, y: 0, w: W, h: Math.round(H * 0.25) }).count).toBe(0);
    // The transparent border shows the darkened blue picture, not black; the picture is darkened.
    const border = pixel(f, Math.round((m.x0 + m.x1) / 2), m.y0 - 5);
    expect(border[2]).toBeGreaterThan(40);
    expect(border[2]).toBeLessThan(120);
  });

  it("draws the call to action under the logo", async () => {
    const f = await frameAt(join(dir, "with-logo.mp4"), 2.9, dir);
    const m = magenta(f);
    let bright = 0;
    for (let y = m.y1 + 4; y < Math.min(H, m.y1 + 80); y++)
      for (let x = 0; x < W; x++) if (pixel(f, x, y).every((c) => c > 200)) bright++;
    expect(bright).toBeGreaterThan(50);
  });

  it("leaves a job without a logo unchanged: no magenta anywhere", async () => {
    for (const t of [1, 2.9]) {
      const f = await frameAt(join(dir, "plain.mp4"), t, dir);
      expect(magenta(f).count).toBe(0);
    }
  });
});

describe("logo input guard", () => {
  it("refuses a logo that is not a still image", async () => {
    const bad = { ...job("bad-logo", true), logo: { source: { path: clips[0]! } } };
    await expect(runRenderJob(RenderJobSchema.parse(bad), { allowLocal: true })).rejects.toMatchObject({
      code: "input_rejected",
      message: expect.stringMatching(/^logo: /),
    });
  });
});
