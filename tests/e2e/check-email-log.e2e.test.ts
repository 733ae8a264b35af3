/**
 * A newcomer without a mail server signs in: after "Email me a sign-in link" the page said
 * "Check your email — we sent you a sign-in link", and the inbox stays empty; then a line below
 * it said the link is in the server log, contradicting it. Without a mail server the page must
 * say plainly that no email was sent and where the link is (the server's log: the terminal of
 * `npm start`, or `docker logs`), in the reader's language; with a mail server it says the link
 * was sent and nothing of a log.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, screenshot } from "../support/browser.ts";
import { startSmtp } from "../support/smtp.ts";
import { shootAll } from "../support/shots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "check your email: without a mail server it says the link is in the server log",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      for (
        const [lang, button, heading, logLine, sent] of [
          [
            "en",
            "Email me a sign-in link",
            /server log/,
            /No email was sent[\s\S]*npm start[\s\S]*docker logs/,
            /We sent you|Check your email|on its way/,
          ],
          [
            "de",
            /Anmeldelink/,
            /Server-Log/,
            /Es wurde keine E-Mail gesendet[\s\S]*npm start[\s\S]*docker logs/,
            /geschickt|Prüfen Sie Ihr Postfach|unterwegs/,
          ],
          [
            "fr",
            /lien de connexion/,
            /journal du serveur/,
            /Aucun e-mail n’a été envoyé[\s\S]*npm start[\s\S]*docker logs/,
            /Nous vous avons envoyé|Consultez votre boîte|en route/,
          ],
          [
            "es",
            /enlace/,
            /registro del servidor/,
            /No se ha enviado ningún correo[\s\S]*npm start[\s\S]*docker logs/,
            /Te hemos enviado|Revisa tu correo/,
          ],
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
          const text = await page.locator("main").innerText();
          assert.match(text, logLine);
          assert.doesNotMatch(text, sent, `${lang}: ${text}`);
          assert.deepEqual(await checkA11y(page), []);
          await screenshot(page, `check-email-log-${lang}-${scheme}`);
          await page.close();
        }
      }
      await shootAll(browser, `${app.baseUrl}/signin/check-email`, "check-email-log", {
        ready: "h1",
        views: [
          { name: "phone360", viewport: { width: 360, height: 740 } },
          { name: "desktop", viewport: { width: 1366, height: 768 } },
        ],
      });
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
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage({ locale: "en-US" });
      await page.goto(`${app.baseUrl}/signin`);
      await page.getByLabel("Email address").fill("nina@example.test");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", { name: "Check your email" }).waitFor();
      const text = await page.locator("main").innerText();
      assert.match(text, /We sent you a sign-in link/);
      assert.doesNotMatch(text, /server log|No email/);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "check your email: a closed sign-up without a mail server says no email was sent, and when a link is logged",
  async fn() {
    await using app = await startApp({ env: { INVITO_SIGNUP: "closed" } });
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage({ locale: "en-US" });
      await page.goto(`${app.baseUrl}/signin`);
      await page.getByLabel("Email address").fill("nina@example.test");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", { name: /server log/ }).waitFor();
      const text = await page.locator("main").innerText();
      assert.match(text, /No email was sent/);
      assert.match(text, /If this address may sign in here/);
      assert.doesNotMatch(text, /on its way|No mail\?/);
    } finally {
      await browser.close();
    }
  },
});
