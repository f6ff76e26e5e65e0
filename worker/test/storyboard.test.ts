/**
 * Storyboard workflow on real D1, R2 and Durable Objects with the offline planner and renderer:
 * it stops at keyframes, every edit answers the whole view and redraws only what changed, the
 * validation errors name their field, and approval starts one render however often it is sent.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { GenerationView } from "../src/views/generation.ts";
import { call, cancelAllRunning, send, signUp } from "./helpers.ts";
import { generate, isMp4, magic, waitFor } from "./pipeline-helpers.ts";
import { follow, runScripted } from "./scripted-group.ts";

afterEach(cancelAllRunning);

/** The storyboard once it rests in review (keyframes all drawn). */
const reviewed = (token: string, id: string) =>
  waitFor(
    token,
    id,
    (s) => s.status === "storyboard" && s.current_step === "Storyboard ready for review",
    120_000,
  ).then((r) => r.final);

async function fieldOf(res: Response): Promise<string[]> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as {
    error: { code: string; details?: { fields?: Record<string, string[]> } };
  };
  expect(body.error.code).toBe("validation_failed");
  return Object.keys(body.error.details?.fields ?? {});
}

describe("storyboard review", () => {
  it("stops at keyframes, edits redraw only what changed, and every refusal is clear", async () => {
    const { token } = await signUp();
    const { generation_id: id } = await generate(token, "Cold brew coffee in a can for busy students", {
      workflow: "storyboard",
    });
    const board = await reviewed(token, id);
    expect(board).toMatchObject({ progress: 30, num_scenes: 4, revision: 0, video_url: null });
    expect(board.refinements).toEqual({ used: 0, limit: 5 });
    expect(board.scenes.every((s) => s.status === "pending" && s.clip_url === null)).toBe(true);
    for (const scene of board.scenes) {
      expect(scene.keyframe_url).toMatch(/\/media\/clips\/.+\/keyframe-[0-9a-f]{16}\.jpg\?exp=/);
      const jpeg = await call(new URL(scene.keyframe_url!).pathname + new URL(scene.keyframe_url!).search);
      expect(new Uint8Array(await jpeg.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    }
    // No video is made (or paid for) before approval.
    expect(
      (await env.MEDIA.list({ prefix: `clips/${id}/` })).objects.every((o) => o.key.endsWith(".jpg")),
    ).toBe(true);
    const estimate = await send(token, "GET", `/api/generations/${id}/approval`);
    expect(await estimate.json()).toMatchObject({ currency: "USD", total: 0, clips: expect.any(Array) });

    // A text edit: the whole view back; the keyframe stays (compose draws the text, not the clip).
    const urls = (v: GenerationView) => v.scenes.map((s) => new URL(s.keyframe_url!).pathname);
    const edited = await send(token, "PATCH", `/api/generations/${id}/scenes/1`, {
      overlay_text: "Brewed for 8 a.m.",
    });
    expect(edited.status).toBe(200);
    const afterEdit = (await edited.json()) as GenerationView;
    expect(afterEdit.scenes[1]).toMatchObject({ overlay_text: "Brewed for 8 a.m." });
    expect(afterEdit.revision).toBe(1);
    expect(urls(afterEdit)).toEqual(urls(board));
    // A new shot: only that scene's keyframe is redrawn.
    const reshot = (await (
      await send(token, "PATCH", `/api/generations/${id}/scenes/1`, {
        visual_prompt: "a student sprinting for the bus at dawn, can in hand",
      })
    ).json()) as GenerationView;
    expect(reshot).toMatchObject({ revision: 2, scenes: expect.any(Array) });
    expect(reshot.scenes[1]?.keyframe_url).toBeNull();
    const redrawn = await reviewed(token, id);
    expect(urls(redrawn)[0]).toBe(urls(board)[0]);
    expect(urls(redrawn)[1]).not.toBe(urls(board)[1]);

    // Scene 3 first: keyframes travel with their scenes, nothing is redrawn.
    const moved = (await (
      await send(token, "POST", `/api/generations/${id}/reorder`, { order: [2, 0, 1, 3] })
    ).json()) as GenerationView;
    expect(moved.scenes.map((s) => s.overlay_text)).toEqual(
      [2, 0, 1, 3].map((i) => redrawn.scenes[i]!.overlay_text),
    );
    expect(urls(moved)).toEqual([2, 0, 1, 3].map((i) => urls(redrawn)[i]));

    // Validation: each refusal names its field, and nothing changes.
    expect(await fieldOf(await send(token, "PATCH", `/api/generations/${id}/scenes/3`, {}))).toEqual(["_"]);
    expect(
      await fieldOf(await send(token, "PATCH", `/api/generations/${id}/scenes/0`, { duration_s: 12 })),
    ).toEqual(["duration_s"]);
    expect(
      await fieldOf(await send(token, "POST", `/api/generations/${id}/reorder`, { order: [0, 0, 1, 2] })),
    ).toEqual(["order"]);
    expect(
      await fieldOf(await send(token, "PATCH", `/api/generations/${id}/scenes/9`, { overlay_text: "x" })),
    ).toEqual(["index"]);
    const stale = await send(token, "PATCH", `/api/generations/${id}/scenes/0`, {
      overlay_text: "Old",
      revision: 1,
    });
    expect(stale.status).toBe(409);

    // Add to five, a sixth is refused; remove back to three, a fourth removal is refused.
    const scene = {
      type: "interest",
      overlay_text: "Two shots, zero crash",
      visual_prompt: "a can on a desk",
    };
    expect((await send(token, "POST", `/api/generations/${id}/scenes`, { at: 1, ...scene })).status).toBe(
      200,
    );
    expect(
      await fieldOf(await send(token, "POST", `/api/generations/${id}/scenes`, { at: 0, ...scene })),
    ).toEqual(["scenes"]);
    // A removal made on an old revision is stale too (DELETE carries it in the query).
    expect((await send(token, "DELETE", `/api/generations/${id}/scenes/1?revision=0`)).status).toBe(409);
    for (const _ of [1, 2])
      expect((await send(token, "DELETE", `/api/generations/${id}/scenes/1`)).status).toBe(200);
    expect(await fieldOf(await send(token, "DELETE", `/api/generations/${id}/scenes/0`))).toEqual(["scenes"]);

    // Five refinements, then 409; the count is in the view.
    for (const instruction of [
      "shorter text",
      "make it about the morning rush",
      "4 seconds",
      "energetic",
      "bold",
    ]) {
      const res = await send(token, "POST", `/api/generations/${id}/scenes/0/refine`, { instruction });
      expect(res.status).toBe(200);
    }
    const sixth = await send(token, "POST", `/api/generations/${id}/scenes/0/refine`, {
      instruction: "calm",
    });
    expect(sixth.status).toBe(409);
    expect(((await sixth.json()) as { error: { message: string } }).error.message).toMatch(/5 refinements/);
    const final = await reviewed(token, id);
    expect(final.refinements.used).toBe(5);
    expect(final.scenes[0]).toMatchObject({ overlay_text: "The morning rush", duration_s: 4 });
    expect(final.scenes.reduce((sum, s) => sum + s.duration_s, 0)).toBeCloseTo(15, 6);
  }, 300_000);

  it("approving twice starts one render, which follows the storyboard", async () => {
    const { token, user } = await signUp();
    const run = await runScripted(user.id, "Trail running shoes for muddy weekends", {
      workflow: "storyboard",
    });
    const id = run.id;
    const board = await reviewed(token, id);
    expect(run.video.calls).toHaveLength(0);
    await send(token, "POST", `/api/generations/${id}/reorder`, { order: [3, 0, 1, 2] });
    const [a, b] = await Promise.all([
      send(token, "POST", `/api/generations/${id}/approve`),
      send(token, "POST", `/api/generations/${id}/approve`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    const live = await follow(token, run.created.groupId);
    const done = await live.until(id, (v) => v.status === "completed" || v.status === "failed");
    live.close();
    expect(done.status).toBe("completed");
    // One clip per scene, in the storyboard's order, and nothing more.
    expect(run.video.calls.map((c) => c.scene.overlay.text).sort()).toEqual(
      board.scenes.map((s) => s.overlay_text).sort(),
    );
    expect(done.scenes.map((s) => s.overlay_text)).toEqual(
      [3, 0, 1, 2].map((i) => board.scenes[i]!.overlay_text),
    );
    expect(isMp4(await magic(`renders/${id}/video.mp4`))).toBe(true);
    // A third approval after the render is still answered, and starts nothing.
    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(200);
    expect(run.video.calls).toHaveLength(4);
  }, 300_000);
});
