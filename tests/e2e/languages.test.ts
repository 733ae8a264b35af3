/**
 * Each reader in their own language, over HTTP against the built server: the browser's
 * languages decide, `?lang=` switches and is kept, a guest's booking remembers theirs (pages and
 * mails follow it without `?lang=`), and a reused page never answers in someone else's language.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay } from "../support/slots.ts";

const get = async (url: string, lang?: string) => {
  const res = await fetch(url, { headers: lang ? { "accept-language": lang } : {} });
  return { status: res.status, headers: res.headers, body: await res.text() };
};

Deno.test({
  name:
    "languages over HTTP: Accept-Language picks the words and date format, ?lang= switches and travels with links and the booking form",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    // A date with times from tomorrow on (a fixed date would pass), and its heading as each
    // language writes it.
    const { date } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
      tz: "America/New_York",
      min: 1,
    });
    const page = app.url(`/calendar/demo/intro-call?tz=America%2FNew_York&date=${date}`);
    const dayIn = (locale: string) =>
      new Intl.DateTimeFormat(locale, {
        weekday: "long",
        day: "numeric",
        month: "long",
        timeZone: "UTC",
      }).format(Date.parse(`${date}T12:00:00Z`));
    // The order the page must show: "Mittwoch, 25. November", "Wednesday, November 25".
    assert.match(dayIn("de-DE"), /^\p{Lu}\p{Ll}+, \d{1,2}\. \p{Lu}\p{Ll}+$/u);
    assert.match(dayIn("en-US"), /^\p{Lu}\p{Ll}+, \p{Lu}\p{Ll}+ \d{1,2}$/u);

    const de = await get(page, "de-DE,de;q=0.9,en;q=0.5");
    assert.equal(de.status, 200);
    assert.match(de.body, /<html lang="de-DE"[ >]/);
    assert.match(de.body, /Ihre Zeitzone/);
    assert.ok(de.body.includes(`Freie Zeiten am ${dayIn("de-DE")}`), dayIn("de-DE"));
    assert.match(de.headers.get("vary") ?? "", /Accept-Language/i);

    const us = await get(page, "en-US,en;q=0.9");
    assert.match(us.body, /<html lang="en-US"[ >]/);
    assert.ok(us.body.includes(`Free times on ${dayIn("en-US")}`), dayIn("en-US"));
    // Weeks start on Sunday for a US reader, on Monday for a German one.
    const firstWeekday = (html: string) =>
      />([^<]+)<\/div>/.exec(html.slice(html.indexOf('class="py-1"')))?.[1];
    assert.equal(firstWeekday(us.body), "Sun");
    assert.equal(firstWeekday(de.body), "Mo");

    // The page cache keeps a page per language: the same URL never answers in another one.
    const deAgain = await get(page, "de-DE");
    assert.match(deAgain.body, /Ihre Zeitzone/);
    const usAgain = await get(page, "en-US");
    assert.match(usAgain.body, /Your time zone/);

    // `?lang=` wins over the browser, and the page's links and form keep it.
    const fr = await get(`${page}&lang=fr`, "de-DE");
    assert.match(fr.body, /<html lang="fr"[ >]/);
    assert.match(fr.body, /Votre fuseau horaire/);
    assert.match(fr.body, /href="\/calendar\/demo\/intro-call\?[^"]*lang=fr[^"]*"/);
    assert.match(fr.body, /hreflang="es"/, "the other languages are offered");

    // Unknown pages and form errors speak the reader's language too.
    const missing = await get(app.url("/no/such/page"), "es-ES");
    assert.equal(missing.status, 404);
    assert.match(missing.body, /Esta página no existe/);
    const slot = /data-slot="([^"]+)"/.exec(de.body)![1];
    const refused = await fetch(app.url("/calendar/demo/intro-call?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "accept-language": "de-DE",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ name: "", email: "nope", start: slot, tz: "UTC" }),
    });
    const refusedHtml = await refused.text();
    assert.equal(refused.status, 400);
    assert.match(refusedHtml, /Bitte ausfüllen/);
    assert.match(refusedHtml, /Geben Sie eine gültige E-Mail-Adresse ein/);

    const signin = await get(app.url("/signin"), "fr-FR");
    assert.match(signin.body, /M’envoyer un lien de connexion/);
  },
});

Deno.test({
  name:
    "languages: a guest who booked in Spanish gets Spanish mails, and their booking pages stay Spanish without ?lang=",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: "127.0.0.1", port: smtp.port } });
    // From tomorrow on: today's last time could pass before the post.
    const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      query: "lang=es",
      min: 1,
    })).slots;
    const res = await fetch(app.url("/calendar/demo/quick-chat?/book&lang=es"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "accept-language": "en-US",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Lucía",
        email: "lucia@example.test",
        start: slot,
        tz: "UTC",
      }),
      redirect: "manual",
    });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    // The booking's page is Spanish by itself: its address without the `lang=` the answer kept.
    const booking = new URL(res.headers.get("location")!, app.baseUrl).pathname;
    const result = await get(app.url(booking), "en-US");
    assert.match(result.body, /<html lang="es"[ >]/);
    assert.match(result.body, /Tu reserva está hecha/);
    const cancel = await get(app.url(`${booking}/cancel`));
    assert.match(cancel.body, /¿Cancelar esta reserva\?/);

    const mail = await waitFor(() => smtp.mails.find((m) => m.to.includes("lucia@example.test")));
    assert.match(mail.subject, /^Confirmada: Quick chat con /);
    // The host (no language chosen, no browser at hand) reads English.
    const hostMail = await waitFor(() =>
      smtp.mails.find((m) => m.to.includes("demo@invito.example"))
    );
    assert.match(hostMail.subject, /^Confirmed: Quick chat with Lucía/);
  },
});
