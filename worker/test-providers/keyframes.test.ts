/**
 * Storyboard keyframes drawn by Replicate text-to-image (flux-schnell) against the local server
 * speaking its protocol: one prediction per scene with the scene's seed and the ad's aspect
 * ratio, real JPEGs stored in R2 and served signed, priced from the price table; the model
 * fallback chain, expired outputs, cancel at the provider, and a clear failure charging nothing.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createReplicateImageProvider } from "../src/providers/replicate-image.ts";
import type { KeyframeJournal, KeyframeJournalEntry, KeyframeRequest } from "../src/providers/types.ts";
import { call, signUp } from "../test/helpers.ts";
import { auth, cancelAndCheck, finished, generate, waitFor } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "./fakes.ts";

const FLUX = "black-forest-labs/flux-schnell";
const FLUX_DEV = "black-forest-labs/flux-dev";
// gpt-4o-mini at $0.15/$0.60 per million tokens for the fake's 1200 in / 800 out.
const LLM_COST = (1200 * 0.15 + 800 * 0.6) / 1e6;

/** Width and height from a JPEG's start-of-frame segment. */
function jpegSize(b: Uint8Array): { width: number; height: number } {
  for (let i = 2; i + 9 < b.length && b[i] === 0xff; i += 2 + ((b[i + 2]! << 8) | b[i + 3]!)) {
    const marker = b[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
  }
  throw new Error("no start-of-frame segment");
}
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

const reviewed = (token: string, id: string) =>
  waitFor(token, id, (s) => s.status === "storyboard" && s.current_step === "Storyboard ready for review");

async function row(id: string) {
  const r = await env.DB.prepare("SELECT scene_plan, spec, cost_breakdown FROM generations WHERE id = ?")
    .bind(id)
    .first<{ scene_plan: string; spec: string; cost_breakdown: string }>();
  return {
    scenes: (JSON.parse(r!.scene_plan) as { scenes: { seed: number; visual_prompt: string }[] }).scenes,
    brand: (JSON.parse(r!.spec) as { brand: { name: string } }).brand.name,
    costs: JSON.parse(r!.cost_breakdown) as { keyframes?: number },
  };
}

beforeEach(async () => {
  await replicate.reset();
  await openai.reset();
});

describe("storyboard keyframes with Replicate", () => {
  it("draws one flux-schnell image per scene, stores real JPEGs and prices them", async () => {
    const { token } = await signUp();
    const { generation_id: id } = await generate(token, "Cold brew coffee in a can for busy students", {
      workflow: "storyboard",
    });
    const { final } = await reviewed(token, id);
    expect(final.error).toBeNull();
    expect(final.status).toBe("storyboard");
    const n = final.num_scenes;
    expect(n).toBeGreaterThanOrEqual(3);
    for (const scene of final.scenes) {
      const url = new URL(scene.keyframe_url!);
      const res = await call(url.pathname + url.search);
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(isJpeg(bytes)).toBe(true);
      // Stored as flux drew it for 9:16 at 1 megapixel.
      expect(jpegSize(bytes)).toEqual({ width: 768, height: 1344 });
    }

    const stats = await replicate.stats();
    expect(stats.creates).toEqual({ [FLUX]: n }); // no video before approval
    const { scenes, brand, costs } = await row(id);
    expect(scenes).toHaveLength(n);
    // Each scene drawn once, from its own shot and seed, in the brand's name and the ad's aspect.
    for (const scene of scenes) {
      const mine = stats.predictions.filter((p) => p.input.seed === scene.seed);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.input).toMatchObject({ aspect_ratio: "9:16", output_format: "jpg", num_outputs: 1 });
      expect(String(mine[0]!.input.prompt)).toContain(scene.visual_prompt.replace(/[.\s]+$/, ""));
      expect(String(mine[0]!.input.prompt)).toContain(brand);
    }
    expect(costs.keyframes).toBeCloseTo(n * 0.003, 9);
    expect(final.cost).toBeCloseTo(LLM_COST + n * 0.003, 6);
    await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
  });

  it("cancels in-flight keyframe predictions at the provider when the generation is cancelled", async () => {
    await replicate.script({ [FLUX]: { succeedAfterMs: 60_000 } });
    const { token } = await signUp();
    const { generation_id: id } = await generate(token, "Electric scooter for city commutes", {
      workflow: "storyboard",
    });
    // Three scenes draw at once; their creates answered, the coordinator knows every prediction.
    for (let i = 0; i < 200 && (await replicate.stats()).createsReceived < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    await cancelAndCheck(token, id);
    const stats = await replicate.stats();
    expect(stats.cancels).toBe(stats.createsReceived);
    expect(stats.predictions.every((p) => p.status === "canceled")).toBe(true);
  });

  it("fails the generation naming the keyframes step when every prediction fails, charging nothing", async () => {
    await replicate.script({ [FLUX]: { failPredictions: 1000 } });
    const { token } = await signUp();
    const { generation_id: id } = await generate(token, "A smart water bottle for hikers", {
      workflow: "storyboard",
    });
    const { final } = await waitFor(token, id, finished, 60_000);
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(
      /^The keyframes step failed after 3 tries: Every image model failed: black-forest-labs\/flux-schnell: prediction failed: CUDA out of memory/,
    );
    expect(final.cost).toBeCloseTo(LLM_COST, 9);
    expect((await row(id)).costs.keyframes ?? 0).toBe(0);
    expect((await env.MEDIA.list({ prefix: `clips/${id}/` })).objects).toEqual([]);
    const me = (await (await call("/api/me", { headers: auth(token) })).json()) as {
      budget: { spent_this_month_usd: number };
    };
    expect(me.budget.spent_this_month_usd).toBe(0);
    // Let the scenes still drawing when the stage gave up finish, so no create leaks into later tests.
    let last = -1;
    for (let i = 0; i < 40; i++) {
      const stats = await replicate.stats();
      if (stats.createsReceived === last && stats.predictions.every((p) => p.status === "failed")) break;
      last = stats.createsReceived;
      await new Promise((r) => setTimeout(r, 500));
    }
    const stats = await replicate.stats();
    expect(Object.keys(stats.creates)).toEqual([FLUX]);
    expect(stats.creates[FLUX]).toBeGreaterThanOrEqual(3 * 2); // three stage tries, two predictions each
  });
});

describe("the Replicate keyframe provider", () => {
  const request: KeyframeRequest = {
    generationId: "g1",
    scene: {
      index: 0,
      type: "attention",
      duration_s: 3,
      visual_prompt: "A hiker drinking from a steel bottle at sunrise.",
      overlay: { text: "Stay cold", position: "center", animation: "fade_in" },
      seed: 4242,
    },
    brand: { name: "Summit Flask", colours: ["#1a2b3c", "#f0c040"], mood: "energetic", style: "outdoor" },
    width: 1080,
    height: 1080,
    durationS: 3.5,
    referenceImageKey: null,
  };
  const provider = (models: string[]) =>
    createReplicateImageProvider({
      token: env.REPLICATE_API_TOKEN!,
      baseUrl: env.REPLICATE_BASE_URL,
      models,
      pollIntervalMs: 50,
    });
  const draw = async (models: string[], signal = new AbortController().signal, journal?: KeyframeJournal) => {
    let stored: Uint8Array | undefined;
    const usage = await provider(models).generateKeyframe(request, {
      signal,
      store: async (body) => {
        stored = new Uint8Array(await new Response(body).arrayBuffer());
      },
      ...(journal ? { journal } : {}),
    });
    return { usage, stored: stored! };
  };
  /** A keyframe journal in memory, as the coordinator's storage holds one. */
  const memoryJournal = () => {
    const box: { entry?: KeyframeJournalEntry | undefined } = {};
    const journal: KeyframeJournal = {
      read: async () => box.entry,
      write: async (entry) => {
        box.entry = entry;
      },
    };
    return { journal, box };
  };
  const journalled = async (box: { entry?: KeyframeJournalEntry | undefined }) => {
    for (let i = 0; i < 200 && !box.entry?.predictionId; i++) await new Promise((r) => setTimeout(r, 10));
    expect(box.entry?.predictionId).toBeTruthy();
  };

  it("a restart resumes the journalled prediction instead of drawing again, and forgets it once stored", async () => {
    await replicate.script({ [FLUX]: { succeedAfterMs: 1000 } });
    const { journal, box } = memoryJournal();
    const first = draw([FLUX], undefined, journal);
    await journalled(box);
    // A new provider over the same journal: the coordinator after an eviction.
    const second = await draw([FLUX], undefined, journal);
    expect((await first).stored).toEqual(second.stored);
    expect((await replicate.stats()).creates).toEqual({ [FLUX]: 1 });
    expect(box.entry).toBeUndefined();
  });

  it("a restart after a create whose id was never noted adopts that prediction", async () => {
    await replicate.script({ [FLUX]: { succeedAfterMs: 1000 } });
    const { journal, box } = memoryJournal();
    const first = draw([FLUX], undefined, journal);
    await journalled(box);
    // The crash came between the create's answer and the journal write: only the intent is left.
    const { predictionId: _, ...intent } = box.entry!;
    const { journal: crashed } = memoryJournal();
    await crashed.write(intent);
    await draw([FLUX], undefined, crashed);
    await first;
    const stats = await replicate.stats();
    expect(stats.creates).toEqual({ [FLUX]: 1 });
    expect(stats.lists).toBeGreaterThan(0);
  });

  it("falls back to the next model after two failed predictions", async () => {
    await replicate.script({ [FLUX]: { failPredictions: 2 } });
    const { usage, stored } = await draw([FLUX, FLUX_DEV]);
    expect(usage).toEqual({ model: FLUX_DEV, images: 1 });
    expect(isJpeg(stored)).toBe(true);
    expect(jpegSize(stored)).toEqual({ width: 1024, height: 1024 });
    const stats = await replicate.stats();
    expect(stats.creates).toEqual({ [FLUX]: 2, [FLUX_DEV]: 1 });
    expect(stats.predictions[0]!.input).toMatchObject({ aspect_ratio: "1:1", seed: 4242, megapixels: "1" });
  });

  it("replaces an expired output with a new prediction", async () => {
    await replicate.script({ [FLUX]: { expireOutputs: 1 } });
    const { usage, stored } = await draw([FLUX]);
    expect(usage).toEqual({ model: FLUX, images: 1 });
    expect(isJpeg(stored)).toBe(true);
    expect((await replicate.stats()).creates).toEqual({ [FLUX]: 2 });
  });

  it("cancels its prediction when aborted", async () => {
    await replicate.script({ [FLUX]: { succeedAfterMs: 60_000 } });
    const controller = new AbortController();
    const drawing = draw([FLUX], controller.signal);
    // Polled once: the provider holds the prediction's id.
    for (let i = 0; i < 100 && (await replicate.stats()).gets === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error("stop"));
    await expect(drawing).rejects.toThrow("stop");
    const stats = await replicate.stats();
    expect(stats.cancels).toBe(1);
    expect(stats.predictions.map((p) => p.status)).toEqual(["canceled"]);
  });
});
