import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import type { Budget } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { json, meFixture, signedInAt, stubApi } from "./fixtures.tsx";

/**
 * The library at /library with an account whose budget starts as `start`. `PUT /api/me/budget`
 * stores the cap like the server does, so the next `GET /api/me` shows it.
 */
function openLibrary(start: Partial<Budget>, put?: (body: unknown) => Response) {
  let me = meFixture(start);
  const puts: unknown[] = [];
  const api = stubApi({
    "GET /api/me": () => json(me),
    "GET /api/generations": json({ generations: [], next_cursor: null }),
    "PUT /api/me/budget": ({ body }) => {
      puts.push(body);
      const answer = put?.(body);
      if (answer) return answer;
      const cap = (body as { monthly_usd: number | null }).monthly_usd;
      me = meFixture({ ...me.budget, monthly_budget_usd: cap, remaining_usd: null });
      return json(me.budget);
    },
  });
  render(() => <App />);
  return { api, puts };
}

const figure = () => screen.getByTestId("budget-figure").textContent;

describe("monthly budget", () => {
  beforeEach(() => signedInAt("/library"));

  test("shows this month's spend against the cap beside the total", async () => {
    openLibrary({ monthly_budget_usd: 5, spent_this_month_usd: 0.4 });
    await screen.findByRole("button", { name: "Edit budget" });
    expect(figure()).toBe("This month: $0.40 of $5.00");
    expect(screen.getByTestId("total-spent").textContent).toBe("$1.25");
  });

  test("without a cap it says so, and offers to set one", async () => {
    openLibrary({ monthly_budget_usd: null, spent_this_month_usd: 2 });
    await screen.findByRole("button", { name: "Set budget" });
    expect(figure()).toBe("This month: $2.00 · No monthly cap");
    expect(screen.queryByRole("button", { name: "Edit budget" })).toBeNull();
  });

  test("edits the cap: PUT with the amount, then the card shows the account read again", async () => {
    const { api, puts } = openLibrary({ monthly_budget_usd: 5 });
    fireEvent.click(await screen.findByRole("button", { name: "Edit budget" }));
    const input = screen.getByLabelText("Monthly budget (USD)") as HTMLInputElement;
    expect(input.value).toBe("5");
    fireEvent.input(input, { target: { value: "12.5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save budget" }));
    await waitFor(() => expect(figure()).toBe("This month: $0.40 of $12.50"));
    expect(puts).toEqual([{ monthly_usd: 12.5 }]);
    // The account was read again (not patched locally), and the form is gone.
    const meReads = api.mock.calls.filter(([u]) => new URL(String(u)).pathname === "/api/me");
    expect(meReads.length).toBeGreaterThanOrEqual(2);
    await waitFor(() => expect(screen.queryByLabelText("Monthly budget (USD)")).toBeNull());
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Edit budget" })),
    );
  });

  test.each([
    { value: "-3", message: "The budget cannot be negative." },
    { value: "100001", message: "The budget can be at most $100,000 a month." },
    { value: "", message: "Enter an amount in USD, or remove the cap." },
  ])("refuses $value before sending anything", async ({ value, message }) => {
    const { puts } = openLibrary({ monthly_budget_usd: null });
    fireEvent.click(await screen.findByRole("button", { name: "Set budget" }));
    const input = screen.getByLabelText("Monthly budget (USD)");
    fireEvent.input(input, { target: { value } });
    fireEvent.click(screen.getByRole("button", { name: "Save budget" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(message);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe(alert.id);
    await new Promise((r) => setTimeout(r, 20));
    expect(puts).toEqual([]);
    // A cap is never removed by accident: there is none to remove yet.
    expect(screen.queryByRole("button", { name: "Remove cap" })).toBeNull();
  });

  test("Remove cap sends null and the card reads 'No monthly cap'", async () => {
    const { puts } = openLibrary({ monthly_budget_usd: 20 });
    fireEvent.click(await screen.findByRole("button", { name: "Edit budget" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove cap" }));
    await screen.findByRole("button", { name: "Set budget" });
    expect(puts).toEqual([{ monthly_usd: null }]);
    expect(figure()).toBe("This month: $0.40 · No monthly cap");
  });

  test("a refused save keeps the form open with the server's message; Cancel closes it", async () => {
    const message = "Number must be less than or equal to 100000";
    const { puts } = openLibrary({ monthly_budget_usd: 5 }, () =>
      json(
        {
          error: {
            code: "validation_error",
            message: "Invalid request body",
            details: { fields: { monthly_usd: [message] } },
          },
        },
        400,
      ),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Edit budget" }));
    fireEvent.input(screen.getByLabelText("Monthly budget (USD)"), { target: { value: "7" } });
    fireEvent.click(screen.getByRole("button", { name: "Save budget" }));
    const form = screen.getByRole("form", { name: "Monthly budget" });
    expect((await within(form).findByRole("alert")).textContent).toBe(message);
    expect(puts).toEqual([{ monthly_usd: 7 }]);
    expect(figure()).toBe("This month: $0.40 of $5.00");
    fireEvent.click(within(form).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("form", { name: "Monthly budget" })).toBeNull();
    expect(screen.getByRole("button", { name: "Edit budget" })).toBeTruthy();
  });
});
