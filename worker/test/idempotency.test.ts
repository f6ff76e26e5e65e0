/** `Idempotency-Key` on the create routes (lib/idempotency.ts), on real D1 and Durable Objects. */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { IDEMPOTENCY_TTL_MS, IN_FLIGHT_LEASE_MS } from "../src/lib/idempotency.ts";
import { call, cancelAllRunning, postJson, signUp } from "./helpers.ts";

afterEach(cancelAllRunning);

type ErrorJson = { error: { code: string; message: string } };
const PROMPT = { prompt: "luxury watch ad for Instagram" };
const VARIATIONS = { mode: "prompt", prompts: ["luxury watch ad one", "luxury watch ad two"] };

const withKey = (path: string, body: unknown, token: string, key: string) =>
  postJson(path, body, token, { "Idempotency-Key": key });

const scalar = async (sql: string, ...args: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...args)
      .first<{ n: number }>()
  )?.n ?? 0;
const generationsOf = (userId: string) =>
  scalar("SELECT COUNT(*) AS n FROM generations WHERE user_id = ?", userId);
const quotaUsedBy = (userId: string) =>
  scalar("SELECT COALESCE(SUM(units), 0) AS n FROM usage_events WHERE user_id = ?", userId);
const keyRows = (userId: string) =>
  scalar("SELECT COUNT(*) AS n FROM idempotency_keys WHERE user_id = ?", userId);

describe("Idempotency-Key on POST /api/generate", () => {
  it("replays the first answer for the same key and body, starting nothing new", async () => {
    const { token, user } = await signUp();
    const first = await withKey("/api/generate", PROMPT, token, "order-1");
    expect(first.status).toBe(202);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstText = await first.text();

    const again = await withKey("/api/generate", PROMPT, token, "order-1");
    expect(again.status).toBe(202);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.headers.get("Content-Type")).toMatch(/application\/json/);
    expect(await again.text()).toBe(firstText);

    expect(await generationsOf(user.id)).toBe(1);
    expect(await quotaUsedBy(user.id)).toBe(1);
  });

  it("treats reordered keys and whitespace as the same request", async () => {
    const { token, user } = await signUp();
    const body = {
      prompt: "luxury watch ad for Instagram",
      settings: { duration_s: 15, aspect_ratio: "9:16" },
    };
    const first = await withKey("/api/generate", body, token, "canon");
    expect(first.status).toBe(202);
    const again = await call("/api/generate", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "canon",
      },
      body: `{ "settings": {"aspect_ratio": "9:16",  "duration_s": 15},\n "prompt": "luxury watch ad for Instagram" }`,
    });
    expect(again.status).toBe(202);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await generationsOf(user.id)).toBe(1);
  });

  it("answers 422 for the same key with another body or on another route", async () => {
    const { token, user } = await signUp();
    expect((await withKey("/api/generate", PROMPT, token, "k-422")).status).toBe(202);
    const other = await withKey("/api/generate", { prompt: "sneaker ad for TikTok, bold" }, token, "k-422");
    expect(other.status).toBe(422);
    expect(((await other.json()) as ErrorJson).error.code).toBe("idempotency_key_reused");
    const route = await withKey("/api/generate/parallel", VARIATIONS, token, "k-422");
    expect(route.status).toBe(422);
    expect(await generationsOf(user.id)).toBe(1);
  });

  it("runs exactly one of several concurrent requests with one key", async () => {
    const { token, user } = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => withKey("/api/generate", PROMPT, token, "race")),
    );
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<Record<string, unknown>>));
    const started = answers.filter((r) => r.status === 202 && r.headers.get("Idempotent-Replayed") === null);
    expect(started).toHaveLength(1);
    const id = bodies[answers.indexOf(started[0]!)]!.generation_id;
    answers.forEach((r, i) => {
      if (r.status === 202) expect(bodies[i]!.generation_id).toBe(id);
      else {
        expect(r.status).toBe(409);
        expect((bodies[i] as ErrorJson).error.code).toBe("idempotency_key_in_use");
      }
    });
    expect(await generationsOf(user.id)).toBe(1);
    expect(await quotaUsedBy(user.id)).toBe(1);
    // Once the first has answered, a loser's retry gets that answer.
    const retry = await withKey("/api/generate", PROMPT, token, "race");
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { generation_id: string }).generation_id).toBe(id);
  });

  it("keeps keys per user: another user's same key is independent", async () => {
    const a = await signUp();
    const b = await signUp();
    const first = (await (await withKey("/api/generate", PROMPT, a.token, "shared")).json()) as {
      generation_id: string;
    };
    const res = await withKey("/api/generate", PROMPT, b.token, "shared");
    expect(res.status).toBe(202);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    const second = (await res.json()) as { generation_id: string };
    expect(second.generation_id).not.toBe(first.generation_id);
    expect(await generationsOf(a.user.id)).toBe(1);
    expect(await generationsOf(b.user.id)).toBe(1);
  });

  it("refuses a malformed key with 400 in the API's error shape, and starts nothing", async () => {
    const { token, user } = await signUp();
    for (const key of ["", "x".repeat(256), "two words", "tab\there", "del\u007f"]) {
      const res = await withKey("/api/generate", PROMPT, token, key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe("bad_request");
      expect(body.error.message).toMatch(/Idempotency-Key/);
    }
    expect(await generationsOf(user.id)).toBe(0);
    expect((await withKey("/api/generate", PROMPT, token, "~".repeat(255))).status).toBe(202);
  });

  it("does not store a validation failure: the corrected retry with the same key runs", async () => {
    const { token, user } = await signUp();
    const bad = await withKey("/api/generate", { prompt: "too short" }, token, "fix-me");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorJson).error.code).toBe("validation_failed");
    expect(await keyRows(user.id)).toBe(0);
    const good = await withKey("/api/generate", PROMPT, token, "fix-me");
    expect(good.status).toBe(202);
    expect(good.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await generationsOf(user.id)).toBe(1);
  });

  it("does not store a 429: the same key runs once the quota has room", async () => {
    const { token, user } = await signUp();
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO usage_events (user_id, group_id, units, created_at) VALUES (?, 'filler', 10, ?)",
    )
      .bind(user.id, now)
      .run();
    const refused = await withKey("/api/generate", PROMPT, token, "later");
    expect(refused.status).toBe(429);
    expect(await keyRows(user.id)).toBe(0);
    await env.DB.prepare("DELETE FROM usage_events WHERE user_id = ? AND group_id = 'filler'")
      .bind(user.id)
      .run();
    const res = await withKey("/api/generate", PROMPT, token, "later");
    expect(res.status).toBe(202);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("forgets a key after 24 h (and prunes old rows), so it starts a new generation", async () => {
    const { token, user } = await signUp();
    const other = await signUp();
    const first = (await (await withKey("/api/generate", PROMPT, token, "daily")).json()) as {
      generation_id: string;
    };
    expect((await withKey("/api/generate", PROMPT, other.token, "old")).status).toBe(202);
    await env.DB.prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE user_id IN (?, ?)")
      .bind(IDEMPOTENCY_TTL_MS + 1000, user.id, other.user.id)
      .run();
    // Expired is absent: even another body is accepted under the old key.
    const res = await withKey("/api/generate", { prompt: "sneaker ad for TikTok, bold" }, token, "daily");
    expect(res.status).toBe(202);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    expect(((await res.json()) as { generation_id: string }).generation_id).not.toBe(first.generation_id);
    expect(await generationsOf(user.id)).toBe(2);
    const row = await env.DB.prepare(
      "SELECT created_at FROM idempotency_keys WHERE user_id = ? AND key = 'daily'",
    )
      .bind(user.id)
      .first<{ created_at: number }>();
    expect(row!.created_at).toBeGreaterThan(Date.now() - 60_000);
    // The other user's expired row was pruned by that claim.
    expect(await keyRows(other.user.id)).toBe(0);
  });

  it("answers 409 while the first request runs; a claim abandoned past its lease is taken over", async () => {
    const { token, user } = await signUp();
    expect((await withKey("/api/generate", PROMPT, token, "stuck")).status).toBe(202);
    // As if the first request were still running (or died before recording its answer).
    await env.DB.prepare(
      "UPDATE idempotency_keys SET response_status = NULL, response_body = NULL WHERE user_id = ?",
    )
      .bind(user.id)
      .run();
    const busy = await withKey("/api/generate", PROMPT, token, "stuck");
    expect(busy.status).toBe(409);
    expect(busy.headers.get("Retry-After")).toBe("1");
    expect(((await busy.json()) as ErrorJson).error.code).toBe("idempotency_key_in_use");
    // Another body is still a misuse of the key, in flight or not.
    expect(
      (await withKey("/api/generate", { prompt: "sneaker ad for TikTok, bold" }, token, "stuck")).status,
    ).toBe(422);
    await env.DB.prepare("UPDATE idempotency_keys SET created_at = created_at - ? WHERE user_id = ?")
      .bind(IN_FLIGHT_LEASE_MS + 1000, user.id)
      .run();
    const taken = await withKey("/api/generate", PROMPT, token, "stuck");
    expect(taken.status).toBe(202);
    expect(await generationsOf(user.id)).toBe(2);
  });

  it("changes nothing without the header", async () => {
    const { token, user } = await signUp();
    expect((await postJson("/api/generate", PROMPT, token)).status).toBe(202);
    expect((await postJson("/api/generate", PROMPT, token)).status).toBe(202);
    expect(await generationsOf(user.id)).toBe(2);
    expect(await keyRows(user.id)).toBe(0);
  });
});

describe("Idempotency-Key on POST /api/generate/parallel and /api/comparisons", () => {
  it("replays the comparison: one group, its variations once", async () => {
    const { token, user } = await signUp();
    const answers = await Promise.all([
      withKey("/api/generate/parallel", VARIATIONS, token, "cmp"),
      withKey("/api/generate/parallel", VARIATIONS, token, "cmp"),
      withKey("/api/generate/parallel", VARIATIONS, token, "cmp"),
    ]);
    expect(answers.filter((r) => r.status === 202 && !r.headers.get("Idempotent-Replayed"))).toHaveLength(1);
    for (const r of answers) expect([202, 409]).toContain(r.status);
    const replay = await withKey("/api/generate/parallel", VARIATIONS, token, "cmp");
    expect(replay.status).toBe(202);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    const body = (await replay.json()) as { group_id: string; generation_ids: string[] };
    expect(body.generation_ids).toHaveLength(2);
    expect(await generationsOf(user.id)).toBe(2);
    expect(await quotaUsedBy(user.id)).toBe(2);
    expect(await scalar("SELECT COUNT(*) AS n FROM generation_groups WHERE user_id = ?", user.id)).toBe(1);
    // The resource path takes keys too.
    const viaResource = await withKey("/api/comparisons", VARIATIONS, token, "cmp-2");
    expect(viaResource.status).toBe(202);
    const again = await withKey("/api/comparisons", VARIATIONS, token, "cmp-2");
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await generationsOf(user.id)).toBe(4);
  });
});
