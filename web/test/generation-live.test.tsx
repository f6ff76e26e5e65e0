import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { GenerationView } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { FakeWebSocket } from "./fake-socket.ts";
import {
  json,
  runningFixture,
  SESSION,
  sceneFixture,
  signedInAt,
  stubApi,
  ticket,
  viewFixture,
} from "./fixtures.tsx";

describe("a running generation", () => {
  beforeEach(() => signedInAt("/generations/gen-1"));

  test("fills the storyboard from live events, plays ready clips, and can be cancelled", async () => {
    const queued = viewFixture({ current_step: "Queued", created_at: Date.now() - 65_000 });
    // Live views are the same model as the read: the same generation, further along.
    const running = (over: Partial<GenerationView> = {}) =>
      runningFixture({ created_at: queued.created_at, ...over });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(queued),
      "POST /api/groups/group-1/ticket": ticket("group-1"),
      "POST /api/generations/gen-1/cancel": json(
        { generation_id: "gen-1", status: "processing", cancellation_requested: true },
        202,
      ),
    });
    // jsdom has no media loading; the spy records which elements were told to drop theirs.
    const load = vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => {});
    vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
    render(() => <App />);
    await screen.findByText("Your ad is queued");
    // Before the plan exists, placeholder cards hold the storyboard's space.
    expect(screen.getAllByTestId("scene-card")).toHaveLength(4);
    expect(screen.getByText("Writing the script and planning scenes…")).toBeTruthy();
    expect((await screen.findByTestId("elapsed")).textContent).toMatch(/^1:0\d elapsed$/);
    const bar = screen.getByRole("progressbar", { name: "Generation progress" });

    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    const ws = FakeWebSocket.latest();
    const scenes = [0, 1, 2, 3].map((i) => sceneFixture(i));
    ws.receive({ type: "snapshot", seq: 1, group_id: "group-1", generations: [running()] });
    await screen.findByText("Creating your ad");
    ws.receive({
      type: "generation",
      seq: 2,
      generation: running({ progress: 30, current_step: "Rendering clips (0/4)", scenes }),
    });
    await screen.findByText("Rendering clips (0/4)");
    expect(bar.getAttribute("aria-valuenow")).toBe("30");
    expect(screen.getByText("“Line 4”")).toBeTruthy();
    const cards = screen.getAllByTestId("scene-card");
    expect(cards).toHaveLength(4);

    ws.receive({
      type: "scene",
      seq: 3,
      generation_id: "gen-1",
      scene: sceneFixture(1, { status: "ready", clip_url: "/media/clips/gen-1/1.mp4?sig=a" }),
    });
    const preview = (await screen.findByLabelText("Scene 2 preview")) as HTMLVideoElement;
    expect(preview.getAttribute("src")).toBe("/media/clips/gen-1/1.mp4?sig=a");
    expect(screen.getByText("1 of 4 clips ready; each plays once rendered")).toBeTruthy();
    // Updated in place: the same cards and the same progress bar, so nothing moves.
    expect(screen.getAllByTestId("scene-card")).toEqual(cards);
    expect(screen.getByRole("progressbar")).toBe(bar);

    // A later event re-signs the clip: the preview keeps its source (no reload).
    const readyScenes = scenes.map((s, i) =>
      i === 1 ? { ...s, status: "ready" as const, clip_url: "/media/clips/gen-1/1.mp4?sig=b" } : s,
    );
    ws.receive({
      type: "generation",
      seq: 4,
      generation: running({ progress: 40, scenes: readyScenes }),
    });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("40"));
    expect(screen.getByLabelText("Scene 2 preview")).toBe(preview);
    expect(preview.getAttribute("src")).toBe("/media/clips/gen-1/1.mp4?sig=a");

    fireEvent.click(screen.getByRole("button", { name: "Cancel generation" }));
    await screen.findByRole("button", { name: "Cancelling…" });
    expect(api.mock.calls.some(([u, init]) => String(u).endsWith("/cancel") && init?.method === "POST")).toBe(
      true,
    );
    ws.receive({
      type: "generation",
      seq: 5,
      generation: running({
        status: "cancelled",
        progress: 40,
        current_step: "Cancelled",
        error: "Cancelled by user",
        error_code: "cancelled",
        scenes: readyScenes,
        completed_at: Date.now(),
      }),
    });
    await screen.findByRole("heading", { name: "Cancelled by user" });
    expect(screen.getByRole("heading", { name: "Generation cancelled", level: 1 })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
    expect(document.querySelector(".progress-view .badge")?.textContent).toBe("Cancelled");
    // Its clips were deleted with it: no storyboard, a retry instead.
    expect(screen.queryAllByTestId("scene-card")).toHaveLength(0);
    // The removed preview let go of its download (a detached video keeps it open otherwise).
    expect(preview.hasAttribute("src")).toBe(false);
    expect(load.mock.contexts).toContain(preview);
    expect(screen.getByRole("button", { name: "Start again" })).toBeTruthy();
    // One read drew the page (prompt, settings, timing); the socket did the rest.
    const paths = api.mock.calls.map(([u]) => new URL(String(u)).pathname);
    expect(
      paths.filter((p) => p.startsWith("/api/status/") || p.startsWith("/api/generations/gen-1")),
    ).toEqual(["/api/status/gen-1", "/api/generations/gen-1/cancel"]);
  });
});
