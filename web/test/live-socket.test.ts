import { beforeEach, describe, expect, test, vi } from "vitest";
import { type ApiError, clearApiCache, type GenerationView } from "../src/api.ts";
import { followGeneration, followGroup } from "../src/live/follow.ts";
import { startSession } from "../src/session.ts";
import { FakeWebSocket } from "./fake-socket.ts";
import { json, runningFixture, SESSION, sceneFixture, stubApi, ticket } from "./fixtures.tsx";

const TARGET = { generationId: "gen-1", groupId: "group-1" };

function follow() {
  const seen: GenerationView[] = [];
  const errors: unknown[] = [];
  const stop = followGeneration(
    TARGET,
    { onView: (v) => seen.push(v), onError: (e) => errors.push(e) },
    { reconnectDelaysMs: [2000, 5000] },
  );
  return { seen, errors, stop };
}

/** How many calls of `api` went to `path`. */
const callsTo = (api: ReturnType<typeof stubApi>, path: string) =>
  api.mock.calls.filter(([u]) => new URL(String(u)).pathname === path).length;
const STATUS = "/api/status/gen-1";
const TICKET = "/api/groups/group-1/ticket";

/** Lets the ticket request (a resolved fetch stub) and its continuations run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("following a generation over its group's socket", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    FakeWebSocket.install();
    vi.useFakeTimers();
  });

  test("opens the group's socket with a ticket, then follows the snapshot and ordered events", async () => {
    const api = stubApi({
      "POST /api/groups/group-1/ticket": json({
        ticket: "t 1",
        expires_at: 0,
        path: "/api/groups/group-1/live?ticket=t%201",
      }),
    });
    const { seen } = follow();
    await settle();
    expect(api).toHaveBeenCalledOnce();
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe(`ws://${location.host}/api/groups/group-1/live?ticket=t%201`);

    const planned = [0, 1, 2].map((i) => sceneFixture(i));
    ws.receive({ type: "snapshot", seq: 3, group_id: "group-1", generations: [runningFixture()] });
    ws.receive({ type: "generation", seq: 4, generation: runningFixture({ progress: 20, scenes: planned }) });
    ws.receive({
      type: "scene",
      seq: 5,
      generation_id: "gen-1",
      scene: sceneFixture(0, { status: "rendering" }),
    });
    ws.receive({
      type: "scene",
      seq: 6,
      generation_id: "gen-1",
      scene: sceneFixture(0, { status: "ready", clip_url: "/media/clips/gen-1/0.mp4?sig=a" }),
    });
    // Stale and repeated sequence numbers, another generation's event and a non-event are ignored.
    ws.receive({ type: "generation", seq: 5, generation: runningFixture({ progress: 10 }) });
    ws.receive({ type: "scene", seq: 6, generation_id: "gen-1", scene: sceneFixture(0) });
    ws.receive({
      type: "generation",
      seq: 7,
      generation: runningFixture({ generation_id: "gen-2", progress: 90 }),
    });
    ws.receive("pong");
    expect(seen.map((s) => s.progress)).toEqual([10, 20, 20, 20]);
    expect(seen.map((s) => s.scenes[0]?.status)).toEqual([undefined, "pending", "rendering", "ready"]);
    expect(seen.at(-1)?.scenes[0]?.clip_url).toBe("/media/clips/gen-1/0.mp4?sig=a");
    // A scene event changes its own scene only.
    expect(seen.at(-1)?.scenes.slice(1)).toEqual(planned.slice(1));

    const done = runningFixture({
      status: "completed",
      progress: 100,
      scenes: planned,
      video_url: "/media/renders/gen-1/video.mp4?sig=v",
      cost_breakdown: { enhance: 0, plan: 0, keyframes: 0, clips: [], compose: 0, total: 0 },
    });
    ws.receive({ type: "generation", seq: 8, generation: done });
    expect(seen.at(-1)).toMatchObject({ status: "completed", video_url: done.video_url });
    expect(seen.at(-1)?.cost_breakdown).toEqual(done.cost_breakdown);
    // Finished: the socket is closed cleanly and nothing falls back to polling.
    expect(ws.closedWith).toEqual({ code: 1000, reason: "finished" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(callsTo(api, STATUS)).toBe(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test("a drop before the end falls back to polling at once, and the next snapshot takes over", async () => {
    const scenes = [sceneFixture(0, { status: "ready", clip_url: "/c0" }), sceneFixture(1)];
    const api = stubApi({
      "POST /api/groups/group-1/ticket": json({
        ticket: "t",
        expires_at: 0,
        path: "/api/groups/group-1/live?ticket=t",
      }),
      // A polled read is the same view as an event's: the scene cards come with it.
      "GET /api/status/gen-1": json(runningFixture({ progress: 50, scenes })),
    });
    const { seen } = follow();
    await settle();
    const first = FakeWebSocket.latest();
    first.receive({
      type: "snapshot",
      seq: 9,
      group_id: "group-1",
      generations: [runningFixture({ progress: 40, scenes })],
    });
    expect(callsTo(api, STATUS)).toBe(0);

    first.drop();
    await settle();
    expect(callsTo(api, STATUS)).toBe(1);
    expect(seen.at(-1)).toMatchObject({ progress: 50, scenes });

    // 2 s later the socket is reopened; its snapshot takes over from polling.
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(callsTo(api, TICKET)).toBe(2);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    second.receive({
      type: "snapshot",
      seq: 12,
      group_id: "group-1",
      generations: [runningFixture({ progress: 60, scenes })],
    });
    expect(seen.at(-1)?.progress).toBe(60);
    const polls = callsTo(api, STATUS);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(callsTo(api, STATUS)).toBe(polls);
    expect(seen.at(-1)?.progress).toBe(60);
  });

  test("polling alone finishes the job when the socket stays down", async () => {
    const api = stubApi({
      "POST /api/groups/group-1/ticket": json({ ticket: "t", expires_at: 0, path: "/live" }),
      "GET /api/status/gen-1": json(
        runningFixture({
          status: "cancelled",
          progress: 40,
          error: "Cancelled by user",
          error_code: "cancelled",
        }),
      ),
    });
    const { seen } = follow();
    await settle();
    FakeWebSocket.latest().drop();
    await settle();
    expect(seen.at(-1)).toMatchObject({ status: "cancelled", error_code: "cancelled" });
    // Terminal: polling is stopped and no reconnection is attempted.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(callsTo(api, STATUS)).toBe(1);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test("no ticket: polls instead; a 404 is not retried, a server error is", async () => {
    const api = stubApi({
      "POST /api/groups/group-1/ticket": json(
        { error: { code: "not_found", message: "Group not found" } },
        404,
      ),
      "GET /api/status/gen-1": json(runningFixture()),
    });
    const { errors } = follow();
    await settle();
    expect(callsTo(api, STATUS)).toBe(1);
    expect((errors[0] as ApiError).status).toBe(404);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(callsTo(api, TICKET)).toBe(1);
    expect(callsTo(api, STATUS)).toBeGreaterThan(20);
    expect(FakeWebSocket.instances).toHaveLength(0);

    vi.spyOn(console, "error").mockImplementation(() => {});
    const flaky = stubApi({
      "POST /api/groups/group-1/ticket": json({ error: { code: "internal", message: "x" } }, 503),
      "GET /api/status/gen-1": json(runningFixture()),
    });
    follow();
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    expect(callsTo(flaky, TICKET)).toBe(2);
  });

  test("unsubscribing closes the socket and cancels a pending reconnection", async () => {
    const api = stubApi({
      "POST /api/groups/group-1/ticket": json({ ticket: "t", expires_at: 0, path: "/live" }),
      "GET /api/status/gen-1": json(runningFixture()),
    });
    const { stop, seen } = follow();
    await settle();
    const ws = FakeWebSocket.latest();
    ws.drop();
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    // The poll that the drop started was answered after the stop: dropped, and never repeated.
    expect(callsTo(api, STATUS)).toBe(1);
    expect(FakeWebSocket.instances).toHaveLength(1);
    ws.receive({ type: "snapshot", seq: 1, group_id: "group-1", generations: [runningFixture()] });
    expect(seen).toEqual([]);
  });

  test("unsubscribing an open socket closes it cleanly", async () => {
    stubApi({ "POST /api/groups/group-1/ticket": ticket("group-1") });
    const { stop } = follow();
    await settle();
    stop();
    expect(FakeWebSocket.latest().closedWith).toEqual({ code: 1000, reason: "unsubscribed" });
  });
});

describe("following a whole group", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    FakeWebSocket.install();
    vi.useFakeTimers();
  });

  test("polls the whole group while the socket is down, and stops polling once a snapshot arrives", async () => {
    let tickets = 0;
    stubApi({
      "POST /api/groups/group-1/ticket": () =>
        tickets++ === 0
          ? json({ error: { code: "unavailable", message: "try later" } }, 503)
          : ticket("group-1"),
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    let polls = 0;
    const poll = vi.fn(async () => {
      polls++;
      return [
        runningFixture({ generation_id: "a", status: "processing", progress: 20 + polls }),
        runningFixture({ generation_id: "b", status: "processing", progress: 10 }),
      ];
    });
    const seen: GenerationView[] = [];
    const errors: unknown[] = [];
    const stop = followGroup(
      "group-1",
      { onView: (v) => seen.push(v), onError: (e) => errors.push(e) },
      { poll, socket: true, reconnectDelaysMs: [3000], pollIntervalMs: 1000 },
    );
    await settle();
    // The ticket failed: polling covers every variation at once.
    expect((errors[0] as ApiError).status).toBe(503);
    expect(seen.map((s) => `${s.generation_id}:${s.progress}`)).toEqual(["a:21", "b:10"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(poll).toHaveBeenCalledTimes(2);

    // The retry opens the socket; its snapshot takes over and polling stops.
    await vi.advanceTimersByTimeAsync(2000);
    const ws = FakeWebSocket.latest();
    expect(ws.url).toContain("/api/groups/group-1/live?ticket=t");
    ws.receive({
      type: "snapshot",
      seq: 1,
      group_id: "group-1",
      generations: [
        runningFixture({ generation_id: "a", progress: 50 }),
        runningFixture({ generation_id: "b", progress: 40 }),
      ],
    });
    ws.receive({
      type: "generation",
      seq: 2,
      generation: runningFixture({ generation_id: "b", status: "completed", progress: 100 }),
    });
    // A scene event for a scene not planned yet changes nothing.
    ws.receive({ type: "scene", seq: 3, generation_id: "a", scene: sceneFixture(0) });
    const callsAtSnapshot = poll.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(poll).toHaveBeenCalledTimes(callsAtSnapshot);
    expect(seen.slice(-3).map((s) => `${s.generation_id}:${s.status}:${s.progress}`)).toEqual([
      "a:processing:50",
      "b:processing:40",
      "b:completed:100",
    ]);
    stop();
    expect(ws.closedWith?.code).toBe(1000);
  });
});
