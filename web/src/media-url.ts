import { type Accessor, createMemo } from "solid-js";

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
