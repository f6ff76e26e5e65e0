import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { GenerationView } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { FakeWebSocket } from "./fake-socket.ts";
import {
  json,
  SESSION,
  sceneFixture,
  signedInAt,
  storyboardFixture,
  stubApi,
  ticket,
  versionFixture,
  viewFixture,
} from "./fixtures.tsx";

/** A finished ad with `count` versions (the last is the view's own video). */
function finishedAd(count: number, over: Partial<GenerationView> = {}): GenerationView {
  const versions = Array.from({ length: count }, (_, i) =>
    versionFixture(i + 1, { cost: 0.3 / (i + 1), new_clips: i === 0 ? 4 : 1 }),
  );
  const latest = versions.at(-1);
  return viewFixture({
    status: "completed",
    progress: 100,
    scenes: [0, 1, 2, 3].map((i) =>
      sceneFixture(i, { status: "ready", clip_url: `/media/clips/gen-1/${i}.mp4` }),
    ),
    num_scenes: 4,
    revision: 3,
    version: count,
    versions,
    cost: 0.6,
    video_url: latest?.video_url ?? null,
    thumbnail_url: latest?.thumbnail_url ?? null,
    completed_at: latest?.completed_at ?? null,
    ...over,
  });
}

/** The page at /generations/gen-1 reading `view`, with `routes` on top of the usual ones. */
function openPage(view: GenerationView, routes: Parameters<typeof stubApi>[0] = {}) {
  const api = stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/status/gen-1": json(view),
    "POST /api/groups/group-1/ticket": ticket("group-1"),
    "GET /api/generations/gen-1/approval": json({ currency: "USD", model: "m", clips: [], total: 0.1 }),
    ...routes,
  });
  render(() => <App />);
  return api;
}

/** jsdom plays no media: the player's calls are stubbed (and so kept out of the output). */
function stubMedia() {
  vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => {});
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
}

const posts = (api: ReturnType<typeof stubApi>, path: string) =>
  api.mock.calls.filter(([u, init]) => new URL(String(u)).pathname === path && init?.method === "POST");

describe("editing a finished ad", () => {
  beforeEach(() => {
    signedInAt("/generations/gen-1");
    stubMedia();
  });

  test("an ad stitched from the user's own clips offers no 'Edit scenes'", async () => {
    openPage(finishedAd(1, { source: "stitch" }));
    await screen.findByRole("heading", { name: "Your ad is ready", level: 1 });
    expect(screen.queryByRole("button", { name: "Edit scenes" })).toBeNull();
  });

  test("'Edit scenes' opens the next version's storyboard from the answer, and follows it live", async () => {
    const ad = finishedAd(1);
    const draft = storyboardFixture({
      version: 2,
      versions: ad.versions,
      revision: 4,
      current_step: "Editing version 2",
      video_url: ad.video_url,
    });
    let release: (r: Response) => void = () => {};
    const api = openPage(ad, {
      "POST /api/generations/gen-1/versions": () =>
        new Promise<Response>((resolve) => {
          release = resolve;
        }),
    });
    const edit = await screen.findByRole("button", { name: "Edit scenes" });
    // Finished: nothing followed yet.
    expect(FakeWebSocket.instances).toHaveLength(0);
    fireEvent.click(edit);
    await waitFor(() => expect(posts(api, "/api/generations/gen-1/versions")).toHaveLength(1));
    expect((edit as HTMLButtonElement).disabled).toBe(true);
    release(json(draft, 201));

    await screen.findByRole("heading", { name: "Review your storyboard", level: 1 });
    expect(screen.getByTestId("draft-note").textContent).toContain("Editing version 2 — version 1 stays");
    expect(screen.getAllByTestId("storyboard-card")).toHaveLength(4);
    expect(screen.getByRole("button", { name: "Discard changes" })).toBeTruthy();
    // The draft is unfinished: the page follows it, so edits made elsewhere and the render show up.
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    FakeWebSocket.latest().receive({
      type: "generation",
      seq: 2,
      generation: {
        ...draft,
        status: "processing",
        current_step: "Rendering clips (0/1)",
        started_at: Date.now(),
      },
    });
    await screen.findByRole("heading", { name: "Rendering version 2", level: 1 });
    expect(screen.getByRole("button", { name: "Discard changes" })).toBeTruthy();
  });

  test("a refused 'Edit scenes' shows why and can be tried again", async () => {
    const message = "Only a finished ad can be edited into a new version; this generation is processing.";
    openPage(finishedAd(1), {
      "POST /api/generations/gen-1/versions": json({ error: { code: "conflict", message } }, 409),
    });
    const edit = (await screen.findByRole("button", { name: "Edit scenes" })) as HTMLButtonElement;
    fireEvent.click(edit);
    expect((await screen.findByRole("alert")).textContent).toBe(message);
    expect(edit.disabled).toBe(false);
    expect(screen.queryByTestId("storyboard")).toBeNull();
  });
});

describe("versions of a finished ad", () => {
  beforeEach(() => {
    signedInAt("/generations/gen-1");
    stubMedia();
  });

  test("a single version has no list: the player and its download are the ad's", async () => {
    const ad = finishedAd(1);
    openPage(ad);
    const video = await screen.findByLabelText("Your finished ad");
    expect(video.getAttribute("src")).toBe(ad.video_url);
    expect(screen.queryByRole("list", { name: "Finished versions" })).toBeNull();
    expect(screen.getByRole("link", { name: "Download MP4" }).getAttribute("download")).toBe(
      "promptreel-gen-1.mp4",
    );
  });

  test("lists every version newest first, the latest playing; Play switches the player", async () => {
    const ad = finishedAd(3);
    const [v1, v2, v3] = ad.versions;
    openPage(ad);
    const list = await screen.findByRole("list", { name: "Finished versions" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows.map((r) => r.querySelector(".version-name")?.textContent)).toEqual([
      "Version 3Latest",
      "Version 2",
      "Version 1",
    ]);
    expect(rows[2]!.textContent).toContain("$0.30");
    expect(rows[2]!.textContent).toContain("4 new clips");
    expect(rows[0]!.textContent).toContain("1 new clip");
    expect(rows[0]!.getAttribute("aria-current")).toBe("true");

    const video = screen.getByLabelText("Your finished ad") as HTMLVideoElement;
    expect(video.getAttribute("src")).toBe(v3!.video_url);
    expect(screen.getByRole("button", { name: "Play version 3" }).getAttribute("aria-pressed")).toBe("true");

    fireEvent.click(screen.getByRole("button", { name: "Play version 1" }));
    await waitFor(() => expect(video.getAttribute("src")).toBe(v1!.video_url));
    expect(screen.getByLabelText("Your finished ad")).toBe(video);
    expect(video.getAttribute("poster")).toBe(v1!.thumbnail_url);
    expect(video.autoplay).toBe(true);
    expect(screen.getByRole("button", { name: "Play version 1" }).getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("button", { name: "Play version 3" }).getAttribute("aria-pressed")).toBe("false");
    expect(rows[2]!.getAttribute("aria-current")).toBe("true");
    expect(rows[0]!.hasAttribute("aria-current")).toBe(false);
    expect(screen.getByTestId("video-caption").textContent).toBe("Version 1");
    // The main download follows the player.
    const main = screen.getByRole("link", { name: "Download MP4" });
    expect(main.getAttribute("href")).toBe(v1!.video_url);
    expect(main.getAttribute("download")).toBe("promptreel-gen-1-v1.mp4");

    fireEvent.click(screen.getByRole("button", { name: "Play version 2" }));
    await waitFor(() => expect(video.getAttribute("src")).toBe(v2!.video_url));
  });

  test("each version downloads from its own link under its own name", async () => {
    const ad = finishedAd(2, { generation_id: "0123456789abcdef" });
    history.replaceState(null, "", "/generations/0123456789abcdef");
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/status/0123456789abcdef": json(ad),
    });
    render(() => <App />);
    const first = await screen.findByRole("link", { name: "Download version 1" });
    const second = screen.getByRole("link", { name: "Download version 2" });
    expect(first.getAttribute("href")).toBe(ad.versions[0]!.video_url);
    expect(first.getAttribute("download")).toBe("promptreel-01234567-v1.mp4");
    expect(second.getAttribute("href")).toBe(ad.versions[1]!.video_url);
    expect(second.getAttribute("download")).toBe("promptreel-01234567-v2.mp4");
    expect(screen.getByRole("link", { name: "Download MP4" }).getAttribute("download")).toBe(
      "promptreel-01234567-v2.mp4",
    );
  });
});
