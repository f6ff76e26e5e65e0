/**
 * Deadlines on the Replicate path (issue 16), against the local server that speaks its protocol:
 * a request that never answers is abandoned (a poll is tried again; a create is looked for before
 * it is made again, so it is never paid twice), and a prediction past its deadline is cancelled at
 * Replicate while the next attempt or model takes over.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createReplicateProvider } from "../src/providers/replicate-video.ts";
import type { ClipJournalEntry, ClipRequest } from "../src/providers/types.ts";
import { replicate } from "./fakes.ts";

/** A provider with short deadlines: 300 ms per request, `deadlineMs` per prediction. */
function provider(models: string[], deadlineMs = 60_000) {
  return createReplicateProvider({
    token: env.REPLICATE_API_TOKEN!,
    baseUrl: env.REPLICATE_BASE_URL,
    models,
    pollIntervalMs: 50,
    requestTimeoutMs: 300,
    predictionDeadlineMs: deadlineMs,
  });
}

const request = {
  generationId: "gen-deadlines",
  scene: { index: 0, visual_prompt: "a red scooter in morning light" },
  brand: { name: "Deadline Co" },
  width: 1080,
  height: 1920,
  fps: 24,
  durationS: 3.5,
  referenceImageKey: null,
  targetKey: "clips/gen-deadlines/0.mp4",
} as unknown as ClipRequest;

/** A clip context that keeps the journal and the stored bytes in memory. */
function clipContext() {
  let entry: ClipJournalEntry | undefined;
  const stored: number[] = [];
  return {
    stored,
    journal: () => entry,
    ctx: {
      signal: new AbortController().signal,
      journal: {
        read: async () => entry,
        write: async (e: ClipJournalEntry) => {
          entry = e;
        },
      },
      store: async (body: ReadableStream | ArrayBuffer) => {
        stored.push((body instanceof ArrayBuffer ? body : await new Response(body).arrayBuffer()).byteLength);
      },
      storePoster: async () => {},
      referenceImageUrl: async () => null,
    },
  };
}

const predictionsOf = async (model: string) =>
  (await replicate.stats()).predictions.filter((p) => p.model === model);

describe("Replicate deadlines", () => {
  beforeEach(async () => {
    await replicate.reset();
  });

  it("a create that never answers is found among recent predictions, not paid for twice", async () => {
    const model = "deadline/create-hangs";
    await replicate.script({ [model]: { createDelayMs: 60_000, succeedAfterMs: 200 } });
    const { ctx, stored, journal } = clipContext();
    const started = Date.now();
    const usage = await provider([model]).generateClip(request, ctx);
    // Without a request deadline the create waits the server's full minute.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(usage.model).toBe(model);
    const made = await predictionsOf(model);
    expect(made).toHaveLength(1);
    expect(journal()?.predictionId).toBe(made[0]!.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toBeGreaterThan(1000);
  });

  it("a poll that never answers is abandoned and asked again", async () => {
    const model = "deadline/poll-hangs";
    await replicate.script({ [model]: { hangGets: 2, succeedAfterMs: 200 } });
    const { ctx, stored } = clipContext();
    const usage = await provider([model]).generateClip(request, ctx);
    expect(usage.model).toBe(model);
    const stats = await replicate.stats();
    expect(stats.hung).toBe(2);
    expect(stats.creates[model]).toBe(1);
    expect(stored).toHaveLength(1);
  });

  it("a prediction past its deadline is cancelled at Replicate and the next model takes over", async () => {
    const slow = "deadline/never-finishes";
    const fast = "deadline/finishes";
    await replicate.script({ [slow]: { succeedAfterMs: 600_000 }, [fast]: { succeedAfterMs: 100 } });
    const { ctx, stored } = clipContext();
    const usage = await provider([slow, fast], 800).generateClip(request, ctx);
    expect(usage.model).toBe(fast);
    // Both attempts on the slow model were given up and cancelled; none is left running.
    const slowOnes = await predictionsOf(slow);
    expect(slowOnes.map((p) => p.status)).toEqual(["canceled", "canceled"]);
    expect((await replicate.stats()).cancels).toBe(2);
    expect(stored).toHaveLength(1);
  });

  it("when every model runs past its deadline the clip fails with the reason", async () => {
    const slow = "deadline/always-slow";
    await replicate.script({ [slow]: { succeedAfterMs: 600_000 } });
    const { ctx } = clipContext();
    await expect(provider([slow], 500).generateClip(request, ctx)).rejects.toThrow(
      /Every video model failed: .*did not finish within 0.5 s/,
    );
    expect((await predictionsOf(slow)).every((p) => p.status === "canceled")).toBe(true);
  });
});
