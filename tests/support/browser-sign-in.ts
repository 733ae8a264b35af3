/**
 * Signing in by email link in Chromium, as a person does: ask for a link, open it from the mail
 * (caught by the SMTP test server, or printed in the server's log when it has none), press the
 * button. The one place browser tests sign in through, so that a change to how a magic link
 * completes is made here once.
 *
 * The form is used once the page's scripts run: with them the request carries the browser's
 * time zone (a new account starts in it), and the test's next navigation cannot cut off the
 * form's own (a click before them is a full page load that may still be under way).
 */
import type { Page } from "playwright-core";
import type { AppHandle } from "./app.ts";
import { hydrated } from "./browser.ts";
import type { SmtpHandle } from "./smtp.ts";

const LINK = /https?:\/\/\S+\/signin\/verify\?[^\s"<>]+/;

export interface EmailSignIn {
  baseUrl: string;
  email: string;
  /** where the link comes from: the SMTP test server's mails, else the app's log */
  smtp?: SmtpHandle;
  app?: AppHandle;
  /** the path the browser ends on (default /dashboard, or any /dashboard… page) */
  next?: string;
}

/**
 * Signs `email` in on `page` and waits until the browser is at `next`. When the page is already
 * on the sign-in form (a redirect from a protected page), it is used as it is.
 */
export async function signInWithEmail(page: Page, o: EmailSignIn): Promise<void> {
  if (!o.smtp && !o.app) throw new Error("signInWithEmail needs smtp or app for the link");
  if (!new URL(page.url() || "about:blank", o.baseUrl).pathname.startsWith("/signin")) {
    const next = o.next ? `?next=${encodeURIComponent(o.next)}` : "";
    await page.goto(`${o.baseUrl}/signin${next}`);
  }
  await hydrated(page);
  const mailsBefore = o.smtp?.mails.length ?? 0;
  const logsBefore = o.app?.logs().length ?? 0;
  await page.getByLabel("Email address").fill(o.email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: /Check your email|sign-in link is in the server log/ })
    .waitFor();
  const smtp = o.smtp;
  const link = smtp
    ? LINK.exec(
      (await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= mailsBefore && m.to.includes(o.email.toLowerCase()) &&
        LINK.test(m.text)
      )).text,
    )![0]
    : (await o.app!.waitForLog(LINK, { since: logsBefore }))[0];
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in to Invito" }).click();
  await page.waitForURL((u) =>
    o.next ? u.pathname === o.next.split("?")[0] : u.pathname.startsWith("/dashboard")
  );
}

/** Signs the browser in as `email` with the link from the mail. */
export async function signInAs(page: Page, baseUrl: string, email: string, smtp: SmtpHandle) {
  await page.goto(`${baseUrl}/signin`);
  await signInWithEmail(page, { baseUrl, email, smtp });
}
