import { describe, expect, it } from "vitest";
import { parseEbur128Summary } from "../src/audio/loudness.ts";
import {
  layoutOverlay,
  readableColours,
  safeZone,
  textWidth,
  wrapText,
} from "../src/compose/overlay-layout.ts";
import { planClipSoundAnalysis, planCompose } from "../src/compose/plan.ts";
import { timeline } from "../src/compose/timeline.ts";
import { thumbnailTime } from "../src/compose/video-graph.ts";
import { RenderJobSchema } from "../src/contract.ts";

const job = RenderJobSchema.parse({
  version: 1,
  job_id: "snap-1",
  scenes: [1, 2, 3, 4, 5].map((i) => ({
    clip: { path: `/clips/${i}.mp4` },
    duration_s: 3.5,
    overlay: {
      text: `Scene ${i}: it's 100% "real" \\o/`,
      position: (["top", "center", "bottom"] as const)[i % 3],
      animation: i % 2 ? "slide_up" : "fade_in",
    },
  })),
  audio: { music: { library: "upbeat" } },
  grade: "cinematic",
  outputs: { video: { path: "/out/ad.mp4" }, thumbnail: { path: "/out/thumb.jpg" } },
});
const info = {
  format: "mov,mp4",
  duration_s: 3.5,
  size_bytes: 1,
  video: { codec: "h264", width: 1080, height: 1920, fps: 24, pix_fmt: "yuv420p", rotation: 0 },
};
const inputs = {
  clips: [1, 2, 3, 4, 5].map((i) => ({ path: `/clips/${i}.mp4`, info })),
  music: { path: "/cache/music-upbeat.flac", duration_s: 32 },
  whoosh: { path: "/cache/whoosh.flac", peak_s: 0.45 },
  workDir: "/tmp/work",
  output: { video: "/tmp/work/out.mp4", thumbnail: "/tmp/work/thumb.jpg" },
};
const tl = timeline(job);
// The levels of the standard ad's mix (what mixLevels gives for the upbeat track and the whoosh).
const measured = { gain_db: 17.66, whoosh_db: -7.46, mix_lufs: -31.66 };

describe("planCompose", () => {
  it("opens the logo once, scales it once, and keeps the duration (logo jobs)", () => {
    const withLogo = RenderJobSchema.parse({ ...job, logo: { source: { path: "/in/logo.png" } } });
    const logoInputs = { ...inputs, logo: { path: "/tmp/work/logo", width: 400, height: 200 } };
    const plan = planCompose(withLogo, tl, logoInputs, "/tmp/work/graph.txt", measured);
    expect(plan.args.filter((a) => a === "/tmp/work/logo")).toHaveLength(1);
    expect(plan.duration_s).toBe(tl.total);
    // Inputs 0-4 clips, 5 music, 6 whoosh, 7 logo: fit into 432 px (40 % of 1080), once.
    expect(plan.graph.match(/\[7:v:0\]format=rgba,scale=432:216:flags=lanczos,split=2/g)).toHaveLength(1);
    expect(plan.graph.match(/\[7:v/g)).toHaveLength(1);
    // Corner 12 % (130 px box): 130x66 on a plate; end card over the last 1.5 s (15.5 s ad: from 14 s).
    expect(plan.graph).toContain("scale=130:66:flags=lanczos");
    expect(plan.graph).toContain("enable='lt(t,14)'");
    expect(plan.graph).toContain("fade=t=in:st=14:d=0.3:alpha=1");
    // The last scene's own overlay stops where the end card (which redraws its text) starts.
    expect(plan.graph).toContain(`enable='lt(t,${14 - tl.starts[4]!})'[v4]`);
    expect(plan.files.some((f) => f.path === "/tmp/work/endcard-0.txt")).toBe(true);
    // The audio-only analysis of clip sound never opens the logo.
    const withSound = RenderJobSchema.parse({ ...withLogo, audio: { ...withLogo.audio, clip_volume: 0.5 } });
    expect(
      planClipSoundAnalysis(withSound, tl, logoInputs, "/tmp/work/a.txt", "/tmp/work/m.txt").args,
    ).not.toContain("/tmp/work/logo");
    // Without `logo` in the job the graph is the standard one, whatever the inputs hold.
    expect(planCompose(job, tl, logoInputs, "/tmp/work/graph.txt", measured).graph).toBe(
      planCompose(job, tl, inputs, "/tmp/work/graph.txt", measured).graph,
    );
  });

  it("builds the standard 5-scene graph (snapshot)", async () => {
    const plan = planCompose(job, tl, inputs, "/tmp/work/graph.txt", measured);
    await expect(plan.graph).toMatchFileSnapshot("__snapshots__/standard-graph.txt");
    expect(plan.args).toMatchSnapshot();
    expect(plan.files.map((f) => f.content).join(" ")).toContain(`Scene 1: it's 100% "real" \\o/`);
  });

  it("encodes motion graphics without B-frames or P partitions, and footage as its preset says", () => {
    const args = (content: "footage" | "motion_graphics") =>
      planCompose({ ...job, video: { ...job.video, content } }, tl, inputs, "/tmp/work/graph.txt", measured)
        .args;
    const graphics = args("motion_graphics");
    expect(graphics[graphics.indexOf("-x264-params") + 1]).toBe("bframes=0:partitions=none");
    expect(args("footage")).not.toContain("-x264-params");
    expect(job.video.content).toBe("footage");
  });

  it("puts the text in files read with expansion=none, never inline", () => {
    const plan = planCompose(job, tl, inputs, "/tmp/work/graph.txt", measured);
    expect(plan.graph).not.toContain("100%");
    expect(plan.graph.match(/expansion=none/g)?.length).toBe(plan.files.length);
  });

  it("guards every input with protocol and format whitelists", () => {
    const plan = planCompose(job, tl, inputs, "/tmp/work/graph.txt", measured);
    const inputsCount = plan.args.filter((a) => a === "-i").length;
    expect(inputsCount).toBe(7);
    expect(plan.args.filter((a) => a === "-protocol_whitelist").length).toBe(inputsCount);
    expect(plan.args.join(" ")).not.toMatch(/concat|hls|http/);
  });

  it("computes durations with overlapping crossfades", () => {
    expect(timeline(job).total).toBeCloseTo(15.5, 6);
    expect(timeline(job).starts).toEqual([0, 3, 6, 9, 12]);
    expect(thumbnailTime(job, tl)).toBeGreaterThan(job.fade_in_s);
  });
});

describe("loudness", () => {
  it("levels the mix (gain, whoosh gain, limiter) and meters it as the last audio filters", () => {
    const plan = planCompose(job, tl, inputs, "/tmp/work/graph.txt", measured);
    expect(plan.graph).toMatch(
      /,atrim=duration=15\.5,volume=17\.66dB,alimiter=limit=0\.7943:level=false:latency=1,aformat=channel_layouts=stereo,ebur128=peak=true:framelog=verbose\[aout\]$/,
    );
    // The whoosh is lowered once, before it is split into one copy per transition.
    expect(plan.graph).toContain(",volume=-7.46dB,asplit=4[w0][w1][w2][w3]");
    expect(plan.graph).not.toContain("loudnorm");
    // The limiter sits 1 dB under the job's ceiling.
    const lower = RenderJobSchema.parse({ ...job, audio: { ...job.audio, true_peak_db: -3 } });
    expect(planCompose(lower, tl, inputs, "/tmp/work/graph.txt", measured).graph).toContain(
      `alimiter=limit=${Number((10 ** (-4 / 20)).toFixed(4))}:`,
    );
    // Silence gets no gain and no limiter, but is still metered; a whoosh never raised gets no volume.
    const silent = planCompose(job, tl, inputs, "/tmp/work/graph.txt", undefined);
    expect(silent.graph).toMatch(
      /atrim=duration=15\.5,aformat=channel_layouts=stereo,ebur128=[^,]*\[aout\]$/,
    );
    expect(silent.graph).toContain("channel_layouts=stereo,asplit=4");
  });

  it("plans the clip sound analysis: the clips' sound only, measured into a profile", () => {
    const withSound = RenderJobSchema.parse({ ...job, audio: { ...job.audio, clip_volume: 0.5 } });
    const withAudio = {
      ...inputs,
      clips: inputs.clips.map((c) => ({
        ...c,
        info: { ...c.info, audio: { codec: "aac", sample_rate: 48000, channels: 2 } },
      })),
    };
    const plan = planClipSoundAnalysis(withSound, tl, withAudio, "/tmp/work/clip-sound.txt", "/tmp/m.txt");
    // Every clip with sound is opened; the music and the whoosh are not (their loudness is known).
    expect(plan.args.filter((a) => a === "-i")).toHaveLength(5);
    expect(plan.args).not.toContain("/cache/music-upbeat.flac");
    expect(plan.args).not.toContain("/cache/whoosh.flac");
    expect(plan.graph).toContain("volume=0.5,afade=t=in:d=0.05");
    expect(plan.graph).toMatch(
      /ebur128=peak=true:metadata=1:framelog=verbose,ametadata=mode=print:key=lavfi\.r128\.M:file=\/tmp\/m\.txt\[aout\]$/,
    );
    expect(plan.args.slice(-4)).toEqual(["[aout]", "-f", "null", "-"]);
    // Without clip sound, or before the clips are probed, there is nothing to plan.
    expect(() => planClipSoundAnalysis(job, tl, inputs, "/tmp/a.txt", "/tmp/m.txt")).toThrow(/clip sound/);
    expect(() =>
      planClipSoundAnalysis(withSound, tl, { ...inputs, clips: [] }, "/tmp/a.txt", "/tmp/m.txt"),
    ).toThrow(/every probed clip/);
  });

  it("reads the ebur128 summary of the whole mix, and refuses two partial ones", () => {
    const summary = (i: string, tp: string) =>
      `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         ${i} LUFS\n` +
      `    Threshold: -24.0 LUFS\n\n  True peak:\n    Peak:       ${tp} dBFS\n`;
    // ffmpeg logs an empty summary for the graph it builds only to parse it, then the real one.
    const parsedOnly = summary("-70.0", "-inf");
    const stderr = `${parsedOnly}Stream mapping:\n${summary("-14.1", "-1.6")}[libx264 @ 0x2] frame I:2  Avg QP:14\n`;
    expect(parseEbur128Summary(stderr)).toEqual({ integrated_lufs: -14.1, true_peak_dbtp: -1.6 });
    // Silence.
    expect(parseEbur128Summary(parsedOnly + parsedOnly)).toEqual({
      integrated_lufs: -70,
      true_peak_dbtp: Number.NEGATIVE_INFINITY,
    });
    expect(parseEbur128Summary("no summary here")).toBeUndefined();
    // A graph rebuilt mid-stream logs one summary per part: neither covers the whole mix.
    expect(
      parseEbur128Summary(parsedOnly + summary("-20.0", "-8.0") + summary("-14.0", "-1.5")),
    ).toBeUndefined();
  });
});

describe("overlay layout", () => {
  it("keeps top and bottom text out of the top 14 % and bottom 20 %", () => {
    for (const position of ["top", "center", "bottom"] as const) {
      const l = layoutOverlay(
        {
          text: "A fairly long headline that must wrap onto lines",
          position,
          colour: "#ffffff",
          font: "auto",
          animation: "none",
        },
        1080,
        1920,
      );
      const zone = safeZone(1080, 1920);
      expect(l.y).toBeGreaterThanOrEqual(zone.top);
      expect(l.y + l.height).toBeLessThanOrEqual(zone.bottom);
      expect(l.x).toBeGreaterThanOrEqual(zone.left);
      expect(l.x + l.width).toBeLessThanOrEqual(zone.right);
      expect(l.lines.length).toBeGreaterThan(1);
    }
  });

  it("shrinks very long text to at most three lines", () => {
    const text = "word ".repeat(20).trim();
    const l = layoutOverlay(
      { text, position: "bottom", colour: "#ffffff", font: "sans", animation: "none" },
      1080,
      1920,
    );
    expect(l.lines.length).toBeLessThanOrEqual(3);
    expect(l.fontSize).toBeLessThan(90);
  });

  it("wraps CJK without spaces and picks CJK and Arabic faces", () => {
    const cjk = layoutOverlay(
      {
        text: "限时优惠今天下单立享八折优惠",
        position: "center",
        colour: "#ffffff",
        font: "auto",
        animation: "none",
      },
      540,
      960,
    );
    expect(cjk.face.family).toBe("cjk");
    for (const line of cjk.lines)
      expect(textWidth(line, cjk.fontSize, "cjk")).toBeLessThanOrEqual(540 * 0.88);
    const ar = layoutOverlay(
      { text: "خصم خاص اليوم", position: "center", colour: "#ffffff", font: "auto", animation: "none" },
      540,
      960,
    );
    // Coverage order: the style face (no Arabic), CJK (no Arabic), then DejaVu Sans Bold, which has
    // the Arabic presentation forms fribidi shapes to and Latin as well.
    expect(ar.face.family).toBe("dejavu");
    expect(wrapText("supercalifragilisticexpialidocious", 40, 200, "sans").length).toBeGreaterThan(1);
  });

  it("picks the serif display face for an elegant brand and the condensed one for a bold brand", () => {
    const o = {
      text: "Hello",
      position: "center",
      colour: "#ffffff",
      font: "auto",
      animation: "none",
    } as const;
    expect(layoutOverlay(o, 1080, 1920, "luxury, elegant").face.family).toBe("serif");
    expect(layoutOverlay(o, 1080, 1920, "bold sport").face.family).toBe("condensed");
  });

  it("guarantees contrast and falls back from colours that cannot read", () => {
    expect(readableColours("#ffffff")).toMatchObject({ boxColour: "#000000", colourFallback: false });
    expect(readableColours("#101010")).toMatchObject({ boxColour: "#ffffff", colourFallback: false });
    const mid = readableColours("#7f7f7f");
    expect(mid.colourFallback).toBe(true);
    expect(mid.textColour).toBe("#ffffff");
  });
});
