/**
 * Reference candidates with Replicate, against the local server speaking its protocol: one
 * google/imagen-4 prediction per candidate (its own schema: square, no seed), all started before
 * any finished; a candidate whose every model fails is marked with the reason while the others
 * are recorded and charged; the budget refuses a batch it cannot pay for.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { ReferenceBatchView } from "../src/references/view.ts";
import { batchSettled, send, signUp } from "../test/helpers.ts";
import { replicate } from "./fakes.ts";

const IMAGEN = "google/imagen-4";
const FLUX = "black-forest-labs/flux-schnell";

beforeEach(async () => {
  await replicate.reset();
});

describe("reference candidates with Replicate", () => {
  it("starts all four predictions before any finishes; one failing leaves three, charged", async () => {
    const { token, user } = await signUp();
    // Candidate 2's prompt fails on every model of the chain; each takes 1.5 s to draw.
    const failing = "variation 2 of 4";
    await replicate.script({
      [IMAGEN]: { succeedAfterMs: 1500, failPromptsContaining: failing },
      [FLUX]: { succeedAfterMs: 300, failPromptsContaining: failing },
    });
    const res = await send(token, "POST", "/api/references", {
      description: "a matte black insulated water bottle",
      kind: "product",
      count: 4,
      style: "minimal studio",
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as ReferenceBatchView;
    const batch = await batchSettled(token, id);

    const predictions = (await replicate.stats()).predictions;
    const imagen = predictions.filter((p) => p.model === IMAGEN) as unknown as {
      input: Record<string, unknown>;
      created_at: string;
      completed_at?: string;
    }[];
    // 4 candidates + 1 retry of the failing one on imagen, then 2 tries on flux.
    expect(imagen).toHaveLength(5);
    const firstFour = [...imagen].sort((a, b) => a.created_at.localeCompare(b.created_at)).slice(0, 4);
    const lastStart = Math.max(...firstFour.map((p) => Date.parse(p.created_at)));
    const firstEnd = Math.min(...firstFour.map((p) => Date.parse(p.completed_at!)));
    expect(lastStart).toBeLessThan(firstEnd);
    for (const p of imagen) {
      // imagen-4's own input: no seed, no num_outputs (the fake answers 422 to either).
      expect(Object.keys(p.input).sort()).toEqual([
        "aspect_ratio",
        "output_format",
        "prompt",
        "safety_filter_level",
      ]);
      expect(p.input).toMatchObject({ aspect_ratio: "1:1", output_format: "jpg" });
      expect(String(p.input.prompt)).toMatch(
        /^Product reference photo of a matte black insulated water bottle/,
      );
      expect(String(p.input.prompt)).toContain("minimal studio style");
    }
    expect(predictions.filter((p) => p.model === FLUX)).toHaveLength(2);

    expect(batch.status).toBe("completed");
    const ready = batch.candidates.filter((c) => c.status === "ready");
    expect(ready.map((c) => c.index)).toEqual([0, 2, 3]);
    const failed = batch.candidates[1]!;
    expect(failed.status).toBe("failed");
    expect(failed.asset).toBeNull();
    expect(failed.error).toMatch(
      /Every image model failed: google\/imagen-4: prediction failed: CUDA out of memory/,
    );
    for (const c of ready) {
      expect(c).toMatchObject({ model: IMAGEN, cost: 0.04 });
      expect(c.asset).toMatchObject({
        kind: "reference",
        width: 1024,
        height: 1024,
        content_type: "image/jpeg",
      });
    }
    expect(batch.cost).toBeCloseTo(0.12, 9);
    const rows = await env.DB.prepare("SELECT cost FROM assets WHERE user_id = ? AND kind = 'reference'")
      .bind(user.id)
      .all<{ cost: number }>();
    expect(rows.results.map((r) => r.cost)).toEqual([0.04, 0.04, 0.04]);
    const me = await env.DB.prepare("SELECT total_cost, month_spend_usd FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ total_cost: number; month_spend_usd: number }>();
    expect(me!.total_cost).toBeCloseTo(0.12, 9);
    expect(me!.month_spend_usd).toBeCloseTo(0.12, 9);
  });

  it("refuses a batch the monthly budget cannot pay for, before any prediction", async () => {
    const { token } = await signUp();
    expect((await send(token, "PUT", "/api/me/budget", { monthly_usd: 0.1 })).status).toBe(200);
    const res = await send(token, "POST", "/api/references", {
      description: "a ceramic mug",
      kind: "product",
    });
    expect(res.status).toBe(402);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /4 reference images is estimated at \$0\.16, but only \$0\.10 of your monthly budget is left/,
    );
    expect((await replicate.stats()).createsReceived).toBe(0);
  });
});
