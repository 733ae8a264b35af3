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
