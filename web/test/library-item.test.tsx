import { fireEvent, screen } from "@solidjs/testing-library";
import { describe, expect, test, vi } from "vitest";
import { LibraryItem } from "../src/components/library-item.tsx";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { renderInRouter, viewFixture } from "./fixtures.tsx";

describe("LibraryItem", () => {
  test("shows status, prompt, duration, cost and date, and links to the generation", () => {
    const g = viewFixture({
      status: "completed",
      cost: 0.4215,
      settings: { ...DEFAULT_SETTINGS, duration_s: 30, aspect_ratio: "1:1" },
      thumbnail_url: "/media/thumb.jpg?sig=x",
    });
    renderInRouter(() => <LibraryItem generation={g} onDelete={() => {}} />, "/library");
    expect(screen.getByText("Ready")).toBeTruthy();
    const link = screen.getByRole("link", { name: g.prompt });
    expect(link.getAttribute("href")).toBe("/generations/gen-1");
    expect(screen.getByText("30 s")).toBeTruthy();
    expect(screen.getByText("$0.42")).toBeTruthy();
    expect(screen.getByText("1:1")).toBeTruthy();
    const time = document.querySelector("time");
    expect(time?.getAttribute("datetime")).toBe(new Date(g.created_at).toISOString());
    expect(time?.textContent).toMatch(/Nov 25/);
    expect(document.querySelector("img")?.getAttribute("src")).toBe("/media/thumb.jpg?sig=x");
  });

  test("a placeholder stands in for a missing thumbnail", () => {
    renderInRouter(
      () => <LibraryItem generation={viewFixture({ status: "pending" })} onDelete={() => {}} />,
      "/library",
    );
    expect(document.querySelector("img")).toBeNull();
    expect(document.querySelector(".thumb-placeholder")).toBeTruthy();
    expect(screen.getByText("Queued")).toBeTruthy();
    expect(screen.getByText("Waiting to start")).toBeTruthy();
    expect(screen.getByText("$0.00")).toBeTruthy();
  });

  test("a failed one says there is no video instead of offering a play glyph", () => {
    renderInRouter(
      () => <LibraryItem generation={viewFixture({ status: "failed" })} onDelete={() => {}} />,
      "/library",
    );
    expect(screen.getByText("No video")).toBeTruthy();
    expect(document.querySelector(".thumb-glyph")).toBeNull();
  });

  test("the delete button names what it deletes and hands the item back", () => {
    const onDelete = vi.fn();
    const g = viewFixture();
    renderInRouter(() => <LibraryItem generation={g} onDelete={onDelete} />, "/library");
    fireEvent.click(screen.getByRole("button", { name: `Delete “${g.prompt}”` }));
    expect(onDelete).toHaveBeenCalledWith(g);
  });

  test("a prompt is shown as text, never as HTML", () => {
    const g = viewFixture({ prompt: "<img src=x onerror=alert(1)> shoes for runners" });
    renderInRouter(() => <LibraryItem generation={g} onDelete={() => {}} />, "/library");
    expect(screen.getByText(g.prompt)).toBeTruthy();
    expect(document.querySelectorAll("img")).toHaveLength(0);
  });
});
