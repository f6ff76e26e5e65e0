/**
 * A cancel wins over a stage that saves its older copy of the state afterwards: the clip calls
 * are past the point of no return when the user cancels, finish later, and save.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { startGroup } from "../src/groups/coordinator-client.ts";
import { createLogger } from "../src/lib/log.ts";
import { gate } from "./fakes/scripted-providers.ts";
import { call, signUp } from "./helpers.ts";
import { auth, mediaKeys } from "./pipeline-helpers.ts";
import { follow, ORIGIN, runScripted, startScripted } from "./scripted-group.ts";

describe("cancel against a stage's late saves", () => {
  it("ends cancelled, with the flag kept in D1, no media left and the billed clips' unit kept", async () => {
    const { token, user } = await signUp();
    const hold = gate({ ignoreAbort: true });
    const run = await startScripted(user.id, "Trail running shoes for muddy weekends", hold);
    const id = run.created.generationIds[0]!;
    await startGroup(env, createLogger({ test: "cancel-race" }), {
      userId: user.id,
      origin: ORIGIN,
      items: run.items,
      created: run.created,
    });
    const live = await follow(token, run.created.groupId);
    await live.until(id, (v) => v.scenes.filter((s) => s.status === "rendering").length === 3);
    const res = await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
    expect(res.status).toBe(202);
    // The held clips now finish and their scenes save the stage's copy, made before the cancel.
    hold.release();
    const final = await live.until(id, (v) => ["completed", "failed", "cancelled"].includes(v.status));
    live.close();
    expect(final).toMatchObject({ status: "cancelled", error_code: "cancelled", error: "Cancelled by user" });
    const row = await env.DB.prepare("SELECT status, cancellation_requested FROM generations WHERE id = ?")
      .bind(id)
      .first<{ status: string; cancellation_requested: number }>();
    expect(row).toEqual({ status: "cancelled", cancellation_requested: 1 });
    expect(await mediaKeys(id)).toEqual([]);
    // The three clips under way finished (and saved); the fourth scene never started.
    expect(run.video.calls).toHaveLength(3);
    // Clips were billed (seconds of video, though the offline model's price is 0): the unit stays.
    const usage = await env.DB.prepare("SELECT units FROM usage_events WHERE group_id = ?")
      .bind(run.created.groupId)
      .all<{ units: number }>();
    expect(usage.results).toEqual([{ units: 1 }]);
  }, 300_000);

  it("stays cancelled when every clip under way finishes and the stage itself completes", async () => {
    const { token, user } = await signUp();
    const hold = gate({ ignoreAbort: true });
    // Three scenes, all under way at once: nothing is left to notice the abort, so the clips
    // stage completes normally and saves its copy of the state, made before the cancel.
    const run = await startScripted(user.id, "Ceramic pour-over kettle for slow mornings", hold, {}, 3);
    const id = run.created.generationIds[0]!;
    await startGroup(env, createLogger({ test: "cancel-race" }), {
      userId: user.id,
      origin: ORIGIN,
      items: run.items,
      created: run.created,
    });
    const live = await follow(token, run.created.groupId);
    await live.until(id, (v) => v.scenes.length === 3 && v.scenes.every((s) => s.status === "rendering"));
    const res = await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
    expect(res.status).toBe(202);
    hold.release();
    const final = await live.until(id, (v) => ["completed", "failed", "cancelled"].includes(v.status));
    live.close();
    expect(final).toMatchObject({ status: "cancelled", error_code: "cancelled", video_url: null });
    expect(run.video.calls).toHaveLength(3);
    expect(await mediaKeys(id)).toEqual([]);
  }, 300_000);

  it("answers 409 when the coordinator has already finished it, though its D1 row still says processing", async () => {
    const { token, user } = await signUp();
    const run = await runScripted(user.id, "Linen napkins for long summer dinners", {}, 3);
    const id = run.id;
    const live = await follow(token, run.created.groupId);
    await live.until(id, (v) => v.status === "completed");
    live.close();
    // The moment of the race: the coordinator has completed, its mirror in D1 is a save behind.
    await env.DB.prepare("UPDATE generations SET status = 'processing', progress = 95 WHERE id = ?")
      .bind(id)
      .run();
    const res = await call(`/api/generations/${id}/cancel`, { method: "POST", headers: auth(token) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/already completed/);
    // Nothing claims a cancel that did not happen: the flag stays down, the ad and its media stay.
    const row = await env.DB.prepare("SELECT cancellation_requested FROM generations WHERE id = ?")
      .bind(id)
      .first<{ cancellation_requested: number }>();
    expect(row?.cancellation_requested).toBe(0);
    const status = await call(`/api/status/${id}`, { headers: auth(token) });
    expect(await status.json()).toMatchObject({ status: "completed", error_code: null });
    expect(await mediaKeys(id)).not.toEqual([]);
  }, 300_000);
});
