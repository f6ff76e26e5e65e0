import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { clearApiCache } from "../src/api.ts";
import { App } from "../src/app.tsx";
import {
  carryPrompt,
  defaultParallel,
  normalizeParallel,
  parallelProblems,
  parallelRequest,
  resize,
} from "../src/parallel.ts";
import { startSession } from "../src/session.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import { json, quote, SESSION, stubApi } from "./fixtures.tsx";

describe("parallel drafts", () => {
  test("start with three variations: the current prompt, and profiles A-C with different grades", () => {
    const d = defaultParallel("luxury watch ad for Instagram", DEFAULT_SETTINGS);
    expect(d.prompts).toEqual(["luxury watch ad for Instagram", "", ""]);
    expect(d.profiles.map((p) => p.name)).toEqual(["Profile A", "Profile B", "Profile C"]);
    expect(new Set(d.profiles.map((p) => p.settings.grade)).size).toBe(3);
  });

  test("resize keeps what was typed and stays within 2-5", () => {
    const d = { ...defaultParallel("one prompt here", DEFAULT_SETTINGS), prompts: ["a1", "b2", "c3"] };
    expect(resize(d, 5, DEFAULT_SETTINGS).prompts).toEqual(["a1", "b2", "c3", "", ""]);
    expect(resize(d, 2, DEFAULT_SETTINGS).prompts).toEqual(["a1", "b2"]);
    expect(resize(d, 9, DEFAULT_SETTINGS).prompts).toHaveLength(5);
    expect(resize(d, 1, DEFAULT_SETTINGS).prompts).toHaveLength(2);
    const profiles = resize({ ...d, kind: "settings" }, 5, DEFAULT_SETTINGS).profiles;
    expect(profiles.map((p) => p.name)).toEqual([
      "Profile A",
      "Profile B",
      "Profile C",
      "Profile D",
      "Profile E",
    ]);
  });

  test("problems name the field; the request is what the API takes", () => {
    const d = {
      ...defaultParallel("", DEFAULT_SETTINGS),
      prompts: ["coffee shop opening, cosy", "short", ""],
    };
    expect(parallelProblems(d, "")).toEqual({
      "prompts.1": "Add 5 more characters (at least 10).",
      "prompts.2": "Describe the ad you want.",
    });
    const settingsMode = { ...d, kind: "settings" as const };
    settingsMode.profiles[1] = { ...settingsMode.profiles[1]!, name: "  " };
    expect(parallelProblems(settingsMode, "a good enough prompt")).toEqual({
      "profiles.1.name": "Give the profile a name.",
    });
    expect(
      parallelRequest({ ...d, prompts: ["  a  b c d e f g ", "x".repeat(12)] }, "", DEFAULT_SETTINGS),
    ).toEqual({
      mode: "prompt",
      prompts: ["a b c d e f g", "x".repeat(12)],
      settings: DEFAULT_SETTINGS,
    });
    const req = parallelRequest(settingsMode, " watch ad, golden ", DEFAULT_SETTINGS);
    expect(req.mode === "settings" && req.prompt).toBe("watch ad, golden");
    expect(req.mode === "settings" && req.profiles.map((p) => p.settings.grade)).toEqual([
      "brand",
      "cinematic",
      "vivid",
    ]);
  });

  test("variations run straight through, even when the single ad's settings ask for a storyboard", () => {
    const review = { ...DEFAULT_SETTINGS, workflow: "storyboard" as const };
    const d = {
      ...defaultParallel("", review),
      prompts: ["coffee shop opening, cosy", "bakery opening, warm"],
    };
    const byPrompt = parallelRequest(d, "", review);
    expect(byPrompt.mode === "prompt" && byPrompt.settings?.workflow).toBe("auto");
    const bySettings = parallelRequest({ ...d, kind: "settings" }, "coffee shop opening", review);
    expect(bySettings.mode === "settings" && bySettings.profiles.map((p) => p.settings.workflow)).toEqual([
      "auto",
      "auto",
      "auto",
    ]);
  });

  test("the typed prompt fills an empty first prompt and never overwrites one", () => {
    const d = defaultParallel("", DEFAULT_SETTINGS);
    expect(carryPrompt(d, "luxury watch ad").prompts).toEqual(["luxury watch ad", "", ""]);
    const typed = { ...d, prompts: ["my own first", "", ""] };
    expect(carryPrompt(typed, "luxury watch ad")).toBe(typed);
    expect(carryPrompt(d, "   ")).toBe(d);
  });

  test("a stored draft is read back, and anything unusable falls back to the defaults", () => {
    const stored = {
      kind: "settings",
      prompts: ["p1", "p2"],
      profiles: [{ name: "Warm", settings: { grade: "warm" } }],
    };
    const d = normalizeParallel(stored, "x", DEFAULT_SETTINGS);
    expect(d.kind).toBe("settings");
    expect(d.prompts).toEqual(["p1", "p2"]);
    expect(d.profiles).toHaveLength(3); // one profile is not a comparison
    expect(normalizeParallel("junk", "x", DEFAULT_SETTINGS).kind).toBe("prompt");
  });
});

describe("the dashboard's parallel mode", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    history.replaceState(null, "", "/");
  });

  test("prompt variations: a box per prompt, the total estimate, validation, then the comparison", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": quote(0.42),
      "POST /api/comparisons": json(
        { group_id: "grp-9", generation_ids: ["g1", "g2", "g3", "g4"], status: "pending" },
        202,
      ),
      "GET /api/comparisons/grp-9": json({ error: { code: "not_found", message: "stop here" } }, 404),
    });
    render(() => <App />);
    fireEvent.click(await screen.findByRole("radio", { name: "Parallel variations" }));
    expect(screen.getAllByTestId("variation-prompt")).toHaveLength(3);
    fireEvent.click(screen.getByRole("radio", { name: "4 variations" }));
    expect(screen.getAllByTestId("variation-prompt")).toHaveLength(4);
    const total = await screen.findByTestId("total-estimate");
    await waitFor(() => expect(total.textContent).toBe("$1.68"));
    expect(screen.getByRole("button", { name: "Generate 4 variations" })).toBeTruthy();

    const prompts = ["vegan protein powder, energetic", "vegan protein powder, calm", "short", ""];
    for (const [i, p] of prompts.entries()) {
      fireEvent.input(screen.getByLabelText(`Prompt ${i + 1}`), { target: { value: p } });
    }
    fireEvent.click(screen.getByRole("button", { name: "Generate 4 variations" }));
    expect(await screen.findByText("Add 5 more characters (at least 10).")).toBeTruthy();
    expect(screen.getByText("Describe the ad you want.")).toBeTruthy();
    expect(api.mock.calls.some(([u]) => String(u).includes("/api/comparisons"))).toBe(false);

    fireEvent.input(screen.getByLabelText("Prompt 3"), { target: { value: "vegan protein powder, luxury" } });
    fireEvent.input(screen.getByLabelText("Prompt 4"), {
      target: { value: "vegan protein powder, for TikTok" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Generate 4 variations" }));
    await waitFor(() => expect(location.pathname).toBe("/comparisons/grp-9"));
    const post = api.mock.calls.find(([u]) => String(u).includes("/api/comparisons"));
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({
      mode: "prompt",
      prompts: [
        "vegan protein powder, energetic",
        "vegan protein powder, calm",
        "vegan protein powder, luxury",
        "vegan protein powder, for TikTok",
      ],
      settings: expect.objectContaining({ grade: "brand", duration_s: 15 }),
    });
  });

  test("settings profiles: named A-C, each with its own editor and summary; the server's field errors land on the profile", async () => {
    let body: unknown;
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": ({ url }) => quote(url.searchParams.get("duration_s") === "30" ? 0.84 : 0.42),
      "POST /api/comparisons": (req) => {
        body = req.body;
        return json(
          {
            error: {
              code: "validation_failed",
              message: "profiles.1.settings.seed: Too big",
              details: { fields: { "profiles.1.settings.seed": ["Too big"] } },
            },
          },
          400,
        );
      },
    });
    render(() => <App />);
    fireEvent.click(await screen.findByRole("radio", { name: "Parallel variations" }));
    fireEvent.click(screen.getByRole("radio", { name: "Different settings" }));
    const profiles = screen.getAllByTestId("profile");
    expect(profiles).toHaveLength(3);
    expect(profiles.map((p) => (within(p).getByRole("textbox") as HTMLInputElement).value)).toEqual([
      "Profile A",
      "Profile B",
      "Profile C",
    ]);
    // Each profile's toggle names it and summarises its settings.
    const second = within(profiles[1]!);
    expect(second.getByRole("button", { name: /Profile B/ }).textContent).toContain("Cinematic");
    fireEvent.click(second.getByRole("button", { name: /Profile B/ }));
    fireEvent.click(second.getByRole("radio", { name: "30 s" }));
    // Radio groups are per profile: B's 30 s leaves A at 15 s.
    expect(
      (within(profiles[0]!).getByRole("radio", { name: "15 s", hidden: true }) as HTMLInputElement).checked,
    ).toBe(true);
    await waitFor(() => expect(screen.getByTestId("total-estimate").textContent).toBe("$1.68"));
    fireEvent.input(second.getByLabelText("Name of variation 2"), { target: { value: "Moody" } });
    expect(second.getByRole("button", { name: /Moody/ })).toBeTruthy();

    fireEvent.input(screen.getByLabelText("Describe your ad"), {
      target: { value: "luxury watch ad for Instagram" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Generate 3 variations" }));
    expect(await second.findByText("Too big")).toBeTruthy();
    expect(body).toMatchObject({
      mode: "settings",
      prompt: "luxury watch ad for Instagram",
      profiles: [
        { name: "Profile A", settings: { grade: "brand", duration_s: 15 } },
        { name: "Moody", settings: { grade: "cinematic", duration_s: 30 } },
        { name: "Profile C", settings: { grade: "vivid" } },
      ],
    });
    expect(location.pathname).toBe("/");
  });
});
