/**
 * The sign-in form as a person uses it, against a real SMTP server: the language they picked on
 * it stays with them to their new account, and every address a mail server takes signs in.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { finishMagicLink, formsOf, submitForm, verifyLinkIn } from "../support/auth.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ENGLISH = { "accept-language": "en-US,en;q=0.9" };

const htmlLang = (page: HttpResult) => /<html[^>]*\blang="([^"]+)"/.exec(page.body)?.[1];

Deno.test({
  ...opts,
  name:
    "sign-in (#7): German picked on the sign-in page of an English browser stays German — the check-email page, the mail, the verify page and the new account",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp });
    const c = createClient(app.baseUrl);
    const english = await c.get("/signin", { headers: ENGLISH });
    assert.match(english.body, /Email me a sign-in link/);
    // The language picker's "Deutsch".
    const deutsch = /<a href="([^"]+)"[^>]*hreflang="de"/.exec(english.body)?.[1];
    assert.ok(deutsch, "a link to the German page");
    const page = await c.get(deutsch.replace(/&amp;/g, "&"), { headers: ENGLISH });
    assert.equal(htmlLang(page), "de");
    assert.match(page.body, /Anmelden/);

    // Type the address, press Enter.
    const form = formsOf(page).find((f) => f.fields.some(([k]) => k === "email"));
    assert.ok(form, "the email form");
    form.fields = form.fields.map(([k, v]) => [k, k === "email" ? "greta@example.test" : v]);
    const sent = await submitForm(c, form, { headers: ENGLISH });
    assert.equal(sent.status, 303);
    const check = await c.get(sent.location!, { headers: ENGLISH });
    assert.equal(htmlLang(check), "de", check.url);
    assert.match(check.body, /Prüfen Sie Ihr Postfach/);

    const mail = await smtp.waitForMail((m) => m.to.includes("greta@example.test"));
    assert.match(mail.subject, /Bei Invito anmelden/);
    assert.match(mail.text, /Der Link funktioniert einmal/);

    const link = verifyLinkIn(mail.text);
    const verify = await c.get(link, { headers: ENGLISH });
    assert.equal(htmlLang(verify), "de");
    assert.match(verify.body, /Anmeldung abschließen/);

    // The new account speaks German from its first page on, with no ?lang= in the address.
    const done = await finishMagicLink(c, link);
    const first = await c.get(done.location!, { follow: true, headers: ENGLISH });
    assert.equal(new URL(first.url).pathname, "/dashboard/setup");
    assert.match(first.body, /Ihre Buchungsseite einrichten/);
    const profile = await c.get("/dashboard/profile", { headers: ENGLISH });
    assert.equal(htmlLang(profile), "de");
    assert.match(profile.body, /<option value="de"[^>]*selected/);
  },
});

Deno.test({
  ...opts,
  name:
    "sign-in (#6b): an address with an apostrophe (sean.o'brien@example.ie) gets its link and signs in; addresses a mail server cannot take are still refused",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp });
    const c = createClient(app.baseUrl);
    const sent = await c.post("/signin?/email", {
      providerId: "email",
      email: "sean.o'brien@example.ie",
      next: "/dashboard",
    });
    assert.equal(sent.status, 303, sent.body.slice(0, 300));
    assert.equal(new URL(sent.location!).pathname, "/signin/check-email");
    const mail = await smtp.waitForMail((m) => m.to.includes("sean.o'brien@example.ie"));
    const done = await finishMagicLink(c, verifyLinkIn(mail.text));
    await c.get(done.location!, { follow: true });
    const session = (await c.get("/auth/session")).json<{ user: { email: string } }>();
    assert.equal(session.user.email, "sean.o'brien@example.ie");

    for (
      const bad of ["sean o'brien@example.ie", '"sean"@example.ie', "sean@example", "a\u0007b@x.ie"]
    ) {
      const res = await createClient(app.baseUrl).post("/signin?/email", {
        providerId: "email",
        email: bad,
      });
      assert.equal(res.status, 400, bad);
      assert.match(res.body, /Enter a valid email address/, bad);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "sign-in page: an error code in its address that names an object's own property (toString, __proto__, constructor) reads as the general sign-in error, never a 500",
  async fn() {
    await using app = await startApp();
    const c = createClient(app.baseUrl);
    for (const code of ["toString", "__proto__", "constructor", "hasOwnProperty", "Nonsense"]) {
      const page = await c.get(`/signin?error=${code}`, { headers: ENGLISH });
      assert.equal(page.status, 200, `?error=${code}`);
      assert.match(page.body, /Sign-in could not be completed\. Please try again\./, code);
    }
    // A code Auth.js sends still reads as its own words.
    const verification = await c.get("/signin?error=Verification", { headers: ENGLISH });
    assert.doesNotMatch(verification.body, /Sign-in could not be completed/);
  },
});
