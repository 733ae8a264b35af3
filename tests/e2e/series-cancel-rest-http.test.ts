/**
 * A guest changes one date of a recurring series from that date's pages, over HTTP against the
 * built server and without scripts (plain form posts): cancelling "this date and the later ones"
 * says how many dates went, shows the series with each date's state and that a mail comes per
 * date; the reschedule page says that only this date moves.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { formInstant, seriesStore, tomorrowAtUtc } from "../support/series.ts";
import { postPlainRead } from "../support/http.ts";

const seed = () => seriesStore("invito-series-rest-", { count: 4, requiresConfirmation: false });

/** Pat books the series from tomorrow 09:00 without scripts: the second date's page. */
async function secondDate(app: AppHandle): Promise<string> {
  const booked = await postPlainRead(app.baseUrl, "/calendar/coach/weekly?/book", {
    name: "Pat",
    email: "pat@example.test",
    note: "",
    start: formInstant(tomorrowAtUtc(9)),
    tz: "UTC",
  });
  assert.equal(booked.status, 303, booked.body.slice(0, 300));
  const first = await (await fetch(app.baseUrl + booked.location!)).text();
  const second = seriesListOf(first)[1].href;
  assert.ok(second, "the first date's page links the second date");
  return second;
}

/** Each date of the series list on a page: its state and its link (the page's own date: none). */
function seriesListOf(html: string) {
  const list = html.match(/data-testid="series-list"[^]*?<\/ol>/)?.[0] ?? "";
  return [...list.matchAll(/<li data-state="(\w+)"[^>]*>([^]*?)<\/li>/g)].map((m) => ({
    state: m[1],
    href: m[2].match(/href="([^"]+)"/)?.[1] ?? null,
  }));
}

Deno.test({
  name:
    "series over HTTP: cancelling date 2 'and the later ones' answers '3 dates of the series are cancelled', a mail for each, and lists the series with its states",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using app = await startApp({ dataDir });
      const second = await secondDate(app);
      const page = await (await fetch(`${app.baseUrl}${second}/cancel`)).text();
      assert.match(page, /This date and the 2 later ones/);
      const res = await postPlainRead(app.baseUrl, `${second}/cancel`, {
        reason: "",
        scope: "rest",
      });
      assert.equal(res.status, 200);
      // Before: "Your booking is cancelled … You will get an email confirming the cancellation."
      // alone, though three dates went and three mails come.
      assert.match(res.body, /3 dates of the series are cancelled/);
      assert.match(res.body, /You will get an email for each date/);
      assert.deepEqual(seriesListOf(res.body).map((d) => d.state), [
        "confirmed",
        "cancelled",
        "cancelled",
        "cancelled",
      ]);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series over HTTP: a date's reschedule page says only this date moves and the others stay (it read as moving the booking)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using app = await startApp({ dataDir });
      const second = await secondDate(app);
      const page = await (await fetch(`${app.baseUrl}${second}/reschedule`)).text();
      const moving = page.match(/data-testid="manage-moving"[^]*?<\/p>/)?.[0] ?? "";
      assert.match(
        moving.replace(/<[^>]+>/g, ""),
        /Only this date moves \(date 2 of 4\); the other dates of the series stay as they are\./,
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
