/** What the e2e flows read off a generation page: live socket frames and the progress bar. */

import type { LiveEvent } from "@promptreel/worker/live-events";
import type { Page } from "playwright-core";

/** Every live event any socket of `page` received, in order, with the generation it is about. */
export function recordLiveEvents(page: Page): { generationId: string | null; event: LiveEvent }[] {
  const events: { generationId: string | null; event: LiveEvent }[] = [];
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/live?")) return;
    ws.on("framereceived", ({ payload }) => {
      try {
        const event = JSON.parse(String(payload)) as LiveEvent;
        const generationId =
          event.type === "generation"
            ? event.generation.generation_id
            : event.type === "scene" || event.type === "export"
              ? event.generation_id
              : (event.generations[0]?.generation_id ?? null);
        events.push({ generationId, event });
      } catch {
        // not an event
      }
    });
  });
  return events;
}

/** The highest progress the socket reported for one generation (snapshots included). */
export function socketProgress(events: ReturnType<typeof recordLiveEvents>, generationId: string): number {
  let max = -1;
  for (const { event } of events) {
    const views =
      event.type === "generation" ? [event.generation] : event.type === "snapshot" ? event.generations : [];
    for (const v of views) if (v.generation_id === generationId) max = Math.max(max, v.progress);
  }
  return max;
}

/** The progress bar's value now. */
export async function progressNow(page: Page): Promise<number> {
  const bar = page.getByRole("progressbar", { name: "Generation progress" });
  return Number(await bar.getAttribute("aria-valuenow"));
}

/**
 * Samples the progress bar every `everyMs` until `until` says stop or `timeoutMs` passes;
 * returns the distinct values in the order they were seen.
 */
export async function watchProgress(
  page: Page,
  until: (value: number, seen: number[]) => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await progressNow(page);
    if (seen.at(-1) !== value) seen.push(value);
    if (await until(value, seen)) return seen;
    if (Date.now() > deadline)
      throw new Error(`progress did not get there in ${timeoutMs / 1000} s; saw ${seen.join(" → ")}`);
    await page.waitForTimeout(everyMs);
  }
}

/**
 * Waits until every `<video>` matched by `selector` has a decoded frame (readyState >= 2), then
 * brings each into view once: headless Chromium paints no frame for a video that has never
 * been on screen, so a full-page screenshot would show black boxes below the fold.
 */
export async function showVideoFrames(page: Page, selector = "video", timeoutMs = 30_000): Promise<void> {
  // Only for the screenshot's looks (the playback assertions live in the tests): a preview
  // that is slow to decode on a loaded machine must not fail the run.
  await page
    .waitForFunction(
      (sel) => [...document.querySelectorAll<HTMLVideoElement>(sel)].every((v) => v.readyState >= 2),
      selector,
      { timeout: timeoutMs },
    )
    .catch((err: unknown) => console.warn(`[e2e] screenshot: videos not all decoded: ${String(err)}`));
  await page.evaluate(async (sel) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (const v of document.querySelectorAll(sel)) {
      v.scrollIntoView({ block: "center" });
      await frame();
    }
    window.scrollTo(0, 0);
    await frame();
  }, selector);
}
