/**
 * A newcomer opens the server by another name than its address (http://localhost:PORT while
 * INVITO_BASE_URL says http://127.0.0.1:PORT, or the reverse): the sign-in form was refused by
 * the origin check (403) and its button stayed on "Sending…" with no word. The page must say
 * where sign-in works, with a link there, before anything is sent, in the reader's language.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, screenshot } from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "sign-in opened by another name: the page links to the server's own address",
  async fn() {
    await using app = await startApp();
    const other = app.baseUrl.replace("127.0.0.1", "localhost");
    assert.notEqual(other, app.baseUrl);
    const browser = await borrowBrowser();
    try {
      for (const lang of ["en", "de"]) {
        for (const scheme of ["light", "dark"] as const) {
          const page = await browser.newPage({
            colorScheme: scheme,
            viewport: { width: 360, height: 740 },
          });
          await page.goto(`${other}/signin?lang=${lang}`);
          const note = page.getByTestId("other-address");
          await note.waitFor();
          assert.match(
            await note.innerText(),
            lang === "en" ? /Sign-in works only at/ : /Anmelden geht nur unter/,
          );
          assert.deepEqual(await checkA11y(page), []);
          await screenshot(page, `signin-other-address-${lang}-${scheme}`);
          await note.getByRole("link").click();
          await page.waitForURL(`${app.baseUrl}/signin?lang=${lang}`);
          assert.equal(await page.getByTestId("other-address").count(), 0);
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});
