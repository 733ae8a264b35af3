/** A browser signed in as a host, with the link from the mail the test SMTP server caught. */
import type { Page } from "playwright-core";
import type { SmtpHandle } from "./smtp.ts";

/** Signs the browser in as `email` with the link from the mail. */
export async function signInAs(
  page: Page,
  baseUrl: string,
  email: string,
  smtp: SmtpHandle,
) {
  const sent = smtp.mails.length;
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  const mail = await smtp.waitForMail((m) =>
    smtp.mails.indexOf(m) >= sent && m.to.includes(email) &&
    m.text.includes("/signin/verify?")
  );
  await page.goto(mail.text.match(/http:\/\/\S+\/signin\/verify\?\S+/)![0]);
  await page.getByRole("button", { name: "Sign in to Invito" }).click();
  await page.waitForURL(/\/dashboard/);
}
