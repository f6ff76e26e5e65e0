/** Shared set-up for component tests: a clean DOM and storage per test, and <dialog> for jsdom. */
import { cleanup } from "@solidjs/testing-library";
import { afterEach, vi } from "vitest";

// jsdom has <dialog> but not its modal API; this is enough for open/close and the cancel event.
if (typeof HTMLDialogElement !== "undefined" && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
}

// jsdom does no layout, so scrolling has nothing to do; its stub only prints "Not implemented".
window.scrollTo = () => {};

afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
