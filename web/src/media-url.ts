import { type Accessor, createMemo, onCleanup } from "solid-js";

/**
 * A signed media URL that only changes when it points at a different object. Every live event
 * re-signs the same clip or video (a new expiry and signature); handing each one to a
 * `<video>` would restart its download and playback, so the first URL for a path is kept.
 */
export function createStableUrl(url: Accessor<string | null | undefined>): Accessor<string | null> {
  return createMemo<string | null>((prev) => {
    const next = url() ?? null;
    return prev && next && pathOf(prev) === pathOf(next) ? prev : next;
  }, null);
}

function pathOf(url: string): string {
  return new URL(url, "http://localhost").pathname;
}

/**
 * Stops a `<video>`'s download when it leaves the page. A removed media element keeps its
 * request open until it is garbage-collected, and over HTTP/1.1 (wrangler dev) a browser allows
 * six connections per host: a few abandoned videos are enough to stall the next page's API
 * calls. Use as `ref={releaseOnCleanup}` (it registers with the element's owner).
 */
export function releaseOnCleanup(el: HTMLMediaElement): void {
  onCleanup(() => {
    el.pause();
    el.removeAttribute("src");
    el.load();
  });
}
