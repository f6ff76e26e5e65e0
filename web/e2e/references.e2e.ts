/**
 * Reference images drawn from a description, in real Chromium against scripts/start.sh (offline:
 * the built-in renderer draws labelled drafts): in the dashboard's "Product or character" picker,
 * describe a product, draw 4 candidates, watch all 4 appear with the offline note, and use one;
 * it becomes the picker's choice and one of its assets.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { onPhone as phoneRun, screenshot, signUp, startVisit } from "./browser.ts";

const baseUrl = inject("baseUrl");
const email = `e2e-refs-${Date.now()}@example.com`;
const password = "correct horse battery";
const DESCRIPTION = "a matte black water bottle with a bamboo lid";
/** Four offline drafts take seconds; a busy machine makes it longer. */
const DRAW_TIMEOUT_MS = 120_000;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  ({ browser, context, page, pageErrors } = await startVisit(baseUrl));
});

afterAll(async () => {
  await browser?.close();
});

const onPhone = <T>(path: string, run: (p: Page) => Promise<T>) =>
  phoneRun(browser, baseUrl, context, path, pageErrors, run);

describe("generate references: 4 offline candidates, pick one", () => {
  test("sign up", async () => {
    await signUp(page, email, password);
  });

  test(
    "describe a product, draw 4 candidates, and all 4 appear as offline drafts",
    async () => {
      const product = page.getByRole("group", { name: "Product or character" });
      await product.getByRole("button", { name: "Draw one from a description" }).click();
      const form = product.getByRole("group", { name: "Generate references" });
      await form.getByLabel("Describe the product or character").fill(DESCRIPTION);
      expect(await form.getByRole("radio", { name: "Product" }).isChecked()).toBe(true);
      expect(await form.getByLabel("How many").inputValue()).toBe("4");

      const sent = page.waitForRequest(
        (r) => new URL(r.url()).pathname === "/api/references" && r.method() === "POST",
      );
      await form.getByRole("button", { name: "Draw 4 candidates" }).click();
      const request = await sent;
      expect(request.postDataJSON()).toEqual({ description: DESCRIPTION, kind: "product", count: 4 });
      expect((await request.response())?.status()).toBe(202);
      // Drawing stays on the dashboard: the ad form was not submitted.
      expect(new URL(page.url()).pathname).toBe("/");

      await form.getByRole("button", { name: "Use candidate 4" }).waitFor({ timeout: DRAW_TIMEOUT_MS });
      await page.waitForFunction(
        () => {
          const slots = [...document.querySelectorAll("[data-testid=reference-candidate]")];
          return (
            slots.length === 4 &&
            slots.every((s) => {
              const img = s.querySelector("img");
              return img?.complete && img.naturalWidth > 0;
            })
          );
        },
        undefined,
        { timeout: DRAW_TIMEOUT_MS },
      );
      expect(await form.getByRole("button", { name: /^Use candidate \d$/ }).count()).toBe(4);
      expect(await form.getByTestId("reference-offline").textContent()).toBe(
        "Offline drafts: drawn by the built-in renderer, not photographs.",
      );
      expect(await form.getByRole("status").first().textContent()).toMatch(/4 of 4 drawn/);
      expect(await form.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    },
    DRAW_TIMEOUT_MS + 30_000,
  );

  test("use candidate 2: it becomes the product, and one of the picker's assets", async () => {
    const product = page.getByRole("group", { name: "Product or character" });
    const use = product.getByRole("button", { name: "Use candidate 2" });
    await use.click();
    expect(await use.getAttribute("aria-pressed")).toBe("true");
    const chosen = page.getByTestId("chosen-reference_image");
    await chosen.waitFor();
    const name = (await chosen.locator(".asset-name").textContent()) ?? "";
    expect(name).toMatch(/\S/);
    expect(
      await product.getByRole("button", { name: `Choose ${name}`, exact: true }).getAttribute("aria-pressed"),
    ).toBe("true");
    await product.scrollIntoViewIfNeeded();
    await screenshot(page, "references");
    // The choice is part of the saved draft, so the phone (same storage) shows it too.
    await onPhone("/", async (p) => {
      await p.getByTestId("chosen-reference_image").getByText(name).waitFor();
      await screenshot(p, "references");
    });
    expect(pageErrors).toEqual([]);
  });
});
