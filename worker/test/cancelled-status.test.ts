/**
 * `cancelled` is a status of its own (issue 16): a cancel ends a generation `cancelled`, its error
 * still "Cancelled by user"; its unit of the hourly limit comes back when nothing was spent, and
 * only once; the library filters on it; a comparison cancelled whole ends with every variation
 * cancelled. (A cancel after a clip was billed keeps its unit: cancel-race.test.ts.)
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { coordinator, startGroup } from "../src/groups/coordinator-client.ts";
import { syncToD1 } from "../src/groups/d1-sync.ts";
import type { GroupCoordinator } from "../src/groups/group-coordinator.ts";
import type { GenerationState } from "../src/groups/state.ts";
import { createLogger } from "../src/lib/log.ts";
import { createGenerations } from "../src/pipeline/create.ts";
import { DEFAULT_SETTINGS } from "../src/pipeline/settings.ts";
import { createOfflineImageProvider } from "../src/providers/offline-image.ts";
import { createOfflinePlanner } from "../src/providers/offline-planner.ts";
import { createOfflineVideoProvider } from "../src/providers/offline-video.ts";
import type { GenerationView } from "../src/views/generation.ts";
import { gate, scriptedLlm, scriptedVideo } from "./fakes/scripted-providers.ts";
import { call, cancelAllRunning, postJson, signUp } from "./helpers.ts";
import { auth, status } from "./pipeline-helpers.ts";
import { follow, ORIGIN } from "./scripted-group.ts";

afterEach(cancelAllRunning);

/**
 * A group of one generation per prompt whose LLM answers only once `release()` is called: until
 * then nothing has been spent (no tokens priced, no clip or keyframe asked for).
 */
async function startHeldAtEnhance(userId: string, prompts: string[]) {
  const held = gate();
  const planner = createOfflinePlanner();
  const llm = scriptedLlm(async (request) => {
    await held.wait(0, new AbortController().signal);
    return (await planner.generateSpec(request)).spec;
  });
  const single = prompts.length === 1;
  const items = prompts.map((prompt, i) => ({
    prompt,
    settings: DEFAULT_SETTINGS,
    label: single ? null : `Prompt ${i + 1}`,
  }));
  const created = await createGenerations(env, {
    userId,
    comparisonType: single ? "single" : "prompt",
    items,
  });
  await runInDurableObject(coordinator(env, created.groupId), (instance: GroupCoordinator) => {
    instance.providers = {
      llm,
      video: scriptedVideo(createOfflineVideoProvider(env)),
      image: createOfflineImageProvider(env),
    };
  });
  await startGroup(env, createLogger({ test: "cancelled-status" }), {
    userId,
    origin: ORIGIN,
    items,
    created,
  });
  return { ...created, llm, release: held.release };
}

/** Units of the hourly limit the user holds (every claim, whatever its age). */
async function units(userId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(SUM(units), 0) AS n FROM usage_events WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const cancel = (token: string, id: string) =>
  call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });

async function row(id: string) {
  return env.DB.prepare("SELECT status, error, cancellation_requested FROM generations WHERE id = ?")
    .bind(id)
    .first<{ status: string; error: string | null; cancellation_requested: number }>();
}

async function listed(token: string, filter: string): Promise<GenerationView[]> {
  const res = await call(`/api/generations?status=${filter}`, { headers: auth(token) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { generations: GenerationView[] }).generations;
}

describe("cancelled, a status of its own", () => {
  it("a cancel before anything was spent ends cancelled and gives the unit back, once", async () => {
    const { token, user } = await signUp();
    // Nine units used this hour already: the held generation takes the tenth, the last one.
    await env.DB.prepare(
      "INSERT INTO usage_events (user_id, group_id, units, created_at) VALUES (?, ?, 9, ?)",
    )
      .bind(user.id, crypto.randomUUID(), Date.now())
      .run();
    const run = await startHeldAtEnhance(user.id, ["Beeswax candles for long winter evenings"]);
    const id = run.generationIds[0]!;
    const live = await follow(token, run.groupId);
    await live.until(id, (v) => v.progress >= 10);
    expect(await units(user.id)).toBe(10);
    expect((await postJson("/api/generate", { prompt: "One ad over the limit" }, token)).status).toBe(429);

    // Twice at once, as a double click sends it: both accepted while it stops.
    const twice = await Promise.all([cancel(token, id), cancel(token, id)]);
    expect(twice.map((r) => r.status)).toEqual([202, 202]);
    run.release();
    const final = await live.until(id, (v) => v.status === "cancelled");
    live.close();
    // The seed contract's message stays; the code says what it is.
    expect(final).toMatchObject({
      status: "cancelled",
      error: "Cancelled by user",
      error_code: "cancelled",
      current_step: "Cancelled",
      cost: 0,
      video_url: null,
    });
    expect(await status(token, id)).toEqual(final);
    expect(await row(id)).toEqual({
      status: "cancelled",
      error: "Cancelled by user",
      cancellation_requested: 1,
    });
    // Ended: a third cancel is a conflict, and the unit came back exactly once.
    expect((await cancel(token, id)).status).toBe(409);
    expect(await units(user.id)).toBe(9);
    // The same final state mirrored again (an alarm that runs twice) gives nothing more back.
    const state = await runInDurableObject(coordinator(env, run.groupId), (_instance, ctx) =>
      ctx.storage.get<GenerationState>(`gen:${id}`),
    );
    expect(state?.status).toBe("cancelled");
    await syncToD1(env, state!);
    expect(await units(user.id)).toBe(9);

    // The library: under Cancelled, not under Failed; an unknown status is refused.
    expect((await listed(token, "cancelled")).map((g) => [g.generation_id, g.status])).toEqual([
      [id, "cancelled"],
    ]);
    expect((await listed(token, "failed")).map((g) => g.generation_id)).not.toContain(id);
    expect((await call("/api/generations?status=stopped", { headers: auth(token) })).status).toBe(400);

    // Back under the limit: exactly one more generation fits.
    expect((await postJson("/api/generate", { prompt: "The ad after the cancel" }, token)).status).toBe(202);
    expect((await postJson("/api/generate", { prompt: "And not a second one" }, token)).status).toBe(429);
  }, 180_000);

  it("a comparison cancelled whole ends with every variation cancelled and every unit back", async () => {
    const { token, user } = await signUp();
    const run = await startHeldAtEnhance(user.id, [
      "Wool socks for cold offices",
      "Wool socks for mountain huts",
    ]);
    const live = await follow(token, run.groupId);
    for (const id of run.generationIds) await live.until(id, (v) => v.progress >= 10);
    expect(await units(user.id)).toBe(2);
    for (const id of run.generationIds) expect((await cancel(token, id)).status).toBe(202);
    run.release();
    for (const id of run.generationIds) await live.until(id, (v) => v.status === "cancelled");
    live.close();

    const res = await call(`/api/comparisons/${run.groupId}`, { headers: auth(token) });
    expect(res.status).toBe(200);
    const comparison = (await res.json()) as {
      variations: GenerationView[];
      total_cost: number;
      winner_generation_id: string | null;
    };
    expect(comparison.variations.map((v) => [v.status, v.error_code, v.error])).toEqual([
      ["cancelled", "cancelled", "Cancelled by user"],
      ["cancelled", "cancelled", "Cancelled by user"],
    ]);
    expect(comparison).toMatchObject({ total_cost: 0, winner_generation_id: null });
    // Nothing was made, so nothing can win.
    const winner = await call(`/api/comparisons/${run.groupId}/winner`, {
      method: "PUT",
      headers: { ...auth(token), "Content-Type": "application/json" },
      body: JSON.stringify({ generation_id: run.generationIds[0] }),
    });
    expect(winner.status).toBe(409);
    // Both units back, from the one claim of the group, which stops at zero.
    const claims = await env.DB.prepare("SELECT units FROM usage_events WHERE group_id = ?")
      .bind(run.groupId)
      .all<{ units: number }>();
    expect(claims.results).toEqual([{ units: 0 }]);
    expect(await units(user.id)).toBe(0);
  }, 180_000);
});
