import { render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, test } from "vitest";
import type { GenerationStatus } from "../src/api.ts";
import { ProgressView } from "../src/components/progress-view.tsx";
import { SceneCards } from "../src/components/scene-cards.tsx";
import { statusFixture } from "./fixtures.tsx";

describe("ProgressView", () => {
  test("a queued generation: 0 %, a plain-language step, elapsed time", () => {
    render(() => <ProgressView status={statusFixture()} elapsedMs={65_000} />);
    const bar = screen.getByRole("progressbar", { name: "Generation progress" });
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    expect(screen.getByText("Queued")).toBeTruthy();
    expect(screen.getByTestId("progress-step").textContent).toBe("Queued: waiting to start");
    expect(screen.getByText("1:05")).toBeTruthy();
  });

  test("follows updates in place: the same elements, new values", () => {
    const [status, setStatus] = createSignal<GenerationStatus>(statusFixture());
    render(() => <ProgressView status={status()} elapsedMs={null} />);
    const bar = screen.getByRole("progressbar");
    const step = screen.getByTestId("progress-step");
    setStatus(statusFixture({ status: "processing", progress: 47.6, current_step: "Rendering clips (2/4)" }));
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
    render(() => <ProgressView status={statusFixture({ status: "failed", progress: 140 })} elapsedMs={0} />);
    const bar = screen.getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("100");
    expect(bar.dataset.status).toBe("failed");
    expect(screen.getByText("Failed")).toBeTruthy();
  });
});

describe("SceneCards", () => {
  test("one card per scene; a ready scene becomes a playable preview", () => {
    render(() => (
      <SceneCards
        aspect="9:16"
        scenes={[
          {
            index: 0,
            type: "attention",
            status: "ready",
            overlay_text: "Fuel up",
            duration_s: 4,
            clip_url: "/media/c0",
          },
          {
            index: 1,
            type: "interest",
            status: "rendering",
            overlay_text: "Plant power",
            duration_s: 4,
            clip_url: null,
          },
          {
            index: 2,
            type: "action",
            status: "pending",
            overlay_text: "Shop now",
            duration_s: 4,
            clip_url: null,
          },
        ]}
      />
    ));
    expect(screen.getAllByRole("listitem")).toHaveLength(3);
    const preview = screen.getByLabelText("Scene 1 preview") as HTMLVideoElement;
    expect(preview.tagName).toBe("VIDEO");
    expect(preview.getAttribute("src")).toBe("/media/c0");
    expect(screen.queryByLabelText("Scene 2 preview")).toBeNull();
    expect(screen.getByText("Rendering")).toBeTruthy();
    expect(screen.getByText("“Shop now”")).toBeTruthy();
  });
});
