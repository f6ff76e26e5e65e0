/**
 * POST /api/stitch: three of the user's own clips become an ad without the LLM or a video model,
 * composed by the real render container (crossfades, music, loudness) and probed by ffprobe
 * there; it is in the library, costs nothing, and cannot be edited scene by scene. Another
 * user's clip, music or logo is a 404; bad requests are 400 in the API's error shape.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { GenerationView } from "../src/views/generation.ts";
import { call, probeMedia, send, signUp, uploadAsset, x264Options } from "./helpers.ts";
import { finished, waitFor } from "./pipeline-helpers.ts";

const fx = inject("assetFixtures");

describe("stitching the user's own clips", () => {
  it("composes three uploaded clips in the order given, with the texts, as an ad in the library", async () => {
    const { token } = await signUp();
    const [red, lime, blue] = await Promise.all(
      fx.colourClips.map((c) => uploadAsset(token, c, "video/mp4")),
    );
    const res = await send(token, "POST", "/api/stitch", {
      clips: [blue, red, lime],
      overlays: ["Blue first", null],
      title: "Three colours",
      music: "calm",
      grade: "warm",
    });
    expect(res.status).toBe(202);
    const { generation_id: id } = (await res.json()) as { generation_id: string };
    const { final } = await waitFor(token, id, finished);
    expect(final.error).toBeNull();
    expect(final).toMatchObject({
      status: "completed",
      source: "stitch",
      prompt: "Three colours",
      cost: 0,
      num_scenes: 3,
      settings: { aspect_ratio: "9:16", grade: "warm", music_mood: "calm", music: null },
    });
    // Each 2 s clip is on screen for 2 s less the crossfade into the next.
    expect(final.scenes.map((s) => [s.duration_s, s.overlay_text])).toEqual([
      [1.5, "Blue first"],
      [1.5, ""],
      [2, ""],
    ]);
    expect(final.spec).toMatchObject({ product: "Three colours" });
    // The clips are the generation's own copies, in the order asked.
    const { results } = await env.DB.prepare("SELECT scene_clips FROM generations WHERE id = ?")
      .bind(id)
      .all<{ scene_clips: string }>();
    const clips = JSON.parse(results[0]!.scene_clips) as { key: string; identity: string }[];
    expect(clips.map((c) => c.identity)).toEqual([`upload:${blue}`, `upload:${red}`, `upload:${lime}`]);
    expect(clips.map((c) => c.key)).toEqual([0, 1, 2].map((i) => `clips/${id}/own-${i}`));

    const info = await probeMedia(`renders/${id}/video.mp4`);
    expect(info.video).toMatchObject({ codec: "h264", width: 1080, height: 1920 });
    expect(info.audio?.codec).toBe("aac");
    // The user's own footage keeps the product's standard encode (medium: subme 7, 3 reference
    // frames; CRF 20).
    expect(await x264Options(`renders/${id}/video.mp4`)).toMatchObject({
      subme: "7",
      ref: "3",
      bframes: "3",
      analyse: "0x3:0x113",
      crf: "20.0",
    });
    // 3 x 2 s less two 0.5 s crossfades.
    expect(info.duration_s).toBeGreaterThan(4.9);
    expect(info.duration_s).toBeLessThan(5.15);

    const library = (await (await send(token, "GET", "/api/generations")).json()) as {
      generations: GenerationView[];
    };
    expect(library.generations.map((g) => g.generation_id)).toContain(id);
    // Its scenes are the user's clips: no provider can re-make them.
    const edit = await send(token, "POST", `/api/generations/${id}/versions`);
    expect(edit.status).toBe(409);
    expect(((await edit.json()) as { error: { message: string } }).error.message).toMatch(
      /stitching it again/,
    );
    // Deleting an asset used by the ad does not break it.
    expect((await send(token, "DELETE", `/api/assets/${blue}`)).status).toBe(204);
    expect(await env.MEDIA.head(`clips/${id}/own-0`)).not.toBeNull();
  });

  it("answers 404 for another user's clip, music or logo, and 400 for bad requests", async () => {
    const a = await signUp();
    const b = await signUp();
    const [clip1, clip2] = await Promise.all(
      fx.colourClips.slice(0, 2).map((c) => uploadAsset(a.token, c, "video/mp4")),
    );
    const track = await uploadAsset(a.token, fx.wav, "audio/wav");
    const logo = await uploadAsset(a.token, fx.png, "image/png");
    const bClip = await uploadAsset(b.token, fx.colourClips[2]!, "video/mp4");
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM generations").first<{ n: number }>();
    for (const body of [
      { clips: [clip1, clip2] },
      { clips: [bClip, bClip], music: track },
      { clips: [bClip, bClip], logo },
    ]) {
      const r = await send(b.token, "POST", "/api/stitch", body);
      expect(r.status, JSON.stringify(body)).toBe(404);
      expect(await r.json()).toEqual({ error: { code: "not_found", message: "Asset not found" } });
    }
    const bad: [unknown, string][] = [
      [{ clips: [bClip] }, "clips"],
      [{ clips: Array(9).fill(bClip) }, "clips"],
      [{ clips: [bClip, "x"] }, "clips.1"],
      [{ clips: [bClip, bClip], overlays: ["a", "b", "c"] }, "overlays"],
      [{ clips: [bClip, bClip], overlays: ["x".repeat(121)] }, "overlays.0"],
      [{ clips: [bClip, bClip], music: "disco" }, "music"],
      [{ clips: [bClip, bClip], aspect: "4:3" }, "aspect"],
      [{ clips: [bClip, bClip], prompt: "hi" }, ""],
    ];
    for (const [body, field] of bad) {
      const r = await send(b.token, "POST", "/api/stitch", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const error = ((await r.json()) as { error: { code: string; details?: { fields?: object } } }).error;
      expect(error.code).toBe("validation_failed");
      if (field) expect(Object.keys(error.details?.fields ?? {})).toContain(field);
    }
    // An image is not a clip.
    const bImage = await uploadAsset(b.token, fx.png, "image/png");
    const wrongKind = await send(b.token, "POST", "/api/stitch", { clips: [bClip, bImage] });
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as { error: { message: string } }).error.message).toMatch(
      /clips\.1: Asset .* is image, not a video/,
    );
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM generations").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
    expect((await call("/api/stitch", { method: "POST" })).status).toBe(401);
  });
});
