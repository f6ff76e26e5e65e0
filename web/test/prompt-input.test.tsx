import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, test } from "vitest";
import { PromptInput } from "../src/components/prompt-input.tsx";
import { promptProblem } from "../src/settings.ts";

function setup(initial = "", props: { showProblems?: boolean; serverError?: string } = {}) {
  const [value, setValue] = createSignal(initial);
  render(() => <PromptInput value={value()} onInput={setValue} {...props} />);
  const box = screen.getByLabelText("Describe your ad") as HTMLTextAreaElement;
  const type = (text: string) => fireEvent.input(box, { target: { value: text } });
  return { box, type, value };
}

describe("PromptInput", () => {
  test("counts characters as the user types, the way the server counts them", () => {
    const { type, value } = setup();
    expect(screen.getByText("0 / 500", { exact: false })).toBeTruthy();
    type("  luxury   watch  ");
    expect(value()).toBe("  luxury   watch  ");
    // Trimmed, runs of spaces collapsed: what the server will store.
    expect(screen.getByText("12 / 500", { exact: false })).toBeTruthy();
  });

  test("does not scold before the user has finished, then explains what is missing", () => {
    const { box, type } = setup();
    type("123456789");
    expect(box.getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByText(/10 to 500 characters/)).toBeTruthy();
    fireEvent.blur(box);
    expect(screen.getByText("Add 1 more character (at least 10).")).toBeTruthy();
    expect(box.getAttribute("aria-invalid")).toBe("true");
    // Live from then on: fixing it clears the message.
    type("1234567890");
    expect(box.getAttribute("aria-invalid")).toBeNull();
  });

  test("shows the problem at once after a submit attempt, and flags prompts over 500", () => {
    const { box, type } = setup("", { showProblems: true });
    expect(screen.getByText("Describe the ad you want.")).toBeTruthy();
    type("x".repeat(503));
    expect(screen.getByText("Shorten by 3 characters (at most 500).")).toBeTruthy();
    expect(screen.getByText("503 / 500", { exact: false }).classList.contains("counter-over")).toBe(true);
    expect(box.getAttribute("aria-invalid")).toBe("true");
  });

  test("shows the server's field message", () => {
    const { box } = setup("a valid prompt here", { serverError: "Prompt must be at least 10 characters" });
    expect(screen.getByText("Prompt must be at least 10 characters")).toBeTruthy();
    expect(box.getAttribute("aria-describedby")).toContain("prompt-help");
  });

  test("validation mirrors the server's bounds exactly", () => {
    expect(promptProblem("a".repeat(10))).toBeNull();
    expect(promptProblem("a".repeat(500))).toBeNull();
    expect(promptProblem(`  ${"a".repeat(9)}\n\t `)).toMatch(/at least 10/);
    expect(promptProblem("a".repeat(501))).toMatch(/at most 500/);
    // Counted as the server counts: code points, after invisible and bidi-override characters go.
    expect(promptProblem("🎉".repeat(500))).toBeNull();
    expect(promptProblem("🎉".repeat(501))).toMatch(/Shorten by 1 character /);
    expect(promptProblem(`short one${"\u200b\u202e".repeat(10)}`)).toMatch(/Add 1 more character /);
  });
});
