/** Debian Chromium through playwright-core, plus the screenshot and wait helpers the flows share. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core";

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
  // From the top: a sticky header would otherwise be painted wherever the page was scrolled to.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts.ready;
  });
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** Waits until the page has no horizontal overflow (the layout fits the viewport width). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * Runs `run` on `path` in a phone-sized context sharing `context`'s session, records its page
 * errors into `errors`, and checks the page fits the phone's width.
 */
export async function onPhone<T>(
  browser: Browser,
  baseUrl: string,
  context: BrowserContext,
  path: string,
  errors: string[],
  run: (p: Page) => Promise<T>,
): Promise<T> {
  const phone = await newContext(browser, baseUrl, "phone", await context.storageState());
  const p = await phone.newPage();
  p.on("pageerror", (err) => errors.push(`phone: ${err.message}`));
  try {
    await p.goto(path);
    const result = await run(p);
    const overflow = await horizontalOverflow(p);
    if (overflow > 0)
      throw new Error(`${path} overflows a ${VIEWPORTS.phone.width} px phone by ${overflow} px`);
    return result;
  } finally {
    await phone.close();
  }
}

/** The HTTP status of a GET from inside the page, past the browser's cache (signed media needs no session). */
export function fetchStatus(page: Page, url: string): Promise<number> {
  return page.evaluate(
    async (u) => (await fetch(u, { cache: "no-store", headers: { Range: "bytes=0-1" } })).status,
    url,
  );
}

/**
 * The URLs of `page`'s requests that have started and not yet finished or failed. A video the
 * page no longer shows must not be among them: it would hold one of the six connections a
 * browser opens per host over HTTP/1.1.
 */
export function trackPendingRequests(page: Page): () => string[] {
  const pending = new Set<Request>();
  page.on("request", (r) => pending.add(r));
  page.on("requestfinished", (r) => pending.delete(r));
  page.on("requestfailed", (r) => pending.delete(r));
  return () => [...pending].map((r) => r.url());
}

/** One visitor of a flow file: Chromium, a desktop context with one page, and that page's uncaught errors. */
export interface Visit {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  pageErrors: string[];
}

/** Starts a visit at `baseUrl`; close it with `visit.browser.close()`. */
export async function startVisit(baseUrl: string): Promise<Visit> {
  const browser = await launchBrowser();
  const context = await newContext(browser, baseUrl, "desktop");
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return { browser, context, page, pageErrors };
}

/** Creates an account on the sign-up page and waits for the dashboard. */
export async function signUp(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "What are we advertising?" }).waitFor();
}
