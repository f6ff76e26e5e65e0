/**
 * The fault suite (issue 16): a hung render container. Global setup's control server SIGSTOPs the
 * container process (and its ffmpeg) while a generation's compose job runs: it accepts connections
 * and never answers. Every call to it has a deadline (this project: 20 s of silence for a job,
 * 60 s to stage a file, 5 s for a release), so the compose step gives up three times and the
 * generation fails with the reason, within the sum of those deadlines; nothing of a finished ad is
 * published. The container is resumed afterwards for the files that follow.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { generate } from "../test/pipeline-helpers.ts";
import { openai, replicate } from "../test-providers/fakes.ts";
import { faultTable, follow, PRODUCTS, SETTINGS, users } from "./suite.ts";

const rows = faultTable();

const control = async (path: string) => {
  const res = await fetch(`${inject("controlUrl")}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ timeout_ms: 120_000 }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { frozen: boolean; waited_ms?: number };
};

/**
 * The most the compose step may take against a silent container: per try a stalled job (or a
 * staging that never answers), 20 s each, and a release, 5 s each; the backoffs, 2 s and 4 s; and
 * before each staging try, the pool's health check of the silent instance, 2 s.
 * (The project's RENDER_STALL_MS and RENDER_STAGE_TIMEOUT_MS, vitest.faults.config.ts.)
 */
const DEADLINE_S = 20 + 2 * 20 + 3 * 5 + 2 + 4 + 2 * 2;

describe("fault suite", () => {
  it("a hung render container: the generation fails with the reason within its deadline, nothing published", async () => {
    await Promise.all([replicate.reset(), openai.reset()]);
    const started = Date.now();
    const { token } = (await users(1))[0]!;
    const { generation_id: id } = await generate(token, `${PRODUCTS[2]}, on a hung container`, SETTINGS);
    let frozenAt = 0;
    let final: Awaited<ReturnType<typeof follow>>;
    try {
      const frozen = await control("/renderer/freeze-when-rendering");
      expect(frozen.frozen).toBe(true);
      frozenAt = Date.now();
      final = await follow(token, id, () => false, 300_000);
    } finally {
      await control("/renderer/thaw");
    }
    const endedS = (Date.now() - frozenAt) / 1000;
    const published = await env.MEDIA.list({ prefix: `renders/${id}/` });
    rows.push({
      fault: "render container hung mid-render",
      runs: 1,
      completed: final.status === "completed" ? 1 : 0,
      cancelled: 0,
      failed: final.status === "failed" ? 1 : 0,
      leftovers: published.objects.length,
      duplicates: "-",
      wall_s: Math.round((Date.now() - started) / 1000),
      notes: `failed ${endedS.toFixed(1)} s after the hang (its deadlines add up to ${DEADLINE_S} s): ${final.error}`,
    });
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(
      /^The compose step failed after 3 tries: .*the render container did not answer within 20 s$/,
    );
    // Polled every 100 ms, plus a few seconds for the status to show it.
    expect(endedS).toBeLessThan(DEADLINE_S + 10);
    // No half-made ad: nothing under the generation's renders (its clips stay with its row).
    expect(published.objects.map((o) => o.key)).toEqual([]);
  }, 600_000);
});
