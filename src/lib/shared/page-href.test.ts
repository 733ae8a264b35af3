import assert from "node:assert/strict";
import { pageHref } from "./page-href.ts";

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
