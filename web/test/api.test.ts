import { beforeEach, describe, expect, test, vi } from "vitest";
import {
  ApiError,
  cacheGeneration,
  cancelGeneration,
  capabilities,
  clearApiCache,
  deleteGeneration,
  estimateCost,
  fieldsUnder,
  generate,
  generateParallel,
  getGeneration,
  listGenerations,
  liveTicket,
  messageOf,
  openDraft,
} from "../src/api.ts";
import { endSession, session, startSession } from "../src/session.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { json, SESSION, stubApi, viewFixture } from "./fixtures.tsx";

describe("api", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
  });

  test("sends the bearer token and the typed body", async () => {
    const api = stubApi({
      "POST /api/generate": ({ headers, body }) => {
        expect(headers.get("authorization")).toBe("Bearer token-1");
        expect(body).toEqual({ prompt: "a prompt of enough length", settings: DEFAULT_SETTINGS });
        return json({ generation_id: "g1", group_id: "grp", status: "pending" }, 202);
      },
    });
    const res = await generate({ prompt: "a prompt of enough length", settings: DEFAULT_SETTINGS });
    expect(res.generation_id).toBe("g1");
    expect(api).toHaveBeenCalledOnce();
  });

  test("each submit sends a fresh Idempotency-Key; a retry of one submit sends its key again", async () => {
    const keys: (string | null)[] = [];
    const ok = json({ generation_id: "g1", group_id: "grp", status: "pending" }, 202);
    stubApi({
      "POST /api/generate": ({ headers }) => {
        keys.push(headers.get("idempotency-key"));
        return ok.clone();
      },
      "POST /api/comparisons": ({ headers }) => {
        keys.push(headers.get("idempotency-key"));
        return json({ group_id: "grp", generation_ids: ["a", "b"], status: "pending" }, 202);
      },
    });
    await generate({ prompt: "a prompt of enough length" });
    await generate({ prompt: "a prompt of enough length" });
    await generate({ prompt: "a prompt of enough length" }, "retry-key-1");
    await generateParallel({ mode: "prompt", prompts: ["first prompt here", "second prompt here"] });
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe("retry-key-1");
    expect(keys[3]).toMatch(/^[0-9a-f-]{32,36}$/);
  });

  test("submitting the same thing again after a dropped connection reuses its key", async () => {
    const keys: (string | null)[] = [];
    let drop = true;
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.stubGlobal("fetch", async (_url: unknown, init: RequestInit = {}) => {
      keys.push(new Headers(init.headers).get("idempotency-key"));
      if (drop) throw new TypeError("Failed to fetch");
      return json({ generation_id: "g1", group_id: "grp", status: "pending" }, 202);
    });
    const input = { prompt: "a prompt of enough length" };
    await expect(generate(input)).rejects.toBeInstanceOf(ApiError);
    await expect(generate({ prompt: "another prompt, edited" })).rejects.toBeInstanceOf(ApiError);
    await expect(generate({ prompt: "another prompt, edited" })).rejects.toBeInstanceOf(ApiError);
    drop = false;
    await generate({ prompt: "another prompt, edited" });
    await generate({ prompt: "another prompt, edited" });
    // An edited submit is a new one; the same one again is the retry; after an answer, new again.
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe(keys[1]);
    expect(keys[3]).toBe(keys[1]);
    expect(keys[4]).not.toBe(keys[3]);
  });

  test("a 400 becomes an ApiError with the server's field messages", async () => {
    stubApi({
      "POST /api/generate": json(
        {
          error: {
            code: "validation_failed",
            message: "prompt: Prompt must be at least 10 characters",
            details: { fields: { prompt: ["Prompt must be at least 10 characters"] } },
          },
        },
        400,
      ),
    });
    const err = await generate({ prompt: "too short" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).field("prompt")).toBe("Prompt must be at least 10 characters");
    expect(session()).not.toBeNull();
  });

  test("field messages under a path are keyed by the rest of their name; the path's own is _", () => {
    const messages = {
      prompt: "Too short",
      settings: "Expected an object",
      "settings.seed": "Too big",
      "profiles.1.settings.grade": "Unknown grade",
      "profiles.10.settings.seed": "Too big",
    };
    expect(fieldsUnder(messages, "settings")).toEqual({ _: "Expected an object", seed: "Too big" });
    expect(fieldsUnder(messages, "profiles.1.settings")).toEqual({ grade: "Unknown grade" });
  });

  test("a 429 says when to try again", async () => {
    stubApi({
      "POST /api/generate": json({ error: { code: "rate_limited", message: "Hourly limit reached." } }, 429, {
        "retry-after": "600",
      }),
    });
    const err = await generate({ prompt: "a prompt of enough length" }).catch((e: unknown) => e);
    expect(messageOf(err)).toBe("Hourly limit reached. Try again in 10 minutes.");
  });

  test("a 401 on any call ends the session as expired", async () => {
    stubApi({ "DELETE /api/generations/g1": json({ error: { code: "unauthorized", message: "x" } }, 401) });
    await expect(deleteGeneration("g1")).rejects.toBeInstanceOf(ApiError);
    expect(session()).toBeNull();
  });

  test("a network failure and a non-JSON error page still read well", async () => {
    stubApi({ "GET /api/generations": new Response("<html>bad gateway</html>", { status: 502 }) });
    const err = await listGenerations({}).catch((e: unknown) => e);
    expect(messageOf(err)).toBe("Something went wrong on our side. Please try again.");
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    const offline = await listGenerations({}).catch((e: unknown) => e);
    expect((offline as ApiError).status).toBe(0);
    expect(messageOf(offline)).toMatch(/Cannot reach promptreel/);
  });

  test("list passes filter, cursor and limit; 'all' sends no status", async () => {
    const api = stubApi({ "GET /api/generations": json({ generations: [], next_cursor: null }) });
    await listGenerations({ status: "failed", cursor: "abc", limit: 5 });
    await listGenerations({ status: "all" });
    const urls = api.mock.calls.map(([u]) => new URL(String(u)));
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({
      status: "failed",
      cursor: "abc",
      limit: "5",
    });
    expect(urls[1]!.searchParams.has("status")).toBe(false);
  });

  test("cancel posts to the generation's cancel route; a finished one explains the conflict", async () => {
    const api = stubApi({
      "POST /api/generations/g1/cancel": ({ headers }) => {
        expect(headers.get("authorization")).toBe("Bearer token-1");
        return json({ generation_id: "g1", status: "processing", cancellation_requested: true }, 202);
      },
      "POST /api/generations/g2/cancel": json(
        { error: { code: "conflict", message: "This generation has already completed." } },
        409,
      ),
    });
    expect(capabilities.cancel).toBe(true);
    // The answer is the view as the cancel found it (a discarded draft's: the finished ad again).
    await expect(cancelGeneration("g1")).resolves.toMatchObject({
      generation_id: "g1",
      status: "processing",
    });
    expect(api).toHaveBeenCalledOnce();
    const err = await cancelGeneration("g2").catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(409);
    expect(messageOf(err)).toBe("This generation has already completed.");
    expect(session()).not.toBeNull();
  });

  test("opening a draft posts to the versions route with the token; a 409 keeps its message", async () => {
    const draft = viewFixture({ status: "storyboard", version: 2 });
    const api = stubApi({
      "POST /api/generations/g1/versions": ({ headers }) => {
        expect(headers.get("authorization")).toBe("Bearer token-1");
        return json(draft, 201);
      },
      "POST /api/generations/g2/versions": json(
        { error: { code: "conflict", message: "Only a finished ad can be edited into a new version." } },
        409,
      ),
    });
    await expect(openDraft("g1")).resolves.toEqual(draft);
    expect(api).toHaveBeenCalledOnce();
    const err = await openDraft("g2").catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(409);
    expect(messageOf(err)).toBe("Only a finished ad can be edited into a new version.");
  });

  test("the estimate asks the server's price table with the settings that change the price", async () => {
    const quote = (providers: { llm: string; video: string }, total: number) =>
      json({
        currency: "USD",
        per_generation: total,
        total,
        breakdown: { llm: 0, video: total, compose: 0 },
        providers,
      });
    const api = stubApi({
      "GET /api/estimate": ({ url }) =>
        url.searchParams.get("duration_s") === "15"
          ? quote({ llm: "offline:template-planner-v1", video: "offline:motion-renderer-v1" }, 0)
          : quote({ llm: "openai:gpt-4o-mini", video: "replicate:minimax/video-01" }, 1.5),
    });
    expect(await estimateCost(DEFAULT_SETTINGS)).toEqual({ amount: 0, offline: true });
    expect(await estimateCost({ ...DEFAULT_SETTINGS, duration_s: 30, enhanced_planning: true }, 3)).toEqual({
      amount: 1.5,
      offline: false,
    });
    const queries = api.mock.calls.map(([u]) => Object.fromEntries(new URL(String(u)).searchParams));
    expect(queries).toEqual([
      { duration_s: "15", enhanced_planning: "false", variations: "1" },
      { duration_s: "30", enhanced_planning: "true", variations: "3" },
    ]);
  });

  test("a generation's page read is one cached status read, kept current by live views, forgotten on delete", async () => {
    const view = viewFixture({ generation_id: "g1", status: "processing", progress: 30 });
    const api = stubApi({
      "GET /api/status/g1": json(view),
      "DELETE /api/generations/g1": json({ generation_id: "g1", deleted: true }),
      "GET /api/status/g-gone": json({ error: { code: "not_found", message: "Generation not found" } }, 404),
    });
    expect(await getGeneration("g1")).toEqual(view);
    expect(await getGeneration("g1")).toEqual(view);
    // A live view replaces the cached read: coming back shows the latest without asking.
    const later = { ...view, progress: 60, current_step: "Rendering clips (2/4)" };
    cacheGeneration(later);
    expect(await getGeneration("g1")).toEqual(later);
    await deleteGeneration("g1");
    expect(await getGeneration("g1")).toEqual(view);
    const err = await getGeneration("g-gone").catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(404);
    expect(api.mock.calls.map(([u]) => new URL(String(u)).pathname)).toEqual([
      "/api/status/g1",
      "/api/generations/g1",
      "/api/status/g1",
      "/api/status/g-gone",
    ]);
  });

  test("a live ticket is posted for the group and returns the socket path", async () => {
    const api = stubApi({
      "POST /api/groups/grp-1/ticket": json({
        ticket: "abc",
        expires_at: 123,
        path: "/api/groups/grp-1/live?ticket=abc",
      }),
    });
    expect(await liveTicket("grp-1")).toMatchObject({
      ticket: "abc",
      path: "/api/groups/grp-1/live?ticket=abc",
    });
    expect(api.mock.calls[0]?.[1]?.method).toBe("POST");
    endSession("signed_out");
  });
});
