/**
 * The whole pipeline with the real providers' code paths (OpenAI SDK, Replicate SDK) against
 * local servers speaking their protocols, on real D1, R2 and Durable Objects, composed by the
 * real render container.
 */
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { videoProvider } from "../src/providers/index.ts";
import { call, signUp } from "../test/helpers.ts";
import {
  auth,
  finished,
  generate,
  isJpeg,
  isMp4,
  magic,
  mediaKeys,
  waitFor,
} from "../test/pipeline-helpers.ts";
import { openai, replicate } from "./fakes.ts";

const MINIMAX = "minimax/video-01";
const KLING = "kwaivgi/kling-v1.6-standard";
// gpt-4o-mini at $0.15/$0.60 per million tokens for the fake's 1200 in / 800 out.
const LLM_COST = (1200 * 0.15 + 800 * 0.6) / 1e6;

const stub = (groupId: string) => env.GROUP_COORDINATOR.get(env.GROUP_COORDINATOR.idFromName(groupId));

beforeEach(async () => {
  await replicate.reset();
  await openai.reset();
});

describe("pipeline with OpenAI and Replicate", () => {
  it("runs prompt to finished ad with costs from the providers' usage", async () => {
    const { token, user } = await signUp();
    const { generation_id } = await generate(token, "Vegan protein powder, energetic, for TikTok");
    const { final, seen } = await waitFor(token, generation_id, finished);
    expect(final.error).toBeNull();
    expect(final.status).toBe("completed");
    // Polling sees every step: the specification, the plan, clips, compose, done.
    expect(seen).toEqual(expect.arrayContaining([10, 20, 80, 90, 100]));
    expect(seen.some((p) => p >= 30 && p <= 70)).toBe(true);
    // 4 scenes, each one minimax prediction of 6 billed seconds at $0.50 per 6 s.
    const stats = await replicate.stats();
    expect(stats.creates).toEqual({ [MINIMAX]: 4 });
    expect((await openai.stats()).schemaNames).toEqual(["ad_specification"]);
    expect(final.cost).toBeCloseTo(LLM_COST + 4 * 0.5, 6);
    const row = await env.DB.prepare("SELECT cost_breakdown, spec FROM generations WHERE id = ?")
      .bind(generation_id)
      .first<{ cost_breakdown: string; spec: string }>();
    const breakdown = JSON.parse(row!.cost_breakdown);
    expect(breakdown.enhance).toBeCloseTo(LLM_COST, 9);
    expect(breakdown.clips).toHaveLength(4);
    expect(
      breakdown.clips.every(
        (c: { model: string; seconds: number }) => c.model === MINIMAX && c.seconds === 6,
      ),
    ).toBe(true);
    expect(JSON.parse(row!.spec).framework).toBe("PAS");
    const userRow = await env.DB.prepare("SELECT total_cost FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ total_cost: number }>();
    expect(userRow!.total_cost).toBeCloseTo(final.cost, 9);
    // The month's spend is charged in the same statement (what the budget is checked against).
    const me = (await (await call("/api/me", { headers: auth(token) })).json()) as {
      budget: { spent_this_month_usd: number; monthly_budget_usd: number | null };
    };
    expect(me.budget).toMatchObject({ monthly_budget_usd: null });
    expect(me.budget.spent_this_month_usd).toBeCloseTo(final.cost, 6);
    // Clips are named by what they show (a later version reuses them); Replicate makes no clip
    // poster, the finished ad has one per scene.
    const keys = await mediaKeys(generation_id);
    expect(keys.filter((k) => /^clips\/[\w-]+\/clip-[0-9a-f]{16}\.mp4$/.test(k))).toHaveLength(4);
    expect(keys.filter((k) => !k.startsWith("clips/"))).toEqual([
      `renders/${generation_id}/scene-0.jpg`,
      `renders/${generation_id}/scene-1.jpg`,
      `renders/${generation_id}/scene-2.jpg`,
      `renders/${generation_id}/scene-3.jpg`,
      `renders/${generation_id}/thumbnail.jpg`,
      `renders/${generation_id}/video.mp4`,
    ]);
    expect(keys).toHaveLength(10);
    expect(isMp4(await magic(`renders/${generation_id}/video.mp4`))).toBe(true);
    expect(isJpeg(await magic(`renders/${generation_id}/thumbnail.jpg`))).toBe(true);
  });

  it("makes one provider create per scene even when alarms run twice, concurrently and after the end", async () => {
    const { token } = await signUp();
    await replicate.script({ [MINIMAX]: { succeedAfterMs: 1500 } });
    const { generation_id, group_id } = await generate(token, "Luxury watch ad for Instagram");
    await waitFor(token, generation_id, (s) => s.progress >= 30);
    await runInDurableObject(stub(group_id), (instance) => Promise.all([instance.alarm(), instance.alarm()]));
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    await runInDurableObject(stub(group_id), (instance) => instance.alarm());
    expect((await replicate.stats()).creates).toEqual({ [MINIMAX]: 4 });
    expect((await mediaKeys(generation_id)).filter((k) => k.startsWith("clips/"))).toHaveLength(4);
  });

  it("starts every scene's clip at once, so the ad waits for its slowest clip, not rounds of them", async () => {
    const { token } = await signUp();
    // Long enough that a round-by-round start could not hide inside one prediction's time.
    await replicate.script({ [MINIMAX]: { succeedAfterMs: 2000 } });
    const { generation_id } = await generate(token, "Noise-cancelling headphones for commuters");
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    const clips = (await replicate.stats()).predictions.filter((p) => p.model === MINIMAX);
    expect(clips).toHaveLength(4);
    const lastCreated = Math.max(...clips.map((p) => Date.parse(p.created_at)));
    const firstDone = Math.min(...clips.map((p) => Date.parse(p.completed_at!)));
    // All four were in flight together: the last was created before the first finished.
    expect(lastCreated).toBeLessThan(firstDone);
  });

  it("caps the predictions in flight when REPLICATE_MAX_CONCURRENT says so, and ignores a bad value", () => {
    const base = { ...env, REPLICATE_API_TOKEN: "r8_test" };
    expect(videoProvider(base).maxConcurrentClips).toBeUndefined();
    expect(videoProvider({ ...base, REPLICATE_MAX_CONCURRENT: "2" }).maxConcurrentClips).toBe(2);
    for (const bad of ["0", "-1", "1.5", "lots"])
      expect(videoProvider({ ...base, REPLICATE_MAX_CONCURRENT: bad }).maxConcurrentClips).toBeUndefined();
    expect(videoProvider({ ...env, REPLICATE_API_TOKEN: undefined }).maxConcurrentClips).toBe(3);
  });

  it("recovers a prediction created just before a crash instead of creating it again", async () => {
    const { token } = await signUp();
    // Replicate holds its answers; the coordinator dies while waiting for them.
    await replicate.script({ [MINIMAX]: { createDelayMs: 1500 } });
    const { generation_id, group_id } = await generate(token, "Cold brew coffee for busy mornings");
    for (let i = 0; i < 100 && (await replicate.stats()).createsReceived === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const received = (await replicate.stats()).createsReceived;
    expect(received).toBeGreaterThan(0);
    await abortAllDurableObjects();
    await replicate.script({ [MINIMAX]: {} });
    await runInDurableObject(stub(group_id), (instance) => instance.alarm());
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    const stats = await replicate.stats();
    expect(stats.lists).toBeGreaterThan(0);
    // Four scenes, four predictions: the ones in flight at the crash were found and adopted.
    expect(stats.creates).toEqual({ [MINIMAX]: 4 });
  });

  it("falls back to the next model when the first keeps failing", async () => {
    const { token } = await signUp();
    await replicate.script({ [MINIMAX]: { failPredictions: 100 } });
    const { generation_id } = await generate(token, "Noise-cancelling headphones for commuters");
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    const stats = await replicate.stats();
    expect(stats.creates[MINIMAX]).toBe(8); // two tries per scene
    expect(stats.creates[KLING]).toBe(4);
    // Kling bills 5 s per clip at $0.05/s.
    expect(final.cost).toBeCloseTo(LLM_COST + 4 * 0.25, 6);
  });

  it("waits out 429s with Retry-After, retries a failed prediction, and replaces an expired output", async () => {
    const { token } = await signUp();
    await replicate.script({
      [MINIMAX]: { createStatuses: [429, 429], failPredictions: 1, expireOutputs: 1 },
    });
    await openai.script({ fail: [429] });
    const started = Date.now();
    const { generation_id } = await generate(token, "Organic skincare serum before and after");
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    const stats = await replicate.stats();
    expect(stats.rateLimited).toBe(2);
    // 4 scenes + 1 failed + 1 expired. If both misfortunes hit one scene, its two minimax
    // tries are spent and its third prediction goes to the fallback model.
    expect(Object.values(stats.creates).reduce((a, b) => a + b, 0)).toBe(6);
    expect(stats.creates[MINIMAX]).toBeGreaterThanOrEqual(5);
    expect(Date.now() - started).toBeGreaterThan(2000); // the two Retry-After: 1 were honoured
    // One 429 (honoured), then one background response: its create and the poll that found it done.
    const oa = await openai.stats();
    expect([oa.calls, oa.creates]).toEqual([3, 1]);
  });

  it("retries a stage after a 5xx and then completes", async () => {
    const { token } = await signUp();
    await replicate.script({ [MINIMAX]: { createStatuses: [500] } });
    const { generation_id } = await generate(token, "Running shoes for marathon training");
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
  });

  it("fails with a clear reason after bounded retries when every model fails", async () => {
    const { token } = await signUp();
    await replicate.script({ [MINIMAX]: { failPredictions: 1000 }, [KLING]: { failPredictions: 1000 } });
    const { generation_id } = await generate(token, "A smart water bottle for hikers");
    const { final } = await waitFor(token, generation_id, finished, 120_000);
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/clips step failed after 3 tries: Every video model failed/);
  });

  it("runs a second LLM pass with enhanced planning and bills it", async () => {
    const { token } = await signUp();
    const { generation_id } = await generate(token, "Artisan sourdough bakery grand opening", {
      enhanced_planning: true,
    });
    const { final } = await waitFor(token, generation_id, finished);
    expect(final.status).toBe("completed");
    expect((await openai.stats()).completions).toBe(2);
    expect(final.cost).toBeCloseTo(2 * LLM_COST + 4 * 0.5, 6);
    const row = await env.DB.prepare("SELECT spec FROM generations WHERE id = ?")
      .bind(generation_id)
      .first<{ spec: string }>();
    expect(JSON.parse(row!.spec).scenes[0].visual_prompt).toContain("same actor, same set");
  });
});
