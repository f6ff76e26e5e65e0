/**
 * The signed-in session and the work a user must not lose when it ends.
 *
 * The token lives in localStorage so a reload (or a second tab) keeps the user signed in.
 * When any API call answers 401 the session is dropped with reason "expired"; the guarded
 * layout then sends the user to sign-in with `?next=` set to where they were, and the draft
 * prompt (saved on every keystroke) is restored when they come back.
 */
import { createSignal } from "solid-js";

/** The user as the API returns it. */
export interface SessionUser {
  id: string;
  email: string;
  total_cost: number;
  created_at: number;
}

/** What a successful sign-up or sign-in stores. */
export interface Session {
  token: string;
  /** Epoch ms after which the server will refuse the token. */
  expires_at: number;
  user: SessionUser;
}

/** Why there is no session: never had one, signed out on purpose, or the server refused it. */
export type SessionEndReason = "none" | "signed_out" | "expired";

const SESSION_KEY = "promptreel.session";
const DRAFT_KEY = "promptreel.draft";

function readStoredSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== "string" || typeof s.expires_at !== "number" || !s.user) return null;
    return s as Session;
  } catch (err) {
    // A corrupt entry is not fatal: the user simply signs in again.
    console.warn("promptreel: ignoring unreadable stored session", err);
    return null;
  }
}

const stored = readStoredSession();
const storedExpired = stored !== null && stored.expires_at <= Date.now();
const [session, setSession] = createSignal<Session | null>(storedExpired ? null : stored);
const [endReason, setEndReason] = createSignal<SessionEndReason>(storedExpired ? "expired" : "none");
if (storedExpired) localStorage.removeItem(SESSION_KEY);

/** The current session, or null when signed out. Reactive. */
/** Why the last session ended (drives the message on the sign-in page). Reactive. */
export { endReason, session };

/** The bearer token for API calls, if signed in and not yet past its expiry. */
export function currentToken(): string | null {
  const s = session();
  return s && s.expires_at > Date.now() ? s.token : null;
}

/** Stores a fresh session after sign-up or sign-in. */
export function startSession(next: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  setEndReason("none");
  setSession(next);
}

/** Updates the stored user (e.g. a new `total_cost` from /api/me) without touching the token. */
export function updateSessionUser(user: SessionUser): void {
  const s = session();
  if (!s) return;
  startSession({ ...s, user });
}

/**
 * Ends the session. "expired" keeps the draft prompt (the user did not choose to leave);
 * "signed_out" clears it so the next person on this browser starts clean.
 */
export function endSession(reason: Exclude<SessionEndReason, "none">): void {
  localStorage.removeItem(SESSION_KEY);
  if (reason === "signed_out") clearDraft();
  setEndReason(reason);
  setSession(null);
}

/** Tabs share the session: signing in or out in one tab applies to all. */
if (typeof window !== "undefined") {
  window.addEventListener("storage", (e) => {
    if (e.key !== SESSION_KEY) return;
    const next = readStoredSession();
    if (!next) setEndReason("signed_out");
    setSession(next);
  });
}

/** The dashboard form as the user left it. */
export interface Draft {
  prompt: string;
  settings?: Record<string, unknown>;
  /** "parallel" when the user was setting up variations. */
  mode?: "single" | "parallel";
  /** The variations being set up (read back with `normalizeParallel`). */
  parallel?: unknown;
}

/** The saved draft, or null. */
export function loadDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    return typeof d.prompt === "string" ? (d as Draft) : null;
  } catch (err) {
    console.warn("promptreel: ignoring unreadable draft", err);
    return null;
  }
}

/** Saves the draft; called on every edit so nothing is lost if the session ends mid-typing. */
export function saveDraft(draft: Draft): void {
  localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

/** Forgets the draft (after a successful Generate, or on sign-out). */
export function clearDraft(): void {
  localStorage.removeItem(DRAFT_KEY);
}

/**
 * A safe in-app path to return to after sign-in: only same-origin absolute paths, never
 * `//host` or a full URL (an open redirect), and never back to the auth pages themselves.
 */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/^\/(sign-in|sign-up)\b/.test(next)) return "/";
  return next;
}
