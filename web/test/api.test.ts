import { beforeEach, describe, expect, test, vi } from "vitest";
import {
  ApiError,
  cancelGeneration,
  capabilities,
  clearApiCache,
  deleteGeneration,
  estimateCost,
  generate,
  listGenerations,
  messageOf,
} from "../src/api.ts";
import { endSession, session, startSession } from "../src/session.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { json, SESSION, stubApi } from "./fixtures.tsx";

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

  test("the pieces still to come are explicit, not faked", async () => {
    expect(await estimateCost(DEFAULT_SETTINGS)).toEqual({ amount: 0, offline: true });
    expect(capabilities.cancel).toBe(false);
    await expect(cancelGeneration("g1")).rejects.toMatchObject({ status: 501 });
    endSession("signed_out");
  });
});
