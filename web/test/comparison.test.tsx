import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import type { Comparison, GenerationView } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { sortVariations } from "../src/compare.ts";
import { FakeWebSocket } from "./fake-socket.ts";
import { json, SESSION, signedInAt, stubApi, ticket, viewFixture } from "./fixtures.tsx";

function variation(i: number, over: Partial<GenerationView> = {}): GenerationView {
  const id = `g${i}`;
  return viewFixture({
    generation_id: id,
    group_id: "grp-1",
    prompt: `vegan protein powder, take ${i}`,
    label: `Prompt ${i}`,
    status: "completed",
    progress: 100,
    video_url: `/media/renders/${id}/video.mp4?sig=${i}`,
    thumbnail_url: `/media/renders/${id}/thumb.jpg?sig=${i}`,
    generation_time_s: 40,
    ...over,
  });
}

function comparison(over: Partial<Comparison> = {}): Comparison {
  return {
    group_id: "grp-1",
    comparison_type: "prompt",
    created_at: Date.UTC(2026, 10, 25, 14, 3),
    variations: [
      variation(1, { cost: 0.5, generation_time_s: 40 }),
      variation(2, { cost: 0.3, generation_time_s: 50 }),
      variation(3, {
        status: "pending",
        progress: 0,
        current_step: null,
        video_url: null,
        thumbnail_url: null,
        cost: 0,
        generation_time_s: null,
      }),
    ],
    differing_fields: ["prompt"],
    winner_generation_id: null,
    total_cost: 0.8,
    ...over,
  };
}

const cards = () => screen.getAllByTestId("variation-card");
const titles = () => cards().map((c) => within(c).getByRole("heading").textContent);

describe("comparison helpers", () => {
  test("sorting by cost or time puts unfinished variations last and keeps ties in order", () => {
    const vs = comparison().variations;
    // From the reverse order, so a sort that did nothing would fail.
    const reversed = [...vs].reverse();
    expect(sortVariations(reversed, "cost").map((v) => v.label)).toEqual([
      "Prompt 2",
      "Prompt 1",
      "Prompt 3",
    ]);
    expect(sortVariations(reversed, "time").map((v) => v.label)).toEqual([
      "Prompt 1",
      "Prompt 2",
      "Prompt 3",
    ]);
    expect(sortVariations(vs, "created").map((v) => v.label)).toEqual(["Prompt 1", "Prompt 2", "Prompt 3"]);
  });
});

describe("the comparison page", () => {
  beforeEach(() => signedInAt("/comparisons/grp-1"));

  test("shows every variation with the differing field highlighted, sorts, and follows live progress", async () => {
    let reads = 0;
    const finished = comparison({
      variations: [
        comparison().variations[0]!,
        comparison().variations[1]!,
        variation(3, { cost: 0.1, generation_time_s: 45 }),
      ],
      total_cost: 0.9,
    });
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/comparisons/grp-1": () => json(reads++ === 0 ? comparison() : finished),
      "POST /api/groups/grp-1/ticket": ticket("grp-1"),
    });
    render(() => <App />);
    await screen.findByText("Compare variations");
    expect(titles()).toEqual(["Prompt 1", "Prompt 2", "Prompt 3"]);
    expect(screen.getByTestId("differing-fields").textContent).toContain("Prompt");
    expect(screen.getByTestId("comparison-total").textContent).toBe("$0.80");
    for (const card of cards()) {
      expect(card.querySelector('[data-field="prompt"]')?.classList.contains("differs")).toBe(true);
      expect(card.querySelector('[data-field="settings.grade"]')?.classList.contains("differs")).toBe(false);
    }
    expect(within(cards()[0]!).getByLabelText("Prompt 1 video").getAttribute("src")).toBe(
      "/media/renders/g1/video.mp4?sig=1",
    );
    expect(within(cards()[2]!).getByRole("button", { name: "Mark as winner" })).toHaveProperty(
      "disabled",
      true,
    );

    fireEvent.change(screen.getByRole("combobox", { name: "Sort by" }), { target: { value: "cost" } });
    expect(titles()).toEqual(["Prompt 2", "Prompt 1", "Prompt 3"]);
    fireEvent.change(screen.getByRole("combobox", { name: "Sort by" }), { target: { value: "time" } });
    expect(titles()).toEqual(["Prompt 1", "Prompt 2", "Prompt 3"]);

    // One socket for the whole group; each variation's card follows its own events.
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    const ws = FakeWebSocket.latest();
    const video1 = within(cards()[0]!).getByLabelText("Prompt 1 video");
    // Live views are the variations' own read model, further along.
    const third = (over: Partial<GenerationView>) => ({ ...comparison().variations[2]!, ...over });
    ws.receive({
      type: "snapshot",
      seq: 1,
      group_id: "grp-1",
      generations: [third({ status: "processing", progress: 40 })],
    });
    ws.receive({
      type: "generation",
      seq: 2,
      generation: third({ status: "processing", progress: 70, current_step: "Composing" }),
    });
    const bar = screen.getByRole("progressbar", { name: "Prompt 3 progress" });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("70"));
    // pending -> processing changed a status, and the page kept its one socket.
    expect(FakeWebSocket.instances).toHaveLength(1);
    ws.receive({
      type: "generation",
      seq: 3,
      generation: third({
        status: "completed",
        progress: 100,
        cost: 0.1,
        generation_time_s: 45,
        video_url: "/media/renders/g3/video.mp4?sig=3",
      }),
    });
    // Finished: the card plays it with its time and cost, and the re-read comparison brings the total.
    await screen.findByLabelText("Prompt 3 video");
    const card3 = screen.getByRole("article", { name: "Prompt 3" });
    await waitFor(() => expect(within(card3).getByTestId("variation-time").textContent).toBe("45 s"));
    expect(within(card3).getByTestId("variation-cost").textContent).toBe("$0.10");
    // Still sorted by time: the finished one moved between the other two.
    expect(titles()).toEqual(["Prompt 1", "Prompt 3", "Prompt 2"]);
    await waitFor(() => expect(screen.getByTestId("comparison-total").textContent).toBe("$0.90"));
    expect(reads).toBe(2);
    // The other cards were updated in place: the same <video> element, never reloaded.
    expect(within(cards()[0]!).getByLabelText("Prompt 1 video")).toBe(video1);
    await waitFor(() => expect(ws.closedWith?.code).toBe(1000));
  });

  test("marks a winner to download it, and deletes one variation, then all", async () => {
    let winner: string | null = null;
    let remaining = comparison().variations.slice(0, 2);
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/comparisons/grp-1": () =>
        json(comparison({ variations: remaining, winner_generation_id: winner, total_cost: 0.8 })),
      "PUT /api/comparisons/grp-1/winner": ({ body }) => {
        winner = (body as { generation_id: string | null }).generation_id;
        return json({ group_id: "grp-1", winner_generation_id: winner });
      },
      "DELETE /api/generations/g1": () => {
        remaining = remaining.filter((v) => v.generation_id !== "g1");
        return json({ generation_id: "g1", deleted: true });
      },
      "DELETE /api/comparisons/grp-1": json({ group_id: "grp-1", deleted: true, generation_ids: ["g2"] }),
      "GET /api/generations": json({ generations: [], next_cursor: null }),
    });
    render(() => <App />);
    await screen.findByText("Compare variations");
    expect(screen.queryByRole("link", { name: "Download winner" })).toBeNull();

    fireEvent.click(within(cards()[1]!).getByRole("button", { name: "Mark as winner" }));
    const download = await screen.findByRole("link", { name: "Download winner" });
    expect(download.getAttribute("href")).toBe("/media/renders/g2/video.mp4?sig=2");
    expect(download.getAttribute("download")).toMatch(/\.mp4$/);
    expect(within(cards()[1]!).getByTestId("winner-badge").textContent).toBe("★ Winner");
    expect(cards()[1]!.dataset.winner).toBe("true");
    expect(within(cards()[1]!).getByRole("button", { name: "★ Winner" }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    expect(winner).toBe("g2");
    // Clicking the winner again clears the pick.
    fireEvent.click(within(cards()[1]!).getByRole("button", { name: "★ Winner" }));
    await waitFor(() => expect(screen.queryByRole("link", { name: "Download winner" })).toBeNull());
    expect(winner).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Delete Prompt 1" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete this variation?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(titles()).toEqual(["Prompt 2"]));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(
      api.mock.calls.some(
        ([u, init]) => String(u).endsWith("/api/generations/g1") && init?.method === "DELETE",
      ),
    ).toBe(true);

    fireEvent.click(screen.getByRole("button", { name: "Delete all" }));
    const all = await screen.findByRole("dialog", { name: "Delete every variation?" });
    fireEvent.click(within(all).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(location.pathname).toBe("/library"));
  });

  test("cancelled whole, it has ended: every card reads Cancelled, no socket opens, a note says so", async () => {
    const stopped = (i: number) =>
      variation(i, {
        status: "cancelled",
        progress: 10,
        current_step: "Cancelled",
        error: "Cancelled by user",
        error_code: "cancelled",
        video_url: null,
        thumbnail_url: null,
        generation_time_s: null,
      });
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/comparisons/grp-1": json(
        comparison({ variations: [stopped(1), stopped(2)], total_cost: 0, differing_fields: ["prompt"] }),
      ),
      "POST /api/groups/grp-1/ticket": ticket("grp-1"),
    });
    render(() => <App />);
    await waitFor(() => expect(titles()).toEqual(["Prompt 1", "Prompt 2"]));
    for (const card of cards()) {
      expect(card.dataset.status).toBe("cancelled");
      expect(within(card).getByText("Cancelled", { selector: ".stage-label" })).toBeTruthy();
      expect(within(card).getByRole("button", { name: "Mark as winner" }).hasAttribute("disabled")).toBe(
        true,
      );
    }
    expect(screen.getByTestId("all-cancelled").textContent).toMatch(/Every variation was cancelled/);
    // Nothing left to follow.
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(api.mock.calls.some(([u]) => String(u).endsWith("/ticket"))).toBe(false);
  });

  test("another user's (or a deleted) comparison reads 'not found'", async () => {
    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/comparisons/grp-1": json(
        { error: { code: "not_found", message: "Comparison not found" } },
        404,
      ),
    });
    render(() => <App />);
    expect(await screen.findByText("Comparison not found")).toBeTruthy();
  });
});
