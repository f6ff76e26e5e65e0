import { describe, expect, it } from "vitest";
import { type SceneType, type SynthesizeJobInput, SynthesizeJobSchema } from "../src/contract.ts";
import { parseJob } from "../src/jobs.ts";
import { ghostWord, planSynth, stillFrame } from "../src/synth/plan-synth.ts";

const VIDEO = { path: "/out/clip.mp4" };
const STILL = { path: "/out/still.jpg" };

function job(type: SceneType, extra: Partial<SynthesizeJobInput> = {}) {
  return SynthesizeJobSchema.parse({
    version: 1,
    job_id: "plan-1",
    width: 1080,
    height: 1920,
    duration_s: 4,
    seed: 5,
    scene: { index: 1, type, text: "Bright ideas for busy mornings" },
    brand: { name: "Kettle & Co", colours: ["#e4572e", "#29335c"], mood: "upbeat" },
    output: { video: VIDEO },
    ...extra,
  });
}

const plan = (j: ReturnType<typeof job>, files: { video?: string; still?: string }, image?: boolean) =>
  planSynth(
    j,
    "/w",
    files,
    "/w/graph.txt",
    image ? { path: "/w/img.png", width: 400, height: 400 } : undefined,
  );

describe("ghostWord", () => {
  it("is a fact: the scene's offer or number, else the brand, never a filler word", () => {
    const text = (t: string) =>
      ghostWord(job("attention", { scene: { index: 0, type: "attention", text: t } }));
    expect(text("Bright ideas for busy mornings")).toBe("KETTLE & CO");
    expect(text("50% off today only")).toBe("50%");
    expect(text("Claims paid in 24h.")).toBe("24H");
    expect(text("Now just $19, shipped free")).toBe("$19");
    expect(text("Order by 10:30 (free)")).toBe("10:30");
    expect(text("")).toBe("KETTLE & CO");
  });

  it("shortens a long brand between words, never inside one", () => {
    const named = (name: string) =>
      ghostWord(job("attention", { brand: { ...job("attention").brand, name } }));
    expect(named("عطر العود الملكي")).toBe("عطر العود الملكي");
    expect(named("The Really Long Brand Company")).toBe("THE REALLY LONG");
    expect(named("Supercalifragilistic")).toBe("SUPERCALIFRAGILISTIC");
  });
});

describe("planSynth", () => {
  it("plans a clip alone as it always did (snapshot)", async () => {
    const p = plan(job("attention"), { video: "/w/clip.mp4" });
    await expect(p.graph).toMatchFileSnapshot("__snapshots__/synth-clip-graph.txt");
    expect(p.args).toMatchSnapshot();
    expect(p.graph).not.toMatch(/split|select|trim=start/);
  });

  it("taps the still from the clip's own pass: one invocation, two outputs", () => {
    const j = job("attention", { still_at_s: 1.75, output: { video: VIDEO, still: STILL } });
    const p = plan(j, { video: "/w/clip.mp4", still: "/w/still.jpg" });
    expect(p.graph).toMatch(/\[out\]split=2\[vout\]\[stap\];\n\[stap\]select='eq\(n,42\)'\[still\]$/);
    expect(p.graph).not.toContain("trim=start");
    const tail = p.args.slice(p.args.indexOf("-filter_complex_script"));
    expect(tail.join(" ")).toMatch(
      /^-filter_complex_script \/w\/graph\.txt -map \[vout\] -c:v libx264 .* \/w\/clip\.mp4 -map \[still\] -frames:v 1 -update 1 -q:v 3 \/w\/still\.jpg$/,
    );
    expect(p.duration_s).toBe(4);
  });

  it("draws a still alone from sources skipped ahead to its frame, with no video encoder", () => {
    const hero = plan(job("attention", { output: { still: STILL } }), { still: "/w/still.jpg" });
    // Default: the middle of the clip, frame 48 at 24 fps.
    expect(hero.graph).toMatch(/^gradients=[^;]*,trim=start_frame=48\[g\]/);
    expect(hero.graph).toMatch(/\[out\]trim=start=1\.979\[still\]$/);
    expect(hero.args).not.toContain("libx264");
    expect(hero.args.slice(hero.args.indexOf("-filter_complex_script"))).toEqual([
      ...["-filter_complex_script", "/w/graph.txt", "-map", "[still]"],
      ...["-frames:v", "1", "-update", "1", "-q:v", "3", "/w/still.jpg"],
    ]);
    expect(hero.duration_s).toBeCloseTo(49 / 24, 6);
    // The rotating rays of the burst look seek too, and so does the image of the Ken Burns path.
    const burst = plan(job("action", { still_at_s: 1, output: { still: STILL } }), { still: "/w/s.jpg" });
    expect(burst.graph).toMatch(/\[rays0\]trim=start_frame=24,rotate=/);
    const kb = plan(job("desire", { still_at_s: 1, output: { still: STILL } }), { still: "/w/s.jpg" }, true);
    expect(kb.graph).toMatch(/trim=duration=4,trim=start_frame=24,format=yuv420p/);
  });

  it("puts the still on the frame on screen at still_at_s, never past the last frame", () => {
    const at = (still_at_s: number | undefined, duration_s = 2, fps = 24) =>
      stillFrame(job("attention", { duration_s, fps, ...(still_at_s === undefined ? {} : { still_at_s }) }));
    expect(at(undefined)).toBe(24);
    expect(at(undefined, 4)).toBe(48);
    expect(at(0)).toBe(0);
    expect(at(0.06)).toBe(1);
    expect(at(0.291667)).toBe(7); // 7/24 written with 6 decimals
    expect(at(1.999)).toBe(47);
    expect(at(1.01, 1.03, 30)).toBe(30); // 31 frames
    expect(at(1.005, 1.01, 30)).toBe(29); // 30 frames: the clip has no frame at 1 s
  });
});

describe("SynthesizeJob outputs", () => {
  const body = (extra: Record<string, unknown>) => ({
    version: 1,
    job_id: "v-1",
    width: 270,
    height: 480,
    duration_s: 2,
    scene: { index: 0, type: "attention" },
    brand: { name: "K", colours: ["#e4572e"], mood: "calm" },
    output: { video: VIDEO },
    ...extra,
  });

  it("accepts a clip, a still or both; a clip alone is today's job", () => {
    expect(parseJob("synthesize", body({})).job).toMatchObject({ output: { video: VIDEO } });
    expect(parseJob("synthesize", body({ output: { still: STILL } })).job).toMatchObject({
      output: { still: STILL },
    });
    const both = parseJob("synthesize", body({ output: { video: VIDEO, still: STILL }, still_at_s: 0 }));
    expect(both.job).toMatchObject({ still_at_s: 0 });
  });

  it("refuses no output, a still outside the clip, and two outputs to one place", () => {
    expect(() => parseJob("synthesize", body({ output: {} }))).toThrow(/output: ask for a video, a still/);
    expect(() => parseJob("synthesize", body({ still_at_s: 2 }))).toThrow(
      /still_at_s: still_at_s must be less than duration_s/,
    );
    expect(() => parseJob("synthesize", body({ still_at_s: -0.1 }))).toThrow(/still_at_s/);
    expect(() =>
      parseJob("synthesize", body({ output: { video: { file: "a.bin" }, still: { file: "a.bin" } } })),
    ).toThrow(/video and still must go to different places/);
  });
});
