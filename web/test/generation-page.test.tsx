import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { clearApiCache } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { startSession } from "../src/session.ts";
import { json, SESSION, statusFixture, stubApi, summaryFixture } from "./fixtures.tsx";

const SETTINGS = {
  seed: 7,
  duration_s: 15,
  aspect_ratio: "1:1",
  grade: "warm",
  music_mood: "calm",
  enhanced_planning: false,
  reference_image: null,
};

describe("generation page", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    history.replaceState(null, "", "/generations/gen-1");
  });

  test("a failed generation explains why and retries with the same prompt and settings", async () => {
    const failed = statusFixture({ status: "failed", progress: 30, error: "The clips step failed." });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(failed),
      "GET /api/generations": json({
        generations: [summaryFixture({ ...failed, settings: SETTINGS })],
        next_cursor: null,
      }),
      "POST /api/generate": json({ generation_id: "gen-2", group_id: "group-2", status: "pending" }, 202),
      "GET /api/status/gen-2": json(statusFixture({ generation_id: "gen-2" })),
    });
    render(() => <App />);
    await screen.findByText("This ad could not be finished");
    expect(screen.getByText("The clips step failed.")).toBeTruthy();
    // The settings it ran with are shown, so the retry is no surprise.
    expect(screen.getByText("(Square)")).toBeTruthy();
    expect(screen.getByText("Warm")).toBeTruthy();
    expect(screen.getByText("Calm")).toBeTruthy();
    // Cancelling is not offered until the server supports it.
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

  test("a finished generation plays in its aspect ratio, with download and cost", async () => {
    const done = statusFixture({
      status: "completed",
      progress: 100,
      cost: 0.31,
      video_url: "/media/renders/gen-1/video.mp4?sig=a",
      thumbnail_url: "/media/renders/gen-1/thumbnail.jpg?sig=b",
    });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/gen-1": json(done),
      "GET /api/generations": json({
        generations: [summaryFixture({ ...done, settings: SETTINGS, completed_at: Date.now() })],
        next_cursor: null,
      }),
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
    // Finished: no polling after the first read.
    await new Promise((r) => setTimeout(r, 50));
    expect(api.mock.calls.filter(([u]) => String(u).includes("/api/status/")).length).toBe(1);
  });
});
