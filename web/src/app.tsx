import { Route, Router, type RouteSectionProps } from "@solidjs/router";
import { ErrorBoundary, Suspense } from "solid-js";
import { getMe } from "./api.ts";
import { AppHeader } from "./components/app-header.tsx";
import { ErrorPanel } from "./components/error-panel.tsx";
import { RequireSession } from "./components/require-session.tsx";
import { AssetsPage } from "./pages/assets.tsx";
import { ComparisonPage, preloadComparison } from "./pages/comparison.tsx";
import { DashboardPage } from "./pages/dashboard.tsx";
import { GenerationPage, preloadGeneration } from "./pages/generation.tsx";
import { LibraryPage, preloadLibrary } from "./pages/library.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { SignInPage, SignUpPage } from "./pages/sign-in.tsx";
import { StitchPage } from "./pages/stitch.tsx";
import { currentToken } from "./session.ts";

/** The frame around every page: skip link, header, and the page with loading/error states. */
function Shell(props: RouteSectionProps) {
  return (
    <>
      <a href="#main" class="skip-link">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" tabindex="-1">
        <ErrorBoundary
          fallback={(err, reset) => <ErrorPanel title="Something went wrong" error={err} onRetry={reset} />}
        >
          <Suspense
            fallback={
              <div class="page-loading" role="status">
                <span class="sr-only">Loading…</span>
              </div>
            }
          >
            {props.children}
          </Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}

/** Keeps the header's account (and total spent) fresh on every signed-in navigation. */
const preloadAccount = () => {
  if (currentToken()) void getMe();
};

/** The routes. Everything but sign-in/up sits behind the session guard. */
export function App() {
  return (
    <Router root={Shell}>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/sign-up" component={SignUpPage} />
      <Route path="/" component={RequireSession} preload={preloadAccount}>
        <Route path="/" component={DashboardPage} />
        <Route path="/generations/:id" component={GenerationPage} preload={preloadGeneration} />
        <Route path="/library" component={LibraryPage} preload={preloadLibrary} />
        <Route path="/assets" component={AssetsPage} />
        <Route path="/stitch" component={StitchPage} />
        <Route path="/comparisons/:groupId" component={ComparisonPage} preload={preloadComparison} />
      </Route>
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
