/**
 * Exporting a finished ad in real Chromium against scripts/start.sh. The quickest finished ad is
 * a stitch: three tiny ffmpeg clips uploaded and stitched through the API with the page's own
 * session. On the ad's page the Export dialog opens (screenshots at both sizes); a 1:1 WebM
 * 480p and a 16:9 MP4 480p export are started from the custom form, each shows its progress bar
 * and then its Download link, and both files are downloaded through those links: the bytes
 * start as WebM and MP4 do, and ffprobe finds VP9 480x480 and H.264 854x480.
 * One user's visit, steps in order.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";
import { makeClip, sessionHeader } from "./frames.ts";

const run = promisify(execFile);
const baseUrl = inject("baseUrl");
const email = `e2e-export-${Date.now()}@example.com`;
const password = "correct horse battery";
/** Three tiny clips (each longer than the 1 s a crossfade on both sides needs). */
const CLIPS = ["testsrc2", "smptebars", "rgbtestsrc"].map((source, i) => ({
  name: `export-clip-${i + 1}.mp4`,
  source: `${source}=size=320x180:rate=24:duration=1.5`,
}));
/** Composing a 3.5 s ad from three clips: well under a minute alone on 2 cores. */
const FINISH_TIMEOUT_MS = 240_000;
/** Two 480p exports of a 3.5 s ad, one after the other. */
const EXPORT_TIMEOUT_MS = 180_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let dir = "";
let adPath = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "promptreel-export-e2e-"));
  for (const clip of CLIPS) await makeClip(join(dir, clip.name), clip.source, 1.5);
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

/** Opens the Export dialog on the ad's page and waits until its list has been read. */
async function openExportDialog(p: Page) {
  await p.getByRole("button", { name: "Export", exact: true }).click();
  const dialog = p.getByRole("dialog", { name: "Export your ad" });
  await dialog.waitFor();
  await dialog.getByText("No exports yet: pick a platform or make your own.").waitFor();
  return dialog;
}

/** Codec and frame size of a file's video stream, by ffprobe. */
async function probe(file: string): Promise<{ codec: string; width: number; height: number }> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height"],
    ...["-of", "json", file],
  ]);
  const [stream] = (
    JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[] }
  ).streams;
  return { codec: stream!.codec_name, width: stream!.width, height: stream!.height };
}

describe("export a finished ad: dialog, two exports, downloads", () => {
  test(
    "sign up and stitch three tiny clips into a finished ad",
    async () => {
      await signUp(page, email, password);
      const headers = await sessionHeader(page);
      const ids: string[] = [];
      for (const clip of CLIPS) {
        const res = await page.request.post(`/api/assets?name=${clip.name}`, {
          headers: { ...headers, "Content-Type": "video/mp4" },
          data: await readFile(join(dir, clip.name)),
        });
        expect(res.status(), await res.text()).toBe(201);
        ids.push(((await res.json()) as { id: string }).id);
      }
      const res = await page.request.post("/api/stitch", {
        headers,
        data: {
          clips: ids,
          title: "Export test",
          aspect: "9:16",
          overlays: ["Export test", null, "Order now"],
        },
      });
      expect(res.status(), await res.text()).toBe(202);
      adPath = `/generations/${((await res.json()) as { generation_id: string }).generation_id}`;
      await page.goto(adPath);
      await page
        .getByRole("heading", { name: "Your ad is ready", level: 1 })
        .waitFor({ timeout: FINISH_TIMEOUT_MS });
    },
    FINISH_TIMEOUT_MS + 30_000,
  );

  test("the Export dialog opens with presets, previews and the custom form", async () => {
    const dialog = await openExportDialog(page);
    await dialog.getByRole("button", { name: "TikTok 9:16 · 1080p · MP4" }).waitFor();
    await dialog.getByRole("img", { name: "16:9 preview" }).waitFor();
    // The custom aspect starts at the ad's own.
    expect(await dialog.getByRole("radio", { name: "9:16", exact: true }).isChecked()).toBe(true);
    await screenshot(page, "export-dialog");
    await onPhone(adPath, async (p) => {
      await p.getByRole("heading", { name: "Your ad is ready", level: 1 }).waitFor();
      await openExportDialog(p);
      await screenshot(p, "export-dialog");
    });
  });

  test(
    "a 1:1 WebM 480p and a 16:9 MP4 480p export show their progress, then their downloads",
    async () => {
      const dialog = page.getByRole("dialog", { name: "Export your ad" });
      const start = async (format: string, aspect: string) => {
        await dialog.getByRole("radio", { name: format, exact: true }).check();
        await dialog.getByRole("radio", { name: "480p", exact: true }).check();
        await dialog.getByRole("radio", { name: aspect, exact: true }).check();
        const answered = page.waitForResponse(
          (r) => /\/exports$/.test(new URL(r.url()).pathname) && r.request().method() === "POST",
        );
        await dialog.getByRole("button", { name: "Start export", exact: true }).click();
        // The status only: the inspector may drop the body of a request the page already read.
        expect((await answered).status()).toBe(202);
        // Queued: the answer alone draws the row with its progress bar.
        await dialog.getByRole("progressbar", { name: `Export progress ${format} 480p ${aspect}` }).waitFor();
      };
      await start("WebM", "1:1");
      await start("MP4", "16:9");

      const files = [
        { name: "WebM 480p 1:1", ext: "webm", codec: "vp9", width: 480, height: 480 },
        { name: "MP4 480p 16:9", ext: "mp4", codec: "h264", width: 854, height: 480 },
      ];
      for (const f of files) {
        const link = dialog.getByRole("link", { name: `Download ${f.name}`, exact: true });
        await link.waitFor({ timeout: EXPORT_TIMEOUT_MS });
        const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
        expect(download.suggestedFilename()).toMatch(new RegExp(`-480p\\.${f.ext}$`));
        const path = join(dir, `export.${f.ext}`);
        await download.saveAs(path);
        const bytes = await readFile(path);
        if (f.ext === "webm") expect([...bytes.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
        else expect(bytes.subarray(4, 8).toString("latin1")).toBe("ftyp");
        expect(await probe(path)).toEqual({ codec: f.codec, width: f.width, height: f.height });
      }
      expect(await dialog.getByRole("progressbar").count()).toBe(0);

      // The captions beside an export: a WebVTT file of the on-screen text.
      const captions = dialog.getByRole("link", { name: "Captions (VTT)" }).first();
      const [vtt] = await Promise.all([page.waitForEvent("download"), captions.click()]);
      expect(vtt.suggestedFilename()).toBe("export-test-captions.vtt");
      const vttPath = join(dir, "captions.vtt");
      await vtt.saveAs(vttPath);
      const text = await readFile(vttPath, "utf8");
      expect(text.startsWith("WEBVTT")).toBe(true);
      expect(text).toContain("Export test");
      expect(text).toContain("Order now");
      expect(pageErrors).toEqual([]);
    },
    EXPORT_TIMEOUT_MS * 2,
  );
});
