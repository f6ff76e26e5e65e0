import { render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, test } from "vitest";
import type { GenerationView } from "../src/api.ts";
import { ProgressView } from "../src/components/progress-view.tsx";
import { SceneCards } from "../src/components/scene-cards.tsx";
import { VideoResult } from "../src/components/video-result.tsx";
import { sceneFixture, viewFixture } from "./fixtures.tsx";

describe("ProgressView", () => {
  test("a queued generation: 0 %, a plain-language step, elapsed time", () => {
    render(() => <ProgressView generation={viewFixture()} elapsedMs={65_000} />);
    const bar = screen.getByRole("progressbar", { name: "Generation progress" });
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    expect(screen.getByText("Queued")).toBeTruthy();
    expect(screen.getByTestId("progress-step").textContent).toBe("Queued: waiting to start");
    expect(screen.getByText("1:05")).toBeTruthy();
  });

  test("follows updates in place: the same elements, new values", () => {
    const [status, setStatus] = createSignal<GenerationView>(viewFixture());
    render(() => <ProgressView generation={status()} elapsedMs={null} />);
    const bar = screen.getByRole("progressbar");
    const step = screen.getByTestId("progress-step");
    setStatus(viewFixture({ status: "processing", progress: 47.6, current_step: "Rendering clips (2/4)" }));
    // Same nodes (no remount, so no layout jump), new content.
    expect(screen.getByRole("progressbar")).toBe(bar);
    expect(screen.getByTestId("progress-step")).toBe(step);
    expect(bar.getAttribute("aria-valuenow")).toBe("48");
    expect(bar.getAttribute("aria-valuetext")).toBe("48%: Rendering clips (2/4)");
    expect(step.textContent).toBe("Rendering clips (2/4)");
    expect(screen.getByText("Generating")).toBeTruthy();
    expect((bar.firstElementChild as HTMLElement).style.transform).toBe("scaleX(0.48)");
    // No elapsed time is shown when it is unknown.
    expect(screen.queryByText(/elapsed/)).toBeNull();
  });

  test("clamps bad progress values and marks failure", () => {
    render(() => (
      <ProgressView generation={viewFixture({ status: "failed", progress: 140 })} elapsedMs={0} />
    ));
    const bar = screen.getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("100");
    expect(bar.dataset.status).toBe("failed");
    expect(screen.getByText("Failed")).toBeTruthy();
  });

  test("a cancelled generation reads Cancelled, its bar neutral", () => {
    render(() => (
      <ProgressView
        generation={viewFixture({ status: "cancelled", error: "Cancelled by user", error_code: "cancelled" })}
        elapsedMs={null}
      />
    ));
    const badge = document.querySelector(".badge") as HTMLElement;
    expect(badge.textContent).toBe("Cancelled");
    expect(badge.dataset.status).toBe("cancelled");
    expect(badge.dataset.cancelled).toBe("true");
    expect(screen.getByRole("progressbar").dataset.status).toBe("cancelled");
  });

  test("one cancelled before the status existed (failed) is told by its error code, never by its message", () => {
    const [view, setView] = createSignal(
      viewFixture({ status: "failed", error: "Stopped on request", error_code: "cancelled" }),
    );
    render(() => <ProgressView generation={view()} elapsedMs={null} />);
    const badge = document.querySelector(".badge") as HTMLElement;
    expect(badge.textContent).toBe("Cancelled");
    expect(badge.dataset.cancelled).toBe("true");
    setView(viewFixture({ status: "failed", error: "Cancelled by user", error_code: "failed" }));
    expect(badge.textContent).toBe("Failed");
    expect(badge.dataset.cancelled).toBeUndefined();
  });
});

describe("SceneCards", () => {
  test("one card per scene; a ready scene becomes a playable preview", () => {
    render(() => (
      <SceneCards
        aspect="9:16"
        scenes={[
          sceneFixture(0, {
            status: "ready",
            overlay_text: "Fuel up",
            duration_s: 4,
            clip_url: "/media/c0",
            poster_url: "/media/p0.jpg",
          }),
          sceneFixture(1, { status: "rendering", overlay_text: "Plant power", duration_s: 4 }),
          sceneFixture(2, { type: "action", overlay_text: "Shop now", duration_s: 4 }),
        ]}
      />
    ));
    expect(screen.getAllByRole("listitem")).toHaveLength(3);
    const preview = screen.getByLabelText("Scene 1 preview") as HTMLVideoElement;
    expect(preview.tagName).toBe("VIDEO");
    expect(preview.getAttribute("src")).toBe("/media/c0");
    // The clip's poster frame shows before it plays, instead of a black box.
    expect(preview.getAttribute("poster")).toBe("/media/p0.jpg");
    expect(screen.queryByLabelText("Scene 2 preview")).toBeNull();
    expect(screen.getByText("Rendering")).toBeTruthy();
    expect(screen.getByText("“Shop now”")).toBeTruthy();
  });
});

describe("VideoResult", () => {
  test("a re-signed link to the same video does not reload the player; another video does", () => {
    const [url, setUrl] = createSignal("/media/renders/gen-1/video.mp4?sig=a");
    render(() => <VideoResult videoUrl={url()} thumbnailUrl={null} aspect="9:16" fileName="ad.mp4" />);
    const video = screen.getByLabelText("Your finished ad");
    const download = screen.getByRole("link", { name: "Download MP4" });
    setUrl("/media/renders/gen-1/video.mp4?sig=c");
    expect(screen.getByLabelText("Your finished ad")).toBe(video);
    expect(video.getAttribute("src")).toBe("/media/renders/gen-1/video.mp4?sig=a");
    expect(download.getAttribute("href")).toBe("/media/renders/gen-1/video.mp4?sig=a");
    setUrl("/media/renders/gen-2/video.mp4?sig=d");
    expect(video.getAttribute("src")).toBe("/media/renders/gen-2/video.mp4?sig=d");
  });
});
