/**
 * Parallel variations with the OpenAI and Replicate code paths: shared work is done once
 * (counted at the local provider servers), failures stay isolated, the quota is all or nothing.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { call, postJson, signUp } from "../test/helpers.ts";
import { auth, finished, mediaKeys, waitFor } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "./fakes.ts";

const LLM_COST = (1200 * 0.15 + 800 * 0.6) / 1e6;

interface Comparison {
  group_id: string;
  comparison_type: string;
  variations: {
    generation_id: string;
    label: string;
    prompt: string;
    status: string;
    cost: number;
    error: string | null;
    video_url: string | null;
    generation_time_s: number | null;
  }[];
  differing_fields: string[];
  total_cost: number;
}

async function parallel(token: string, body: unknown) {
  const res = await postJson("/api/generate/parallel", body, token);
  return {
    res,
    body: (await res.json()) as {
      group_id: string;
      generation_ids: string[];
      error?: { code: string; message: string; details?: { fields?: Record<string, string[]> } };
    },
  };
}

async function comparison(token: string, groupId: string) {
  const res = await call(`/api/comparison/${groupId}`, { headers: auth(token) });
  return { res, body: (await res.json()) as Comparison };
}

async function allFinished(token: string, ids: string[]) {
  return Promise.all(ids.map((id) => waitFor(token, id, finished, 380_000)));
}

beforeEach(async () => {
  await replicate.reset();
  await openai.reset();
});

describe("parallel variations", () => {
  it("settings mode: one specification and one set of clips serve every profile", {
    timeout: 400_000,
  }, async () => {
    const { token } = await signUp();
    const profiles = ["warm", "cool", "vivid"].map((grade, i) => ({
      name: `Look ${i + 1}`,
      settings: { grade },
    }));
    const { res, body } = await parallel(token, {
      mode: "settings",
      prompt: "Cold brew coffee for busy mornings",
      profiles,
    });
    expect(res.status).toBe(202);
    expect(body.generation_ids).toHaveLength(3);
    const results = await allFinished(token, body.generation_ids);
    expect(results.map((r) => r.final.status)).toEqual(["completed", "completed", "completed"]);
    expect((await openai.stats()).completions).toBe(1);
    expect((await replicate.stats()).creates).toEqual({ "minimax/video-01": 4 });
    const { body: cmp } = await comparison(token, body.group_id);
    expect(cmp.comparison_type).toBe("settings");
    expect(cmp.differing_fields).toEqual(["settings.grade"]);
    expect(cmp.variations.map((v) => v.label)).toEqual(["Look 1", "Look 2", "Look 3"]);
    // Shared work is paid once: the whole comparison costs what one generation does.
    expect(cmp.total_cost).toBeCloseTo(LLM_COST + 4 * 0.5, 6);
    expect(cmp.variations.every((v) => v.video_url && v.generation_time_s !== null)).toBe(true);
    // Every variation owns its media (a copy of the shared clips), so deleting one leaves the rest whole.
    for (const id of body.generation_ids)
      expect((await mediaKeys(id)).filter((k) => k.startsWith("clips/"))).toHaveLength(4);
  });

  it("prompt mode: three prompts complete and the comparison names the prompt as the difference", {
    timeout: 400_000,
  }, async () => {
    const { token } = await signUp();
    const prompts = [
      "Cold brew coffee for busy mornings",
      "Sparkling water with real fruit",
      "Oat milk latte at home",
    ];
    const { body } = await parallel(token, { mode: "prompt", prompts, settings: { grade: "warm" } });
    const results = await allFinished(token, body.generation_ids);
    expect(results.every((r) => r.final.status === "completed")).toBe(true);
    const { body: cmp } = await comparison(token, body.group_id);
    expect(cmp.comparison_type).toBe("prompt");
    expect(cmp.differing_fields).toEqual(["prompt"]);
    expect(cmp.variations.map((v) => v.prompt)).toEqual(prompts);
    // Three specifications; the fake's scenes share three visual prompts across briefs and
    // differ in one: 3 shared clips + 3 own clips.
    expect((await openai.stats()).completions).toBe(3);
    expect((await replicate.stats()).creates).toEqual({ "minimax/video-01": 6 });
    expect(cmp.total_cost).toBeCloseTo(3 * LLM_COST + 6 * 0.5, 6);
  });

  it("one failing variation does not stop the others", { timeout: 300_000 }, async () => {
    const { token } = await signUp();
    await replicate.script({
      "minimax/video-01": { failPromptsContaining: "Doomed" },
      "kwaivgi/kling-v1.6-standard": { failPromptsContaining: "Doomed" },
    });
    const { body } = await parallel(token, {
      mode: "prompt",
      prompts: ["Doomed gadget nobody wants", "Handmade ceramic mugs"],
    });
    const [doomed, fine] = await allFinished(token, body.generation_ids);
    expect(doomed!.final.status).toBe("failed");
    expect(doomed!.final.error).toMatch(/clips step failed/);
    expect(fine!.final.status).toBe("completed");
  });

  it("validates each variation and the count (2-5)", async () => {
    const { token } = await signUp();
    const one = await parallel(token, { mode: "prompt", prompts: ["Only one prompt here"] });
    expect(one.res.status).toBe(400);
    expect(one.body.error?.details?.fields?.prompts?.[0]).toMatch(/Between 2 and 5/);
    const six = await parallel(token, {
      mode: "settings",
      prompt: "A fine product ad",
      profiles: Array.from({ length: 6 }, (_, i) => ({ name: `P${i}`, settings: {} })),
    });
    expect(six.res.status).toBe(400);
    const badPrompt = await parallel(token, { mode: "prompt", prompts: ["A fine product ad", "too short"] });
    expect(badPrompt.res.status).toBe(400);
    expect(Object.keys(badPrompt.body.error?.details?.fields ?? {})).toEqual(["prompts.1"]);
    const badSettings = await parallel(token, {
      mode: "settings",
      prompt: "A fine product ad",
      profiles: [
        { name: "A", settings: {} },
        { name: "B", settings: { duration_s: 7 } },
      ],
    });
    expect(Object.keys(badSettings.body.error?.details?.fields ?? {})).toEqual([
      "profiles.1.settings.duration_s",
    ]);
    const badMode = await parallel(token, { mode: "both", prompts: [] });
    expect(badMode.res.status).toBe(400);
  });

  it("charges the hourly limit all or nothing", async () => {
    const { token, user } = await signUp();
    await env.DB.prepare(
      "INSERT INTO usage_events (user_id, group_id, units, created_at) VALUES (?, 'earlier', 8, ?)",
    )
      .bind(user.id, Date.now())
      .run();
    const three = await parallel(token, {
      mode: "prompt",
      prompts: ["First variation ad", "Second variation ad", "Third variation ad"],
    });
    expect(three.res.status).toBe(429);
    expect(three.res.headers.get("Retry-After")).toMatch(/^\d+$/);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM generations WHERE user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const two = await parallel(token, {
      mode: "prompt",
      prompts: ["First variation ad", "Second variation ad"],
    });
    expect(two.res.status).toBe(202);
    for (const id of two.body.generation_ids)
      await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
  });

  it("keeps comparisons private and deletes a whole group with its media", { timeout: 300_000 }, async () => {
    const a = await signUp();
    const b = await signUp();
    const { body } = await parallel(a.token, {
      mode: "prompt",
      prompts: ["Private variation one", "Private variation two"],
    });
    await allFinished(a.token, body.generation_ids);
    expect((await comparison(b.token, body.group_id)).res.status).toBe(404);
    expect(
      (await call(`/api/comparison/${body.group_id}`, { method: "DELETE", headers: auth(b.token) })).status,
    ).toBe(404);
    // Delete one variation, then the rest of the group.
    const [first, second] = body.generation_ids as [string, string];
    expect(
      (await call(`/api/generations/${first}`, { method: "DELETE", headers: auth(a.token) })).status,
    ).toBe(200);
    expect((await comparison(a.token, body.group_id)).body.variations.map((v) => v.generation_id)).toEqual([
      second,
    ]);
    const del = await call(`/api/comparison/${body.group_id}`, { method: "DELETE", headers: auth(a.token) });
    expect(del.status).toBe(200);
    expect(await mediaKeys(first)).toEqual([]);
    expect(await mediaKeys(second)).toEqual([]);
    expect((await comparison(a.token, body.group_id)).res.status).toBe(404);
    expect((await call(`/api/status/${second}`, { headers: auth(a.token) })).status).toBe(404);
  });
});
