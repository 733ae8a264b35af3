/**
 * Asking for a sign-in link answers at once, whatever the mail server's pace: with a mail server
 * that takes seconds to accept a mail, "Check your email" is on screen before the mail is
 * accepted, and the mail still arrives (through the outbox) with a link that signs in.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, trackPageErrors } from "../support/browser.ts";

const SLOW_MS = 6_000;

Deno.test({
  name: "e2e: sign-in answers before a slow mail server accepts the mail, and the mail arrives",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/signin"), { waitUntil: "networkidle" });
      smtp.setAcceptDelay(SLOW_MS);
      await page.getByLabel("Email address").fill("slow@example.test");
      const t0 = performance.now();
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", { name: "Check your email" }).waitFor();
      const answeredMs = performance.now() - t0;
      // The answer came before the mail server accepted the mail.
      assert.equal(smtp.mails.length, 0, "the mail was accepted before the page answered");
      assert.ok(answeredMs < SLOW_MS, `answered after ${Math.round(answeredMs)} ms`);
      console.log(
        `sign-in answered after ${Math.round(answeredMs)} ms (mail server: ${SLOW_MS} ms)`,
      );
      // …and the mail arrives, with a link that signs in.
      const mail = await smtp.waitForMail((m) => m.to.includes("slow@example.test"), 30_000);
      await page.goto(mail.text.match(/http:\/\/\S+\/signin\/verify\?\S+/)![0]);
      await page.getByRole("button", { name: "Sign in to Invito" }).click();
      await page.waitForURL(/\/dashboard/);
      // The HTML part carries the same link.
      assert.match(mail.html, /\/signin\/verify\?/);
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
