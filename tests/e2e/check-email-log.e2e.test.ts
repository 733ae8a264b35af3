/**
 * A newcomer without a mail server signs in: after "Email me a sign-in link" the page said
 * "Check your email — we sent you a sign-in link", and the inbox stays empty. It must say where
 * the link is (the server log), in the reader's language, as the form did before sending; with
 * a mail server it says nothing of the log.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { checkA11y, launchBrowser, screenshot } from "../support/browser.ts";
import { startSmtp } from "../support/smtp.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "check your email: without a mail server it says the link is in the server log",
  async fn() {
    await using app = await startApp();
    const browser = await launchBrowser();
    try {
      for (
        const [lang, button, heading, logLine] of [
          [
            "en",
            "Email me a sign-in link",
            "Check your email",
            /the link is printed in the server log/,
          ],
          ["de", /Anmeldelink/, /E-Mails|Postfach/, /Der Link steht im Server-Log/],
        ] as const
      ) {
        for (const scheme of ["light", "dark"] as const) {
          const page = await browser.newPage({
            colorScheme: scheme,
            viewport: { width: 360, height: 740 },
          });
          await page.goto(`${app.baseUrl}/signin?lang=${lang}`);
          await page.getByRole("textbox").first().fill(`nina.${lang}.${scheme}@example.test`);
          await page.getByRole("button", { name: button }).click();
          await page.getByRole("heading", { name: heading }).waitFor();
          assert.match(await page.locator("main").innerText(), logLine);
          assert.deepEqual(await checkA11y(page), []);
          await screenshot(page, `check-email-log-${lang}-${scheme}`);
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name: "check your email: with a mail server it does not send the reader to a log",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ locale: "en-US" });
      await page.goto(`${app.baseUrl}/signin`);
      await page.getByLabel("Email address").fill("nina@example.test");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", { name: "Check your email" }).waitFor();
      assert.doesNotMatch(await page.locator("main").innerText(), /server log/);
    } finally {
      await browser.close();
    }
  },
});
