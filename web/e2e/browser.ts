/** Debian Chromium through playwright-core, plus the screenshot and wait helpers the flows share. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Where screenshots go (gitignored). */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

/** The two sizes every page is captured at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Launches the system Chromium. The background-networking flags matter: without them Chromium
 * waits on update and sync services that a closed network never answers.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A fresh context (own storage) at a viewport, optionally with a saved session. */
export function newContext(
  browser: Browser,
  baseURL: string,
  viewport: keyof typeof VIEWPORTS,
  storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>,
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport: VIEWPORTS[viewport],
    deviceScaleFactor: 1,
    ...(storageState ? { storageState } : {}),
  });
}

/** Saves `<name>-<width>x<height>.png` after fonts and pending animations have settled. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize();
  const path = resolve(SCREENSHOT_DIR, `${name}-${size?.width}x${size?.height}.png`);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** Waits until the page has no horizontal overflow (the layout fits the viewport width). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
