/**
 * The host's Embed page, driven as a host does in a browser (tests/e2e only).
 */
import type { Page } from "playwright-core";
import { hydrated } from "./browser.ts";

/**
 * Saves the list of sites allowed to embed the host's pages. Typed only once the page is
 * hydrated: hydration empties the server-rendered textarea and writes the stored list back
 * (Svelte's `remove_textarea_child`), which drops a selection made just before it, so a fill
 * (select all, then insert) that straddled it sent "*" + the new list: a 400, no "Saved.".
 */
export async function saveEmbedOrigins(host: Page, base: string, origins: string): Promise<void> {
  await host.goto(`${base}/dashboard/embed`);
  await hydrated(host);
  await host.locator("#e-origins").fill(origins);
  await host.locator("form[action='?/origins'] button[type=submit]").click();
  await host.getByRole("status").filter({ hasText: "Saved." }).first().waitFor();
}
