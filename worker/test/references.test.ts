/**
 * Reference candidates offline (POST /api/references): the render container draws distinct,
 * labelled square stills in parallel, each recorded as a `reference` asset of its owner; the
 * batch streams over its live socket; a candidate can be the reference image of an ad; other
 * users see nothing of it; bad requests are 400 with the API's error shape.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReferenceBatchView, ReferenceEvent } from "../src/references/view.ts";
import { batchSettled, call, cancelAllRunning, send, signUp } from "./helpers.ts";

const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

const mediaPath = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

describe("reference candidates (offline)", () => {
  it("draws the candidates in parallel as distinct labelled stills, recorded as reference assets", async () => {
    const { token, user } = await signUp();
    const res = await send(token, "POST", "/api/references", {
      description: "a red running shoe with a white sole",
      kind: "product",
      count: 3,
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as ReferenceBatchView;
    expect(started).toMatchObject({ status: "running", count: 3, kind: "product", offline: true });
    expect(started.candidates).toHaveLength(3);

    // The live socket: a snapshot, then every change in order, until the batch is done.
    const ticket = (await (await send(token, "POST", `/api/references/${started.id}/ticket`)).json()) as {
      path: string;
    };
    const upgrade = await call(ticket.path, { headers: { Upgrade: "websocket" } });
    expect(upgrade.status).toBe(101);
    const ws = upgrade.webSocket!;
    ws.accept();
    const events: ReferenceEvent[] = [];
    await new Promise<void>((resolve) =>
      ws.addEventListener("message", (m) => {
        const event = JSON.parse(String(m.data)) as ReferenceEvent;
        events.push(event);
        if (event.batch.status !== "running") resolve();
      }),
    );
    ws.close();
    expect(events[0]?.type).toBe("snapshot");
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Every candidate was drawing at once before the first was drawn.
    const firstReady = events.findIndex((e) => e.batch.candidates.some((c) => c.status === "ready"));
    expect(
      events.slice(0, firstReady).some((e) => e.batch.candidates.every((c) => c.status === "drawing")),
    ).toBe(true);

    const batch = await batchSettled(token, started.id);
    expect(batch).toMatchObject({ status: "completed", progress: 100, cost: 0 });
    const hashes = new Set<string>();
    for (const c of batch.candidates) {
      expect(c).toMatchObject({ status: "ready", error: null, model: "motion-renderer-v1", cost: 0 });
      expect(c.asset).toMatchObject({
        kind: "reference",
        content_type: "image/jpeg",
        width: 1024,
        height: 1024,
      });
      expect(c.asset!.name).toBe(
        `a red running shoe with a white sole (product reference ${c.index + 1} of 3)`,
      );
      expect(c.asset!.thumbnail_url).toBe(c.asset!.url);
      const image = new Uint8Array(await (await call(mediaPath(c.asset!.url))).arrayBuffer());
      expect(isJpeg(image)).toBe(true);
      const row = await env.DB.prepare("SELECT user_id, sha256, r2_key FROM assets WHERE id = ?")
        .bind(c.asset!.id)
        .first<{ user_id: string; sha256: string; r2_key: string }>();
      expect(row).toMatchObject({ user_id: user.id, r2_key: `assets/${user.id}/${c.asset!.id}` });
      hashes.add(row!.sha256);
    }
    // Three different pictures, not one drawn thrice.
    expect(hashes.size).toBe(3);
    const listed = (await (await send(token, "GET", "/api/assets?kind=reference")).json()) as {
      assets: { id: string }[];
    };
    expect(listed.assets.map((a) => a.id).sort()).toEqual(batch.candidates.map((c) => c.asset!.id).sort());

    // A candidate is a reference image an ad can use.
    const chosen = batch.candidates[1]!.asset!.id;
    const ad = await send(token, "POST", "/api/generate", {
      prompt: "Red running shoes for city runners",
      settings: { reference_image: chosen },
    });
    expect(ad.status).toBe(202);
    await cancelAllRunning();
  });

  it("shows nothing of a batch to another user, and refuses bad requests with the error shape", async () => {
    const a = await signUp();
    const b = await signUp();
    const res = await send(a.token, "POST", "/api/references", {
      description: "a cartoon fox mascot wearing a scarf",
      kind: "character",
      count: 1,
      style: "flat illustration",
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as ReferenceBatchView;
    for (const [method, path] of [
      ["GET", `/api/references/${id}`],
      ["POST", `/api/references/${id}/cancel`],
      ["POST", `/api/references/${id}/ticket`],
    ] as const) {
      const r = await send(b.token, method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(await r.json()).toEqual({ error: { code: "not_found", message: "Reference batch not found" } });
    }
    const done = await batchSettled(a.token, id);
    expect(done.candidates[0]!.status).toBe("ready");
    // The asset itself is the owner's alone.
    expect((await send(b.token, "GET", `/api/assets/${done.candidates[0]!.asset!.id}`)).status).toBe(404);

    const bad: [unknown, string][] = [
      [{ description: "a fox", kind: "animal" }, "kind"],
      [{ description: "a fox", kind: "character", count: 5 }, "count"],
      [{ description: "a fox", kind: "character", count: 0 }, "count"],
      [{ description: "  ", kind: "character" }, "description"],
      [{ description: "x".repeat(301), kind: "product" }, "description"],
      [{ description: "a fox", kind: "character", colour: "red" }, ""],
    ];
    for (const [body, field] of bad) {
      const r = await send(a.token, "POST", "/api/references", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const error = ((await r.json()) as { error: { code: string; details?: { fields?: object } } }).error;
      expect(error.code).toBe("validation_failed");
      if (field) expect(Object.keys(error.details?.fields ?? {})).toContain(field);
    }
    expect((await send(a.token, "GET", "/api/references/not-a-uuid")).status).toBe(400);
    expect((await call("/api/references", { method: "POST" })).status).toBe(401);
  });

  it("cancels the candidates not yet drawn", async () => {
    const { token } = await signUp();
    const res = await send(token, "POST", "/api/references", {
      description: "a glass bottle of cold brew coffee",
      kind: "product",
      count: 4,
    });
    const { id } = (await res.json()) as ReferenceBatchView;
    const cancelled = await send(token, "POST", `/api/references/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    const view = (await cancelled.json()) as ReferenceBatchView;
    expect(view.status).toBe("cancelled");
    const open = view.candidates.filter((c) => c.status !== "ready");
    expect(open.length).toBeGreaterThan(0);
    for (const c of open) expect(c).toMatchObject({ status: "failed", error: "Cancelled by user" });
    // Still cancelled once the in-flight draws have ended.
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      ((await (await send(token, "GET", `/api/references/${id}`)).json()) as ReferenceBatchView).status,
    ).toBe("cancelled");
  });
});
