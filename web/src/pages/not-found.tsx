import { A } from "@solidjs/router";
import { usePageTitle } from "../page-title.ts";

/** Any path the app does not know. */
export function NotFoundPage() {
  usePageTitle(() => "Not found");
  return (
    <div class="container narrow empty-state">
      <h1>Page not found</h1>
      <p class="muted">The page you were looking for does not exist.</p>
      <A href="/" class="btn btn-primary">
        Create an ad
      </A>
    </div>
  );
}
