/**
 * Re-rendering an edited ad with priced providers (OpenAI and Replicate against the local
 * servers): a new version pays only for what changed, counted at the provider and in dollars,
 * the user's total is the sum of the versions, and a re-render beyond the budget is 402.
 */
import { describe, expect, it } from "vitest";
import type { GenerationView } from "../src/views/generation.ts";
import { send, signUp } from "../test/helpers.ts";
import { finished, generate, waitFor, waitForVersion } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "./fakes.ts";

const MINIMAX = "minimax/video-01";
const FLUX = "black-forest-labs/flux-schnell";
/** One 6 s minimax clip at $0.50 per 6 s. */
const CLIP_COST = 0.5;
const KEYFRAME_COST = 0.003;

const boardReady = (token: string, id: string) =>
  waitFor(
    token,
    id,
    (s) => s.status === "storyboard" && s.scenes.every((x) => x.keyframe_url !== null),
    120_000,
  );

describe("versions with priced providers", () => {
  it("a text edit re-renders no clip, a new shot exactly one, and each version costs only what it spent", async () => {
    await replicate.reset();
    await openai.reset();
    const { token } = await signUp();
    const { generation_id: id } = await generate(token, "Trail running shoes for muddy weekends");
    const v1 = (await waitFor(token, id, finished, 180_000)).final;
    expect(v1.status).toBe("completed");
    expect((await replicate.stats()).creates).toEqual({ [MINIMAX]: 4 });

    // Text only. Replicate clips have no poster, so the draft's keyframes are drawn (4 images).
    expect(
      (await send(token, "PATCH", `/api/generations/${id}/scenes/1`, { overlay_text: "Mud loves you" }))
        .status,
    ).toBe(200);
    await boardReady(token, id);
    const quote = (await (await send(token, "GET", `/api/generations/${id}/approval`)).json()) as {
      total: number;
    };
    expect(quote.total).toBe(0);
    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(202);
    const v2 = await waitForVersion(token, id, 2);
    expect(v2.status).toBe("completed");
    expect((await replicate.stats()).creates).toEqual({ [MINIMAX]: 4, [FLUX]: 4 });
    expect(v2.versions[1]).toMatchObject({ version: 2, new_clips: 0 });
    expect(v2.versions[1]!.cost).toBeCloseTo(4 * KEYFRAME_COST, 9);

    // A new shot for scene 2: one keyframe, one clip. Over budget first: 402, nothing starts.
    const shot = "a runner's shoe sinking into deep mud, slow motion";
    expect(
      (await send(token, "PATCH", `/api/generations/${id}/scenes/1`, { visual_prompt: shot })).status,
    ).toBe(200);
    await boardReady(token, id);
    const quote3 = (await (await send(token, "GET", `/api/generations/${id}/approval`)).json()) as {
      total: number;
    };
    expect(quote3.total).toBeCloseTo(CLIP_COST, 9);
    const me = async () =>
      (await (await send(token, "GET", "/api/me")).json()) as {
        user: { total_cost: number };
        budget: { spent_this_month_usd: number };
      };
    const spent = (await me()).budget.spent_this_month_usd;
    await send(token, "PUT", "/api/me/budget", { monthly_usd: spent + 0.1 });
    const refused = await send(token, "POST", `/api/generations/${id}/approve`);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /^Rendering version 3 is estimated at \$0\.50, but only \$0\.10/,
    );
    expect((await replicate.stats()).creates[MINIMAX]).toBe(4);
    await send(token, "PUT", "/api/me/budget", { monthly_usd: null });

    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(202);
    const v3 = await waitForVersion(token, id, 3);
    expect(v3.status).toBe("completed");
    const stats = await replicate.stats();
    expect(stats.creates).toEqual({ [MINIMAX]: 5, [FLUX]: 5 });
    const clipPrompts = stats.predictions.filter((p) => p.model === MINIMAX).map((p) => p.input.prompt);
    expect(clipPrompts.filter((p) => p === shot)).toHaveLength(1);
    expect(v3.versions.map((v) => v.new_clips)).toEqual([4, 0, 1]);
    expect(v3.versions[2]!.cost).toBeCloseTo(CLIP_COST + KEYFRAME_COST, 9);
    // The ad's cost and the user's bill are the sum of its versions, each charged once.
    const sum = v3.versions.reduce((t, v) => t + v.cost, 0);
    expect(v3.cost).toBeCloseTo(sum, 9);
    expect((await me()).user.total_cost).toBeCloseTo(sum, 9);
    const v3Again = (await (await send(token, "GET", `/api/generations/${id}`)).json()) as GenerationView;
    expect(v3Again.cost).toBe(v3.cost);
  }, 600_000);
});
