/**
 * The watchdog (groups/watchdog.ts) and the sweep (groups/sweep.ts): a stage that stops saving is
 * run again once and then fails with the reason; a run lost with its coordinator's memory is
 * taken up again; a row its coordinator does not hold is failed by the sweep; and a group that
 * ended keeps no journals or shared results in its storage.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { coordinator, startGroup } from "../src/groups/coordinator-client.ts";
import type { GroupCoordinator } from "../src/groups/group-coordinator.ts";
import type { GenerationState } from "../src/groups/state.ts";
import { LOST_ERROR, sweepOpenGenerations } from "../src/groups/sweep.ts";
import { createLogger } from "../src/lib/log.ts";
import { gate } from "./fakes/scripted-providers.ts";
import { call, signUp } from "./helpers.ts";
import { auth, finished, mediaKeys, type Status, status, waitFor } from "./pipeline-helpers.ts";
import { ORIGIN, runScripted, startScripted } from "./scripted-group.ts";

const log = createLogger({ test: "watchdog" });

/** Square three-scene ads: the runs that complete here stay short. */
const SMALL = { aspect_ratio: "1:1" } as const;

/** Starts a scripted group whose clips are held until released (never, here). */
async function heldGroup(userId: string, prompt: string, stallAfterMs: number) {
  const run = await startScripted(userId, prompt, gate(), SMALL, 3);
  await runInDurableObject(coordinator(env, run.created.groupId), (instance: GroupCoordinator) => {
    instance.stallAfterMs = stallAfterMs;
  });
  await startGroup(env, log, { userId, origin: ORIGIN, items: run.items, created: run.created });
  return { ...run, id: run.created.generationIds[0]!, groupId: run.created.groupId };
}

/** Reads generation `id`'s stored state, and the storage keys under `prefixes`. */
const stored = (groupId: string, id: string, prefixes: string[] = []) =>
  runInDurableObject(coordinator(env, groupId), async (_instance, state) => ({
    s: (await state.storage.get<GenerationState>(`gen:${id}`))!,
    keys: (
      await Promise.all(prefixes.map(async (prefix) => [...(await state.storage.list({ prefix })).keys()]))
    ).flat(),
  }));

/**
 * Once the held run's clips are under way: its last save set a day back (plus `extra`), then its
 * coordinator reset (evicted), so whoever runs it next finds the run lost.
 */
async function loseRun(token: string, run: { id: string; groupId: string }, extra: Partial<GenerationState>) {
  await waitFor(token, run.id, (s) => s.scenes.some((c) => c.status === "rendering"), 60_000);
  await runInDurableObject(coordinator(env, run.groupId), async (_instance, state) => {
    const s = (await state.storage.get<GenerationState>(`gen:${run.id}`))!;
    await state.storage.put(`gen:${run.id}`, { ...s, progressAt: Date.now() - 86_400_000, ...extra });
  });
  await runInDurableObject(coordinator(env, run.groupId), (_instance, state) =>
    state.abort("watchdog test: evicted"),
  ).catch(() => undefined);
}

describe("watchdog", () => {
  it("a stage that stops saving runs again once, then the generation fails with the reason", async () => {
    const { token, user } = await signUp();
    const run = await heldGroup(user.id, "Insulated steel bottle for long hikes", 1500);
    const { final } = await waitFor(token, run.id, finished, 60_000);
    expect(final).toMatchObject({ status: "failed" });
    expect(final.error).toMatch(/^No progress in the clips step for 2 s, after running it again once/);
    // Two runs of the held stage reached the clip provider, the same scenes each time: the first
    // run, and the re-armed one.
    const entered = run.hold.entered;
    expect(entered.length).toBeGreaterThan(0);
    expect(entered.length % 2).toBe(0);
    expect(entered.slice(entered.length / 2)).toEqual(entered.slice(0, entered.length / 2));
    expect((await stored(run.groupId, run.id)).s.watchdogTrips).toBe(2);
    // Nothing it made is left behind.
    expect(await mediaKeys(run.id)).toEqual([]);
  }, 120_000);

  it("a run lost with the coordinator (evicted) is taken up again by the next instance", async () => {
    const { token, user } = await signUp();
    // Long enough that this instance's own timer never fires.
    const run = await heldGroup(user.id, "Bamboo toothbrush four-pack", 600_000);
    await loseRun(token, run, {});
    // The next instance has the environment's providers (offline), which run through.
    const { final } = await waitFor(token, run.id, finished, 120_000);
    expect(final.status).toBe("completed");
    expect((await stored(run.groupId, run.id)).s.watchdogTrips).toBe(1);
  }, 180_000);

  it("a run lost a second time fails with the reason", async () => {
    const { token, user } = await signUp();
    const run = await heldGroup(user.id, "Linen bed sheets in sage green", 600_000);
    await loseRun(token, run, { watchdogTrips: 1 });
    const { final } = await waitFor(token, run.id, finished, 120_000);
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/^No progress in the clips step for 1200 s, after running it again once/);
  }, 180_000);

  it("a group that ended keeps no clip journals or shared results", async () => {
    const { token, user } = await signUp();
    const run = await runScripted(user.id, "Cast iron skillet, pre-seasoned", SMALL, 3);
    expect((await waitFor(token, run.id, finished, 120_000)).final.status).toBe("completed");
    // The prune follows the last save; give it a moment.
    let keys: string[] = [];
    for (let i = 0; i < 50; i++) {
      keys = (await stored(run.created.groupId, run.id, ["journal:", "shared:"])).keys;
      if (!keys.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(keys).toEqual([]);
    // The ad itself is untouched: its state, and its view.
    expect((await status(token, run.id)).status).toBe("completed");
  }, 180_000);
});

describe("a coordinator restarting", () => {
  it("a status poll that finds it failing is answered from the D1 mirror, not a 500", async () => {
    const { token, user } = await signUp();
    const run = await heldGroup(user.id, "Merino wool hiking socks", 600_000);
    const live = await waitFor(token, run.id, (s) => s.scenes.some((c) => c.status === "rendering"), 60_000);
    // As a reset object fails the calls in flight (here the RPC fails: an own property is no RPC method).
    await runInDurableObject(coordinator(env, run.groupId), (instance: GroupCoordinator) => {
      instance.status = () => Promise.reject(new Error("Durable Object reset"));
    });
    const res = await call(`/api/status/${run.id}`, { headers: auth(token) });
    expect(res.status).toBe(200);
    const fromD1 = (await res.json()) as Status;
    // The mirror's view: the same generation, as last saved.
    expect(fromD1).toMatchObject({
      generation_id: run.id,
      status: "processing",
      progress: live.final.progress,
    });
  }, 120_000);
});

describe("sweep of open rows", () => {
  it("fails a row its coordinator does not hold, and leaves a running one alone", async () => {
    const { token, user } = await signUp();
    // Created in D1 but never handed to its coordinator: as if the coordinator's storage were lost.
    const lost = await startScripted(user.id, "Handmade soy candles, cedar scent");
    const lostId = lost.created.generationIds[0]!;
    const running = await heldGroup(user.id, "Wireless earbuds with long battery", 600_000);
    await waitFor(token, running.id, (s) => s.status === "processing", 60_000);

    const report = await sweepOpenGenerations(env, 0, Date.now() + 1000);
    expect(report.lost).toContain(lostId);
    expect(report.lost).not.toContain(running.id);
    const row = await env.DB.prepare("SELECT status, error, completed_at FROM generations WHERE id = ?")
      .bind(lostId)
      .first<{ status: string; error: string; completed_at: number }>();
    expect(row).toMatchObject({ status: "failed", error: LOST_ERROR });
    expect(row!.completed_at).toBeGreaterThan(0);
    expect((await status(token, running.id)).status).toBe("processing");
    // A second sweep finds the failed row closed and changes nothing.
    expect((await sweepOpenGenerations(env, 0, Date.now() + 1000)).lost).not.toContain(lostId);
  }, 120_000);
});
