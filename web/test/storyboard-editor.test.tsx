import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import type { GenerationView } from "../src/api.ts";
import { App } from "../src/app.tsx";
import { FakeWebSocket } from "./fake-socket.ts";
import {
  json,
  runningFixture,
  SESSION,
  sceneFixture,
  signedInAt,
  storyboardFixture,
  stubApi,
  ticket,
  versionFixture,
  viewFixture,
} from "./fixtures.tsx";

/** `GET /api/generations/gen-1/approval`: what approving spends. */
const approval = (total: number) =>
  json({
    currency: "USD",
    model: "minimax/video-01",
    clips: [0, 1, 2, 3].map((scene) => ({ scene, seconds: 6 })),
    total,
  });

/** The page at /generations/gen-1 drawing `board`, with the routes every test needs plus `routes`. */
function openBoard(board: GenerationView, routes: Parameters<typeof stubApi>[0] = {}) {
  const api = stubApi({
    "GET /api/me": json({ user: SESSION.user }),
    "GET /api/status/gen-1": json(board),
    "POST /api/groups/group-1/ticket": ticket("group-1"),
    "GET /api/generations/gen-1/approval": approval(0.42),
    ...routes,
  });
  render(() => <App />);
  return api;
}

/** The requests sent to `path` (method and JSON body), in order. */
function sent(api: ReturnType<typeof stubApi>, method: string, path: string): unknown[] {
  return api.mock.calls
    .filter(([u, init]) => new URL(String(u)).pathname === path && (init?.method ?? "GET") === method)
    .map(([, init]) => (typeof init?.body === "string" ? JSON.parse(init.body) : undefined));
}

const cardTexts = () =>
  screen
    .getAllByTestId("storyboard-card")
    .map((c) => (within(c).getByRole("textbox", { name: /on-screen text$/ }) as HTMLTextAreaElement).value);

describe("storyboard editor", () => {
  beforeEach(() => signedInAt("/generations/gen-1"));

  test("draws a card per scene in order: role, duration, keyframe (or a placeholder), text, estimate", async () => {
    const board = storyboardFixture();
    board.scenes[3] = { ...board.scenes[3]!, keyframe_url: null };
    openBoard(board);
    await screen.findByRole("heading", { name: "Review your storyboard", level: 1 });
    const cards = screen.getAllByTestId("storyboard-card");
    expect(cards).toHaveLength(4);
    expect(cards.map((c) => c.querySelector(".board-role")?.textContent)).toEqual([
      "attention",
      "interest",
      "desire",
      "action",
    ]);
    expect(within(cards[0]!).getByText("3.8 s")).toBeTruthy();
    const image = within(cards[1]!).getByRole("img", { name: "Line 2" });
    expect(image.getAttribute("src")).toBe("/media/clips/gen-1/keyframe-1.jpg?exp=1&sig=a");
    expect(within(cards[3]!).queryByRole("img")).toBeNull();
    expect(within(cards[3]!).getByText("Drawing keyframe…")).toBeTruthy();
    expect(cardTexts()).toEqual(["Line 1", "Line 2", "Line 3", "Line 4"]);
    expect(screen.getByTestId("board-step").textContent).toBe("Storyboard ready for review");
    await screen.findByRole("button", { name: "Approve and render — est. $0.42" });
    // The editor replaces the progress view, and the first and last moves are not offered.
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect((screen.getByRole("button", { name: "Move scene 1 earlier" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect((screen.getByRole("button", { name: "Move scene 4 later" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  test("an inline edit is saved on Enter with the view's revision, once", async () => {
    const board = storyboardFixture();
    const api = openBoard(board, {
      "PATCH /api/generations/gen-1/scenes/0": ({ body }) => {
        const text = (body as { overlay_text: string }).overlay_text;
        const scenes = board.scenes.map((s, i) =>
          i === 0 ? { ...s, overlay_text: text, keyframe_url: null } : s,
        );
        return json({ ...board, scenes, revision: 3, current_step: "Redrawing keyframes" });
      },
    });
    const input = (await screen.findByRole("textbox", {
      name: "Scene 1 on-screen text",
    })) as HTMLTextAreaElement;
    fireEvent.focus(input);
    fireEvent.input(input, { target: { value: "  Fuel that tastes good " } });
    fireEvent.keyDown(input, { key: "Enter" });
    await screen.findByText("Redrawing keyframes");
    fireEvent.blur(input);
    expect(sent(api, "PATCH", "/api/generations/gen-1/scenes/0")).toEqual([
      { overlay_text: "Fuel that tastes good", revision: 2 },
    ]);
    // Its keyframe is being redrawn: a placeholder until the socket brings the new one.
    expect(within(screen.getAllByTestId("storyboard-card")[0]!).getByText("Drawing keyframe…")).toBeTruthy();
    expect(input.value).toBe("Fuel that tastes good");
  });

  test("moving a scene from the keyboard sends the permutation, and focus follows the scene", async () => {
    const board = storyboardFixture();
    const api = openBoard(board, {
      "POST /api/generations/gen-1/reorder": ({ body }) => {
        const { order } = body as { order: number[] };
        const scenes = order.map((from, index) => ({ ...board.scenes[from]!, index }));
        return json({ ...board, scenes, revision: 3 });
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Move scene 3 earlier" }));
    await waitFor(() => expect(cardTexts()).toEqual(["Line 1", "Line 3", "Line 2", "Line 4"]));
    expect(sent(api, "POST", "/api/generations/gen-1/reorder")).toEqual([
      { order: [0, 2, 1, 3], revision: 2 },
    ]);
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move scene 2 earlier" })),
    );
    expect(screen.getByRole("status", { name: "" }).textContent).toBe("Scene 3 moved to position 2.");
  });

  test("refine shows what is left, and a refusal's message in its card, then re-reads", async () => {
    const board = storyboardFixture({ refinements: { used: 4, limit: 5 } });
    const message = "All 5 refinements of this generation are used; edit the scene directly instead.";
    const api = openBoard(board, {
      "POST /api/generations/gen-1/scenes/1/refine": json({ error: { code: "conflict", message } }, 409),
    });
    const card = (await screen.findAllByTestId("storyboard-card"))[1]!;
    expect(within(card).getByTestId("refinements-left").textContent).toBe("1 of 5 refinements left");
    fireEvent.input(within(card).getByRole("textbox", { name: "How should scene 2 change?" }), {
      target: { value: "shorter text" },
    });
    fireEvent.click(within(card).getByRole("button", { name: "Refine scene 2" }));
    expect((await within(card).findByRole("alert")).textContent).toBe(message);
    expect(sent(api, "POST", "/api/generations/gen-1/scenes/1/refine")).toEqual([
      { instruction: "shorter text", revision: 2 },
    ]);
    // Something changed behind the editor's back: it reads the generation again.
    await waitFor(() => expect(sent(api, "GET", "/api/status/gen-1")).toHaveLength(2));
    expect(screen.getAllByRole("alert")).toHaveLength(1);
  });

  test("a stale edit is refused with the server's message and the newer storyboard is shown", async () => {
    const board = storyboardFixture();
    const newer = storyboardFixture({
      revision: 5,
      scenes: board.scenes.map((s) => ({ ...s, overlay_text: `${s.overlay_text}!` })),
    });
    let reads = 0;
    const stale =
      "This edit was made on revision 2 of the storyboard, which is now at revision 5. Reload and try again.";
    openBoard(board, {
      "GET /api/status/gen-1": () => json(reads++ === 0 ? board : newer),
      "PATCH /api/generations/gen-1/scenes/2": json({ error: { code: "conflict", message: stale } }, 409),
    });
    const input = await screen.findByRole("textbox", { name: "Scene 3 on-screen text" });
    fireEvent.input(input, { target: { value: "Mine" } });
    fireEvent.blur(input);
    expect((await screen.findByRole("alert")).textContent).toBe(stale);
    await waitFor(() => expect(cardTexts()).toEqual(["Line 1!", "Line 2!", "Line 3!", "Line 4!"]));
  });

  test("adding goes last as the middle beat; the limits disable add and remove with a reason", async () => {
    const three = storyboardFixture({ scenes: [0, 1, 2].map((i) => sceneFixture(i)) });
    const four = storyboardFixture({ revision: 3 });
    const api = openBoard(three, { "POST /api/generations/gen-1/scenes": json(four) });
    const remove = await screen.findByRole("button", { name: "Remove scene 1" });
    expect((remove as HTMLButtonElement).disabled).toBe(true);
    const note = "An ad has at least 3 scenes: add one before removing another.";
    expect(document.getElementById(remove.getAttribute("aria-describedby") ?? "")?.textContent).toBe(note);

    fireEvent.click(screen.getByRole("button", { name: "+ Add scene" }));
    const form = screen.getByRole("form", { name: "Add a scene" });
    fireEvent.input(within(form).getByLabelText("On-screen text"), { target: { value: "Two scoops" } });
    fireEvent.submit(form);
    await waitFor(() => expect(screen.getAllByTestId("storyboard-card")).toHaveLength(4));
    expect(sent(api, "POST", "/api/generations/gen-1/scenes")).toEqual([
      {
        at: 3,
        type: "interest",
        overlay_text: "Two scoops",
        visual_prompt: "vegan protein powder, bright studio light",
        revision: 2,
      },
    ]);
    expect((screen.getByRole("button", { name: "Remove scene 1" }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  test("approving sends POST, and the page becomes the live progress of the render", async () => {
    const board = storyboardFixture();
    const rendering = runningFixture({
      ...board,
      status: "processing",
      progress: 30,
      current_step: "Rendering clips (0/4)",
    });
    const api = openBoard(board, { "POST /api/generations/gen-1/approve": json(rendering, 202) });
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    fireEvent.click(await screen.findByRole("button", { name: "Approve and render — est. $0.42" }));
    await screen.findByRole("heading", { name: "Creating your ad", level: 1 });
    expect(sent(api, "POST", "/api/generations/gen-1/approve")).toHaveLength(1);
    expect(
      screen.getByRole("progressbar", { name: "Generation progress" }).getAttribute("aria-valuenow"),
    ).toBe("30");
    expect(screen.queryByTestId("storyboard")).toBeNull();
    // Still following live: the same socket brings the render's progress.
    const ws = FakeWebSocket.latest();
    expect(ws.closedWith).toBeNull();
    ws.receive({
      type: "generation",
      seq: 9,
      generation: { ...rendering, progress: 50, current_step: "Rendering clips (2/4)" },
    });
    await screen.findByText("Rendering clips (2/4)");
  });

  test("an approval beyond the monthly budget (402) is refused with the server's message", async () => {
    const message =
      "Rendering this storyboard is estimated at $0.42, but only $0.10 of your monthly budget is left. Raise the budget or wait for next month.";
    openBoard(storyboardFixture(), {
      "POST /api/generations/gen-1/approve": json({ error: { code: "payment_required", message } }, 402),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Approve and render — est. $0.42" }));
    expect((await screen.findByRole("alert")).textContent).toBe(message);
    // Still the storyboard, and approving can be tried again (after raising the budget).
    expect(screen.getByTestId("storyboard")).toBeTruthy();
    await waitFor(() => expect((screen.getByTestId("approve") as HTMLButtonElement).disabled).toBe(false));
  });

  test("live events switch between progress and the editor without a reload", async () => {
    const drawing = runningFixture({
      progress: 25,
      current_step: "Drawing keyframes",
      scenes: storyboardFixture().scenes,
    });
    openBoard(drawing);
    await screen.findByRole("heading", { name: "Creating your ad", level: 1 });
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    const ws = FakeWebSocket.latest();
    ws.receive({ type: "generation", seq: 2, generation: storyboardFixture() });
    await screen.findByRole("heading", { name: "Review your storyboard", level: 1 });
    // Approved elsewhere (another tab): the render's progress takes over.
    ws.receive({
      type: "generation",
      seq: 3,
      generation: runningFixture({
        ...storyboardFixture(),
        status: "processing",
        current_step: "Rendering clips (0/4)",
      }),
    });
    await screen.findByRole("heading", { name: "Creating your ad", level: 1 });
    expect(screen.queryByTestId("storyboard")).toBeNull();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test("'Cancel generation' asks first, then cancels; the live view ends it cancelled", async () => {
    const board = storyboardFixture();
    const api = openBoard(board, {
      "POST /api/generations/gen-1/cancel": json({ ...board, cancellation_requested: true }, 202),
    });
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    // A first storyboard has nothing to go back to: no draft note, no "Discard changes".
    expect(screen.queryByTestId("draft-note")).toBeNull();
    expect(screen.queryByRole("button", { name: "Discard changes" })).toBeNull();

    fireEvent.click(await screen.findByRole("button", { name: "Cancel generation" }));
    let dialog = screen.getByRole("dialog", { name: "Cancel this generation?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Keep reviewing" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(sent(api, "POST", "/api/generations/gen-1/cancel")).toHaveLength(0);

    fireEvent.click(screen.getByRole("button", { name: "Cancel generation" }));
    dialog = screen.getByRole("dialog", { name: "Cancel this generation?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Yes, cancel it" }));
    await waitFor(() => expect(sent(api, "POST", "/api/generations/gen-1/cancel")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    FakeWebSocket.latest().receive({
      type: "generation",
      seq: 5,
      generation: { ...board, status: "cancelled", error_code: "cancelled", error: "Cancelled by user" },
    });
    await screen.findByRole("heading", { name: "Cancelled by user" });
    expect(screen.queryByTestId("storyboard")).toBeNull();
  });

  test("a draft names the version it edits, plays the finished one, and 'Discard changes' returns to it", async () => {
    const v1 = versionFixture(1);
    const draft = storyboardFixture({
      version: 2,
      versions: [v1],
      revision: 6,
      current_step: "Editing version 2",
    });
    const finished = viewFixture({
      ...draft,
      status: "completed",
      progress: 100,
      version: 1,
      revision: 7,
      video_url: v1.video_url,
      thumbnail_url: v1.thumbnail_url,
      completed_at: v1.completed_at,
    });
    const api = openBoard(draft, { "POST /api/generations/gen-1/cancel": json(finished, 200) });
    const note = await screen.findByTestId("draft-note");
    expect(note.querySelector("p")?.textContent).toBe(
      "Editing version 2 — version 1 stays available until you approve.",
    );
    // The finished version plays right here, on demand.
    expect(within(note).queryByLabelText("Version 1")).toBeNull();
    const watch = within(note).getByRole("button", { name: "Watch version 1" });
    expect(watch.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(watch);
    expect(watch.getAttribute("aria-expanded")).toBe("true");
    expect(within(note).getByLabelText("Version 1").getAttribute("src")).toBe(v1.video_url);
    expect(screen.queryByRole("button", { name: "Cancel generation" })).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Discard changes" }));
    const dialog = screen.getByRole("dialog", { name: "Discard your changes?" });
    expect(dialog.textContent).toContain("The finished version 1 stays as it is.");
    fireEvent.click(within(dialog).getByRole("button", { name: "Discard draft" }));
    // The cancel's answer is the finished ad again: the page shows it, with the way to edit again.
    await screen.findByRole("heading", { name: "Your ad is ready", level: 1 });
    expect(sent(api, "POST", "/api/generations/gen-1/cancel")).toHaveLength(1);
    expect(screen.queryByTestId("storyboard")).toBeNull();
    expect(screen.getByLabelText("Your finished ad").getAttribute("src")).toBe(v1.video_url);
    expect(screen.getByRole("button", { name: "Edit scenes" })).toBeTruthy();
  });
});
