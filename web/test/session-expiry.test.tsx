import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test } from "vitest";
import { clearApiCache } from "../src/api.ts";
import { App } from "../src/app.tsx";
import {
  currentToken,
  endReason,
  endSession,
  loadDraft,
  saveDraft,
  session,
  startSession,
} from "../src/session.ts";
import { json, quote, SESSION, stubApi } from "./fixtures.tsx";

const unauthorized = () =>
  json(
    {
      error: {
        code: "unauthorized",
        message: "Your session is invalid or has expired. Please sign in again.",
      },
    },
    401,
  );

async function signInAgain() {
  fireEvent.input(await screen.findByLabelText("Email"), { target: { value: "ada@example.com" } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse" } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("an expired session", () => {
  beforeEach(() => {
    clearApiCache();
    endSession("signed_out");
    history.replaceState(null, "", "/");
  });

  test("a 401 while generating leads to sign-in, keeps the typed prompt, and comes back to it", async () => {
    startSession(SESSION);
    const api = stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/estimate": quote(0.42),
      "POST /api/generate": unauthorized(),
      "POST /api/auth/login": json({ ...SESSION, token: "token-2" }),
    });
    render(() => <App />);
    const box = (await screen.findByLabelText("Describe your ad")) as HTMLTextAreaElement;
    const draft = "handmade ceramic mugs, calm and earthy, for Pinterest";
    fireEvent.input(box, { target: { value: draft } });
    fireEvent.click(screen.getByRole("button", { name: "Generate" }));

    await screen.findByText(/Your session has expired/);
    // The router writes the URL just after rendering.
    await waitFor(() => expect(location.pathname).toBe("/sign-in"));
    expect(new URLSearchParams(location.search).get("next")).toBe("/");
    expect(session()).toBeNull();
    expect(endReason()).toBe("expired");
    expect(loadDraft()?.prompt).toBe(draft);
    // The request that failed did carry the old token.
    const generateCall = api.mock.calls.find(([url]) => String(url).endsWith("/api/generate"));
    expect(new Headers(generateCall?.[1]?.headers).get("authorization")).toBe("Bearer token-1");

    await signInAgain();
    const restored = (await screen.findByLabelText("Describe your ad")) as HTMLTextAreaElement;
    await waitFor(() => expect(location.pathname).toBe("/"));
    expect(restored.value).toBe(draft);
    expect(currentToken()).toBe("token-2");
  });

  test("a token the server refuses on load sends the user to sign-in and back to the page", async () => {
    startSession(SESSION);
    saveDraft({ prompt: "draft from before" });
    history.replaceState(null, "", "/library?status=failed");
    stubApi({
      "GET /api/me": unauthorized(),
      "GET /api/generations": unauthorized(),
      "POST /api/auth/login": json(SESSION),
    });
    render(() => <App />);
    await screen.findByText(/Your session has expired/);
    await waitFor(() =>
      expect(new URLSearchParams(location.search).get("next")).toBe("/library?status=failed"),
    );

    stubApi({
      "GET /api/me": json({ user: SESSION.user }),
      "GET /api/generations": json({ generations: [], next_cursor: null }),
      "POST /api/auth/login": json(SESSION),
    });
    await signInAgain();
    await screen.findByRole("heading", { name: "Library", level: 1 });
    await waitFor(() => expect(location.pathname + location.search).toBe("/library?status=failed"));
    expect(loadDraft()?.prompt).toBe("draft from before");
  });

  test("a wrong password on sign-in is an error message, not a session change", async () => {
    stubApi({
      "POST /api/auth/login": json(
        { error: { code: "unauthorized", message: "Email or password is incorrect." } },
        401,
      ),
    });
    history.replaceState(null, "", "/sign-in");
    render(() => <App />);
    await signInAgain();
    await screen.findByText("Email or password is incorrect.");
    expect(session()).toBeNull();
    expect(location.pathname).toBe("/sign-in");
  });
});
