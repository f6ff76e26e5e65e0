import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { App } from "../src/app.tsx";
import { FakeXHR } from "./fake-xhr.ts";
import { assetFixture, assetPageFixture, json, SESSION, signedInAt, stubApi } from "./fixtures.tsx";

const MB = 1_000_000;

/** Picks `files` in the "Upload files" input. */
function pick(files: File[]) {
  const input = screen.getByLabelText("Upload files") as HTMLInputElement;
  Object.defineProperty(input, "files", { value: files, configurable: true });
  fireEvent.change(input);
}

const photo = () => new File([new Uint8Array(2048)], "lamp.png", { type: "image/png" });

describe("assets page", () => {
  beforeEach(() => {
    signedInAt("/assets");
    FakeXHR.install();
  });

  test("lists my assets with the storage used, and the header links here", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": json(
        assetPageFixture(
          [
            assetFixture(),
            assetFixture({ id: "asset-2", kind: "audio", name: "jingle.mp3", duration_s: 42 }),
            assetFixture({ id: "asset-3", kind: "video", name: "pour.mp4" }),
          ],
          { total_bytes: 12.3 * MB, count: 7 },
        ),
      ),
    });
    render(() => <App />);
    expect((await screen.findByTestId("asset-quota")).textContent).toBe(
      "12.3 MB of 500 MB · 7 of 100 assets",
    );
    const cards = screen.getAllByTestId("asset-card");
    expect(cards).toHaveLength(3);
    expect(within(cards[0]!).getByText("bottle.png")).toBeTruthy();
    expect(cards[0]!.querySelector("img")?.getAttribute("src")).toBe(assetFixture().url);
    expect(within(cards[1]!).getByText("0:42")).toBeTruthy();
    expect(cards[2]!.querySelector("video")?.getAttribute("preload")).toBe("metadata");
    expect(screen.getByRole("link", { name: "Assets" }).getAttribute("href")).toBe("/assets");
    const list = api.mock.calls.map(([u]) => new URL(String(u))).find((u) => u.pathname === "/api/assets");
    expect(list?.searchParams.get("kind")).toBeNull();
  });

  test("an upload shows its progress, then joins the grid", async () => {
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": json(assetPageFixture([assetFixture()])),
    });
    render(() => <App />);
    await screen.findByTestId("asset-card");
    const file = photo();
    pick([file]);
    const xhr = FakeXHR.last!;
    expect(xhr.method).toBe("POST");
    const url = new URL(xhr.url);
    expect(url.pathname).toBe("/api/assets");
    expect(url.searchParams.get("name")).toBe("lamp.png");
    expect(xhr.requestHeaders["content-type"]).toBe("image/png");
    expect(xhr.requestHeaders.authorization).toBe(`Bearer ${SESSION.token}`);
    expect(xhr.body).toBe(file);

    const bar = screen.getByRole("progressbar", { name: "Uploading lamp.png" });
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    xhr.progress(512, 2048);
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    xhr.progress(2048, 2048);
    expect(bar.getAttribute("aria-valuenow")).toBe("100");

    xhr.respond(201, assetFixture({ id: "asset-9", name: "lamp.png", size_bytes: 2048 }));
    await waitFor(() => expect(screen.getAllByTestId("asset-card")).toHaveLength(2));
    expect(within(screen.getAllByTestId("asset-card")[0]!).getByText("lamp.png")).toBeTruthy();
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.getByTestId("asset-quota").textContent).toMatch(/· 2 of 100 assets$/);
  });

  test("a refused upload shows the server's message with the file name", async () => {
    const message = "The file's bytes are not a PNG image, whatever its name says.";
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": json(assetPageFixture([])),
    });
    render(() => <App />);
    await screen.findByTestId("assets-empty");
    pick([new File(["hello"], "notes.png", { type: "image/png" })]);
    FakeXHR.last!.progress(5, 5);
    FakeXHR.last!.respond(415, { error: { code: "unsupported_media_type", message } });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(`notes.png: ${message}`);
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.queryAllByTestId("asset-card")).toHaveLength(0);
  });

  test("a file over 50 MB, or an empty one, is refused before anything is sent", async () => {
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": json(assetPageFixture([])),
    });
    render(() => <App />);
    await screen.findByTestId("assets-empty");
    const big = new File(["x"], "launch.mp4", { type: "video/mp4" });
    Object.defineProperty(big, "size", { value: 51 * MB });
    pick([big, new File([], "empty.png", { type: "image/png" })]);
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((a) => a.textContent)).toEqual([
      "launch.mp4: The file is 51.0 MB; the most accepted is 50 MB.",
      "empty.png: The file is empty.",
    ]);
    expect(FakeXHR.instances).toHaveLength(0);
  });

  test("a kind filter asks for that kind; Load more asks for the next page", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": ({ url }) => {
        const kind = url.searchParams.get("kind");
        if (kind === "audio")
          return json(assetPageFixture([assetFixture({ id: "a-2", kind: "audio", name: "jingle.mp3" })]));
        if (url.searchParams.get("cursor") === "c-2")
          return json(assetPageFixture([assetFixture({ id: "a-3", name: "second-page.png" })]));
        return json(assetPageFixture([assetFixture()], { next_cursor: "c-2" }));
      },
    });
    render(() => <App />);
    await screen.findByText("bottle.png");
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByText("second-page.png");
    expect(screen.getAllByTestId("asset-card")).toHaveLength(2);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Audio" }));
    await screen.findByText("jingle.mp3");
    expect(screen.queryByText("bottle.png")).toBeNull();
    expect(screen.getByRole("button", { name: "Audio" }).getAttribute("aria-pressed")).toBe("true");
    const lists = api.mock.calls
      .map(([u]) => new URL(String(u)))
      .filter((u) => u.pathname === "/api/assets")
      .map((u) => [u.searchParams.get("kind"), u.searchParams.get("cursor")]);
    expect(lists).toEqual([
      [null, null],
      [null, "c-2"],
      ["audio", null],
    ]);
  });

  test("delete asks first, then DELETEs the asset and removes its card", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/assets": json(assetPageFixture([assetFixture()])),
      "DELETE /api/assets/asset-1": () => new Response(null, { status: 204 }),
    });
    render(() => <App />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete bottle.png" }));
    const dialog = document.querySelector("dialog")!;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toMatch(/bottle\.png/);
    const deletes = () => api.mock.calls.filter(([, init]) => init?.method === "DELETE");
    expect(deletes()).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryAllByTestId("asset-card")).toHaveLength(0));
    expect(deletes().map(([u]) => new URL(String(u)).pathname)).toEqual(["/api/assets/asset-1"]);
    expect(dialog.open).toBe(false);
  });
});
