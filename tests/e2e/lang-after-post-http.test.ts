/**
 * A guest who chose a language on a page (`?lang=de`, or the page's language links) keeps it
 * after sending that page's form without scripts: the form goes where the page's HTML sends it,
 * the redirect that answers it is followed, and the page they land on speaks German although
 * their browser asks for English.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";
import { signInByLink } from "../support/auth.ts";

const ENGLISH = { "accept-language": "en-US,en;q=0.9" };

/** Where the page's first POST form sends its answer (no `action`: the page's own address). */
function formActionIn(page: HttpResult): string {
  const form = /<form\b[^>]*method="POST"[^>]*>/i.exec(page.body);
  assert.ok(form, `no form on ${page.url}`);
  const action = /\baction="([^"]*)"/.exec(form[0])?.[1];
  return action === undefined ? page.url : new URL(action.replaceAll("&amp;", "&"), page.url).href;
}

Deno.test({
  name:
    "languages after a form without scripts: a guest who chose German on the move page lands on a German booking page after moving, though their booking and browser are English",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const c = createClient(app.baseUrl);
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { min: 3 });
    // Booked in English (the browser's language, no choice made).
    const booked = await c.post(
      `/calendar/demo/quick-chat?/book&tz=UTC&date=${date}`,
      { name: "Ann", email: "ann@example.test", start: slots[0], tz: "UTC" },
      { headers: ENGLISH },
    );
    assert.equal(booked.status, 303, booked.body.slice(0, 300));
    const manage = new URL(booked.location!).pathname;

    // The move page in German, a new time chosen, the form sent as the page wrote it.
    const page = await c.get(
      `${manage}/reschedule?lang=de&tz=UTC&date=${date}&slot=${encodeURIComponent(slots[2])}`,
      { headers: ENGLISH },
    );
    assert.equal(page.status, 200);
    assert.match(page.body, /<html lang="de"/);
    const moved = await c.post(formActionIn(page), { start: slots[2] }, {
      headers: ENGLISH,
      follow: true,
    });
    assert.equal(moved.status, 200, moved.hops.join(" → "));
    assert.match(new URL(moved.url).pathname, /^\/booking\/[^/]+$/, moved.hops.join(" → "));
    assert.match(moved.body, /<html lang="de"/, `landed on ${moved.url} in another language`);

    // The booking page's own cancel link, then the cancel form: German all the way.
    const cancelLink = /<a[^>]*href="([^"]*\/cancel[^"]*)"/.exec(moved.body)?.[1];
    assert.ok(cancelLink, "the moved booking's page links to its cancel page");
    const cancelPage = await c.get(new URL(cancelLink.replaceAll("&amp;", "&"), moved.url).href, {
      headers: ENGLISH,
    });
    assert.match(cancelPage.body, /<html lang="de"/);
    const cancelled = await c.post(formActionIn(cancelPage), { reason: "" }, {
      headers: ENGLISH,
      follow: true,
    });
    assert.equal(cancelled.status, 200, cancelled.hops.join(" → "));
    assert.match(
      cancelled.body,
      /<html lang="de"/,
      `landed on ${cancelled.url} in another language`,
    );
  },
});

Deno.test({
  name:
    "languages after a form without scripts: an invitee who opened a poll in German answers it and reads the answer page in German, though their browser is English",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const polls = await host.get("/dashboard/polls?type=quick-chat");
    const free = [...polls.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
    const form = new URLSearchParams({ type: "quick-chat", title: "Planung" });
    for (const s of free.slice(0, 3)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, made.body.slice(0, 300));
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;

    const c = createClient(app.baseUrl);
    const page = await c.get(`${path}?lang=de`, { headers: ENGLISH });
    assert.match(page.body, /<html lang="de"/);
    const answered = await c.post(
      formActionIn(page),
      { name: "Ute", email: "ute@example.test", t0: "yes", t1: "maybe", t2: "no" },
      { headers: ENGLISH, follow: true },
    );
    assert.equal(answered.status, 200, answered.hops.join(" → "));
    assert.match(answered.body, /<html lang="de"/, `answered on ${answered.url}`);
    // The personal link to change the answers later opens in German too, in any browser.
    const link = /data-testid="voter-link">([^<]+)</.exec(answered.body)![1].replace(/&amp;/g, "&");
    assert.match(link, /[?&]voter=/);
    const later = await createClient(app.baseUrl).get(
      new URL(link).pathname + new URL(link).search,
      {
        headers: ENGLISH,
      },
    );
    assert.match(later.body, /<html lang="de"/, link);
  },
});
