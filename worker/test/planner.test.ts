/** The offline template planner and the scene planner: pure functions, checked on real prompts. */

import { RenderJobSchema } from "@promptreel/render-container/contract";
import { describe, expect, it } from "vitest";
import {
  buildRenderJob,
  encodeFor,
  MOTION_GRAPHICS_ENCODE,
  STANDARD_ENCODE,
} from "../src/pipeline/render-job.ts";
import { CROSSFADE_S, clipDuration, planScenes } from "../src/pipeline/scene-plan.ts";
import { DEFAULT_SETTINGS } from "../src/pipeline/settings.ts";
import { chooseFramework, extractProduct, planOffline } from "../src/providers/offline-planner.ts";

const req = (prompt: string, seed = 7, durationS = 15) => ({ prompt, seed, durationS, aspectRatio: "9:16" });

describe("offline planner", () => {
  it("chooses the framework by intent", () => {
    expect(chooseFramework("Tired of back pain? ergonomic office chair")).toBe("PAS");
    expect(chooseFramework("Before and after: teeth whitening kit")).toBe("BAB");
    expect(chooseFramework("Luxury watch ad for Instagram")).toBe("AIDA");
  });

  it("extracts the product without platform and ad words", () => {
    expect(extractProduct("Luxury watch ad for Instagram")).toBe("luxury watch");
    expect(extractProduct("vegan protein powder, energetic, for TikTok")).toBe("vegan protein powder");
  });

  it("writes a luxury specification for a watch", () => {
    const spec = planOffline(req("Luxury watch ad for Instagram"));
    // The product is the prompt's noun phrase with its article, no longer title-cased.
    expect(spec).toMatchObject({
      product: "a luxury watch",
      platform: "Instagram",
      framework: "AIDA",
      target_duration_s: 15,
    });
    expect(spec.brand.mood).toBe("luxury");
    // The prompt names no brand: the one written is invented, and says so.
    expect(spec.brand.invented).toBe(true);
    expect(spec.scenes.map((s) => s.type)).toEqual(["attention", "interest", "desire", "action"]);
    expect(spec.brand.colours.every((c) => /^#[0-9a-f]{6}$/i.test(c))).toBe(true);
  });

  it("is energetic with PAS scenes for a fitness problem, and keeps a named brand", () => {
    const spec = planOffline(req('Struggling to hit your protein goals? "MuscleMate" shakes for TikTok'));
    expect(spec.framework).toBe("PAS");
    expect(spec.brand).toMatchObject({ name: "MuscleMate", invented: false, mood: "energetic" });
    expect(spec.platform).toBe("TikTok");
    expect(spec.scenes.map((s) => s.type)).toEqual(["problem", "agitate", "solution", "action"]);
  });

  it("is deterministic for a prompt and seed, and varies with the seed", () => {
    const a = planOffline(req("Cold brew coffee for busy mornings", 1));
    expect(planOffline(req("Cold brew coffee for busy mornings", 1))).toEqual(a);
    const variants = new Set(
      [1, 2, 3, 4, 5, 6].map((seed) =>
        JSON.stringify(planOffline(req("Cold brew coffee for busy mornings", seed))),
      ),
    );
    expect(variants.size).toBeGreaterThan(1);
  });

  it("writes a valid specification for any accepted prompt, however odd", () => {
    for (const prompt of [
      "y".repeat(500),
      `${"word ".repeat(99)}end`,
      "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂",
      "   ,,,, ;;; ....  ok",
      "كريم مرطب للبشرة الجافة",
    ]) {
      const spec = planOffline(req(prompt));
      expect(spec.product.length).toBeLessThanOrEqual(120);
      expect(spec.scenes.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("adds a fifth scene for longer ads", () => {
    expect(planOffline(req("Project management software for teams", 3, 30)).scenes).toHaveLength(5);
  });
});

describe("scene plan", () => {
  it("cuts the target duration exactly, in whole frames, with a seed per scene", () => {
    for (const duration_s of [15, 30, 60] as const) {
      const spec = planOffline(req("Luxury watch ad for Instagram", 9, duration_s));
      const plan = planScenes(spec, { ...DEFAULT_SETTINGS, duration_s }, 9);
      const total = plan.scenes.reduce((s, x) => s + x.duration_s, 0);
      expect(total).toBeCloseTo(duration_s, 6);
      for (const s of plan.scenes)
        expect(Math.abs(s.duration_s * 24 - Math.round(s.duration_s * 24))).toBeLessThan(1e-6);
      expect(new Set(plan.scenes.map((s) => s.seed)).size).toBe(plan.scenes.length);
    }
  });

  it("gives every clip but the last the crossfade overlap, so the output lasts the target", () => {
    const spec = planOffline(req("Luxury watch ad for Instagram"));
    const plan = planScenes(spec, DEFAULT_SETTINGS, 1);
    const clips = plan.scenes.map((_, i) => clipDuration(plan, i));
    const output = clips.reduce((a, b) => a + b, 0) - (clips.length - 1) * CROSSFADE_S;
    expect(output).toBeCloseTo(15, 6);
  });

  it("builds a valid render job for every aspect ratio", () => {
    const spec = planOffline(req("Luxury watch ad for Instagram"));
    for (const aspect_ratio of ["9:16", "1:1", "16:9"] as const) {
      const settings = { ...DEFAULT_SETTINGS, aspect_ratio };
      const job = RenderJobSchema.parse(
        buildRenderJob({ jobId: "g1-compose-a1", spec, plan: planScenes(spec, settings, 1), settings }),
      );
      expect(job.scenes).toHaveLength(4);
      expect(job.audio.music).toEqual({ library: "luxury" });
      expect(job.video.width * job.video.height).toBe(aspect_ratio === "1:1" ? 1080 * 1080 : 1080 * 1920);
      expect(job.logo).toBeUndefined();
    }
  });

  it("puts the staged logo in the render job, with a corner logo and an end card", () => {
    const spec = planOffline(req("Luxury watch ad for Instagram"));
    const settings = { ...DEFAULT_SETTINGS, logo: "0b5f4c1e-8d2a-4c3b-9f6e-1a2b3c4d5e6f" };
    const plan = planScenes(spec, settings, 1);
    const job = RenderJobSchema.parse(
      buildRenderJob({ jobId: "g1-compose-a1", spec, plan, settings, logoFile: "logo" }),
    );
    expect(job.logo).toEqual({ source: { file: "logo" }, corner: true, end_card: true });
    // The end card's call to action is the last scene's overlay text.
    expect(job.scenes.at(-1)?.overlay?.text).toBe(plan.scenes.at(-1)?.overlay.text);
    const none = RenderJobSchema.parse(
      buildRenderJob({ jobId: "g1-compose-a1", spec, plan, settings, logoFile: null }),
    );
    expect(none.logo).toBeUndefined();
  });

  it("encodes an ad of motion-renderer clips only with the motion-graphics settings, anything else as standard", () => {
    const motion = "motion-renderer-v1";
    expect(encodeFor([motion, motion, motion], motion)).toEqual(MOTION_GRAPHICS_ENCODE);
    expect(encodeFor([motion, "minimax/video-01", motion], motion)).toEqual(STANDARD_ENCODE);
    expect(encodeFor([motion, null], motion)).toEqual(STANDARD_ENCODE);
    expect(encodeFor(["upload"], motion)).toEqual(STANDARD_ENCODE);
    expect(encodeFor([], motion)).toEqual(STANDARD_ENCODE);
    const spec = planOffline(req("Luxury watch ad for Instagram"));
    const plan = planScenes(spec, DEFAULT_SETTINGS, 1);
    const job = (encode?: typeof STANDARD_ENCODE) =>
      RenderJobSchema.parse(
        buildRenderJob({ jobId: "g1-compose-a1", spec, plan, settings: DEFAULT_SETTINGS, encode }),
      ).video;
    expect(job()).toMatchObject({ preset: "medium", crf: 20, content: "footage" });
    expect(job(MOTION_GRAPHICS_ENCODE)).toMatchObject({
      preset: "veryfast",
      crf: 18,
      content: "motion_graphics",
    });
  });
});
