import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { App } from "../src/app.tsx";
import { FakeXHR } from "./fake-xhr.ts";
import {
  assetFixture,
  assetPageFixture,
  json,
  quote,
  SESSION,
  signedInAt,
  stubApi,
  ticket,
  viewFixture,
} from "./fixtures.tsx";

const video = (id: string, name: string, duration_s: number) =>
  assetFixture({ id, kind: "video", name, duration_s, width: 1280, height: 720 });
const clipA = video("vid-a", "beach.mp4", 2);
const clipB = video("vid-b", "product.mp4", 3);
const clipC = video("vid-c", "logo-reveal.mp4", 4.4);
const logo = assetFixture({ id: "img-2", name: "logo.png" });
const track = assetFixture({ id: "aud-1", kind: "audio", name: "jingle.mp3", duration_s: 15 });

function stub(
  stitch: Response = json(
    { generation_id: "gen-9", group_id: "group-9", status: "pending", message: "Stitching started." },
    202,
  ),
) {
  return stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/estimate": quote(0.42),
    "GET /api/assets": ({ url }) =>
      json(
        url.searchParams.get("kind") === "video"
          ? assetPageFixture([clipA, clipB, clipC])
          : assetPageFixture([clipA, clipB, clipC, logo, track]),
      ),
    "POST /api/stitch": stitch,
    "GET /api/status/gen-9": json(viewFixture({ generation_id: "gen-9", group_id: "group-9" })),
    "POST /api/groups/group-9/ticket": ticket("group-9"),
  });
}

const stitchButton = () => screen.getByRole("button", { name: "Stitch ad" }) as HTMLButtonElement;
const order = () =>
  screen.getAllByTestId("stitch-row").map((r) => r.querySelector(".asset-name")?.textContent);
const posted = (api: ReturnType<typeof stubApi>) =>
  api.mock.calls
    .filter(([u, init]) => new URL(String(u)).pathname === "/api/stitch" && init?.method === "POST")
    .map(([, init]) => JSON.parse(String(init?.body)));

async function addAll() {
  for (const name of ["beach.mp4", "product.mp4", "logo-reveal.mp4"])
    fireEvent.click(await screen.findByRole("button", { name: `Add ${name}` }));
}

describe("From my clips (/stitch)", () => {
  beforeEach(() => {
    signedInAt("/");
    FakeXHR.install();
  });

  test("the dashboard leads here; Stitch ad waits for 2 clips and says why; the total adds up", async () => {
    stub();
    render(() => <App />);
    fireEvent.click(await screen.findByRole("link", { name: "From my clips" }));
    await screen.findByRole("heading", { name: "From my clips", level: 1 });
    await waitFor(() => expect(location.pathname).toBe("/stitch"));

    expect(stitchButton().disabled).toBe(true);
    expect(stitchButton().getAttribute("aria-describedby")).toBe("stitch-blocked");
    expect(document.getElementById("stitch-blocked")?.textContent).toBe("Add at least 2 clips to stitch.");
    expect(screen.getByTestId("stitch-empty")).toBeTruthy();

    fireEvent.click(await screen.findByRole("button", { name: "Add beach.mp4" }));
    expect(stitchButton().disabled).toBe(true);
    expect(document.getElementById("stitch-blocked")?.textContent).toBe(
      "Add at least 1 more clip (at least 2).",
    );
    const added = screen.getByRole("button", { name: "Add beach.mp4" }) as HTMLButtonElement;
    expect(added.disabled).toBe(true);
    expect(added.textContent).toBe("Added");

    fireEvent.click(screen.getByRole("button", { name: "Add product.mp4" }));
    expect(stitchButton().disabled).toBe(false);
    expect(stitchButton().getAttribute("aria-describedby")).toBeNull();
    expect(screen.getByTestId("stitch-total").textContent).toBe(
      "2 clips · 5.0 s of footage · an ad of about 4.5 s (0.5 s crossfades)",
    );

    fireEvent.click(screen.getByRole("button", { name: "Remove clip 1" }));
    expect(order()).toEqual(["product.mp4"]);
    expect(stitchButton().disabled).toBe(true);
  });

  test("Move up and Move down set the order that is posted, focus follows the clip; texts go in clip order", async () => {
    const api = stub();
    history.replaceState(null, "", "/stitch");
    render(() => <App />);
    await addAll();
    expect(order()).toEqual(["beach.mp4", "product.mp4", "logo-reveal.mp4"]);

    fireEvent.input(screen.getByLabelText("Text on clip 1"), { target: { value: "Sun's out" } });
    fireEvent.click(screen.getByRole("button", { name: "Move clip 3 up" }));
    expect(order()).toEqual(["beach.mp4", "logo-reveal.mp4", "product.mp4"]);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move clip 2 up" }));
    fireEvent.click(screen.getByRole("button", { name: "Move clip 2 up" }));
    expect(order()).toEqual(["logo-reveal.mp4", "beach.mp4", "product.mp4"]);
    // Now first, it cannot go up: the focus goes to its other move.
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move clip 1 down" }));
    fireEvent.click(screen.getByRole("button", { name: "Move clip 2 down" }));
    expect(order()).toEqual(["logo-reveal.mp4", "product.mp4", "beach.mp4"]);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move clip 3 up" }));

    // The text stays with its clip, now third; the first gets its own.
    expect((screen.getByLabelText("Text on clip 3") as HTMLInputElement).value).toBe("Sun's out");
    fireEvent.input(screen.getByLabelText("Text on clip 1"), { target: { value: "  New drop  " } });
    fireEvent.input(screen.getByLabelText("Title (optional)"), { target: { value: "Summer drop" } });
    fireEvent.change(screen.getByLabelText("Aspect ratio"), { target: { value: "1:1" } });
    fireEvent.change(screen.getByLabelText("Colour grade"), { target: { value: "warm" } });
    fireEvent.change(screen.getByLabelText("Library music"), { target: { value: "calm" } });
    fireEvent.click(
      within(screen.getByRole("group", { name: "Logo" })).getByRole("button", { name: "Choose logo.png" }),
    );
    expect(screen.getByTestId("stitch-total").textContent).toBe(
      "3 clips · 9.4 s of footage · an ad of about 8.4 s (0.5 s crossfades)",
    );

    fireEvent.click(stitchButton());
    await waitFor(() => expect(location.pathname).toBe("/generations/gen-9"));
    expect(posted(api)).toEqual([
      {
        clips: ["vid-c", "vid-b", "vid-a"],
        overlays: ["New drop", null, "Sun's out"],
        title: "Summer drop",
        aspect: "1:1",
        grade: "warm",
        music: "calm",
        logo: "img-2",
      },
    ]);
  });

  test("an own track replaces the library mood; defaults leave out the title and logo", async () => {
    const api = stub();
    history.replaceState(null, "", "/stitch");
    render(() => <App />);
    await addAll();
    fireEvent.click(
      within(screen.getByRole("group", { name: "Music" })).getByRole("button", { name: "Choose jingle.mp3" }),
    );
    expect((screen.getByLabelText("Library music") as HTMLSelectElement).disabled).toBe(true);
    fireEvent.click(stitchButton());
    await waitFor(() => expect(location.pathname).toBe("/generations/gen-9"));
    expect(posted(api)).toEqual([
      {
        clips: ["vid-a", "vid-b", "vid-c"],
        overlays: [null, null, null],
        aspect: "9:16",
        grade: "none",
        music: "aud-1",
      },
    ]);
  });

  test("the server's refusal is shown and the page stays", async () => {
    stub(
      json(
        {
          error: {
            code: "validation_failed",
            message: "clips.1: Clip 2 is shorter than 1 s",
            details: { fields: { "clips.1": ["Clip 2 is shorter than 1 s"] } },
          },
        },
        400,
      ),
    );
    history.replaceState(null, "", "/stitch");
    render(() => <App />);
    await addAll();
    fireEvent.click(stitchButton());
    expect((await screen.findByRole("alert")).textContent).toBe("clips.1: Clip 2 is shorter than 1 s");
    expect(location.pathname).toBe("/stitch");
    expect(stitchButton().disabled).toBe(false);
  });

  test("a clip uploaded here joins the library, ready to add", async () => {
    stub();
    history.replaceState(null, "", "/stitch");
    render(() => <App />);
    await screen.findByRole("button", { name: "Add beach.mp4" });
    const input = screen.getByLabelText("Upload clips") as HTMLInputElement;
    expect(input.accept).toBe("video/mp4,video/quicktime,video/webm");
    const file = new File([new Uint8Array(100)], "unboxing.mp4", { type: "video/mp4" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    fireEvent.change(input);
    FakeXHR.last!.respond(201, video("vid-d", "unboxing.mp4", 5));
    fireEvent.click(await screen.findByRole("button", { name: "Add unboxing.mp4" }));
    expect(order()).toEqual(["unboxing.mp4"]);
  });
});
