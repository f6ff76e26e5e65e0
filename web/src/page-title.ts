import { createEffect } from "solid-js";

/**
 * Sets the document title while a page is shown: screen readers announce it on navigation,
 * and it names the browser tab and history entry.
 */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    document.title = `${title()} · promptreel`;
  });
}
