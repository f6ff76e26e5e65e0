/**
 * Exports of a finished ad against the real render container (the ad is a stitch of three colour
 * clips: a real ad, fast to make): a smaller WebM of the same aspect is a transcode of the
 * master, another aspect a re-compose; the same request twice is served from R2 without any
 * render job, a concurrent duplicate makes one; cancel stops the job; downloads are attachments
 * named for the product and counted; another user sees nothing; deleting the ad deletes its
 * exports. Caption files parse as WebVTT (webvtt-parser) with one cue per scene with text.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { WebVTTParser } from "webvtt-parser";
import type { ExportView } from "../src/exports/view.ts";
import { call, probeMedia, renderContainer, send, signUp, uploadAsset } from "./helpers.ts";
import { finished, waitFor } from "./pipeline-helpers.ts";

const fx = inject("assetFixtures");

type Created = ExportView & { cached: boolean };

async function requestExport(token: string, id: string, body: unknown) {
  const res = await send(token, "POST", `/api/generations/${id}/exports`, body);
  return { status: res.status, body: (await res.json()) as Created };
}

async function exportDone(token: string, id: string, exportId: string): Promise<ExportView> {
  for (let i = 0; i < 600; i++) {
    const view = (await (
      await send(token, "GET", `/api/generations/${id}/exports/${exportId}`)
    ).json()) as ExportView;
    if (view.status === "completed" || view.status === "failed") return view;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("export did not finish");
}

const health = async () =>
  (await (await renderContainer("/health")).json()) as {
    queue: { running: number };
    jobs_started: Record<string, number>;
  };
const jobsStarted = async () => Object.values((await health()).jobs_started).reduce((a, b) => a + b, 0);
const path = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

let owner: Awaited<ReturnType<typeof signUp>>;
let adId: string;

beforeAll(async () => {
  owner = await signUp();
  const clips = await Promise.all(fx.colourClips.map((c) => uploadAsset(owner.token, c, "video/mp4")));
  const res = await send(owner.token, "POST", "/api/stitch", {
    clips,
    overlays: ["Café Olé", "Three blends", "Order today"],
    title: "Café Olé: cold brew",
    music: "upbeat",
  });
  adId = ((await res.json()) as { generation_id: string }).generation_id;
  const { final } = await waitFor(owner.token, adId, finished);
  if (final.status !== "completed") throw new Error(`the ad failed: ${final.error}`);
}, 120_000);

describe("exports", () => {
  it("transcodes a 720p WebM of the master, downloads it as a counted attachment, and serves a repeat from R2", async () => {
    const first = await requestExport(owner.token, adId, { format: "webm", quality: 720 });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      format: "webm",
      quality: 720,
      aspect: "9:16",
      version: 1,
      cached: false,
    });
    const done = await exportDone(owner.token, adId, first.body.export_id);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: "completed", progress: 100, downloads: 0 });
    const info = await probeMedia(`exports/${adId}/v1-9x16-720p.webm`);
    expect(info.video).toMatchObject({ codec: "vp9", width: 720, height: 1280 });
    expect(info.audio?.codec).toBe("opus");
    expect(Math.abs(info.duration_s - 5)).toBeLessThan(0.1);
    expect(done.size_bytes).toBeGreaterThan(1000);
    expect(Math.abs(done.duration_s! - 5)).toBeLessThan(0.1);

    // The download: with the bearer token, and by the signed link alone.
    const download = await send(
      owner.token,
      "GET",
      `/api/generations/${adId}/exports/${done.export_id}/download`,
    );
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(
      'attachment; filename="cafe-ole-cold-brew-9x16-720p.webm"',
    );
    expect(download.headers.get("content-type")).toBe("video/webm");
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(bytes.byteLength).toBe(done.size_bytes);
    const byLink = await call(path(done.download_url!));
    expect(byLink.status).toBe(200);
    await byLink.arrayBuffer();
    // Flip the signature's first character (always to a different one).
    const tampered = await call(
      path(done.download_url!).replace(/sig=(.)/, (_, c: string) => `sig=${c === "0" ? "1" : "0"}`),
    );
    expect(tampered.status).toBe(403);
    expect(((await exportDone(owner.token, adId, done.export_id)) as ExportView).downloads).toBe(2);

    // The same request again: the same export, from R2, no render job at all.
    const before = await jobsStarted();
    const again = await requestExport(owner.token, adId, { format: "webm", quality: 720, aspect: "9:16" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ export_id: done.export_id, cached: true, status: "completed" });
    expect(await jobsStarted()).toBe(before);

    // Made, but its file has gone from R2: asked again, it is made again.
    await env.MEDIA.delete(`exports/${adId}/v1-9x16-720p.webm`);
    const remade = await requestExport(owner.token, adId, { format: "webm", quality: 720 });
    expect(remade.status).toBe(202);
    expect(remade.body.export_id).toBe(done.export_id);
    expect((await exportDone(owner.token, adId, done.export_id)).status).toBe("completed");
    expect(await env.MEDIA.head(`exports/${adId}/v1-9x16-720p.webm`)).not.toBeNull();
  });

  it("re-composes another aspect; a concurrent duplicate makes one export", async () => {
    const before = await jobsStarted();
    const [a, b] = await Promise.all([
      requestExport(owner.token, adId, { format: "mp4", quality: 480, aspect: "16:9" }),
      requestExport(owner.token, adId, { format: "mp4", quality: 480, aspect: "16:9" }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.export_id).toBe(b.body.export_id);
    // One made it, the other joined it.
    expect([a.body, b.body].map((x) => (x as unknown as { joined: boolean }).joined).sort()).toEqual([
      false,
      true,
    ]);
    const done = await exportDone(owner.token, adId, a.body.export_id);
    expect(done.status).toBe("completed");
    expect((await jobsStarted()) - before).toBe(1);
    const info = await probeMedia(`exports/${adId}/v1-16x9-480p.mp4`);
    expect(info.video).toMatchObject({ codec: "h264", width: 854, height: 480 });
    expect(info.faststart).toBe(true);
    expect(Math.abs(info.duration_s - 5)).toBeLessThan(0.1);

    const list = (await (await send(owner.token, "GET", `/api/generations/${adId}/exports`)).json()) as {
      exports: ExportView[];
    };
    expect(list.exports.map((e) => `${e.format}-${e.quality}-${e.aspect}`)).toEqual(
      expect.arrayContaining(["mp4-480-16:9", "webm-720-9:16"]),
    );
  });

  it("checks a preset against its platform's limits and states them", async () => {
    const res = await requestExport(owner.token, adId, { preset: "instagram_feed" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ format: "mp4", quality: 1080, aspect: "1:1", preset: "instagram_feed" });
    expect(
      (res.body as unknown as { preset_info: { limits: { max_duration_s: number } } }).preset_info.limits
        .max_duration_s,
    ).toBe(60);
    const cancel = await send(
      owner.token,
      "POST",
      `/api/generations/${adId}/exports/${res.body.export_id}/cancel`,
    );
    expect(cancel.status).toBe(202);
    const bad = await send(owner.token, "POST", `/api/generations/${adId}/exports`, { preset: "myspace" });
    expect(bad.status).toBe(400);
    const none = await send(owner.token, "POST", `/api/generations/${adId}/exports`, { format: "mp4" });
    expect(none.status).toBe(400);
  });

  it("cancels a running export: the render container stops its ffmpeg within 2 s", async () => {
    const res = await requestExport(owner.token, adId, { format: "webm", quality: 1080, aspect: "1:1" });
    expect(res.status).toBe(202);
    for (let i = 0; i < 100 && (await health()).queue.running === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await health()).queue.running).toBe(1);
    const cancel = await send(
      owner.token,
      "POST",
      `/api/generations/${adId}/exports/${res.body.export_id}/cancel`,
    );
    expect(cancel.status).toBe(202);
    expect((await cancel.json()) as ExportView).toMatchObject({ status: "failed", error_code: "cancelled" });
    const at = Date.now();
    while ((await health()).queue.running > 0 && Date.now() - at < 2000)
      await new Promise((r) => setTimeout(r, 50));
    expect((await health()).queue.running).toBe(0);
    expect(Date.now() - at).toBeLessThan(2000);
    expect((await exportDone(owner.token, adId, res.body.export_id)).error_code).toBe("cancelled");
  });

  it("writes the on-screen text as WebVTT and SRT, one cue per scene with text, on the scene timings", async () => {
    const vtt = await send(owner.token, "GET", `/api/generations/${adId}/captions.vtt`);
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get("content-disposition")).toBe(
      'attachment; filename="cafe-ole-cold-brew-captions.vtt"',
    );
    const tree = new WebVTTParser().parse(await vtt.text());
    expect(tree.errors).toEqual([]);
    // Scenes on screen 1.5 s, 1.5 s, 2 s.
    const expected = [
      [0, 1.5, "Café Olé"],
      [1.5, 3, "Three blends"],
      [3, 5, "Order today"],
    ] as const;
    expect(tree.cues).toHaveLength(3);
    tree.cues.forEach((cue, i) => {
      expect(Math.abs(cue.startTime - expected[i]![0])).toBeLessThanOrEqual(1 / 24);
      expect(Math.abs(cue.endTime - expected[i]![1])).toBeLessThanOrEqual(1 / 24);
      expect(cue.text).toBe(expected[i]![2]);
    });
    const srt = await (await send(owner.token, "GET", `/api/generations/${adId}/captions.srt`)).text();
    expect(srt.trim().split(/\r?\n\r?\n/)).toHaveLength(3);
    expect(srt).toContain("00:00:01,500 --> 00:00:03,000");
  });

  it("describes the ad in its metadata: plan, exports, stage timings, the measured master", async () => {
    const res = await send(owner.token, "GET", `/api/generations/${adId}/metadata`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as {
      generation: { generation_id: string };
      plan: { scenes: unknown[] };
      exports: ExportView[];
      timings: { stages_ms: Record<string, number> };
      master: {
        video: { codec: string; width: number; height: number };
        audio: { codec: string };
        bitrate_kbps: number;
        faststart: boolean;
        loudness: { integrated_lufs: number; true_peak_dbtp: number };
      };
    };
    expect(meta.generation.generation_id).toBe(adId);
    expect(meta.plan.scenes).toHaveLength(3);
    expect(meta.exports.length).toBeGreaterThanOrEqual(2);
    expect(meta.timings.stages_ms.compose).toBeGreaterThan(0);
    expect(meta.master.video).toMatchObject({ codec: "h264", width: 1080, height: 1920 });
    expect(meta.master.audio.codec).toBe("aac");
    expect(meta.master.faststart).toBe(true);
    expect(meta.master.bitrate_kbps).toBeGreaterThan(0);
    expect(Math.abs(meta.master.loudness.integrated_lufs + 14)).toBeLessThanOrEqual(1);
    expect(meta.master.loudness.true_peak_dbtp).toBeLessThanOrEqual(-0.9);
    const stranger = await signUp();
    expect((await send(stranger.token, "GET", `/api/generations/${adId}/metadata`)).status).toBe(404);
  });

  it("hides exports from other users, and deleting the ad deletes its exports", async () => {
    const stranger = await signUp();
    const list = (await (await send(owner.token, "GET", `/api/generations/${adId}/exports`)).json()) as {
      exports: ExportView[];
    };
    const one = list.exports.find((e) => e.status === "completed")!;
    for (const [method, p] of [
      ["GET", `/api/generations/${adId}/exports`],
      ["GET", `/api/generations/${adId}/exports/${one.export_id}`],
      ["POST", `/api/generations/${adId}/exports/${one.export_id}/cancel`],
      ["GET", `/api/generations/${adId}/exports/${one.export_id}/download`],
      ["GET", `/api/generations/${adId}/captions.vtt`],
    ] as const) {
      const r = await send(stranger.token, method, p);
      expect(r.status, `${method} ${p}`).toBe(404);
    }
    expect(
      (
        await send(stranger.token, "POST", `/api/generations/${adId}/exports`, {
          format: "mp4",
          quality: 480,
        })
      ).status,
    ).toBe(404);
    expect((await env.MEDIA.list({ prefix: `exports/${adId}/` })).objects.length).toBeGreaterThan(0);
    expect((await send(owner.token, "DELETE", `/api/generations/${adId}`)).status).toBe(200);
    expect((await env.MEDIA.list({ prefix: `exports/${adId}/` })).objects).toEqual([]);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM exports WHERE generation_id = ?")
      .bind(adId)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
