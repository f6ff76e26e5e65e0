import { DEFAULT_SETTINGS as SERVER_DEFAULTS } from "@promptreel/worker/rules";
import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, test } from "vitest";
import { SettingsPanel } from "../src/components/settings-panel.tsx";
import { DEFAULT_SETTINGS, type GenerationSettings, normalizeSettings } from "../src/settings.ts";

function setup() {
  const [settings, setSettings] = createSignal<GenerationSettings>({ ...DEFAULT_SETTINGS });
  render(() => <SettingsPanel settings={settings()} onChange={setSettings} />);
  return { settings, toggle: screen.getByRole("button", { name: /Settings/ }) };
}

describe("SettingsPanel", () => {
  test("starts collapsed, with a summary of the defaults on the toggle", () => {
    const { toggle } = setup();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(document.getElementById("settings-body")?.hidden).toBe(true);
    expect(toggle.textContent).toContain("15 s · 9:16 · Brand colours · Match the prompt");
  });

  test("opens to the server's defaults", () => {
    const { toggle } = setup();
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(document.getElementById("settings-body")?.hidden).toBe(false);
    expect((screen.getByRole("radio", { name: "15 s" }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("radio", { name: /9:16/ }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Colour grade") as HTMLSelectElement).value).toBe("brand");
    expect((screen.getByLabelText("Music") as HTMLSelectElement).value).toBe("auto");
    expect((screen.getByLabelText("Seed") as HTMLInputElement).value).toBe("");
    expect((screen.getByRole("switch", { name: /Enhanced planning/ }) as HTMLInputElement).checked).toBe(
      false,
    );
    // The asset pickers (product, logo, music) live beside the panel, on the dashboard.
    expect(screen.queryByRole("button", { name: "Upload image" })).toBeNull();
  });

  test("the form's defaults are the server's own, not a copy", () => {
    expect(DEFAULT_SETTINGS).toBe(SERVER_DEFAULTS);
    expect(normalizeSettings(undefined)).toEqual(SERVER_DEFAULTS);
  });

  test("reports every change as a complete settings object", () => {
    const { toggle, settings } = setup();
    fireEvent.click(toggle);
    fireEvent.click(screen.getByRole("radio", { name: "30 s" }));
    fireEvent.click(screen.getByRole("radio", { name: /16:9/ }));
    fireEvent.change(screen.getByLabelText("Colour grade"), { target: { value: "cinematic" } });
    fireEvent.change(screen.getByLabelText("Music"), { target: { value: "none" } });
    fireEvent.input(screen.getByLabelText("Seed"), { target: { value: "1234" } });
    fireEvent.click(screen.getByRole("switch", { name: /Enhanced planning/ }));
    expect(settings()).toEqual({
      seed: 1234,
      duration_s: 30,
      aspect_ratio: "16:9",
      grade: "cinematic",
      music_mood: "none",
      enhanced_planning: true,
      reference_image: null,
      music: null,
      logo: null,
      workflow: "auto",
    });
    // An empty or out-of-range seed means "random" rather than a request the server rejects.
    fireEvent.input(screen.getByLabelText("Seed"), { target: { value: "-4" } });
    expect(settings().seed).toBeNull();
  });

  test("stored settings are read back safely", () => {
    expect(normalizeSettings({ duration_s: 60, aspect_ratio: "1:1", grade: "bogus", seed: 7 })).toEqual({
      ...SERVER_DEFAULTS,
      duration_s: 60,
      aspect_ratio: "1:1",
      seed: 7,
    });
  });
});
