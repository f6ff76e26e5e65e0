import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { App } from "../src/app.tsx";
import { FakeXHR } from "./fake-xhr.ts";
import { assetFixture, assetPageFixture, json, quote, SESSION, signedInAt, stubApi } from "./fixtures.tsx";

const bottle = assetFixture({ id: "img-1", name: "bottle.png" });
const mascot = assetFixture({ id: "ref-1", kind: "reference", name: "mascot.png" });
const logo = assetFixture({ id: "img-2", name: "logo.png" });
const track = assetFixture({ id: "aud-1", kind: "audio", name: "jingle.mp3", duration_s: 15 });

function stub() {
  return stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/estimate": quote(0.42),
    "GET /api/assets": json(assetPageFixture([bottle, mascot, logo, track])),
    "POST /api/generate": json({ generation_id: "gen-9", group_id: "group-9", status: "pending" }, 202),
  });
}

const group = (name: string) => screen.getByRole("group", { name });

/** Types a prompt, presses Generate, and answers the settings the request carried. */
async function generateAndReadSettings(api: ReturnType<typeof stub>) {
  fireEvent.input(screen.getByLabelText("Describe your ad"), {
    target: { value: "cold brew coffee for students" },
  });
  fireEvent.click(screen.getByRole("button", { name: "Generate" }));
  await waitFor(() => expect(location.pathname).toBe("/generations/gen-9"));
  const post = api.mock.calls.find(
    ([u, init]) => String(u).endsWith("/api/generate") && init?.method === "POST",
  );
  return JSON.parse(String(post?.[1]?.body)).settings;
}

describe("asset pickers on the dashboard", () => {
  beforeEach(() => {
    signedInAt("/");
    FakeXHR.install();
  });

  test("each picker offers only its kinds", async () => {
    stub();
    render(() => <App />);
    await within(group("Music")).findByRole("button", { name: "Choose jingle.mp3" });
    const names = (g: string) =>
      within(group(g))
        .getAllByRole("button", { name: /^Choose / })
        .map((b) => b.getAttribute("aria-label"));
    expect(names("Product or character")).toEqual([
      "Choose bottle.png",
      "Choose mascot.png",
      "Choose logo.png",
    ]);
    expect(names("Logo")).toEqual(["Choose bottle.png", "Choose logo.png"]);
    expect(names("Music")).toEqual(["Choose jingle.mp3"]);
  });

  test("choosing a product, a logo and a track puts their ids in the generate request", async () => {
    const api = stub();
    render(() => <App />);
    const product = await screen.findByRole("group", { name: "Product or character" });
    fireEvent.click(await within(product).findByRole("button", { name: "Choose mascot.png" }));
    expect(
      within(product).getByRole("button", { name: "Choose mascot.png" }).getAttribute("aria-pressed"),
    ).toBe("true");
    expect(within(screen.getByTestId("chosen-reference_image")).getByText("mascot.png")).toBeTruthy();
    fireEvent.click(within(group("Logo")).getByRole("button", { name: "Choose logo.png" }));
    fireEvent.click(within(group("Music")).getByRole("button", { name: "Choose jingle.mp3" }));
    // The own track overrides the library mood.
    expect((screen.getByLabelText("Music") as HTMLSelectElement).disabled).toBe(true);

    const settings = await generateAndReadSettings(api);
    expect(settings.reference_image).toBe("ref-1");
    expect(settings.logo).toBe("img-2");
    expect(settings.music).toBe("aud-1");
  });

  test("Remove clears a choice", async () => {
    const api = stub();
    render(() => <App />);
    const product = await screen.findByRole("group", { name: "Product or character" });
    fireEvent.click(await within(product).findByRole("button", { name: "Choose bottle.png" }));
    fireEvent.click(within(group("Music")).getByRole("button", { name: "Choose jingle.mp3" }));
    fireEvent.click(within(product).getByRole("button", { name: /^Remove/ }));
    expect(screen.queryByTestId("chosen-reference_image")).toBeNull();
    const settings = await generateAndReadSettings(api);
    expect(settings.reference_image).toBeNull();
    expect(settings.music).toBe("aud-1");
  });

  test("an image uploaded in the picker becomes the product", async () => {
    const api = stub();
    render(() => <App />);
    const product = await screen.findByRole("group", { name: "Product or character" });
    const input = within(product).getByLabelText("Upload an image") as HTMLInputElement;
    expect(input.accept).toBe("image/png,image/jpeg,image/webp");
    const file = new File([new Uint8Array(100)], "serum.png", { type: "image/png" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    fireEvent.change(input);
    FakeXHR.last!.progress(50, 100);
    expect(
      within(product).getByRole("progressbar", { name: "Uploading serum.png" }).getAttribute("aria-valuenow"),
    ).toBe("50");
    FakeXHR.last!.respond(201, assetFixture({ id: "img-7", name: "serum.png" }));
    await waitFor(() =>
      expect(within(screen.getByTestId("chosen-reference_image")).getByText("serum.png")).toBeTruthy(),
    );
    const settings = await generateAndReadSettings(api);
    expect(settings.reference_image).toBe("img-7");
    expect(settings.logo).toBeNull();
  });
});
