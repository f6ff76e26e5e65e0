import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { App } from "../src/app.tsx";
import type { GenerationSettings } from "../src/settings.ts";
import { FakeWebSocket } from "./fake-socket.ts";
import {
  json,
  SESSION,
  sceneFixture,
  signedInAt,
  stubApi,
  ticket,
  versionFixture,
  viewFixture,
} from "./fixtures.tsx";

const SETTINGS: GenerationSettings = {
  seed: 7,
  duration_s: 15,
  aspect_ratio: "1:1",
  grade: "warm",
  music_mood: "calm",
  enhanced_planning: false,
  reference_image: null,
  music: null,
  logo: null,
  workflow: "auto",
};

describe("generation page", () => {
  beforeEach(() => signedInAt("/generations/gen-1"));

  test("a failed generation explains why and retries with the same prompt and settings", async () => {
    const failed = viewFixture({
      status: "failed",
      progress: 30,
      error: "The clips step failed.",
      error_code: "failed",
      settings: SETTINGS,
    });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(failed),
      "POST /api/generate": json({ generation_id: "gen-2", group_id: "group-2", status: "pending" }, 202),
      "GET /api/status/gen-2": json(viewFixture({ generation_id: "gen-2", group_id: "group-2" })),
      "POST /api/groups/group-2/ticket": ticket("group-2"),
    });
    render(() => <App />);
    await screen.findByText("This ad could not be finished");
    expect(screen.getByText("The clips step failed.")).toBeTruthy();
    // The settings it ran with are shown, so the retry is no surprise.
    expect(screen.getByText("(Square)")).toBeTruthy();
    expect(screen.getByText("Warm")).toBeTruthy();
    expect(screen.getByText("Calm")).toBeTruthy();
    // Nothing left to cancel.
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(location.pathname).toBe("/generations/gen-2"));
    const post = api.mock.calls.find(
      ([u, init]) => String(u).endsWith("/api/generate") && init?.method === "POST",
    );
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({
      prompt: "vegan protein powder, energetic, for TikTok",
      settings: SETTINGS,
    });
  });

  test("a finished generation draws everything from its one read: player, download, scenes, cost breakdown", async () => {
    const scenes = [0, 1, 2].map((i) =>
      sceneFixture(i, { status: "ready", clip_url: `/media/clips/gen-1/${i}.mp4?s=1` }),
    );
    const done = viewFixture({
      status: "completed",
      progress: 100,
      settings: SETTINGS,
      scenes,
      cost: 0.31,
      cost_breakdown: {
        enhance: 0.01,
        plan: 0,
        keyframes: 0,
        clips: [
          { scene: 1, model: "replicate:minimax/video-01", seconds: 5, cost: 0.1 },
          { scene: 0, model: "replicate:minimax/video-01", seconds: 5, cost: 0.1 },
          { scene: 2, model: "replicate:minimax/video-01", seconds: 5, cost: 0.1 },
        ],
        compose: 0,
        total: 0.31,
      },
      video_url: "/media/renders/gen-1/video.mp4?sig=a",
      thumbnail_url: "/media/renders/gen-1/thumbnail.jpg?sig=b",
      completed_at: Date.now(),
    });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(done),
    });
    render(() => <App />);
    const video = (await screen.findByLabelText("Your finished ad")) as HTMLVideoElement;
    expect(video.getAttribute("src")).toBe(done.video_url);
    expect(video.getAttribute("poster")).toBe(done.thumbnail_url);
    expect(video.parentElement?.dataset.aspect).toBe("1:1");
    const download = screen.getByRole("link", { name: "Download MP4" });
    expect(download.getAttribute("href")).toBe(done.video_url);
    expect(download.getAttribute("download")).toBe("promptreel-gen-1.mp4");
    expect(screen.getByTestId("generation-cost").textContent).toBe("$0.31");
    expect(screen.getByText("Your ad is ready")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();

    const breakdown = screen.getByTestId("cost-breakdown");
    const rows = [...breakdown.querySelectorAll("tr")].map((tr) => tr.textContent);
    expect(rows).toEqual([
      "Script$0.01",
      "Scene plan$0.00",
      "Scene 1 clipvideo-01 · 5.0 s$0.10",
      "Scene 2 clipvideo-01 · 5.0 s$0.10",
      "Scene 3 clipvideo-01 · 5.0 s$0.10",
      "ComposeOverlays, music, export$0.00",
      "Total$0.31",
    ]);
    expect(screen.getAllByLabelText(/^Scene \d preview$/)).toHaveLength(3);
    // Finished: one read, and nothing to follow (no socket, no polling).
    await new Promise((r) => setTimeout(r, 50));
    expect(api.mock.calls.map(([u]) => new URL(String(u)).pathname).filter((p) => p !== "/api/me")).toEqual([
      "/api/status/gen-1",
    ]);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  test("a finished ad shows its QC report (badge, then each check) and every scene card has its poster", async () => {
    const scenes = [0, 1].map((i) =>
      sceneFixture(i, {
        status: "ready",
        clip_url: `/media/clips/gen-1/${i}.mp4?s=1`,
        poster_url: `/media/renders/gen-1/scene-${i}.jpg?s=1`,
      }),
    );
    const qc = {
      status: "warn" as const,
      checks: [
        {
          check: "loudness" as const,
          status: "pass" as const,
          detail: "-14.1 LUFS integrated",
          value: -14.1,
        },
        {
          check: "contrast" as const,
          status: "fixed" as const,
          detail: "Scene 2: 1.3:1, backing strengthened to 6.2:1",
          value: 6.2,
        },
        { check: "copy_facts" as const, status: "warn" as const, detail: "Not on screen: 24h" },
      ],
    };
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(
        viewFixture({
          status: "completed",
          progress: 100,
          scenes,
          qc,
          versions: [versionFixture(1, { qc })],
          video_url: "/media/renders/gen-1/video.mp4?sig=a",
          thumbnail_url: "/media/renders/gen-1/thumbnail.jpg?sig=b",
        }),
      ),
    });
    render(() => <App />);
    const report = await screen.findByTestId("qc-report");
    expect(report.querySelector(".qc-badge")?.textContent).toBe("QC: 1 warning");
    const rows = [...report.querySelectorAll("li")].map((li) => [li.dataset.check, li.dataset.status]);
    expect(rows).toEqual([
      ["loudness", "pass"],
      ["contrast", "fixed"],
      ["copy_facts", "warn"],
    ]);
    expect(report.textContent).toContain("Not on screen: 24h");
    // A warning opens the details; nothing is hidden behind the badge.
    expect(report.querySelector("details")?.open).toBe(true);
    const cards = screen.getAllByLabelText(/^Scene \d preview$/) as HTMLVideoElement[];
    expect(cards.map((v) => v.getAttribute("poster"))).toEqual(scenes.map((sc) => sc.poster_url));
  });

  test.each([
    { label: "Prompt 2", link: "← Back to comparison", href: "/comparisons/grp-7" },
    { label: null, link: "← Library", href: "/library" },
  ])("a generation labelled $label leads back to $href", async ({ label, link, href }) => {
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(
        viewFixture({ status: "completed", progress: 100, group_id: "grp-7", label }),
      ),
    });
    render(() => <App />);
    // The view (which carries the label) has arrived: the link is decided, not a default.
    await screen.findAllByText(/vegan protein powder, energetic/);
    const back = await screen.findByRole("link", { name: link });
    expect(back.getAttribute("href")).toBe(href);
  });

  test("another user's (or a deleted) generation reads 'not found', with a way back", async () => {
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json({ error: { code: "not_found", message: "Generation not found" } }, 404),
    });
    render(() => <App />);
    expect(await screen.findByText("Generation not found")).toBeTruthy();
    expect(screen.getByRole("link", { name: "← Library" }).getAttribute("href")).toBe("/library");
    expect(FakeWebSocket.instances).toHaveLength(0);
  });
});
