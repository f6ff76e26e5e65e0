import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { clearApiCache } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { startSession } from "../src/session.ts";
import { json, quote, SESSION, stubApi } from "./fixtures.tsx";

describe("dashboard", () => {
  beforeEach(() => {
    clearApiCache();
    startSession(SESSION);
    history.replaceState(null, "", "/");
  });

  test("shows the server's estimate, asked again only when a price-relevant setting changes", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": ({ url }) => quote(url.searchParams.get("duration_s") === "30" ? 0.84 : 0.42),
    });
    render(() => <App />);
    const estimate = await screen.findByTestId("cost-estimate");
    await waitFor(() => expect(estimate.textContent).toBe("$0.42"));

    fireEvent.click(screen.getByRole("button", { name: /Settings/ }));
    fireEvent.input(screen.getByLabelText("Seed"), { target: { value: "1234" } });
    fireEvent.click(screen.getByRole("radio", { name: "30 s" }));
    await waitFor(() => expect(estimate.textContent).toBe("$0.84"));
    const estimates = api.mock.calls
      .map(([u]) => new URL(String(u)))
      .filter((u) => u.pathname === "/api/estimate");
    expect(estimates.map((u) => u.searchParams.get("duration_s"))).toEqual(["15", "30"]);
  });

  test("a failed estimate reads 'unavailable' and the form still works", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": json({ error: { code: "internal", message: "boom" } }, 500),
    });
    render(() => <App />);
    const estimate = await screen.findByTestId("cost-estimate");
    await waitFor(() => expect(estimate.textContent).toBe("unavailable"));
    expect(screen.getByRole("button", { name: "Generate" })).toBeTruthy();
    expect(screen.getByLabelText("Describe your ad")).toBeTruthy();
  });

  test("'Review storyboard first' asks for the storyboard workflow, and is kept in the draft", async () => {
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": quote(0.42),
      "POST /api/generate": json({ generation_id: "gen-9", group_id: "group-9", status: "pending" }, 202),
    });
    const first = render(() => <App />);
    const review = (await screen.findByRole("switch", {
      name: /Review storyboard first/,
    })) as HTMLInputElement;
    expect(review.checked).toBe(false);
    fireEvent.click(review);
    fireEvent.input(screen.getByLabelText("Describe your ad"), {
      target: { value: "cold brew coffee for students" },
    });
    // A closed tab (or an expired session) keeps the choice.
    first.unmount();
    render(() => <App />);
    const again = (await screen.findByRole("switch", {
      name: /Review storyboard first/,
    })) as HTMLInputElement;
    expect(again.checked).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    await waitFor(() => expect(location.pathname).toBe("/generations/gen-9"));
    const post = api.mock.calls.find(
      ([u, init]) => String(u).endsWith("/api/generate") && init?.method === "POST",
    );
    expect(JSON.parse(String(post?.[1]?.body)).settings.workflow).toBe("storyboard");
  });

  test("a generation beyond the monthly budget (402) shows the server's message and stays on the form", async () => {
    const message =
      "This generation is estimated at $0.42, but only $0.10 of your monthly budget is left. Raise the budget or wait for next month.";
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": quote(0.42),
      "POST /api/generate": json(
        { error: { code: "payment_required", message, details: { estimate_usd: 0.42, remaining_usd: 0.1 } } },
        402,
      ),
    });
    render(() => <App />);
    fireEvent.input(await screen.findByLabelText("Describe your ad"), {
      target: { value: "cold brew coffee for students" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    expect((await screen.findByRole("alert")).textContent).toBe(message);
    expect(location.pathname).toBe("/");
  });
});
