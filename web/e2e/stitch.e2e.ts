/**
 * "From my clips" in real Chromium against scripts/start.sh: three short MP4 clips (made here by
 * ffmpeg, each a different test pattern and length) are uploaded on /stitch, all three added,
 * the third moved to the front with the keyboard's Move up (focus follows the clip), the first
 * given a text, and Stitch ad pressed. The generation page follows the render to the end; the
 * downloaded ad is H.264, as long as the clips less one 0.5 s crossfade per cut, and the middle of
 * the first cut is a blend of the two clips.
 * One user's visit, steps in order; one render, so it stays quick on 2 cores.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { GenerationView } from "@promptreel/worker/views";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";
import { distance, makeClip, thumbnail, viewOf, withDownloads } from "./frames.ts";

const run = promisify(execFile);
const baseUrl = inject("baseUrl");
const email = `e2e-stitch-${Date.now()}@example.com`;
const password = "correct horse battery";
/** The clips: a name, a lavfi picture unlike the others, and a length in seconds. */
const CLIPS = [
  { name: "clip-1-testsrc.mp4", source: "testsrc2=size=640x360:rate=24", seconds: 2 },
  { name: "clip-2-bars.mp4", source: "smptebars=size=640x360:rate=24", seconds: 3 },
  { name: "clip-3-rgb.mp4", source: "rgbtestsrc=size=640x360:rate=24", seconds: 4 },
] as const;
const CROSSFADE_S = 0.5;
const OVERLAY = "Made by hand";
/** Copying three clips and composing a short ad: well under a minute alone on 2 cores. */
const FINISH_TIMEOUT_MS = 240_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let dir = "";
/** Clip name -> asset id, from the upload answers. */
const ids = new Map<string, string>();
let generationPath = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "promptreel-stitch-e2e-"));
  for (const clip of CLIPS)
    await makeClip(join(dir, clip.name), `${clip.source}:duration=${clip.seconds}`, clip.seconds);
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

/** The clip names in the stitch list, in order. */
const order = (p: Page) => p.getByTestId("stitch-row").locator(".asset-name").allTextContents();

async function addAll(p: Page): Promise<void> {
  for (const clip of CLIPS) await p.getByRole("button", { name: `Add ${clip.name}`, exact: true }).click();
}

/** Duration (s) and video codec of a file, by ffprobe. */
async function probe(file: string): Promise<{ duration: number; codec: string | undefined }> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration"],
    ...["-of", "json", file],
  ]);
  const info = JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string }[];
    format: { duration: string };
  };
  return {
    duration: Number(info.format.duration),
    codec: info.streams.find((s) => s.codec_type === "video")?.codec_name,
  };
}

describe("from my clips: upload, order, stitch, download", () => {
  test("sign up, then the dashboard leads to From my clips", async () => {
    await signUp(page, email, password);
    await page.getByRole("link", { name: "From my clips" }).click();
    await page.waitForURL(/\/stitch$/);
    await page.getByRole("heading", { name: "From my clips", level: 1 }).waitFor();
    await page.getByTestId("stitch-library-empty").waitFor();
    const stitch = page.getByRole("button", { name: "Stitch ad" });
    expect(await stitch.isDisabled()).toBe(true);
  });

  test("three clips upload here and join the library", async () => {
    // One at a time; each upload's status is checked as it arrives, its asset read back afterwards
    // through the API (the inspector may drop an XHR's body before the test reads it).
    for (const clip of CLIPS) {
      const answered = page.waitForResponse(
        (r) =>
          new URL(r.url()).pathname === "/api/assets" &&
          r.request().method() === "POST" &&
          new URL(r.url()).searchParams.get("name") === clip.name,
      );
      await page.getByLabel("Upload clips").setInputFiles(join(dir, clip.name));
      expect((await answered).status()).toBe(201);
      await page.getByRole("button", { name: `Add ${clip.name}`, exact: true }).waitFor();
    }
    const listed = (await page.evaluate(async () => {
      const session = JSON.parse(localStorage.getItem("promptreel.session") ?? "{}") as { token?: string };
      const res = await fetch("/api/assets?kind=video", {
        headers: { Authorization: `Bearer ${session.token}` },
      });
      return res.json();
    })) as { assets: { id: string; name: string; kind: string; duration_s: number | null }[] };
    for (const clip of CLIPS) {
      const asset = listed.assets.find((a) => a.name === clip.name);
      expect(asset?.kind).toBe("video");
      expect(Math.abs((asset?.duration_s ?? 0) - clip.seconds)).toBeLessThan(0.2);
      ids.set(clip.name, asset!.id);
    }
    expect(await page.getByTestId("stitch-clip").count()).toBe(3);
  });

  test("add all three, move the third to the front from the keyboard, give the first a text", async () => {
    await addAll(page);
    expect(await order(page)).toEqual(CLIPS.map((c) => c.name));
    expect(await page.getByRole("button", { name: "Stitch ad" }).isEnabled()).toBe(true);

    await page.getByRole("button", { name: "Move clip 3 up" }).focus();
    await page.keyboard.press("Enter");
    // Focus followed the clip to position 2: the same key moves it again.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Move clip 2 up",
    );
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Move clip 1 down",
    );
    expect(await order(page)).toEqual([CLIPS[2].name, CLIPS[0].name, CLIPS[1].name]);

    await page.getByLabel("Text on clip 1").fill(OVERLAY);
    const total = CLIPS.reduce((s, c) => s + c.seconds, 0);
    expect(await page.getByTestId("stitch-total").textContent()).toBe(
      `3 clips · ${total.toFixed(1)} s of footage · an ad of about ${(total - CROSSFADE_S * 2).toFixed(1)} s (${CROSSFADE_S} s crossfades)`,
    );

    await screenshot(page, "stitch");
    await onPhone("/stitch", async (p) => {
      await addAll(p);
      await p.getByRole("button", { name: "Move clip 3 up" }).click();
      await screenshot(p, "stitch");
    });
  });

  test(
    "Stitch ad posts the clips in order with their texts, and the page follows the render to the end",
    async () => {
      const sent = page.waitForRequest(
        (r) => new URL(r.url()).pathname === "/api/stitch" && r.method() === "POST",
      );
      await page.getByRole("button", { name: "Stitch ad" }).click();
      const body = (await sent).postDataJSON() as { clips: string[]; overlays: (string | null)[] };
      expect(body.clips).toEqual([CLIPS[2].name, CLIPS[0].name, CLIPS[1].name].map((n) => ids.get(n)));
      expect(body.overlays).toEqual([OVERLAY, null, null]);
      await page.waitForURL(/\/generations\/[\w-]+$/);
      generationPath = new URL(page.url()).pathname;
      await page
        .getByRole("heading", { name: "Your ad is ready", level: 1 })
        .waitFor({ timeout: FINISH_TIMEOUT_MS });
      expect(await page.getByLabel("Your finished ad").getAttribute("src")).toMatch(/\/media\/renders\//);
      expect(pageErrors).toEqual([]);
    },
    FINISH_TIMEOUT_MS + 30_000,
  );

  test("the ad is H.264, as long as the clips less a crossfade per cut", async () => {
    const id = generationPath.split("/").at(-1)!;
    const ad = await viewOf<GenerationView>(page, id);
    expect(ad.status).toBe("completed");
    // The first cut is a crossfade: the frame in its middle is a blend of the two clips, nearer
    // their average than either (clip 3, 4 s, is first: its last 0.5 s overlap the next clip).
    const cut = CLIPS[2].seconds - CROSSFADE_S;
    const { measured, blend } = await withDownloads(
      [new URL(ad.video_url!, baseUrl).href],
      async ([file]) => {
        const [before, middle, after] = await Promise.all(
          [cut - 0.3, cut + CROSSFADE_S / 2, cut + CROSSFADE_S + 0.3].map((t) => thumbnail(file!, t)),
        );
        const mean = before!.map((v, i) => Math.round((v + after![i]!) / 2));
        return {
          measured: await probe(file!),
          blend: {
            toBefore: distance(middle!, before!),
            toAfter: distance(middle!, after!),
            toMean: distance(middle!, mean),
          },
        };
      },
    );
    console.info("stitched ad, measured:", JSON.stringify({ ...measured, blend }));
    expect(blend.toBefore).toBeGreaterThan(8);
    expect(blend.toAfter).toBeGreaterThan(8);
    expect(blend.toMean).toBeLessThan(Math.min(blend.toBefore, blend.toAfter));
    expect(measured.codec).toBe("h264");
    const expected = CLIPS.reduce((s, c) => s + c.seconds, 0) - CROSSFADE_S * (CLIPS.length - 1);
    expect(Math.abs(measured.duration - expected)).toBeLessThanOrEqual(0.3);
  });
});
