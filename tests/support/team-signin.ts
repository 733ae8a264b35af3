/**
 * Signing in by email link in Chromium, as a person does: ask for a link, open it from the mail
 * the SMTP test server caught, press the button. The one place the team tests sign in through,
 * so that a change to how a magic link completes (a same-origin POST from the verify page on the
 * integration line) is made here once.
 */
import type { Page } from "playwright-core";
import type { SmtpHandle } from "./smtp.ts";

const LINK = /https?:\/\/\S+\/signin\/verify\?[^\s"<>]+/;

/**
 * Signs `email` in on `page` and waits until the browser is back at `next` (a path). When the
 * page is already on the sign-in form (a redirect from a protected page), it is used as it is.
 */
export async function signInWithEmail(
  page: Page,
  opts: { baseUrl: string; smtp: SmtpHandle; email: string; next?: string },
): Promise<void> {
  const next = opts.next ?? "/dashboard";
  if (!new URL(page.url() || "about:blank", opts.baseUrl).pathname.startsWith("/signin")) {
    await page.goto(`${opts.baseUrl}/signin?next=${encodeURIComponent(next)}`);
  }
  const before = opts.smtp.mails.length;
  await page.getByLabel("Email address").fill(opts.email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const mail = await opts.smtp.waitForMail((m) =>
    opts.smtp.mails.indexOf(m) >= before && m.to.includes(opts.email.toLowerCase()) &&
    LINK.test(m.text)
  );
  await page.goto(LINK.exec(mail.text)![0]);
  await page.getByRole("button", { name: "Sign in to Invito" }).click();
  await page.waitForURL((u) => u.pathname === next.split("?")[0]);
}

/**
 * The same over HTTP, for tests that drive the server without a browser: a client with a
 * session for `email` (the email-link flow of tests/reliability/harness.ts).
 */
export { signIn as signInClient } from "../reliability/harness.ts";
