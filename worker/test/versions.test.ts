/**
 * Re-rendering a finished ad, on real D1, R2 and Durable Objects with the offline renderer
 * behind a recording provider: an edit opens the next version as a storyboard, approval renders
 * only the clips whose identity changed (counted at the provider), every version stays
 * downloadable, a re-render counts once toward the hourly limit, and cancelling a draft, even
 * mid-render, gives the ad back at its latest version with the draft's media gone.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { coordinator } from "../src/groups/coordinator-client.ts";
import type { GroupCoordinator } from "../src/groups/group-coordinator.ts";
import { createOfflineVideoProvider } from "../src/providers/offline-video.ts";
import type { GenerationView } from "../src/views/generation.ts";
import { gate, scriptedVideo } from "./fakes/scripted-providers.ts";
import { cancelAllRunning, send, signUp } from "./helpers.ts";
import { isMp4, magic, mediaKeys, waitFor, waitForVersion } from "./pipeline-helpers.ts";
import { runScripted } from "./scripted-group.ts";

afterEach(cancelAllRunning);

const json = async (res: Response) => (await res.json()) as GenerationView;
const keyOf = (url: string | null) => decodeURIComponent(new URL(url!).pathname.replace(/^\/media\//, ""));
const usageUnits = async (userId: string) =>
  (
    await env.DB.prepare("SELECT COALESCE(SUM(units), 0) AS n FROM usage_events WHERE user_id = ?")
      .bind(userId)
      .first<{ n: number }>()
  )?.n;

describe("versions of a finished ad", () => {
  it("re-renders only the clips whose identity changed, keeps every version and counts each re-render once", async () => {
    const { token, user } = await signUp();
    // Square and three scenes: the same rules on less video to render.
    const run = await runScripted(
      user.id,
      "Cold brew coffee in a can for busy students",
      { aspect_ratio: "1:1" },
      3,
    );
    const id = run.id;
    const v1 = await waitForVersion(token, id, 1);
    expect(v1).toMatchObject({ status: "completed", version: 1, versions: [{ version: 1, new_clips: 3 }] });
    expect(run.video.calls).toHaveLength(3);

    // Only scene 2's text: the finished ad opens version 2 as a storyboard keyframed from its own clips.
    const opened = await send(token, "PATCH", `/api/generations/${id}/scenes/1`, {
      overlay_text: "Cold. Fast. Yours.",
    });
    expect(opened.status).toBe(200);
    const draft = await json(opened);
    expect(draft).toMatchObject({ status: "storyboard", version: 2, versions: [{ version: 1 }] });
    expect(keyOf(draft.video_url)).toBe(keyOf(v1.video_url));
    // Keyframes are the clips' own middle frames (no overlay: the render draws it), not the
    // finished ad's scene posters.
    expect(draft.scenes.map((s) => s.keyframe_url && keyOf(s.keyframe_url))).toEqual(
      v1.scenes.map(() => expect.stringMatching(new RegExp(`^clips/${id}/clip-[0-9a-f]{16}\\.jpg$`))),
    );
    expect(v1.scenes.map((s) => keyOf(s.poster_url))).toEqual(
      v1.scenes.map((_, i) => `renders/${id}/scene-${i}.jpg`),
    );
    const quote = (await (await send(token, "GET", `/api/generations/${id}/approval`)).json()) as {
      clips: { reused: boolean }[];
      total: number;
    };
    expect(quote.clips.map((c) => c.reused)).toEqual([true, true, true]);
    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(202);
    const v2 = await waitForVersion(token, id, 2);
    expect(v2.status).toBe("completed");
    expect(run.video.calls).toHaveLength(3);
    expect(v2.versions.map((v) => [v.version, v.new_clips])).toEqual([
      [1, 3],
      [2, 0],
    ]);
    expect(v2.scenes[1]?.overlay_text).toBe("Cold. Fast. Yours.");
    expect(keyOf(v2.video_url)).toBe(`renders/${id}/v2/video.mp4`);
    expect(keyOf(v2.versions[0]!.video_url)).toBe(`renders/${id}/video.mp4`);
    for (const v of v2.versions) expect(isMp4(await magic(keyOf(v.video_url)))).toBe(true);

    // Scene 2's shot: exactly one new clip, for that shot.
    const shot = "a student sprinting for the bus at dawn, can in hand";
    expect(
      (await send(token, "PATCH", `/api/generations/${id}/scenes/1`, { visual_prompt: shot })).status,
    ).toBe(200);
    const quote3 = (await (await send(token, "GET", `/api/generations/${id}/approval`)).json()) as {
      clips: { reused: boolean }[];
    };
    expect(quote3.clips.map((c) => c.reused)).toEqual([true, false, true]);
    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(202);
    const v3 = await waitForVersion(token, id, 3);
    expect(v3.status).toBe("completed");
    expect(run.video.calls).toHaveLength(4);
    expect(run.video.calls[3]?.scene.visual_prompt).toBe(shot);
    expect(v3.versions.map((v) => v.new_clips)).toEqual([3, 0, 1]);
    // The first render and two re-renders count; edits and keyframe redraws do not.
    expect(await usageUnits(user.id)).toBe(3);
    const listed = (await (await send(token, "GET", `/api/generations/${id}/versions`)).json()) as {
      latest: number;
      versions: GenerationView["versions"];
    };
    expect(listed.latest).toBe(3);
    expect(listed.versions).toEqual(v3.versions);
  }, 400_000);

  it("cancelling a draft, while it waits or mid-render, gives back the latest version and deletes only the draft's media", async () => {
    const { token, user } = await signUp();
    const run = await runScripted(
      user.id,
      "Trail running shoes for muddy weekends",
      { aspect_ratio: "1:1" },
      3,
    );
    const id = run.id;
    const v1 = await waitForVersion(token, id, 1);
    const kept = await mediaKeys(id);

    // Opened explicitly (a repeat answers the open draft), a shot changed, then discarded.
    const opened = await send(token, "POST", `/api/generations/${id}/versions`);
    expect(opened.status).toBe(201);
    expect((await json(opened)).version).toBe(2);
    expect((await send(token, "POST", `/api/generations/${id}/versions`)).status).toBe(200);
    await send(token, "PATCH", `/api/generations/${id}/scenes/0`, {
      visual_prompt: "boots in a puddle, slow motion",
    });
    await waitFor(token, id, (s) => s.scenes[0]?.keyframe_url !== null);
    expect((await mediaKeys(id)).length).toBeGreaterThan(kept.length);
    expect((await send(token, "POST", `/api/generations/${id}/cancel`)).status).toBe(202);
    const back = await waitFor(token, id, (s) => s.status === "completed").then((r) => r.final);
    expect(back).toMatchObject({ version: 1, versions: [{ version: 1 }], error: null, error_code: null });
    expect(back.scenes.map((s) => s.visual_prompt)).toEqual(v1.scenes.map((s) => s.visual_prompt));
    expect(await mediaKeys(id)).toEqual(kept);

    // Mid-render: the new clip is held at the provider when the cancel comes, and finishes late.
    const held = gate({ ignoreAbort: true });
    const video = scriptedVideo(createOfflineVideoProvider(env), held);
    await runInDurableObject(coordinator(env, run.created.groupId), (instance: GroupCoordinator) => {
      instance.providers = { ...instance.providers!, video };
    });
    await send(token, "PATCH", `/api/generations/${id}/scenes/2`, {
      visual_prompt: "a finish line in the rain",
    });
    await waitFor(token, id, (s) => s.status === "storyboard" && s.scenes.every((x) => x.keyframe_url));
    expect((await send(token, "POST", `/api/generations/${id}/approve`)).status).toBe(202);
    await waitFor(token, id, () => held.entered.length > 0);
    expect((await send(token, "POST", `/api/generations/${id}/cancel`)).status).toBe(202);
    held.release();
    const restored = await waitFor(token, id, (s) => s.status === "completed").then((r) => r.final);
    // Give the late clip time to land; nothing of it may surface.
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await (await send(token, "GET", `/api/status/${id}`)).json()) as GenerationView;
    expect(after).toEqual(restored);
    expect(after).toMatchObject({ status: "completed", version: 1, versions: [{ version: 1 }] });
    expect(keyOf(after.video_url)).toBe(keyOf(v1.video_url));
    expect(await mediaKeys(id)).toEqual(kept);
    // The first render and the re-render that started count, though it was then discarded.
    expect(await usageUnits(user.id)).toBe(2);
  }, 400_000);
});
