/**
 * The one read model: REST (built from the D1 row) and live (built from the coordinator's
 * state) show the same generation identically while it runs, once it completed, and once it
 * was cancelled. The group runs on injected in-memory providers, which also shows the seam:
 * the stages use what the coordinator was given, not what env would pick.
 */
import { env } from "cloudflare:test";
import { QC_CHECKS } from "@promptreel/render-container/contract";
import { describe, expect, it } from "vitest";
import { coordinator, startGroup } from "../src/groups/coordinator-client.ts";
import { createLogger } from "../src/lib/log.ts";
import { type GenerationView, GenerationViewSchema } from "../src/views/generation.ts";
import { call, signUp } from "./helpers.ts";
import { auth } from "./pipeline-helpers.ts";
import { follow, ORIGIN, startScripted } from "./scripted-group.ts";

async function restViews(token: string, id: string) {
  const status = await call(`/api/status/${id}`, { headers: auth(token) });
  const details = await call(`/api/generations/${id}`, { headers: auth(token) });
  expect(status.status).toBe(200);
  expect(details.status).toBe(200);
  return {
    status: (await status.json()) as GenerationView,
    details: (await details.json()) as GenerationView,
  };
}

/** REST and live agree, and the shape is the schema's (nothing missing, nothing extra). */
async function expectSameView(token: string, live: GenerationView) {
  const rest = await restViews(token, live.generation_id);
  expect(rest.status).toEqual(live);
  expect(rest.details).toEqual(live);
  expect(GenerationViewSchema.strict().parse(live)).toEqual(live);
  const [snapshot] = await coordinator(env, live.group_id).snapshot();
  expect(snapshot).toEqual(live);
}

describe("one generation read model", () => {
  it("REST and live views are equal while running, once completed, and once cancelled", async () => {
    const { token, user } = await signUp();
    const log = createLogger({ test: "read-model" });

    const run = await startScripted(user.id, "Cold brew coffee in a can for busy students");
    const id = run.created.generationIds[0]!;
    await startGroup(env, log, { userId: user.id, origin: ORIGIN, items: run.items, created: run.created });
    // A snapshot on connect, then every change: nothing before the connection is missed.
    const live = await follow(token, run.created.groupId);

    // Running: clips held at the gate, three of them rendering (the stage's concurrency).
    const running = await live.until(
      id,
      (v) => v.scenes.filter((s) => s.status === "rendering").length === 3,
    );
    expect(running).toMatchObject({ status: "processing", progress: 30, error_code: null, video_url: null });
    expect(running.spec).toMatchObject({ brand: "Scripted Co", product: expect.any(String) });
    expect(running.scenes[0]).toMatchObject({ index: 0, visual_prompt: expect.any(String), clip_url: null });
    await expectSameView(token, running);
    // The stages used the injected providers, once each per scene.
    expect(run.llm.calls.map((c) => c.method)).toEqual(["generateSpec"]);
    expect(run.hold.entered.sort()).toEqual([0, 1, 2]);

    // Completed: signed links included.
    run.hold.release();
    const completed = await live.until(id, (v) => v.status === "completed");
    expect(completed.video_url).toMatch(/\/media\/renders\//);
    expect(completed.scenes.every((s) => s.status === "ready" && s.clip_url)).toBe(true);
    // Each scene has a poster, a JPEG served through a signed link: once the ad is finished, the
    // scene's representative frame in it (while running, the clip's own middle frame).
    for (const [i, scene] of completed.scenes.entries()) {
      expect(scene.poster_url).toMatch(new RegExp(`/media/renders/${id}/scene-${i}\\.jpg\\?exp=`));
      const poster = await call(new URL(scene.poster_url!).pathname + new URL(scene.poster_url!).search);
      expect(poster.headers.get("content-type")).toBe("image/jpeg");
      expect(new Uint8Array(await poster.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    }
    // The QC report, measured on the finished file by the render container, with every check.
    expect(completed.qc?.checks.map((c) => c.check).sort()).toEqual([...QC_CHECKS].sort());
    expect(completed.versions[0]?.qc).toEqual(completed.qc);
    expect(completed.generation_time_s).toBeGreaterThan(0);
    expect(run.video.calls.map((c) => c.scene.index).sort()).toEqual(completed.scenes.map((s) => s.index));
    await expectSameView(token, completed);
    live.close();

    // Cancelled: a code, not only a message.
    const second = await startScripted(user.id, "Luxury watch ad for Instagram");
    const secondId = second.created.generationIds[0]!;
    await startGroup(env, log, {
      userId: user.id,
      origin: ORIGIN,
      items: second.items,
      created: second.created,
    });
    const secondLive = await follow(token, second.created.groupId);
    await secondLive.until(secondId, (v) => v.scenes.some((s) => s.status === "rendering"));
    const res = await call(`/api/generations/${secondId}/cancel`, { method: "POST", headers: auth(token) });
    expect(res.status).toBe(202);
    const cancelled = await secondLive.until(secondId, (v) => v.status === "cancelled");
    expect(cancelled).toMatchObject({ error_code: "cancelled", error: "Cancelled by user", video_url: null });
    await expectSameView(token, cancelled);
    secondLive.close();
  }, 300_000);
});
