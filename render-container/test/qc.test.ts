import { copyFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { measureLoudness } from "../src/audio/loudness.ts";
import { contrastRatio, mix, parseHex } from "../src/colour.ts";
import { layoutOverlay } from "../src/compose/overlay-layout.ts";
import { planCompose } from "../src/compose/plan.ts";
import { runRenderJob } from "../src/compose/render.ts";
import { timeline } from "../src/compose/timeline.ts";
import { sceneTime } from "../src/compose/video-graph.ts";
import { type QcCheck, type QcReport, type RenderJobInput, RenderJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { probeFile } from "../src/probe.ts";
import { QC_MIN_CONTRAST, strongBacking } from "../src/qc/backing.ts";
import {
  audioTailCheck,
  blackFramesCheck,
  foldText,
  measureContrast,
  measureTail,
  missingFacts,
  parseBlackdetect,
  parseFrameCount,
  parseFreezedetect,
  plannedWindows,
  report,
  unplannedSeconds,
  wcagRatio,
} from "../src/qc/checks.ts";
import { fixLoudness, measureFile, planQcPass } from "../src/qc/measure.ts";
import { qualityControl } from "../src/qc/run.ts";
import { frameAt as decodeFrame, makeClip, meanLuma, tempDir } from "./helpers.ts";

const W = 360;
const H = 640;
const check = (r: QcReport | undefined, name: QcCheck["check"]) => r?.checks.find((c) => c.check === name);

describe("QC helpers (pure)", () => {
  it("computes the WCAG ratio", () => {
    expect(wcagRatio([255, 255, 255], [0, 0, 0])).toBeCloseTo(21, 5);
    expect(wcagRatio([0x76, 0x76, 0x76], [255, 255, 255])).toBeGreaterThan(4.5);
    expect(wcagRatio([0x77, 0x77, 0x77], [255, 255, 255])).toBeLessThan(4.5);
  });

  it("measures a text box's contrast against its background, leaving out the outline halo", () => {
    // 40x20 box: background grey `bg`, a bar of `text` (the "text") in a 1 px `outline`.
    const box = (bg: number, text = 255, outline = 0) => {
      const rgb = new Uint8Array(40 * 20 * 3).fill(bg);
      for (let y = 7; y <= 12; y++)
        for (let x = 9; x <= 30; x++) {
          const inside = y > 7 && y < 12 && x > 9 && x < 30;
          rgb.fill(inside ? text : outline, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
        }
      return rgb;
    };
    const grey = measureContrast(box(140), 40, 20, "#ffffff", 3)!;
    // 140 grey: the white text reads 3.6:1, whatever the black outline does.
    expect(grey.ratio).toBeCloseTo(wcagRatio([255, 255, 255], [140, 140, 140]), 2);
    expect(grey.ratio).toBeLessThan(QC_MIN_CONTRAST);
    expect(measureContrast(box(40), 40, 20, "#ffffff", 3)!.ratio).toBeGreaterThan(10);
    // No text at all: nothing to measure.
    expect(measureContrast(new Uint8Array(40 * 20 * 3).fill(90), 40, 20, "#ffffff", 3)).toBeUndefined();
    // Dark text with a light outline over a light box.
    const dark = measureContrast(box(200, 0, 255), 40, 20, "#000000", 3)!;
    expect(dark.ratio).toBeCloseTo(wcagRatio([0, 0, 0], [200, 200, 200]), 2);
    // A bright tenth of the background is enough to fail: the 90th percentile decides.
    const patchy = box(40);
    for (let p = 0; p < 120; p++) patchy.fill(150, p * 3, p * 3 + 3); // top 3 rows: 15 % of the box
    expect(measureContrast(patchy, 40, 20, "#ffffff", 3)!.ratio).toBeCloseTo(
      wcagRatio([255, 255, 255], [150, 150, 150]),
      2,
    );
  });

  it("parses blackdetect, freezedetect and the frame count", () => {
    const stderr = [
      "[blackdetect @ 0x1] black_start:0 black_end:0.291667 black_duration:0.291667",
      "frame=   31 fps=0.0 q=-0.0 size=N/A time=00:00:01.30",
      "[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 1",
      "[blackdetect @ 0x1] black_start:1 black_end:2.04167 black_duration:1.04167",
      "[freezedetect @ 0x2] lavfi.freezedetect.freeze_duration: 1.04167",
      "[freezedetect @ 0x2] lavfi.freezedetect.freeze_end: 2.04167",
      "[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 4.5",
      "frame=   120 fps=0.0 q=-0.0 Lq=-0.0 size=N/A time=00:00:05.00",
    ].join("\n");
    expect(parseBlackdetect(stderr, 5)).toEqual([
      { start: 0, end: 0.291667 },
      { start: 1, end: 2.04167 },
    ]);
    // A freeze that lasts to the end has no end line.
    expect(parseFreezedetect(stderr, 5)).toEqual([
      { start: 1, end: 2.04167 },
      { start: 4.5, end: 5 },
    ]);
    expect(parseFrameCount(stderr)).toBe(120);
  });

  it("allows black in the planned fades and crossfades only", () => {
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "w",
      scenes: [2, 2, 2].map((d) => ({ clip: { path: "/x.mp4" }, duration_s: d })),
      outputs: { video: { path: "/o.mp4" } },
    });
    const tl = timeline(job);
    const w = plannedWindows(job, tl, [2, 1.2, 3]);
    expect(w.black).toEqual([
      { start: 0, end: 0.3 },
      { start: 4.7, end: 5 },
      { start: 1.5, end: 2 },
      { start: 3, end: 3.5 },
    ]);
    // Scene 2's clip lasts 1.2 s of its 2 s: the renderer holds its last frame (planned).
    expect(w.frozen).toEqual([{ start: 2.7, end: 3.5 }]);
    // The fades and a crossfade are planned; a black second in a scene's body is not.
    expect(
      unplannedSeconds(
        [
          { start: 0, end: 0.33 },
          { start: 1.5, end: 1.9 },
        ],
        w.black,
        1 / 24,
      ),
    ).toBe(0);
    expect(unplannedSeconds([{ start: 2.2, end: 3.2 }], w.black, 1 / 24)).toBeCloseTo(0.8 - 1 / 24, 6);
    expect(blackFramesCheck(job, [{ start: 0, end: 0.29 }], w.black).status).toBe("pass");
    expect(blackFramesCheck(job, [{ start: 2.2, end: 3.2 }], w.black)).toMatchObject({ status: "warn" });
    // The end card is a planned still.
    const card = RenderJobSchema.parse({ ...job, logo: { source: { path: "/l.png" } } });
    expect(plannedWindows(card, tl).frozen).toEqual([{ start: 3.5, end: 5 }]);
  });

  it("matches facts case- and accent-insensitively", () => {
    expect(foldText("  Crème  BRÛLÉE ")).toBe("creme brulee");
    expect(
      missingFacts(["creme brulee", "20 %", "Ünïcode"], ["Try our CRÈME brûlée", "Now 20 % off"]),
    ).toEqual(["Ünïcode"]);
    expect(missingFacts(["Café"], ["CAFE OPEN"])).toEqual([]);
  });

  it("gives a failing overlay a backing that reads over any picture", () => {
    const l = layoutOverlay(
      { text: "Hello", position: "bottom", colour: "#ffffff", font: "auto", animation: "none" },
      W,
      H,
    );
    const s = strongBacking(l);
    expect(s.boxAlpha).toBeGreaterThan(l.boxAlpha);
    for (const bg of [
      [255, 255, 255],
      [0, 0, 0],
    ] as const) {
      expect(
        contrastRatio(parseHex(s.textColour), mix([...bg], parseHex(s.boxColour), s.boxAlpha)),
      ).toBeGreaterThan(QC_MIN_CONTRAST);
    }
    expect({ ...s, boxAlpha: 0, borderWidth: 0 }).toEqual({ ...l, boxAlpha: 0, borderWidth: 0 });
  });

  it("reads the tail window: level, and where the audio ends", () => {
    // 5 s ad, samples kept from 2 s: audio to 4.75 s only.
    const short = new Float32Array(132000).fill(0.1);
    const t = measureTail(short, 48000, 2, 5);
    expect(t.end_s).toBeCloseTo(4.75, 6);
    expect(t.rms_dbfs).toBeCloseTo(20 * Math.log10(0.1 * Math.sqrt(0.5)), 3);
    expect(measureTail(new Float32Array(0), 48000, 2, 5)).toEqual({
      rms_dbfs: Number.NEGATIVE_INFINITY,
      end_s: 2,
    });
    const full = (v: number) => measureTail(new Float32Array(144000).fill(v), 48000, 2, 5);
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "t",
      scenes: [{ clip: { path: "/x.mp4" }, duration_s: 5 }],
      outputs: { video: { path: "/o.mp4" } },
    });
    const tl = timeline(job);
    expect(audioTailCheck(job, tl, t, true)).toMatchObject({ status: "warn", value: 4.75 });
    expect(
      audioTailCheck(job, tl, measureTail(new Float32Array(24000).fill(0.01), 48000, 4.5, 0.5), true).status,
    ).toBe("pass");
    expect(audioTailCheck(job, tl, full(0), true).status).toBe("warn");
    expect(audioTailCheck(job, tl, full(0), false).status).toBe("pass");
    expect(
      report([
        { check: "format", status: "pass", detail: "" },
        { check: "loudness", status: "fixed", detail: "" },
      ]),
    ).toMatchObject({ status: "pass", checks: [{ check: "loudness" }, { check: "format" }] });
  });

  it("plans the QC as one ffmpeg launch: detectors, crops, meter and tail", () => {
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "p",
      video: { width: W, height: H },
      scenes: [1.5, 1.5].map((d) => ({
        clip: { path: "/x.mp4" },
        duration_s: d,
        overlay: { text: "Hi there" },
      })),
      outputs: { video: { path: "/o.mp4" } },
    });
    const tl = timeline(job);
    const l = layoutOverlay(job.scenes[0]!.overlay!, W, H);
    const boxes = [0, 1].map((scene) => ({
      scene,
      layout: l,
      t: sceneTime(job, tl, scene),
      frame: 30 + scene,
    }));
    const plan = planQcPass("/w/out.mp4", tl, boxes, true, "/w");
    expect(plan.args.filter((a) => a === "-i")).toHaveLength(1);
    expect(plan.graph).toContain("blackdetect=d=0.1:pix_th=0.1,freezedetect=n=-60dB:d=0.5");
    expect(plan.graph).toContain("ebur128=peak=true");
    expect(plan.graph).toContain(`select='eq(n,31)',crop=${l.width}:${l.height}:${l.x}:${l.y}`);
    expect(plan.graph).toContain("atrim=start=0,"); // 2.5 s ad: its last 3 s
    expect(plan.crops).toEqual(["/w/qc-crop-0.rgb", "/w/qc-crop-1.rgb"]);
  });

  it("refuses posters that are not one per scene", async () => {
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "posters-2-of-3",
      scenes: [1, 2, 3].map((i) => ({ clip: { path: `/clips/${i}.mp4` }, duration_s: 3 })),
      outputs: {
        video: { path: "/out/ad.mp4" },
        posters: [{ path: "/out/p1.jpg" }, { path: "/out/p2.jpg" }],
      },
    });
    await expect(runRenderJob(job, { allowLocal: true })).rejects.toMatchObject({
      code: "invalid_job",
      message: expect.stringMatching(/3 scenes, 2 targets/),
    });
  });

  it("taps one poster per scene from the composition pass, with the thumbnail", () => {
    const job = RenderJobSchema.parse({
      version: 1,
      job_id: "posters",
      scenes: [1, 2, 3].map((i) => ({
        clip: { path: `/clips/${i}.mp4` },
        duration_s: 3,
        overlay: { text: `Scene ${i}` },
      })),
      outputs: {
        video: { path: "/out/ad.mp4" },
        thumbnail: { path: "/out/t.jpg" },
        posters: [1, 2, 3].map((i) => ({ path: `/out/p${i}.jpg` })),
      },
    });
    const tl = timeline(job);
    const info = {
      format: "mov,mp4",
      duration_s: 3,
      size_bytes: 1,
      video: { codec: "h264", width: 1080, height: 1920, fps: 24, pix_fmt: "yuv420p", rotation: 0 },
    };
    const posters = [0, 1, 2].map((i) => `/w/poster-${i}.jpg`);
    const plan = planCompose(
      job,
      tl,
      {
        clips: [1, 2, 3].map((i) => ({ path: `/clips/${i}.mp4`, info })),
        workDir: "/w",
        output: { video: "/w/out.mp4", thumbnail: "/w/thumb.jpg", posters },
      },
      "/w/graph.txt",
      undefined,
    );
    expect(plan.graph).toContain("split=5[vout][tsrc][psrc0][psrc1][psrc2]");
    // Each scene's frame: its overlay fully shown (0.3 + 0.7 s after the scene starts).
    for (const [i, start] of tl.starts.entries()) {
      expect(sceneTime(job, tl, i)).toBeCloseTo(start + 1, 6);
      expect(plan.graph).toContain(`[psrc${i}]select='eq(n,${Math.round((start + 1) * 24)})'[poster${i}]`);
      expect(plan.args.join(" ")).toContain(`-map [poster${i}] -frames:v 1 -update 1 -q:v 3 ${posters[i]}`);
    }
    // The thumbnail is scene 0's representative frame, as before.
    expect(plan.graph).toContain("[tsrc]select='eq(n,24)'[thumb]");
  });
});

describe("QC on real files", () => {
  let dir: string;
  let moving: string;
  let footage: string;
  const results: Record<string, Awaited<ReturnType<typeof runRenderJob>>> = {};

  const job = (
    name: string,
    clips: string[],
    extra: Partial<RenderJobInput> = {},
    overlays = true,
  ): RenderJobInput => ({
    version: 1,
    job_id: `qc-${name}`,
    video: { width: W, height: H, preset: "veryfast" },
    scenes: clips.map((clip, i) => ({
      clip: { path: clip },
      duration_s: 2,
      ...(overlays ? { overlay: { text: ["Crème brûlée", "Now 20% off", "Order today"][i]! } } : {}),
    })),
    audio: { music: { library: "calm" } },
    outputs: { video: { path: join(dir, `${name}.mp4`) } },
    ...extra,
  });

  beforeAll(async () => {
    dir = await tempDir("rc-qc");
    const lavfi = async (name: string, video: string, seconds: number) => {
      const path = join(dir, name);
      await runFfmpeg([
        ...QUIET_ARGS,
        ...["-f", "lavfi", "-i", video, "-t", String(seconds)],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
      ]);
      return path;
    };
    // testsrc2 moves everywhere; its bright bars under white text are the contrast fix's case (below).
    // The standard ad's footage is mandelbrot: moving, mid-dark, as most product footage is.
    [moving, footage] = await Promise.all([
      makeClip(join(dir, "moving.mp4"), { width: W, height: H, fps: 24, duration: 2 }),
      makeClip(join(dir, "footage.mp4"), { width: W, height: H, fps: 24, duration: 2, source: "mandelbrot" }),
    ]);
    const [black, frozen, white] = await Promise.all([
      // A clip black from 0.4 to 1.6 s of its 2 s: in the ad (2nd scene, 1.5-3.5 s) 1.9-3.1 s.
      lavfi(
        "black.mp4",
        `testsrc2=s=${W}x${H}:r=24:d=2,drawbox=c=black:t=fill:enable='between(t,0.4,1.6)'`,
        2,
      ),
      // Frame 10 (0.42 s) held for 29 frames: frozen 0.42-1.63 s of the clip.
      lavfi("frozen.mp4", `testsrc2=s=${W}x${H}:r=24:d=2,loop=loop=28:size=1:start=10`, 2),
      lavfi("white.mp4", `color=c=white:s=${W}x${H}:r=24:d=2`, 2),
    ]);
    const run = async (name: string, input: RenderJobInput) => {
      results[name] = await runRenderJob(RenderJobSchema.parse(input), { allowLocal: true });
    };
    await Promise.all([
      run(
        "standard",
        job("standard", [footage, footage, footage], {
          qc: { facts: ["creme brulee", "20%"] },
          outputs: {
            video: { path: join(dir, "standard.mp4") },
            thumbnail: { path: join(dir, "standard.jpg") },
            posters: [0, 1, 2].map((i) => ({ path: join(dir, `standard-poster-${i}.jpg`) })),
          },
        }),
      ),
      run("black", job("black", [moving, black, moving], {}, false)),
      run("frozen", job("frozen", [moving, frozen, moving], {}, false)),
      run("white", job("white", [white, white, white], { qc: { facts: ["free shipping"] } })),
      // The grade is applied after the overlays: brightening lifts the box as well as the picture.
      run("bright", job("bright", [white, white, white], { grade: { brightness: 0.12 } })),
    ]);
  }, 600_000);

  it("passes the standard ad clean, and writes one poster per scene", async () => {
    const r = results.standard!;
    expect(r.qc?.checks.map((c) => c.check)).toEqual([
      "loudness",
      "true_peak",
      "black_frames",
      "frozen_frames",
      "duration",
      "audio_tail",
      "format",
      "safe_zone",
      "contrast",
      "copy_facts",
    ]);
    for (const c of r.qc!.checks) expect(c, c.detail).toMatchObject({ status: "pass" });
    expect(r.qc?.status).toBe("pass");
    expect(check(r.qc, "contrast")!.value).toBeGreaterThanOrEqual(4.5);
    // The figures are the file's.
    const file = await measureLoudness(join(dir, "standard.mp4"));
    expect(Math.abs(check(r.qc, "loudness")!.value! - file.integrated_lufs)).toBeLessThanOrEqual(0.051);
    expect(r.outputs.posters).toHaveLength(3);
    for (const [i, p] of r.outputs.posters!.entries()) {
      expect(p.video).toMatchObject({ codec: "mjpeg", width: W, height: H });
      const poster = await decodeFrame(join(dir, `standard-poster-${i}.jpg`), 0, dir);
      expect(meanLuma(poster)).toBeGreaterThan(40);
    }
  });

  it("warns about a black second outside the planned fades", () => {
    const c = check(results.black!.qc, "black_frames")!;
    expect(c.status).toBe("warn");
    expect(c.value).toBeGreaterThan(0.7);
    expect(results.black!.qc?.status).toBe("warn");
    // A black stretch is a still picture too: reported once, as black.
    expect(check(results.black!.qc, "frozen_frames")!.status).toBe("pass");
  });

  it("warns about a frozen second the job did not plan", () => {
    const c = check(results.frozen!.qc, "frozen_frames")!;
    expect(c.status).toBe("warn");
    expect(c.value).toBeGreaterThan(0.5);
    expect(check(results.frozen!.qc, "black_frames")!.status).toBe("pass");
  });

  it("lays white text over a white clip at 4.5:1 or more on the first render", () => {
    const c = check(results.white!.qc, "contrast")!;
    expect(c.status).toBe("pass");
    expect(c.value).toBeGreaterThanOrEqual(4.5);
    // The copy did not say "free shipping": reported, not fixable.
    expect(check(results.white!.qc, "copy_facts")).toMatchObject({ status: "warn", value: 1 });
  });

  it("fixes white text the grade washed out over a white clip: re-rendered with a stronger backing", async () => {
    const r = results.bright!;
    const c = check(r.qc, "contrast")!;
    expect(c.status).toBe("fixed");
    expect(c.value).toBeGreaterThanOrEqual(4.5);
    expect(c.detail).toMatch(/under 4.5:1 at first/);
    expect(Number(/scene 1 (\d+(?:\.\d+)?):1/.exec(c.detail)![1])).toBeLessThan(4.5);
    // The file delivered is the re-rendered one: the box under scene 1's text is darker than the
    // layout's own box would be after the grade (alpha 0.6: 102 + 0.12 x 255 = 133).
    const parsed = RenderJobSchema.parse(job("bright", ["a", "b", "c"], { grade: { brightness: 0.12 } }));
    const tl = timeline(parsed);
    const l = layoutOverlay(
      { text: "Crème brûlée", position: "bottom", colour: "#ffffff", font: "auto", animation: "fade_in" },
      W,
      H,
    );
    const f = await decodeFrame(join(dir, "bright.mp4"), sceneTime(parsed, tl, 0), dir);
    expect(meanLuma(f, { x: l.x + 2, y: l.y + 2, w: l.width - 4, h: 3 })).toBeLessThan(100);
  });

  describe("on crafted files (conditions a normal render cannot produce)", () => {
    const crafted = async (name: string, audio: string, videoSeconds: number) => {
      const path = join(dir, name);
      await runFfmpeg([
        ...QUIET_ARGS,
        ...["-f", "lavfi", "-i", `testsrc2=s=${W}x${H}:r=24:d=${videoSeconds}`, "-f", "lavfi", "-i", audio],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
        ...["-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2", "-movflags", "+faststart", path],
      ]);
      return path;
    };
    const oneScene = (file: string) =>
      RenderJobSchema.parse({
        version: 1,
        job_id: "crafted",
        video: { width: W, height: H },
        scenes: [{ clip: { path: file }, duration_s: 3 }],
        fade_in_s: 0,
        fade_out_s: 0,
        audio: { music: { library: "calm" } },
        outputs: { video: { path: file } },
      });
    const qcOf = async (file: string) => {
      const j = oneScene(file);
      const info = await probeFile(file);
      return qualityControl({
        job: j,
        tl: timeline(j),
        inputs: { clips: [{ path: file, info }], workDir: dir, output: { video: file } },
        hasAudio: info.audio !== undefined,
        dir,
        ffmpeg: {},
        rerender: () => Promise.reject(new Error("no overlay: never re-rendered")),
      });
    };

    it("flags a mix 12 LU too quiet and fixes the file to -14 ±1 (re-measured)", async () => {
      // A pink-ish noise bed about 12 LU under the target (the renderer's own mix is always normalised).
      const quiet = await crafted("quiet.mp4", "anoisesrc=c=pink:r=48000:a=0.28:d=3:seed=7", 3);
      const before = await measureFile(quiet, timeline(oneScene(quiet)), [], true, dir);
      expect(before.loudness!.integrated_lufs).toBeLessThan(-24);
      expect(before.loudness!.integrated_lufs).toBeGreaterThan(-28);
      const copy = join(dir, "quiet-copy.mp4");
      await copyFile(quiet, copy);
      // The fix alone (exposed function): gain, video copied, measured again.
      const fix = await fixLoudness(copy, join(dir, "quiet-fixed.mp4"), "mp4", before.loudness!, {
        lufs: -14,
        peak_db: -1,
      });
      expect(Math.abs(fix.after.integrated_lufs + 14)).toBeLessThanOrEqual(1);
      expect(fix.after.true_peak_dbtp).toBeLessThanOrEqual(-1);
      // The whole QC on the file: loudness `fixed`, and the file itself now measures -14 ±1.
      const sizeBefore = (await stat(quiet)).size;
      const out = await qcOf(quiet);
      const c = check(out.qc, "loudness")!;
      expect(c.status).toBe("fixed");
      expect(c.detail).toMatch(/re-muxed the audio with \+(9|1[0-4])(\.\d+)? dB/);
      const file = await measureLoudness(quiet);
      expect(Math.abs(file.integrated_lufs + 14)).toBeLessThanOrEqual(1);
      expect(file.true_peak_dbtp).toBeLessThanOrEqual(-1);
      // The figure is the file's, rounded to 0.1.
      expect(Math.abs(c.value! - file.integrated_lufs)).toBeLessThanOrEqual(0.051);
      expect(out.video.size_bytes).not.toBe(sizeBefore);
      expect(out.video.video).toMatchObject({ codec: "h264", width: W, height: H });
    });

    it("limits the peaks when the gain alone would push them over the ceiling", async () => {
      // A quiet tone with 2 ms loud clicks (music's transients): the gain alone would put them over 0 dBTP.
      const peaky = await crafted(
        "peaky.mp4",
        "aevalsrc='0.04*sin(2*PI*440*t)+0.35*sin(2*PI*3000*t)*lt(mod(t\\,0.5)\\,0.002)':s=48000:d=3",
        3,
      );
      const before = await measureLoudness(peaky);
      expect(before.true_peak_dbtp - before.integrated_lufs).toBeGreaterThan(13);
      const fix = await fixLoudness(peaky, join(dir, "peaky-fixed.mp4"), "mp4", before, {
        lufs: -14,
        peak_db: -1,
      });
      expect(fix.limited).toBe(true);
      expect(fix.after.true_peak_dbtp).toBeLessThanOrEqual(-1);
      expect(Math.abs(fix.after.integrated_lufs + 14)).toBeLessThanOrEqual(1);
    });

    it("warns when the audio stops before the picture", async () => {
      const short = await crafted("short-audio.mp4", "sine=f=330:sample_rate=48000:d=2", 3);
      const out = await qcOf(short);
      const c = check(out.qc, "audio_tail")!;
      expect(c.status).toBe("warn");
      expect(c.detail).toMatch(/the audio ends at 2(\.0\d)? s/);
      expect(out.qc.status).toBe("warn");
    });
  });
});
