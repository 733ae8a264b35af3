import assert from "node:assert/strict";
import { listLinkQuery, pageHref, withChosenLanguage, withPageLanguage } from "./page-href.ts";

Deno.test("pageHref: a form's action key is left out, the other choices kept and changed", () => {
  const url = new URL("http://x.test/calendar/a/b?/book&date=2026-12-01&tz=UTC&slot=s");
  assert.equal(
    pageHref(url, { lang: "de" }),
    "/calendar/a/b?date=2026-12-01&tz=UTC&slot=s&lang=de",
  );
  assert.equal(
    pageHref(url, { tz: "Asia/Tokyo", slot: null }),
    "/calendar/a/b?date=2026-12-01&tz=Asia%2FTokyo",
  );
  assert.equal(pageHref(new URL("http://x.test/p?/vote"), {}), "/p");
});

Deno.test("pageHref: only the parameters guest pages read go along, each within its bound", () => {
  const huge = "x".repeat(70_000);
  const url = new URL(
    `http://x.test/calendar/a/b?tz=Europe%2FParis&month=2026-12&date=2026-12-01&name=Ada&email=ada%40example.test&q_company=Acme&theme=dark&accent=0f766e&utm_source=news&junk=${huge}&x${huge}=1&note=${huge}&tz2=1`,
  );
  const href = pageHref(url, { lang: "fr" });
  assert.equal(
    href,
    "/calendar/a/b?tz=Europe%2FParis&month=2026-12&date=2026-12-01&name=Ada&email=ada%40example.test&q_company=Acme&theme=dark&accent=0f766e&utm_source=news&lang=fr",
  );
  // Answers by question: a few, never thousands of made-up ones.
  const many = new URL(
    `http://x.test/p?${Array.from({ length: 500 }, (_, i) => `q_${i}=a`).join("&")}`,
  );
  assert.ok(pageHref(many, {}).length < 400);
  // An over-long value the page ignored is left out, never cut into a different value.
  assert.equal(pageHref(new URL(`http://x.test/p?tz=${"a".repeat(65)}`), {}), "/p");
});

Deno.test("withChosenLanguage: a redirect to a page of this site keeps the chosen language; another site's, or one choosing its own, stays as it is", () => {
  const from = new URL("https://invito.test/booking/abc/reschedule?lang=de&slot=x");
  assert.equal(
    withChosenLanguage("/booking/xyz?moved=1", from, "de"),
    "/booking/xyz?moved=1&lang=de",
  );
  assert.equal(withChosenLanguage("/booking/xyz#top", from, "de"), "/booking/xyz?lang=de#top");
  assert.equal(
    withChosenLanguage("https://invito.test/done?a=b%20c", from, "de-AT"),
    "https://invito.test/done?a=b%20c&lang=de-AT",
  );
  assert.equal(withChosenLanguage("/signin?lang=fr", from, "de"), "/signin?lang=fr");
  assert.equal(
    withChosenLanguage("https://elsewhere.test/thanks", from, "de"),
    "https://elsewhere.test/thanks",
  );
  assert.equal(withChosenLanguage("//elsewhere.test/x", from, "de"), "//elsewhere.test/x");
});

Deno.test("withPageLanguage: a link to another of the reader's pages keeps the language chosen on this one, and only that", () => {
  const de = new URL("https://invito.test/booking/abc?moved=1&lang=de&tz=UTC");
  assert.equal(withPageLanguage("/booking/abc/cancel", de), "/booking/abc/cancel?lang=de");
  const none = new URL("https://invito.test/booking/abc?moved=1");
  assert.equal(withPageLanguage("/booking/abc/cancel", none), "/booking/abc/cancel");
  const long = new URL(`https://invito.test/booking/abc?lang=${"x".repeat(500)}`);
  assert.equal(withPageLanguage("/booking/abc/cancel", long), "/booking/abc/cancel");
});

Deno.test("listLinkQuery: a list's link to an event type keeps every parameter pages read, the widget's checked looks on top, nothing else", () => {
  const url = new URL(
    "http://x.test/widget/demo/?name=Ann&email=ann%40example.com&q_company=ACME&utm_source=site&ref=p&layout=week&theme=bogus&fbclid=1&junk=2",
  );
  assert.equal(
    listLinkQuery(url, "theme=dark&accent=0f766e"),
    "?name=Ann&email=ann%40example.com&q_company=ACME&utm_source=site&ref=p&layout=week&theme=dark&accent=0f766e",
  );
  assert.equal(listLinkQuery(new URL("http://x.test/calendar/demo/?fbclid=1")), "");
});
