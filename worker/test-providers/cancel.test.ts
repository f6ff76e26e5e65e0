/** Cancel at every stage: the generation ends "Cancelled by user", providers are told, nothing is left in R2. */
import { describe, expect, it } from "vitest";
import { signUp } from "../test/helpers.ts";
import { cancelAndCheck, generate, waitFor } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "./fakes.ts";

describe("cancel", () => {
  it("during enhance", async () => {
    await openai.reset();
    await openai.script({ delayMs: 3000 });
    const { token } = await signUp();
    const { generation_id } = await generate(token, "Premium dog food for picky eaters");
    await waitFor(token, generation_id, (s) => s.progress >= 10);
    const { elapsed } = await cancelAndCheck(token, generation_id);
    expect(elapsed).toBeLessThan(5000);
    await openai.script({});
  });

  it("during clips: in-flight predictions are cancelled at the provider", async () => {
    await replicate.reset();
    await replicate.script({ "minimax/video-01": { succeedAfterMs: 60_000 } });
    const { token } = await signUp();
    const { generation_id } = await generate(token, "Electric scooter for city commutes");
    await waitFor(token, generation_id, (s) => s.progress >= 30);
    for (let i = 0; i < 100 && (await replicate.stats()).creates["minimax/video-01"] === undefined; i++)
      await new Promise((r) => setTimeout(r, 50));
    const { elapsed } = await cancelAndCheck(token, generation_id);
    expect(elapsed).toBeLessThan(5000);
    const stats = await replicate.stats();
    expect(stats.cancels).toBeGreaterThan(0);
    expect(stats.predictions.filter((p) => p.status === "processing" || p.status === "starting")).toEqual([]);
    await replicate.reset();
  });

  it("during compose: the render is stopped and partial outputs removed", async () => {
    await replicate.reset();
    const { token } = await signUp();
    const { generation_id } = await generate(token, "Sparkling water with real fruit");
    await waitFor(token, generation_id, (s) => s.progress >= 80);
    const { elapsed } = await cancelAndCheck(token, generation_id);
    expect(elapsed).toBeLessThan(5000);
  });

  it("refuses to cancel a finished generation with 409", async () => {
    const { token } = await signUp();
    const { generation_id } = await generate(token, "Handmade ceramic mugs");
    await waitFor(token, generation_id, (s) => s.status === "completed" || s.status === "failed");
    const { call } = await import("../test/helpers.ts");
    const res = await call(`/api/generations/${generation_id}/cancel`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(409);
  });
});
