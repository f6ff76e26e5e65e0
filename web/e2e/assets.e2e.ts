/**
 * The user's own media in real Chromium against scripts/start.sh: on /assets upload a product
 * photo (a PNG ffmpeg makes here) through the file picker and watch its progress finish and its
 * card appear; upload a text file named .png and see the server's refusal; then on the dashboard
 * choose the photo under "Product or character", generate, and check the finished ad plays.
 * One user's visit, steps in order; one generation, so it stays quick on 2 cores.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";

const run = promisify(execFile);
const baseUrl = inject("baseUrl");
const email = `e2e-assets-${Date.now()}@example.com`;
const password = "correct horse battery";
const PROMPT = "hand-thrown ceramic desk lamp, warm and calm";
const PHOTO = "lamp-photo.png";
const FAKE = "notes.png";
/** Clips and compose of one 15 s ad: 30-60 s alone on 2 cores, longer when busy. */
const FINISH_TIMEOUT_MS = 240_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "promptreel-assets-e2e-"));
  // A real product photo: a 900×900 PNG of ffmpeg's test pattern.
  await run("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=900x900"],
    ...["-frames:v", "1", "-c:v", "png", join(dir, PHOTO)],
  ]);
  // Text with an image's name: the server looks at the bytes, not the name.
  await writeFile(join(dir, FAKE), "These are meeting notes, not a picture.\n");
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

const photoCard = (p: Page) => p.getByTestId("asset-card").filter({ hasText: PHOTO });

describe("own media: upload on /assets, use it as the product, generate", () => {
  test("sign up", async () => {
    await signUp(page, email, password);
  });

  test("the header leads to Assets, empty at first", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Assets" }).click();
    await page.waitForURL(/\/assets$/);
    await page.getByRole("heading", { name: "Assets", level: 1 }).waitFor();
    await page.getByTestId("assets-empty").waitFor();
    expect(await page.getByTestId("asset-quota").textContent()).toMatch(
      /^0 bytes of [\d.]+ MB · 0 of \d+ assets$/,
    );
  });

  test("a product photo uploads with progress and joins the grid", async () => {
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/assets" && r.request().method() === "POST",
    );
    await page.getByLabel("Upload files").setInputFiles(join(dir, PHOTO));
    const res = await answered;
    expect(res.status()).toBe(201);
    // The bar goes once the server has answered; the card takes its place.
    await page.getByRole("progressbar", { name: `Uploading ${PHOTO}` }).waitFor({ state: "detached" });
    await photoCard(page).waitFor();
    await expect
      .poll(() =>
        photoCard(page)
          .locator("img")
          .evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBe(900);
    expect(await photoCard(page).textContent()).toMatch(/Image · [\d.]+ (kB|MB) · 900×900/);
    expect(await page.getByTestId("asset-quota").textContent()).toMatch(/ · 1 of \d+ assets$/);
  });

  test("a text file named .png is refused with the server's reason", async () => {
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === "/api/assets" && r.request().method() === "POST",
    );
    await page.getByLabel("Upload files").setInputFiles(join(dir, FAKE));
    const res = await answered;
    expect([415, 422]).toContain(res.status());
    // The server's reason, after the file's name (the body itself may be gone from the inspector).
    const alert = page.getByRole("alert").filter({ hasText: FAKE });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      new RegExp(`^${FAKE.replace(".", "\\.")}: .*(declared|content|type).*`, "i"),
    );
    expect(await page.getByTestId("asset-card").count()).toBe(1);

    await screenshot(page, "assets");
    await onPhone("/assets", async (p) => {
      await photoCard(p).waitFor();
      await screenshot(p, "assets");
    });
  });

  test("on the dashboard, the photo becomes the product or character", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Create" }).click();
    await page.getByLabel("Describe your ad").fill(PROMPT);
    const product = page.getByRole("group", { name: "Product or character" });
    await product.getByRole("button", { name: `Choose ${PHOTO}` }).click();
    expect(await product.getByRole("button", { name: `Choose ${PHOTO}` }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    await page.getByTestId("chosen-reference_image").getByText(PHOTO).waitFor();
    await product.scrollIntoViewIfNeeded();
    await screenshot(page, "reference-picker");
    // The choice is part of the saved draft, so the phone (same storage) shows it too.
    await onPhone("/", async (p) => {
      await p.getByTestId("chosen-reference_image").getByText(PHOTO).waitFor();
      await screenshot(p, "reference-picker");
    });
  });

  test(
    "generate with the photo: the request carries it and the finished ad plays",
    async () => {
      const sent = page.waitForRequest(
        (r) => new URL(r.url()).pathname === "/api/generate" && r.method() === "POST",
      );
      await page.getByRole("button", { name: "Generate" }).click();
      const body = (await sent).postDataJSON() as { settings: { reference_image: string | null } };
      expect(body.settings.reference_image).toMatch(/\S/);
      await page.waitForURL(/\/generations\/[\w-]+$/);
      await page
        .getByRole("heading", { name: "Your ad is ready", level: 1 })
        .waitFor({ timeout: FINISH_TIMEOUT_MS });
      const video = page.getByLabel("Your finished ad");
      expect(await video.getAttribute("src")).toMatch(/\/media\/renders\//);
      expect(pageErrors).toEqual([]);
    },
    FINISH_TIMEOUT_MS + 30_000,
  );
});
