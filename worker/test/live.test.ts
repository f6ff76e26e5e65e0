/** The live WebSocket: authenticated at the upgrade, a snapshot first, then ordered events. */
import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../src/groups/events.ts";
import { call, signUp } from "./helpers.ts";
import { auth, finished, generate, waitFor } from "./pipeline-helpers.ts";

async function ticket(token: string, groupId: string) {
  const res = await call(`/api/groups/${groupId}/ticket`, { method: "POST", headers: auth(token) });
  return { res, body: res.ok ? ((await res.json()) as { ticket: string; path: string }) : null };
}

function open(path: string) {
  return call(path, { headers: { Upgrade: "websocket" } });
}

describe("live progress over WebSocket", () => {
  it("sends a snapshot, then every change in order, until completion", async () => {
    const { token } = await signUp();
    const { generation_id, group_id } = await generate(token, "Luxury watch ad for Instagram");
    const { body } = await ticket(token, group_id);
    const res = await open(body!.path);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const events: LiveEvent[] = [];
    const receivedAt: number[] = [];
    const done = new Promise<void>((resolve) => {
      ws.addEventListener("message", (m) => {
        const event = JSON.parse(String(m.data)) as LiveEvent;
        events.push(event);
        receivedAt.push(Date.now());
        if (
          event.type === "generation" &&
          (event.generation.status === "completed" || event.generation.status === "failed")
        )
          resolve();
      });
    });
    await done;
    ws.close();
    expect(events[0]?.type).toBe("snapshot");
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Each change says when it was stored, never later than it arrived (what the bench's latency figure reads).
    for (const [i, e] of events.entries())
      if (e.type === "generation") {
        expect(e.changed_at).toBeTypeOf("number");
        expect(e.changed_at!).toBeLessThanOrEqual(receivedAt[i]!);
      }
    const updates = events.flatMap((e) => (e.type === "generation" ? [e.generation] : []));
    const progress = updates.map((g) => g.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress).toEqual(expect.arrayContaining([10, 20, 30, 80, 100]));
    const last = updates.at(-1)!;
    expect(last).toMatchObject({ generation_id, status: "completed", progress: 100 });
    expect(last.video_url).toMatch(/\/media\/renders\//);
    // Each scene is announced playable as soon as its clip exists, before the ad is done.
    const ready = events.filter((e) => e.type === "scene" && e.scene.status === "ready");
    expect(ready).toHaveLength(4);
    for (const e of ready) if (e.type === "scene") expect(e.scene.clip_url).toMatch(/\/media\/clips\//);
    // The signed URL plays: range requests work without any header.
    const video = await call(new URL(last.video_url!).pathname + new URL(last.video_url!).search, {
      headers: { Range: "bytes=0-99" },
    });
    expect(video.status).toBe(206);
    expect(video.headers.get("Content-Range")).toMatch(/^bytes 0-99\/\d+$/);
    expect((await video.arrayBuffer()).byteLength).toBe(100);
    const status = await waitFor(token, generation_id, finished);
    expect(status.final.cost).toBe(0);
  });

  it("refuses another user's group, forged tickets and plain requests", async () => {
    const a = await signUp();
    const b = await signUp();
    const { group_id, generation_id } = await generate(a.token, "A group only its owner may watch");
    expect((await ticket(b.token, group_id)).res.status).toBe(404);
    const own = await ticket(a.token, group_id);
    const forged = own.body!.path.replace(/ticket=([^.]+)/, `ticket=${encodeURIComponent(b.user.id)}`);
    expect((await open(forged)).status).toBe(401);
    // A ticket is bound to its group.
    const other = await generate(b.token, "Another group entirely, for b");
    const bTicket = await ticket(b.token, other.group_id);
    expect(
      (await open(`/api/groups/${group_id}/live?ticket=${encodeURIComponent(bTicket.body!.ticket)}`)).status,
    ).toBe(401);
    expect((await call(own.body!.path)).status).toBe(400);
    await call(`/api/generations/${generation_id}/cancel`, { method: "POST", headers: auth(a.token) });
    await call(`/api/generations/${other.generation_id}/cancel`, { method: "POST", headers: auth(b.token) });
  });

  it("opens one socket per ticket, and at most 10 sockets per user on a group", async () => {
    const { token } = await signUp();
    const { generation_id, group_id } = await generate(token, "A group watched from many tabs");
    const first = (await ticket(token, group_id)).body!;
    const ws = (await open(first.path)).webSocket!;
    ws.accept();
    // The same ticket again (a copied URL, a replay): refused, though it has not expired.
    const replay = await open(first.path);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/already used/);
    // Fresh tickets open more sockets, up to the cap.
    const sockets = [ws];
    for (let i = 1; i < 10; i++) {
      const res = await open((await ticket(token, group_id)).body!.path);
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      sockets.push(res.webSocket!);
    }
    const eleventh = await open((await ticket(token, group_id)).body!.path);
    expect(eleventh.status).toBe(429);
    for (const s of sockets) s.close();
    await call(`/api/generations/${generation_id}/cancel`, { method: "POST", headers: auth(token) });
  });

  it("answers a malformed percent-escape in a media path with 400 in the error shape", async () => {
    for (const path of ["/media/%E0%A4%A", "/media/renders/%ZZ/video.mp4", "/media/renders/x/%"]) {
      const res = await call(`${path}?exp=1&sig=00`);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ error: { code: "bad_request", message: "Invalid media path." } });
    }
  });

  it("rejects tampered and expired media links with 403", async () => {
    const { signedMediaUrl } = await import("../src/lib/media-signing.ts");
    const { env } = await import("cloudflare:test");
    await env.MEDIA.put("renders/x/video.mp4", "data", { httpMetadata: { contentType: "video/mp4" } });
    const good = new URL(await signedMediaUrl(env, "http://local.test", "renders/x/video.mp4"));
    expect((await call(good.pathname + good.search)).status).toBe(200);
    const tampered = new URL(await signedMediaUrl(env, "http://local.test", "renders/y/video.mp4"));
    expect((await call(good.pathname + tampered.search)).status).toBe(403);
    const expired = new URL(
      await signedMediaUrl(env, "http://local.test", "renders/x/video.mp4", { ttlSeconds: -10 }),
    );
    expect((await call(expired.pathname + expired.search)).status).toBe(403);
    const put = new URL(
      await signedMediaUrl(env, "http://local.test", "renders/x/video.mp4", { method: "PUT" }),
    );
    // A PUT link does not grant GET, and vice versa.
    expect((await call(put.pathname + put.search)).status).toBe(403);
    expect(
      (
        await call(good.pathname + good.search, {
          method: "PUT",
          body: "x",
          headers: { "Content-Length": "1" },
        })
      ).status,
    ).toBe(403);
  });
});
