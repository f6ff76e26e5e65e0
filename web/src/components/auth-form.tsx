import { A, useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { ApiError, login, messageOf, register } from "../api.ts";
import { safeReturnPath, startSession } from "../session.ts";

/** Sign-in and sign-up share one form: same fields, same error handling, a different call. */
export function AuthForm(props: { mode: "sign-in" | "sign-up" }) {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ next?: string; expired?: string }>();
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const signUp = () => props.mode === "sign-up";
  const fieldError = (name: string) => {
    const e = error();
    return e instanceof ApiError ? e.field(name) : undefined;
  };
  // Carry `next` between the two pages so switching forms keeps the way back.
  const otherHref = () => {
    const next = params.next ? `?next=${encodeURIComponent(params.next)}` : "";
    return `${signUp() ? "/sign-in" : "/sign-up"}${next}`;
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await (signUp() ? register : login)(email().trim(), password());
      startSession(s);
      navigate(safeReturnPath(params.next), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="auth-card card" onSubmit={submit} noValidate aria-describedby="auth-status">
      <h1 class="auth-title">{signUp() ? "Create your account" : "Welcome back"}</h1>
      <p class="muted">{signUp() ? "One line in, a finished video ad out." : "Sign in to keep creating."}</p>
      <Show when={params.expired && !signUp()}>
        <p class="notice" role="status">
          Your session has expired. Sign in again to pick up where you left off; your draft is saved.
        </p>
      </Show>
      <div class="field">
        <label class="field-label" for="email">
          Email
        </label>
        <input
          id="email"
          class="input"
          type="email"
          autocomplete="email"
          required
          value={email()}
          onInput={(e) => setEmail(e.currentTarget.value)}
          aria-invalid={fieldError("email") ? "true" : undefined}
          aria-describedby={fieldError("email") ? "email-error" : undefined}
        />
        <Show when={fieldError("email")}>
          {(m) => (
            <p id="email-error" class="field-error">
              {m()}
            </p>
          )}
        </Show>
      </div>
      <div class="field">
        <label class="field-label" for="password">
          Password
        </label>
        <input
          id="password"
          class="input"
          type="password"
          autocomplete={signUp() ? "new-password" : "current-password"}
          required
          minLength={signUp() ? 8 : undefined}
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-invalid={fieldError("password") ? "true" : undefined}
          aria-describedby={signUp() || fieldError("password") ? "password-help" : undefined}
        />
        <Show when={fieldError("password") ?? (signUp() ? "At least 8 characters." : undefined)}>
          {(help) => (
            <p id="password-help" class="field-help" classList={{ "field-error": !!fieldError("password") }}>
              {help()}
            </p>
          )}
        </Show>
      </div>
      <p id="auth-status" class="form-error" role="alert">
        <Show when={error() && !fieldError("email") && !fieldError("password")}>{messageOf(error())}</Show>
      </p>
      <button type="submit" class="btn btn-primary btn-block" disabled={busy()}>
        {busy() ? "One moment…" : signUp() ? "Create account" : "Sign in"}
      </button>
      <p class="auth-switch muted">
        {signUp() ? "Already have an account? " : "New to promptreel? "}
        <A href={otherHref()}>{signUp() ? "Sign in" : "Create an account"}</A>
      </p>
    </form>
  );
}
