import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ReferenceBatchView, ReferenceCandidate } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { REFERENCE_POLL_MS } from "../src/components/reference-generator.tsx";
import { assetFixture, assetPageFixture, json, quote, SESSION, signedInAt, stubApi } from "./fixtures.tsx";

const BATCH = "5b0c8a52-7d1e-4c4b-9d57-2f1c3e4a5b6c";
const bottle = assetFixture({ id: "img-1", name: "bottle.png" });

/** A drawn candidate: its reference asset and cost. */
const ready = (index: number): ReferenceCandidate => ({
  index,
  status: "ready",
  error: null,
  model: "google/imagen-4",
  cost: 0.04,
  asset: assetFixture({
    id: `ref-${index + 1}`,
    kind: "reference",
    name: `reference-${index + 1}.png`,
    thumbnail_url: `/media/assets/user-1/ref-${index + 1}/thumb?sig=a`,
  }),
});
const waiting = (index: number, status: "pending" | "drawing" = "pending"): ReferenceCandidate => ({
  index,
  status,
  error: null,
  model: null,
  cost: 0,
  asset: null,
});
const failed = (index: number, error: string): ReferenceCandidate => ({
  ...waiting(index),
  status: "failed",
  error,
});

function batchFixture(candidates: ReferenceCandidate[], over: Partial<ReferenceBatchView> = {}) {
  const done = candidates.filter((c) => c.status === "ready" || c.status === "failed").length;
  return {
    id: BATCH,
    status: "running",
    description: "a matte black water bottle",
    kind: "product",
    style: null,
    count: candidates.length,
    provider: "replicate",
    offline: false,
    progress: Math.round((100 * done) / candidates.length),
    candidates,
    cost: Math.round(candidates.reduce((s, c) => s + c.cost, 0) * 100) / 100,
    created_at: 1_000,
    completed_at: null,
    ...over,
  } satisfies ReferenceBatchView;
}

/** The dashboard with the generator's routes; `reads` are the batch's successive GET answers. */
function stub(reads: ReferenceBatchView[], start: Response | null = null) {
  let read = 0;
  return stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/estimate": quote(0.42),
    "GET /api/assets": json(assetPageFixture([bottle])),
    "POST /api/references": start ?? json(batchFixture([0, 1, 2, 3].map((i) => waiting(i))), 202),
    [`GET /api/references/${BATCH}`]: () => json(reads[Math.min(read++, reads.length - 1)]),
    [`POST /api/references/${BATCH}/cancel`]: json(
      batchFixture([ready(0), waiting(1), waiting(2), waiting(3)], { status: "cancelled" }),
      202,
    ),
    "POST /api/generate": json({ generation_id: "gen-9", group_id: "group-9", status: "pending" }, 202),
  });
}

const calls = (api: ReturnType<typeof stubApi>, method: string, path: string) =>
  api.mock.calls.filter(
    ([u, init]) => new URL(String(u)).pathname === path && (init?.method ?? "GET") === method,
  );

/** Opens the generator in the product picker and fills the description. */
async function openGenerator(description = "a matte black water bottle") {
  const product = await screen.findByRole("group", { name: "Product or character" });
  fireEvent.click(within(product).getByRole("button", { name: "Draw one from a description" }));
  const form = within(product).getByRole("group", { name: "Generate references" });
  fireEvent.input(within(form).getByLabelText("Describe the product or character"), {
    target: { value: description },
  });
  return { product, form };
}

describe("reference generator in the product or character picker", () => {
  beforeEach(() => {
    signedInAt("/");
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });

  test("follows the batch to the end: drawn candidates, one failure, the cost; choosing one sets the product", async () => {
    const api = stub([
      batchFixture([ready(0), waiting(1, "drawing"), waiting(2, "drawing"), waiting(3)]),
      batchFixture([ready(0), ready(1), ready(2), failed(3, "The model refused the prompt.")], {
        status: "completed",
        completed_at: 5_000,
      }),
    ]);
    render(() => <App />);
    const { form } = await openGenerator();
    fireEvent.click(within(form).getByRole("radio", { name: "Character" }));
    fireEvent.change(within(form).getByLabelText("How many"), { target: { value: "4" } });
    fireEvent.input(within(form).getByLabelText("Style (optional)"), { target: { value: " watercolour " } });
    fireEvent.click(within(form).getByRole("button", { name: "Draw 4 candidates" }));

    await waitFor(() => expect(within(form).getAllByTestId("reference-candidate")).toHaveLength(4));
    expect(calls(api, "POST", "/api/references").map(([, init]) => JSON.parse(String(init?.body)))).toEqual([
      { description: "a matte black water bottle", kind: "character", count: 4, style: "watercolour" },
    ]);
    expect(within(form).getAllByText("Drawing…").length).toBeGreaterThan(0);
    expect(within(form).getByRole("button", { name: "Cancel" })).toBeTruthy();

    await vi.advanceTimersByTimeAsync(REFERENCE_POLL_MS * 3);
    await within(form).findByText("Candidate 4 failed: The model refused the prompt.");
    expect(within(form).getByRole("status").textContent).toMatch(/3 of 4 drawn/);
    expect(within(form).getByTestId("reference-cost").textContent).toBe("Cost: $0.12");
    expect(within(form).queryByTestId("reference-offline")).toBeNull();
    expect(within(form).queryByRole("button", { name: "Cancel" })).toBeNull();
    expect(within(form).getByRole("img", { name: "Candidate 2" }).getAttribute("src")).toBe(
      "/media/assets/user-1/ref-2/thumb?sig=a",
    );
    // Polling stops once the batch is no longer running.
    const reads = calls(api, "GET", `/api/references/${BATCH}`).length;
    await vi.advanceTimersByTimeAsync(REFERENCE_POLL_MS * 5);
    expect(calls(api, "GET", `/api/references/${BATCH}`)).toHaveLength(reads);

    const use = within(form).getByRole("button", { name: "Use candidate 2" });
    fireEvent.click(use);
    expect(use.getAttribute("aria-pressed")).toBe("true");
    expect(within(screen.getByTestId("chosen-reference_image")).getByText("reference-2.png")).toBeTruthy();

    fireEvent.input(screen.getByLabelText("Describe your ad"), {
      target: { value: "cold brew coffee for students" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Generate" }));
    await waitFor(() => expect(location.pathname).toBe("/generations/gen-9"));
    const post = calls(api, "POST", "/api/generate")[0];
    expect(JSON.parse(String(post?.[1]?.body)).settings.reference_image).toBe("ref-2");
  });

  test("offline drafts are said to be drafts", async () => {
    stub([
      batchFixture([ready(0), ready(1)], {
        status: "completed",
        provider: "offline",
        offline: true,
        candidates: [
          { ...ready(0), cost: 0 },
          { ...ready(1), cost: 0 },
        ],
        cost: 0,
      }),
    ]);
    render(() => <App />);
    const { form } = await openGenerator();
    fireEvent.change(within(form).getByLabelText("How many"), { target: { value: "2" } });
    fireEvent.click(within(form).getByRole("button", { name: "Draw 2 candidates" }));
    await vi.advanceTimersByTimeAsync(REFERENCE_POLL_MS * 2);
    expect((await within(form).findByTestId("reference-offline")).textContent).toBe(
      "Offline drafts: drawn by the built-in renderer, not photographs.",
    );
    expect(within(form).getAllByRole("button", { name: /^Use candidate / })).toHaveLength(2);
    expect(within(form).queryByTestId("reference-cost")).toBeNull();
  });

  test("Cancel stops the drawing; undrawn slots say so", async () => {
    const api = stub([batchFixture([ready(0), waiting(1, "drawing"), waiting(2), waiting(3)])]);
    render(() => <App />);
    const { form } = await openGenerator();
    fireEvent.click(within(form).getByRole("button", { name: "Draw 4 candidates" }));
    fireEvent.click(await within(form).findByRole("button", { name: "Cancel" }));
    await within(form).findByText("Candidate 2 was not drawn.");
    expect(within(form).getByRole("status").textContent).toMatch(/Cancelled: 1 of 4 drawn/);
    expect(calls(api, "POST", `/api/references/${BATCH}/cancel`)).toHaveLength(1);
    const reads = calls(api, "GET", `/api/references/${BATCH}`).length;
    await vi.advanceTimersByTimeAsync(REFERENCE_POLL_MS * 4);
    expect(calls(api, "GET", `/api/references/${BATCH}`)).toHaveLength(reads);
  });

  test("a short description is refused here; the server's refusal (402) is shown as it says", async () => {
    const api = stub(
      [],
      json(
        { error: { code: "budget_exceeded", message: "4 reference images would pass your monthly budget." } },
        402,
      ),
    );
    render(() => <App />);
    const { form } = await openGenerator("ab");
    fireEvent.click(within(form).getByRole("button", { name: "Draw 4 candidates" }));
    expect(within(form).getByText("Add 1 more character (at least 3).")).toBeTruthy();
    expect(calls(api, "POST", "/api/references")).toHaveLength(0);

    fireEvent.input(within(form).getByLabelText("Describe the product or character"), {
      target: { value: "a brass desk lamp" },
    });
    // Enter in the style box draws (it must not submit the ad form).
    fireEvent.keyDown(within(form).getByLabelText("Style (optional)"), { key: "Enter" });
    expect((await within(form).findByRole("alert")).textContent).toBe(
      "4 reference images would pass your monthly budget.",
    );
    expect(calls(api, "POST", "/api/generate")).toHaveLength(0);
    expect(location.pathname).toBe("/");
  });
});
