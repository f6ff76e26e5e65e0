import { A, useNavigate } from "@solidjs/router";
import { Show } from "solid-js";
import { clearApiCache } from "../api.ts";
import { endSession, session } from "../session.ts";

/** The top bar: brand, the two destinations, and the account with sign-out. */
export function AppHeader() {
  const navigate = useNavigate();
  const signOut = () => {
    endSession("signed_out");
    clearApiCache();
    navigate("/sign-in", { replace: true });
  };
  return (
    <header class="app-header">
      <div class="container header-inner">
        <A href="/" class="brand" aria-label="promptreel home">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">promptreel</span>
        </A>
        <Show when={session()}>
          {(s) => (
            <>
              <nav class="main-nav" aria-label="Main">
                <A href="/" end activeClass="active">
                  Create
                </A>
                <A href="/library" activeClass="active">
                  Library
                </A>
                <A href="/assets" activeClass="active">
                  Assets
                </A>
              </nav>
              <div class="account">
                <span class="account-email muted small" title={s().user.email}>
                  {s().user.email}
                </span>
                <button type="button" class="btn btn-ghost btn-sm" onClick={signOut}>
                  Sign out
                </button>
              </div>
            </>
          )}
        </Show>
      </div>
    </header>
  );
}
