/**
 * The pipeline through the studio, in real Chromium against the app started by
 * scripts/start.sh: generate and watch progress arrive over the live socket, cancel one
 * generation, let another finish (scene previews as clips render), play the finished video,
 * find it in the library with its thumbnail, delete it. One user's visit, steps in order.
 * Only one generation runs at a time and only one finishes, to stay quick on 2 cores.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { fetchStatus, onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";
import { recordLiveEvents, showVideoFrames, socketProgress, watchProgress } from "./live.ts";

const baseUrl = inject("baseUrl");
const email = `e2e-gen-${Date.now()}@example.com`;
const password = "correct horse battery";
const CANCEL_PROMPT = "minimalist running shoes, calm, for YouTube";
const FINISH_PROMPT = "vegan protein powder, energetic, for TikTok";
/** One 15 s ad takes 30-60 s alone on 2 cores; much longer when the machine is busy. */
const FINISH_TIMEOUT_MS = 240_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let events: ReturnType<typeof recordLiveEvents>;
let finishedPath = "";
let videoSrc = "";
let pageErrors: string[] = [];

beforeAll(async () => {
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
  events = recordLiveEvents(page);
});

afterAll(async () => {
  await browser?.close();
});

const generationId = () => new URL(page.url()).pathname.split("/").at(-1) ?? "";
const cards = (p: Page) => p.getByTestId("scene-card");

/** Types a prompt on the dashboard and opens the new generation's page. */
async function generate(prompt: string) {
  await page.goto("/");
  await page.getByLabel("Describe your ad").fill(prompt);
  await page.getByTestId("cost-estimate").getByText("$0.00 (offline)").waitFor();
  await page.getByRole("button", { name: "Generate" }).click();
  await page.waitForURL(/\/generations\/[\w-]+$/);
  await page.getByRole("progressbar", { name: "Generation progress" }).waitFor();
}

/** The same page in a phone-sized context sharing the session. */
const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

describe("a generation, from prompt to library", () => {
  test("sign up", async () => {
    await signUp(page, email, password);
  });

  test("progress arrives over the socket, and cancel stops it with a clear message", async () => {
    await generate(CANCEL_PROMPT);
    const id = generationId();
    await cards(page).first().waitFor();
    // Scenes are planned and clips are rendering: cancel in the middle of real work.
    const seen = await watchProgress(page, (v) => v >= 30 && socketProgress(events, id) >= 30, 60_000);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(30);
    await page.getByRole("button", { name: "Cancel generation" }).click();
    await page.getByText("Cancelled by user").waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Generation cancelled", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: /Cancel/ }).count()).toBe(0);
    await page.getByRole("button", { name: "Start again" }).waitFor();
    expect(await page.locator(".progress-view .badge").textContent()).toBe("Cancelled");
    await screenshot(page, "generation-cancelled");
    await onPhone(new URL(page.url()).pathname, async (p) => {
      await p.getByText("Cancelled by user").waitFor();
      await screenshot(p, "generation-cancelled");
    });
  }, 120_000);

  test(
    "another one streams its progress and scene previews, and finishes",
    async () => {
      await generate(FINISH_PROMPT);
      // One budget for the whole run, previews included.
      const deadline = Date.now() + FINISH_TIMEOUT_MS;
      const left = () => Math.max(deadline - Date.now(), 1000);
      const id = generationId();
      finishedPath = new URL(page.url()).pathname;
      await page.locator(".details-prompt").getByText(FINISH_PROMPT).waitFor();
      await cards(page).first().waitFor();
      await page.getByRole("button", { name: "Cancel generation" }).waitFor();
      // A scene becomes a playable preview as soon as its clip is ready, long before the end.
      const seen = await watchProgress(
        page,
        async () => (await page.getByLabel(/^Scene \d preview$/).count()) > 0,
        left(),
      );
      const preview = page.getByLabel(/^Scene \d preview$/).first();
      expect(await preview.evaluate((v) => v.tagName)).toBe("VIDEO");
      expect(await preview.getAttribute("src")).toMatch(/\/media\/clips\//);
      expect(await page.getByTestId("elapsed").textContent()).toMatch(/^\d+:\d\d elapsed$/);
      if (await progressIsRunning(page)) {
        await showVideoFrames(page, ".gen-stage video");
        await screenshot(page, "generation");
        await onPhone(finishedPath, async (p) => {
          await p
            .getByLabel(/^Scene \d preview$/)
            .first()
            .waitFor();
          await showVideoFrames(p, ".gen-stage video");
          await screenshot(p, "generation");
        });
      }

      const all = [...seen, ...(await watchProgress(page, (v) => v === 100, left(), 500))];
      // It rose over time (a restarted stage may step back, so not strictly), and the socket carried it.
      expect(all[0]).toBeLessThan(all.at(-1)!);
      expect(new Set(all).size).toBeGreaterThanOrEqual(3);
      expect(socketProgress(events, id)).toBe(100);
      await page.getByRole("heading", { name: "Your ad is ready" }).waitFor();
      expect(await page.getByRole("button", { name: "Cancel generation" }).count()).toBe(0);
    },
    FINISH_TIMEOUT_MS + 90_000,
  );

  test("the finished video plays: about 15 s, enough data to play", async () => {
    const video = page.getByLabel("Your finished ad");
    await video.waitFor();
    const state = await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true; // muted playback needs no user gesture
      await v.play();
      const deadline = Date.now() + 30_000;
      while (v.readyState < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      v.pause();
      return { duration: v.duration, readyState: v.readyState, width: v.videoWidth, height: v.videoHeight };
    });
    expect(state.duration).toBeGreaterThanOrEqual(14.5);
    expect(state.duration).toBeLessThanOrEqual(15.6);
    expect(state.readyState).toBeGreaterThanOrEqual(3);
    expect([state.width, state.height]).toEqual([1080, 1920]);
    // Paused a moment in, past the fade from black, for the screenshot.
    await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise((done) => {
          v.addEventListener("seeked", done, { once: true });
          v.currentTime = 2;
        }),
    );
    videoSrc = (await video.getAttribute("src")) ?? "";
    const download = page.getByRole("link", { name: "Download MP4" });
    expect(await download.getAttribute("href")).toBe(videoSrc);
    // The breakdown: script, plan, one line per clip, compose, total.
    const breakdown = page.getByTestId("cost-breakdown");
    await breakdown.getByText("Total").waitFor();
    expect(await breakdown.getByText(/^Scene \d clip/).count()).toBeGreaterThanOrEqual(3);
    await showVideoFrames(page, "video");
    await screenshot(page, "video");
    await onPhone(finishedPath, async (p) => {
      await p.getByLabel("Your finished ad").waitFor();
      await p.getByTestId("cost-breakdown").waitFor();
      await showVideoFrames(p, "video");
      await screenshot(p, "video");
    });
  }, 120_000);

  test("the library shows it with its thumbnail; deleting asks first, then removes it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
    await page.getByRole("heading", { name: "Library", level: 1 }).waitFor();
    const items = page.getByTestId("library-item");
    await items.nth(1).waitFor();
    expect(await items.count()).toBe(2);
    const done = items.filter({ hasText: FINISH_PROMPT });
    expect(await done.getAttribute("data-status")).toBe("completed");
    const cancelled = items.filter({ hasText: CANCEL_PROMPT });
    expect(await cancelled.getAttribute("data-status")).toBe("cancelled");
    expect(await cancelled.locator(".badge").textContent()).toBe("Cancelled");
    const thumb = done.locator(".thumb img");
    await thumb.waitFor();
    await page.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0,
      await thumb.elementHandle(),
    );
    expect(await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([
      1080, 1920,
    ]);
    await page.getByTestId("total-spent").getByText("$0.00").waitFor();
    await screenshot(page, "library");
    await onPhone("/library", async (p) => {
      await p.getByTestId("library-item").nth(1).waitFor();
      await p.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>(".thumb img")].every(
          (i) => i.complete && i.naturalWidth > 0,
        ),
      );
      await screenshot(p, "library");
    });

    // Filtered to "Ready", only the finished one is left.
    await page
      .getByRole("navigation", { name: "Filter by status" })
      .getByRole("link", { name: "Ready" })
      .click();
    await page.waitForURL((u) => u.searchParams.get("status") === "completed");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=library-item]").length === 1);
    await done.getByRole("link", { name: FINISH_PROMPT }).click();
    await page.waitForURL((u) => u.pathname === finishedPath);
    await page.goBack();

    expect(await fetchStatus(page, videoSrc)).toBe(206);
    const deleteButton = done.getByRole("button", { name: /^Delete/ });
    await deleteButton.click();
    const dialog = page.getByRole("dialog", { name: "Delete this ad?" });
    await dialog.waitFor();
    // The safe choice has focus; Escape cancels and keeps the item.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await done.count()).toBe(1);
    await deleteButton.click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText("Nothing here").waitFor();
    // Gone on the server too, video included.
    expect(await fetchStatus(page, videoSrc)).toBe(404);
    await page.goto("/library");
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
  }, 120_000);

  test("no uncaught errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});

async function progressIsRunning(p: Page): Promise<boolean> {
  return (await p.getByRole("button", { name: "Cancel generation" }).count()) > 0;
}
