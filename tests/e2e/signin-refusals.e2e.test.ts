/**
 * A newcomer's refused sign-in posts. Sent too often from one address (the sign-in limit per
 * client), the scripted form came back with no word and the form without scripts was replaced by
 * a bare "Too many requests" page; sent from another name than the server's own address, the
 * scripted form ended on "500 Something went wrong" (the refusal was plain text) and the form
 * without scripts on one bare English line. Every refusal must say on the page what happened
 * and what to do, in the reader's language; the button is pressable again, and nothing answers
 * with a 5xx.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import type { Browser, Page } from "playwright-core";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/**
 * An early refusal page (http/message-page.ts: too many requests, a form from another address)
 * as a phone shows it in the light and the dark, reached by `open`: its own style applies (the
 * page's CSP blocked the inline styles, leaving black serif text in the top corner), nothing is
 * refused in the console, and axe finds nothing. Returns what is wrong.
 */
async function messagePageReads(
  browser: Browser,
  name: string,
  open: (page: Page) => Promise<void>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    const page = await browser.newPage({ colorScheme, viewport: { width: 360, height: 740 } });
    const errors = trackPageErrors(page);
    await open(page);
    await page.locator("main h1").waitFor();
    const at = `${name} (${colorScheme})`;
    const align = await page.locator("main").evaluate((m) => getComputedStyle(m).textAlign);
    if (align !== "center") problems.push(`${at}: unstyled (text-align ${align})`);
    for (const e of errors()) {
      // The refusal's own status is expected in the console; nothing else is.
      if (!/status of (403|429)/.test(e)) problems.push(`${at}: ${e.slice(0, 160)}`);
    }
    for (const a of await checkA11y(page)) problems.push(`${at}: axe: ${a}`);
    await screenshot(page, `${name}-phone360-${colorScheme}`);
    await page.close();
  }
  return problems;
}

Deno.test({
  ...opts,
  name:
    "sign-in refused for too many tries: the form says so and how long to wait, with or without scripts",
  async fn() {
    await using app = await startApp({ env: { INVITO_RATE_LIMIT: "signin=1/15m,page=1/15m" } });
    const browser = await borrowBrowser();
    try {
      // The one post the limit allows.
      const first = await fetch(`${app.baseUrl}/signin?/email`, {
        method: "POST",
        headers: { origin: app.baseUrl, accept: "text/html" },
        body: new URLSearchParams({ email: "first@example.test" }),
        redirect: "manual",
      });
      await first.body?.cancel();
      assert.equal(first.status, 303);
      for (const js of [true, false]) {
        for (
          const [lang, button, wait] of [
            ["en", "Email me a sign-in link", /try again in 15 minutes/],
            ["de", /Anmeldelink/, /15 Minuten/],
          ] as const
        ) {
          const page = await browser.newPage({ javaScriptEnabled: js });
          await page.goto(`${app.baseUrl}/signin?lang=${lang}`);
          if (js) await hydrated(page);
          await page.getByRole("textbox").first().fill(`nina.${lang}@example.test`);
          const answer = page.waitForResponse((r) => r.request().method() === "POST");
          await page.getByRole("button", { name: button }).click();
          assert.ok((await answer).status() < 500);
          const alert = page.getByRole("alert");
          await alert.waitFor();
          assert.match(await alert.innerText(), wait, `js=${js} ${lang}`);
          // Still the sign-in page, with the address kept and the button ready again.
          assert.equal(
            await page.getByRole("textbox").first().inputValue(),
            `nina.${lang}@example.test`,
          );
          assert.equal(await page.getByRole("button", { name: button }).isEnabled(), true);
          if (js && lang === "en") assert.deepEqual(await checkA11y(page), []);
          await page.close();
        }
      }
      for (const colorScheme of ["light", "dark"] as const) {
        for (const [view, width] of [["phone360", 360], ["desktop", 1366]] as const) {
          const page = await browser.newPage({ colorScheme, viewport: { width, height: 768 } });
          await page.goto(`${app.baseUrl}/signin`);
          await hydrated(page);
          await page.getByRole("textbox").first().fill("nina@example.test");
          await page.getByRole("button", { name: "Email me a sign-in link" }).click();
          await page.getByRole("alert").waitFor();
          await screenshot(page, `signin-refused-too-many-${view}-${colorScheme}`);
          await page.close();
        }
      }
      // Past a guest page's limit (one view here): the early 429 page.
      const seen = await fetch(`${app.baseUrl}/calendar/nobody`);
      await seen.body?.cancel();
      assert.deepEqual(
        await messagePageReads(browser, "too-many-page", async (page) => {
          const res = await page.goto(`${app.baseUrl}/calendar/nobody?lang=de`);
          assert.equal(res?.status(), 429);
        }),
        [],
      );
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name: "sign-in sent from another name than the server's address: a message, never a 500 page",
  async fn() {
    await using app = await startApp();
    const other = app.baseUrl.replace("127.0.0.1", "localhost");
    const browser = await borrowBrowser();
    try {
      for (const js of [true, false]) {
        for (const scheme of ["light", "dark"] as const) {
          const page = await browser.newPage({
            javaScriptEnabled: js,
            colorScheme: scheme,
            viewport: { width: 360, height: 740 },
          });
          await page.goto(`${other}/signin`);
          if (js) await hydrated(page);
          await page.getByLabel("Email address").fill("nina@example.test");
          await page.getByRole("button", { name: "Email me a sign-in link" }).click();
          const text = page.getByText(/No sign-in link was sent|Nothing was sent/).first();
          await text.waitFor();
          const body = await page.locator("body").innerText();
          assert.doesNotMatch(body, /Something went wrong|500|Sending…/, `js=${js}`);
          // Where it works, as a link.
          assert.ok(await page.getByRole("link", { name: app.baseUrl }).count() > 0, body);
          if (js) {
            // Said once: the notice that the page is at another address gives way to the
            // refusal, which says the same and that nothing was sent (both showed, alike).
            assert.equal(await page.getByText(/Sign-in works only at/).count(), 1, body);
            assert.equal(
              await page.getByRole("button", { name: "Email me a sign-in link" }).isEnabled(),
              true,
            );
            assert.deepEqual(await checkA11y(page), []);
          }
          await screenshot(page, `signin-refused-other-address-${js ? "js" : "nojs"}-${scheme}`);
          await page.close();
        }
      }
      // The page a form from elsewhere gets (the form without scripts above), looked at with
      // scripts on for axe: a plain form posted from the other name.
      assert.deepEqual(
        await messagePageReads(browser, "cross-site-page", async (page) => {
          await page.goto(`${other}/signin`);
          const answer = page.waitForResponse((r) => r.request().method() === "POST");
          await page.evaluate(() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/signin?/email";
            form.innerHTML = '<input name="email" value="nina@example.test">';
            document.body.append(form);
            form.submit();
          });
          assert.equal((await answer).status(), 403);
        }),
        [],
      );
    } finally {
      await browser.close();
    }
  },
});
