/** The library's status filter: `cancelled` is a status of its own, offered beside Failed. */
import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { App } from "../src/app.tsx";
import { json, meFixture, signedInAt, stubApi, viewFixture } from "./fixtures.tsx";

const cancelled = viewFixture({
  generation_id: "gen-c",
  status: "cancelled",
  current_step: "Cancelled",
  error: "Cancelled by user",
  error_code: "cancelled",
});
const failed = viewFixture({
  generation_id: "gen-f",
  prompt: "handmade leather wallets, warm, for Instagram",
  status: "failed",
  error: "The clips step failed after 3 tries: timeout",
  error_code: "failed",
});

/** The library with one cancelled and one failed generation; the stub filters like the server. */
function openLibrary() {
  const asked: (string | null)[] = [];
  stubApi({
    "GET /api/me": json(meFixture()),
    "GET /api/generations": ({ url }) => {
      const status = url.searchParams.get("status");
      asked.push(status);
      const all = [cancelled, failed];
      return json({ generations: all.filter((g) => !status || g.status === status), next_cursor: null });
    },
  });
  render(() => <App />);
  return asked;
}

const filters = () => screen.getByRole("navigation", { name: "Filter by status" });

describe("library status filter", () => {
  beforeEach(() => signedInAt("/library"));

  test("offers Cancelled after Failed, linking to ?status=cancelled", async () => {
    openLibrary();
    await screen.findAllByTestId("library-item");
    const links = [...filters().querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links.slice(-2)).toEqual([
      ["Failed", "/library?status=failed"],
      ["Cancelled", "/library?status=cancelled"],
    ]);
  });

  test("Cancelled asks the server for status=cancelled and shows only those, badged Cancelled", async () => {
    const asked = openLibrary();
    await waitFor(() => expect(screen.getAllByTestId("library-item")).toHaveLength(2));
    fireEvent.click(screen.getByRole("link", { name: "Cancelled" }));
    await waitFor(() => expect(screen.getAllByTestId("library-item")).toHaveLength(1));
    expect(asked.at(-1)).toBe("cancelled");
    const item = screen.getByTestId("library-item");
    expect(item.dataset.status).toBe("cancelled");
    expect(item.querySelector(".badge")?.textContent).toBe("Cancelled");
    expect(screen.getByRole("link", { name: "Cancelled" }).getAttribute("aria-current")).toBe("page");
    expect(screen.getByRole("link", { name: "Failed" }).getAttribute("aria-current")).toBeNull();
  });

  test("Failed no longer lists a cancelled generation", async () => {
    const asked = openLibrary();
    await screen.findAllByTestId("library-item");
    fireEvent.click(screen.getByRole("link", { name: "Failed" }));
    await waitFor(() => expect(asked.at(-1)).toBe("failed"));
    await waitFor(() => expect(screen.getAllByTestId("library-item")).toHaveLength(1));
    expect(screen.getByTestId("library-item").dataset.status).toBe("failed");
    expect(screen.getByTestId("library-item").querySelector(".badge")?.textContent).toBe("Failed");
  });
});
