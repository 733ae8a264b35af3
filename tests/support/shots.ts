/**
 * Screenshots of one address in the combinations a person looks at: desktop (1366) and phone
 * (390), light and dark, English and German (or the sizes and languages asked for). They land in
 * test-results/screenshots/ for a person to look at, when screenshots are on (`npm run screenshots`).
 */
import type { Browser, BrowserContextOptions } from "playwright-core";
import { saveScreenshot, SCREENSHOTS } from "./browser.ts";

export const VIEWS = [
  { name: "desktop", viewport: { width: 1366, height: 768 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

/**
 * Opens `url` (with `?lang=` set) in each combination, waits for `ready` (a CSS selector) and
 * saves `NAME-desktop-light-en.png` and so on. `context` carries cookies (a signed-in host).
 */
export async function shootAll(
  browser: Browser,
  url: string,
  name: string,
  opts: {
    ready?: string;
    storageState?: BrowserContextOptions["storageState"];
    langs?: string[];
    timezoneId?: string;
    /** other sizes than desktop and phone (a small phone at 360 px) */
    views?: readonly { name: string; viewport: { width: number; height: number } }[];
  } = {},
): Promise<string[]> {
  const paths: string[] = [];
  // Nothing here is checked: the shots are only for a person to look at (`SCREENSHOTS`).
  if (!SCREENSHOTS) return paths;
  for (const view of opts.views ?? VIEWS) {
    for (const scheme of ["light", "dark"] as const) {
      for (const lang of opts.langs ?? ["en", "de"]) {
        const ctx = await browser.newContext({
          viewport: view.viewport,
          colorScheme: scheme,
          storageState: opts.storageState,
          timezoneId: opts.timezoneId ?? "Europe/Berlin",
        });
        try {
          const page = await ctx.newPage();
          const u = new URL(url);
          u.searchParams.set("lang", lang);
          await page.goto(u.href);
          if (opts.ready) await page.locator(opts.ready).first().waitFor();
          paths.push(await saveScreenshot(page, `${name}-${view.name}-${scheme}-${lang}`));
        } finally {
          await ctx.close();
        }
      }
    }
  }
  return paths;
}
