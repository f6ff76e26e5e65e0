/**
 * The monthly budget with priced providers (OpenAI and Replicate against the local servers):
 * over what is left, generate, comparisons and a storyboard's approval are each 402, and
 * nothing is created, started or charged.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, postJson, signUp } from "../test/helpers.ts";
import { auth, generate, waitFor } from "../test/pipeline-helpers.ts";
import { replicate } from "./fakes.ts";

const putBudget = (token: string, monthly_usd: number | null) =>
  call("/api/me/budget", {
    method: "PUT",
    headers: { ...auth(token), "Content-Type": "application/json" },
    body: JSON.stringify({ monthly_usd }),
  });

async function refusal(res: Response) {
  expect(res.status).toBe(402);
  const body = (await res.json()) as {
    error: { code: string; message: string; details: { estimate_usd: number } };
  };
  expect(body.error.code).toBe("payment_required");
  // The message names the estimate and what is left.
  expect(body.error.message).toMatch(
    /estimated at \$\d+\.\d\d, but only \$0\.10 of your monthly budget is left/,
  );
  return body.error.details.estimate_usd;
}

describe("monthly budget", () => {
  it("refuses generate, comparisons and approval beyond what is left, starting nothing", async () => {
    await replicate.reset();
    const { token, user } = await signUp();
    // A storyboard costs only the script and its flux-schnell keyframes, charged on completion:
    // made before the cap is set.
    const { generation_id } = await generate(token, "Noise-cancelling headphones for open offices", {
      workflow: "storyboard",
    });
    await waitFor(
      token,
      generation_id,
      (s) => s.status === "storyboard" && s.current_step === "Storyboard ready for review",
    );

    const set = await putBudget(token, 0.1);
    expect(await set.json()).toMatchObject({
      monthly_budget_usd: 0.1,
      spent_this_month_usd: 0,
      remaining_usd: 0.1,
    });
    const me = (await (await call("/api/me", { headers: auth(token) })).json()) as {
      budget: { remaining_usd: number };
    };
    expect(me.budget.remaining_usd).toBe(0.1);
    const rows = async () =>
      (
        await env.DB.prepare("SELECT COUNT(*) AS n FROM generations WHERE user_id = ?")
          .bind(user.id)
          .first<{ n: number }>()
      )?.n;
    const before = await rows();
    const createsBefore = (await replicate.stats()).createsReceived;

    const generateEstimate = await refusal(
      await postJson("/api/generate", { prompt: "Noise-cancelling headphones ad" }, token),
    );
    expect(generateEstimate).toBeGreaterThan(0.5);
    const comparisonEstimate = await refusal(
      await postJson(
        "/api/comparisons",
        { mode: "prompt", prompts: ["Headphones for focus", "Headphones for travel"] },
        token,
      ),
    );
    expect(comparisonEstimate).toBeCloseTo(generateEstimate * 2, 6);
    await refusal(
      await call(`/api/generations/${generation_id}/approve`, { method: "POST", headers: auth(token) }),
    );

    // Nothing was created or started, and the storyboard still waits.
    expect(await rows()).toBe(before);
    expect((await replicate.stats()).createsReceived).toBe(createsBefore);
    const status = (await (await call(`/api/status/${generation_id}`, { headers: auth(token) })).json()) as {
      status: string;
    };
    expect(status.status).toBe("storyboard");

    // Lifting the cap lets the same requests through.
    expect((await (await putBudget(token, null)).json()) as object).toMatchObject({ remaining_usd: null });
    const bad = await putBudget(token, -1);
    expect(bad.status).toBe(400);
    await call(`/api/generations/${generation_id}/cancel`, { method: "POST", headers: auth(token) });
  }, 180_000);
});
