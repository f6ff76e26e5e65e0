/**
 * Storyboard review in real Chromium against scripts/start.sh: generate with "Review storyboard
 * first", wait for the keyframes, edit a scene's text, move scene 3 to the front with the
 * keyboard buttons, refine a scene, approve, and check the finished ad follows the storyboard
 * (each scene's frame looks most like its own keyframe); then edit the finished ad into version 2.
 * One user's visit, steps in order; one generation, so it stays quick on 2 cores.
 */

import type { GenerationView } from "@promptreel/worker/views";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";
import { distance, thumbnail, viewOf, withDownloads } from "./frames.ts";

const baseUrl = inject("baseUrl");
const email = `e2e-board-${Date.now()}@example.com`;
const password = "correct horse battery";
const PROMPT = "cold brew coffee in a can for busy students";
const EDITED = "Brewed for 8 a.m.";
const VERSION_2_TEXT = "Cold. Fast. Yours.";
/** Planning and keyframes take seconds offline; a busy machine makes it longer. */
const BOARD_TIMEOUT_MS = 120_000;
/** Clips and compose of one 15 s ad: 30-60 s alone on 2 cores, longer when busy. */
const FINISH_TIMEOUT_MS = 240_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let boardPath = "";
let storyboardTexts: string[] = [];

beforeAll(async () => {
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
});

afterAll(async () => {
  await browser?.close();
});

const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

/** The storyboard cards' on-screen texts, in order. */
const cardTexts = (p: Page) =>
  p
    .locator("[data-testid=storyboard-card] textarea[aria-label$='on-screen text']")
    .evaluateAll((inputs) => inputs.map((i) => (i as HTMLTextAreaElement).value));

/** Waits until every card shows its keyframe, decoded (nothing is being redrawn). */
async function keyframesDrawn(p: Page, timeout = BOARD_TIMEOUT_MS): Promise<void> {
  await p.getByRole("heading", { name: "Review your storyboard", level: 1 }).waitFor({ timeout });
  await p.waitForFunction(
    () => {
      const cards = [...document.querySelectorAll("[data-testid=storyboard-card]")];
      return (
        cards.length >= 3 &&
        cards.every((c) => {
          const img = c.querySelector("img");
          return img?.complete && img.naturalWidth > 0;
        })
      );
    },
    undefined,
    { timeout },
  );
}

/** Waits for the screen reader announcement of an edit that landed. */
const announced = (p: Page, text: string) =>
  p.locator("[role=status][aria-live]").filter({ hasText: text }).waitFor({ state: "attached" });

describe("storyboard review, from prompt to finished ad", () => {
  test("sign up", async () => {
    await signUp(page, email, password);
  });

  test(
    "'Review storyboard first' stops at keyframes",
    async () => {
      await page.getByLabel("Describe your ad").fill(PROMPT);
      await page.getByTestId("cost-estimate").getByText("$0.00 (offline)").waitFor();
      await page.getByRole("switch", { name: /Review storyboard first/ }).check();
      await page.getByRole("button", { name: "Generate" }).click();
      await page.waitForURL(/\/generations\/[\w-]+$/);
      boardPath = new URL(page.url()).pathname;
      await keyframesDrawn(page);
      expect(await page.getByTestId("board-step").textContent()).toBe("Storyboard ready for review");
      expect(await page.getByRole("progressbar").count()).toBe(0);
      await page.getByRole("button", { name: "Approve and render — est. $0.00" }).waitFor();
    },
    BOARD_TIMEOUT_MS + 30_000,
  );

  test(
    "edit a text, move scene 3 first from the keyboard, refine a scene",
    async () => {
      const original = await cardTexts(page);
      const n = original.length;
      const text = page.getByRole("textbox", { name: "Scene 1 on-screen text" });
      await text.fill(EDITED);
      await text.press("Enter");
      await announced(page, "Scene 1 text saved.");

      await page.getByRole("button", { name: "Move scene 3 earlier" }).click();
      await announced(page, "Scene 3 moved to position 2.");
      // Focus followed the scene, so the next press moves it again.
      await page.keyboard.press("Enter");
      await announced(page, "Scene 2 moved to position 1.");
      expect(await cardTexts(page)).toEqual([original[2], EDITED, original[1], ...original.slice(3)]);

      const last = page.getByTestId("storyboard-card").nth(n - 1);
      await last.getByRole("textbox", { name: `How should scene ${n} change?` }).fill("shorter text");
      await last.getByRole("button", { name: `Refine scene ${n}` }).click();
      await announced(page, `Scene ${n} refined`);
      await last.getByText("4 of 5 refinements left").waitFor();
      await keyframesDrawn(page);
      await page.getByTestId("board-step").getByText("Storyboard ready for review").waitFor();
      storyboardTexts = await cardTexts(page);
      expect(storyboardTexts.slice(0, 2)).toEqual([original[2], EDITED]);

      await screenshot(page, "storyboard");
      await onPhone(boardPath, async (p) => {
        await keyframesDrawn(p);
        await screenshot(p, "storyboard");
      });
    },
    BOARD_TIMEOUT_MS + 60_000,
  );

  test(
    "approve: the page follows the render live, and the ad follows the storyboard",
    async () => {
      await page.getByRole("button", { name: /^Approve and render/ }).click();
      await page.getByRole("heading", { name: "Creating your ad", level: 1 }).waitFor();
      await page.getByRole("progressbar", { name: "Generation progress" }).waitFor();
      await page
        .getByRole("heading", { name: "Your ad is ready", level: 1 })
        .waitFor({ timeout: FINISH_TIMEOUT_MS });
      const finished = await page
        .locator(".gen-scenes [data-testid=scene-card] .scene-overlay")
        .allTextContents();
      expect(finished).toEqual(storyboardTexts.map((t) => `“${t}”`));
      expect(await page.getByLabel("Your finished ad").getAttribute("src")).toMatch(/\/media\/renders\//);
    },
    FINISH_TIMEOUT_MS + 30_000,
  );

  test(
    "each scene of the finished video looks most like its own keyframe",
    async () => {
      const id = boardPath.split("/").at(-1)!;
      const ad = await viewOf<GenerationView>(page, id);
      const keyframes = ad.scenes.map((s) => s.keyframe_url);
      expect(keyframes.every(Boolean)).toBe(true);
      // Scene i is on screen from the sum of the earlier scenes' durations (crossfades overlap).
      const starts = ad.scenes.map((_, i) => ad.scenes.slice(0, i).reduce((t, s) => t + s.duration_s, 0));
      const urls = [ad.video_url!, ...(keyframes as string[])].map((u) => new URL(u, baseUrl).href);
      const nearest = await withDownloads(urls, async ([video, ...stills]) => {
        const keys = await Promise.all(stills.map((f) => thumbnail(f)));
        return Promise.all(
          ad.scenes.map(async (scene, i) => {
            const frame = await thumbnail(video!, starts[i]! + scene.duration_s / 2);
            const d = keys.map((k) => distance(frame, k));
            return d.indexOf(Math.min(...d));
          }),
        );
      });
      expect(nearest).toEqual(ad.scenes.map((_, i) => i));
    },
    FINISH_TIMEOUT_MS + 30_000,
  );

  test(
    "'Edit scenes' on the finished ad: one edit, approve, and version 2 plays beside version 1",
    async () => {
      await page.getByRole("button", { name: "Edit scenes" }).click();
      // The draft's keyframes are the ad's own clip frames: no drawing to wait for.
      await keyframesDrawn(page);
      await page.getByText("Editing version 2 — version 1", { exact: false }).waitFor();
      const text = page.getByRole("textbox", { name: "Scene 2 on-screen text" });
      await text.fill(VERSION_2_TEXT);
      await text.press("Enter");
      await announced(page, "Scene 2 text saved.");
      // Only the text changed: every clip is reused, so nothing new is paid for.
      await page.getByRole("button", { name: "Approve and render — est. $0.00" }).click();
      await page
        .getByRole("heading", { name: "Your ad is ready", level: 1 })
        .waitFor({ timeout: FINISH_TIMEOUT_MS });
      await page.getByRole("button", { name: "Play version 1" }).waitFor();
      expect(await page.getByLabel("Your finished ad").getAttribute("src")).toMatch(
        /\/renders\/[\w-]+\/v2\//,
      );
      const texts = await page
        .locator(".gen-scenes [data-testid=scene-card] .scene-overlay")
        .allTextContents();
      expect(texts[1]).toBe(`“${VERSION_2_TEXT}”`);
      const id = boardPath.split("/").at(-1)!;
      const ad = await viewOf<GenerationView>(page, id);
      expect(ad.versions.map((v) => [v.version, v.new_clips])).toEqual([
        [1, ad.scenes.length],
        [2, 0],
      ]);
      await page.getByRole("button", { name: "Play version 1" }).click();
      expect(await page.getByLabel("Your finished ad").getAttribute("src")).toMatch(
        /\/renders\/[\w-]+\/video\.mp4/,
      );
      expect(await page.getByRole("link", { name: "Download version 2" }).getAttribute("download")).toMatch(
        /-v2\.mp4$/,
      );
      await screenshot(page, "storyboard-versions");
    },
    FINISH_TIMEOUT_MS + 60_000,
  );

  test("no uncaught errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
