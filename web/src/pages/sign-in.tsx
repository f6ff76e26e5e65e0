import { Navigate, useSearchParams } from "@solidjs/router";
import { Show } from "solid-js";
import { AuthForm } from "../components/auth-form.tsx";
import { usePageTitle } from "../page-title.ts";
import { safeReturnPath, session } from "../session.ts";

/** `/sign-in` and `/sign-up`; a signed-in visitor goes straight on to where they were headed. */
export function AuthPage(props: { mode: "sign-in" | "sign-up" }) {
  usePageTitle(() => (props.mode === "sign-up" ? "Create account" : "Sign in"));
  const [params] = useSearchParams<{ next?: string }>();
  return (
    <Show when={!session()} fallback={<Navigate href={safeReturnPath(params.next)} />}>
      <div class="auth-page">
        <AuthForm mode={props.mode} />
      </div>
    </Show>
  );
}

/** `/sign-in`. */
export const SignInPage = () => <AuthPage mode="sign-in" />;

/** `/sign-up`. */
export const SignUpPage = () => <AuthPage mode="sign-up" />;
