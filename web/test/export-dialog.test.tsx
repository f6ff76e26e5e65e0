import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, onTestFinished, test, vi } from "vitest";
import type { ExportView, GenerationView } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { EXPORT_POLL_MS } from "../src/exports/use-exports.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import {
  json,
  SESSION,
  sceneFixture,
  signedInAt,
  stubApi,
  versionFixture,
  viewFixture,
} from "./fixtures.tsx";

const EXPORTS = "/api/generations/gen-1/exports";

/** A finished square ad (its own aspect is 1:1). */
function finishedAd(over: Partial<GenerationView> = {}): GenerationView {
  const version = versionFixture(1);
  return viewFixture({
    status: "completed",
    progress: 100,
    settings: { ...DEFAULT_SETTINGS, seed: 42, aspect_ratio: "1:1" },
    scenes: [0, 1, 2].map((i) =>
      sceneFixture(i, { status: "ready", clip_url: `/media/clips/gen-1/${i}.mp4` }),
    ),
    num_scenes: 3,
    versions: [version],
    video_url: version.video_url,
    thumbnail_url: version.thumbnail_url,
    completed_at: version.completed_at,
    ...over,
  });
}

/** An export as the API shows it; links exist once it is completed. */
function exportFixture(over: Partial<ExportView> = {}): ExportView {
  const base: ExportView = {
    export_id: "exp-1",
    generation_id: "gen-1",
    version: 1,
    format: "mp4",
    quality: 1080,
    aspect: "9:16",
    preset: null,
    status: "completed",
    progress: 100,
    error: null,
    error_code: null,
    size_bytes: 2_400_000,
    duration_s: 15,
    downloads: 0,
    url: null,
    download_url: null,
    captions: {
      vtt_url: "/api/generations/gen-1/captions.vtt?exp=1&sig=v",
      srt_url: "/api/generations/gen-1/captions.srt?exp=1&sig=s",
    },
    created_at: Date.UTC(2026, 10, 25, 15),
    completed_at: null,
    ...over,
  };
  if (base.status !== "completed") return { ...base, size_bytes: null, duration_s: null };
  return {
    ...base,
    url: base.url ?? `/media/exports/gen-1/${base.export_id}?sig=u`,
    download_url: base.download_url ?? `${EXPORTS}/${base.export_id}/download?exp=1&sig=d`,
    completed_at: base.completed_at ?? Date.UTC(2026, 10, 25, 15, 1),
  };
}

/** `POST .../exports`'s answer: the export, `cached`, and the preset's limits. */
const answer = (view: ExportView, cached = false) =>
  json({ ...view, cached, preset_info: null }, cached ? 200 : 202);

/** The page of a finished ad, with `routes` on top of its read; `reads` are the list's successive answers. */
function openPage(reads: ExportView[][], routes: Parameters<typeof stubApi>[0] = {}, ad = finishedAd()) {
  let read = 0;
  const api = stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/status/gen-1": json(ad),
    [`GET ${EXPORTS}`]: () => json({ exports: reads[Math.min(read++, reads.length - 1)] ?? [] }),
    ...routes,
  });
  render(() => <App />);
  return api;
}

const calls = (api: ReturnType<typeof stubApi>, method: string, path: string) =>
  api.mock.calls.filter(
    ([u, init]) => new URL(String(u)).pathname === path && (init?.method ?? "GET") === method,
  );
const bodies = (api: ReturnType<typeof stubApi>, path: string) =>
  calls(api, "POST", path).map(([, init]) => JSON.parse(String(init?.body)));

/** Opens the dialog from the page's Export button. */
async function openDialog() {
  fireEvent.click(await screen.findByRole("button", { name: "Export" }));
  return screen.getByRole("dialog", { name: "Export your ad" });
}

/** jsdom plays no media: the player's calls are stubbed (and so kept out of the output). */
function stubMedia() {
  vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => {});
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
}

describe("the export dialog of a finished ad", () => {
  beforeEach(() => {
    signedInAt("/generations/gen-1");
    stubMedia();
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });

  test("opening it lists the exports made; Escape and Close close it and give focus back", async () => {
    const webm = exportFixture({
      export_id: "exp-3",
      format: "webm",
      quality: 720,
      aspect: "1:1",
      preset: "web",
    });
    const cancelled = exportFixture({
      export_id: "exp-2",
      format: "mp4",
      quality: 480,
      aspect: "16:9",
      status: "failed",
      progress: 40,
      error: "Cancelled by user",
      error_code: "cancelled",
    });
    const broken = exportFixture({
      export_id: "exp-1",
      format: "mov",
      status: "failed",
      progress: 10,
      error: "The encoder stopped.",
      error_code: "failed",
    });
    const api = openPage([[webm, cancelled, broken]]);
    const button = await screen.findByRole("button", { name: "Export" });
    // Nothing is read before the dialog opens.
    expect(calls(api, "GET", EXPORTS)).toHaveLength(0);
    button.focus();
    const dialog = await openDialog();
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Close" }));

    const rows = await within(dialog).findAllByTestId("export-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain("WebM · 720p · 1:1");
    expect(rows[0]!.textContent).toContain("Web embed (WebM)");
    expect(within(rows[0]!).getByTestId("export-made").textContent).toBe("2.4 MB · 15.0 s");
    const download = within(rows[0]!).getByRole("link", { name: "Download WebM 720p 1:1" });
    expect(download.getAttribute("href")).toBe(webm.download_url);
    expect(within(rows[0]!).getByRole("link", { name: "Captions (VTT)" }).getAttribute("href")).toBe(
      webm.captions.vtt_url,
    );
    expect(within(rows[0]!).getByRole("link", { name: "Captions (SRT)" }).getAttribute("href")).toBe(
      webm.captions.srt_url,
    );
    expect(within(rows[1]!).getByText("Cancelled")).toBeTruthy();
    expect(within(rows[1]!).queryByRole("link")).toBeNull();
    expect(within(rows[2]!).getByText("The encoder stopped.")).toBeTruthy();
    expect(within(dialog).queryByRole("progressbar")).toBeNull();

    // What each preset makes; the web embed keeps the ad's own (square) shape.
    expect(within(dialog).getByRole("button", { name: "TikTok 9:16 · 1080p · MP4" })).toBeTruthy();
    expect(within(dialog).getByRole("button", { name: "X 16:9 · 720p · MP4" })).toBeTruthy();
    expect(within(dialog).getByRole("button", { name: "Web embed (WebM) 1:1 · 720p · WebM" })).toBeTruthy();
    // The poster frame in each shape; the custom aspect starts at the ad's own.
    for (const aspect of ["9:16", "1:1", "16:9"])
      expect(
        within(dialog)
          .getByRole("img", { name: `${aspect} preview` })
          .getAttribute("src"),
      ).toBe(finishedAd().thumbnail_url);
    expect((within(dialog).getByRole("radio", { name: "1:1" }) as HTMLInputElement).checked).toBe(true);
    expect((within(dialog).getByRole("radio", { name: "MP4" }) as HTMLInputElement).checked).toBe(true);
    expect((within(dialog).getByRole("radio", { name: "1080p" }) as HTMLInputElement).checked).toBe(true);

    // Nothing is running: the list is not read again.
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 3);
    expect(calls(api, "GET", EXPORTS)).toHaveLength(1);

    fireEvent(dialog, new Event("cancel", { cancelable: true }));
    expect(dialog.hasAttribute("open")).toBe(false);
    expect(document.activeElement).toBe(button);

    // Opened again, it reads the list again; Close closes it.
    fireEvent.click(button);
    expect(dialog.hasAttribute("open")).toBe(true);
    await waitFor(() => expect(calls(api, "GET", EXPORTS)).toHaveLength(2));
    fireEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(dialog.hasAttribute("open")).toBe(false);
    expect(document.activeElement).toBe(button);
  });

  test("a preset button posts {preset}; the new export is listed first", async () => {
    const made = exportFixture({ export_id: "exp-old", format: "webm", quality: 480, aspect: "1:1" });
    const tiktok = exportFixture({ export_id: "exp-tt", preset: "tiktok", status: "queued", progress: 0 });
    const api = openPage([[made], [tiktok, made]], { [`POST ${EXPORTS}`]: answer(tiktok) });
    const dialog = await openDialog();
    await within(dialog).findByRole("link", { name: "Download WebM 480p 1:1" });
    fireEvent.click(within(dialog).getByRole("button", { name: "TikTok 9:16 · 1080p · MP4" }));
    await waitFor(() => expect(bodies(api, EXPORTS)).toEqual([{ preset: "tiktok" }]));
    await within(dialog).findByText("Export started: MP4 · 1080p · 9:16.");
    const rows = within(dialog).getAllByTestId("export-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain("MP4 · 1080p · 9:16");
    expect(rows[0]!.textContent).toContain("TikTok");
    expect(
      within(rows[0]!).getByRole("progressbar", { name: "Export progress MP4 1080p 9:16" }),
    ).toBeTruthy();
    expect(within(rows[0]!).getByText("Queued")).toBeTruthy();
  });

  test("the custom form posts {format, quality, aspect}; the same export again shows the same row", async () => {
    const webm = exportFixture({ export_id: "exp-w", format: "webm", quality: 480, aspect: "1:1" });
    let post = 0;
    const api = openPage([[]], {
      // The first ask makes it (already done by the time it answers); the second finds it made.
      [`POST ${EXPORTS}`]: () => (post++ === 0 ? answer(webm) : answer(webm, true)),
    });
    const dialog = await openDialog();
    await within(dialog).findByText("No exports yet: pick a platform or make your own.");
    fireEvent.click(within(dialog).getByRole("radio", { name: "WebM" }));
    fireEvent.click(within(dialog).getByRole("radio", { name: "480p" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Start export" }));
    await within(dialog).findByRole("link", { name: "Download WebM 480p 1:1" });
    fireEvent.click(within(dialog).getByRole("radio", { name: "16:9" }));
    fireEvent.click(within(dialog).getByRole("radio", { name: "1:1" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Start export" }));
    await within(dialog).findByText("Already exported: WebM · 480p · 1:1 is ready to download below.");
    expect(bodies(api, EXPORTS)).toEqual([
      { format: "webm", quality: 480, aspect: "1:1" },
      { format: "webm", quality: 480, aspect: "1:1" },
    ]);
    expect(within(dialog).getAllByTestId("export-row")).toHaveLength(1);
  });

  test("progress follows by polling until the export is made, then polling stops", async () => {
    const queued = exportFixture({
      export_id: "exp-p",
      format: "webm",
      quality: 480,
      aspect: "1:1",
      status: "queued",
      progress: 0,
    });
    const at = (progress: number) => ({ ...queued, status: "processing" as const, progress });
    const done = exportFixture({
      ...queued,
      status: "completed",
      progress: 100,
      size_bytes: 640_000,
      duration_s: 14.96,
    });
    const api = openPage([[], [at(30)], [at(70)], [done]], { [`POST ${EXPORTS}`]: answer(queued) });
    const dialog = await openDialog();
    await within(dialog).findByText("No exports yet: pick a platform or make your own.");
    fireEvent.click(within(dialog).getByRole("radio", { name: "WebM" }));
    fireEvent.click(within(dialog).getByRole("radio", { name: "480p" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Start export" }));

    const name = "Export progress WebM 480p 1:1";
    const bar = () => within(dialog).getByRole("progressbar", { name }) as HTMLProgressElement;
    await waitFor(() => expect(bar().value).toBe(30));
    const row = within(dialog).getByTestId("export-row");
    expect(row.textContent).toContain("Exporting… 30%");
    expect(within(row).getByRole("button", { name: "Cancel export WebM 480p 1:1" })).toBeTruthy();
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS);
    await waitFor(() => expect(bar().value).toBe(70));
    // The row is updated in place, not drawn again.
    expect(within(dialog).getByTestId("export-row")).toBe(row);
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS);
    await within(dialog).findByRole("link", { name: "Download WebM 480p 1:1" });
    expect(within(dialog).queryByRole("progressbar")).toBeNull();
    expect(within(dialog).queryByRole("button", { name: /^Cancel export/ })).toBeNull();
    expect(within(row).getByTestId("export-made").textContent).toBe("640 kB · 15.0 s");

    const reads = calls(api, "GET", EXPORTS).length;
    expect(reads).toBe(4);
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 5);
    expect(calls(api, "GET", EXPORTS)).toHaveLength(reads);
  });

  test("closing the dialog stops following a running export", async () => {
    const running = exportFixture({ status: "processing", progress: 20 });
    const api = openPage([[running]]);
    const dialog = await openDialog();
    await within(dialog).findByRole("progressbar", { name: "Export progress MP4 1080p 9:16" });
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS);
    await waitFor(() => expect(calls(api, "GET", EXPORTS).length).toBeGreaterThanOrEqual(2));
    fireEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    const reads = calls(api, "GET", EXPORTS).length;
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 5);
    expect(calls(api, "GET", EXPORTS)).toHaveLength(reads);
  });

  test("a preset the platform refuses (422) shows the server's message", async () => {
    const message = "Instagram feed takes videos of at most 60 s; this ad lasts 90 s.";
    const api = openPage([[]], {
      [`POST ${EXPORTS}`]: json(
        { error: { code: "validation_failed", message, details: { preset: "instagram_feed" } } },
        422,
      ),
    });
    const dialog = await openDialog();
    fireEvent.click(within(dialog).getByRole("button", { name: "Instagram feed 1:1 · 1080p · MP4" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(message);
    expect(bodies(api, EXPORTS)).toEqual([{ preset: "instagram_feed" }]);
    expect(within(dialog).queryAllByTestId("export-row")).toHaveLength(0);
    // The buttons work again.
    expect(
      (within(dialog).getByRole("button", { name: "Instagram feed 1:1 · 1080p · MP4" }) as HTMLButtonElement)
        .disabled,
    ).toBe(false);
  });

  test("Cancel posts to the cancel route; the row then says Cancelled and polling stops", async () => {
    const running = exportFixture({ export_id: "exp-c", status: "processing", progress: 45 });
    const stopped = exportFixture({
      ...running,
      status: "failed",
      error: "Cancelled by user",
      error_code: "cancelled",
    });
    const api = openPage([[running], [stopped]], {
      [`POST ${EXPORTS}/exp-c/cancel`]: json(stopped, 202),
    });
    const dialog = await openDialog();
    fireEvent.click(await within(dialog).findByRole("button", { name: "Cancel export MP4 1080p 9:16" }));
    await within(dialog).findByText("Cancelled");
    expect(calls(api, "POST", `${EXPORTS}/exp-c/cancel`)).toHaveLength(1);
    expect(within(dialog).queryByRole("progressbar")).toBeNull();
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 2);
    const reads = calls(api, "GET", EXPORTS).length;
    await vi.advanceTimersByTimeAsync(EXPORT_POLL_MS * 5);
    expect(calls(api, "GET", EXPORTS)).toHaveLength(reads);
    expect(within(dialog).getByText("Cancelled")).toBeTruthy();
  });

  test("'Download metadata (JSON)' saves the metadata route's answer as a file", async () => {
    const metadata = { generation: { generation_id: "gen-1" }, exports: [], master: null };
    const api = openPage([[]], { "GET /api/generations/gen-1/metadata": json(metadata) });
    let saved: Blob | null = null;
    const create = vi.fn((blob: Blob) => {
      saved = blob;
      return "blob:metadata";
    });
    const revoke = vi.fn();
    // jsdom has no object URLs: these two stand in for the browser's, and are put back after.
    const { createObjectURL, revokeObjectURL } = URL;
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke });
    onTestFinished(() => {
      Object.assign(URL, { createObjectURL, revokeObjectURL });
    });
    let clicked: HTMLAnchorElement | null = null;
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked = this;
    });
    const dialog = await openDialog();
    fireEvent.click(within(dialog).getByRole("button", { name: "Download metadata (JSON)" }));
    await waitFor(() => expect(clicked).not.toBeNull());
    expect(calls(api, "GET", "/api/generations/gen-1/metadata")).toHaveLength(1);
    expect(clicked!.download).toBe("promptreel-gen-1-metadata.json");
    expect(clicked!.getAttribute("href")).toBe("blob:metadata");
    expect(saved!.type).toBe("application/json");
    expect(JSON.parse(await saved!.text())).toEqual(metadata);
    await vi.advanceTimersByTimeAsync(1500);
    expect(revoke).toHaveBeenCalledWith("blob:metadata");
  });
});
