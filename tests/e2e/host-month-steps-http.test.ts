/**
 * The host's "Book for a guest" and "Move" pages step from month to month. They listed only the
 * shown month's free days, so near a month's end (a Friday the 27th: one day, the Monday) a
 * host could offer a guest nothing later without typing a date by hand.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { demoDay } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const chips = (html: string) =>
  [...html.matchAll(/<nav aria-label="Days with free times"[\s\S]*?<\/nav>/g)]
    .flatMap((m) => [...m[0].matchAll(/date=(\d{4}-\d{2}-\d{2})/g)].map((d) => d[1]));
const nextLink = (html: string) =>
  /href="([^"]*month=(\d{4}-\d{2}))"[^>]*data-testid="month-next"/.exec(
    html.replaceAll("&amp;", "&"),
  );
const prevLink = (html: string) =>
  /href="([^"]*month=(\d{4}-\d{2}))"[^>]*data-testid="month-prev"/.exec(
    html.replaceAll("&amp;", "&"),
  );

Deno.test({
  ...opts,
  name:
    "host's book-for-a-guest and move pages: 'Next month' shows the next month's free days (a month's end left the host only its last days), 'Previous month' goes back, and none steps before this month",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    const thisMonth = Temporal.Now.plainDateISO("Europe/Berlin").toString().slice(0, 7);
    const next = Temporal.PlainYearMonth.from(thisMonth).add({ months: 1 }).toString();

    const first = await host.get("/dashboard/bookings/new?type=intro-call");
    assert.equal(first.status, 200);
    // The page opens on this month, or on the next when this one has no free time left (its
    // last evening): then its one step back is to this month, never before it.
    const shownDays = chips(first.body);
    const shown = shownDays[0].slice(0, 7);
    assert.ok(shown === thisMonth || shown === next, `the page opens on ${shown}`);
    for (const d of shownDays) assert.equal(d.slice(0, 7), shown);
    if (shown === thisMonth) assert.equal(prevLink(first.body), null, "no month before this one");
    else {
      const back = prevLink(first.body);
      assert.equal(back?.[2], thisMonth, "one step back, to this month");
      const thisOne = await host.get(`/dashboard/bookings/new${back![1]}`);
      assert.equal(prevLink(thisOne.body), null, "no month before this one");
    }
    const after = Temporal.PlainYearMonth.from(shown).add({ months: 1 }).toString();
    const step = nextLink(first.body);
    assert.ok(step, "a step to the next month");
    assert.equal(step[2], after);
    const later = await host.get(`/dashboard/bookings/new${step[1]}`);
    const days = chips(later.body);
    assert.ok(days.length >= 15, `next month's weekdays offered: ${days.join(" ")}`);
    for (const d of days) assert.equal(d.slice(0, 7), after);
    assert.equal(prevLink(later.body)?.[2], shown);

    // The host's move of a booking steps the same way.
    const slot = (await demoDay(app.baseUrl, "demo", "intro-call", 2)).slots[1];
    assert.ok(slot, "a slot to book");
    const booked = await fetch(app.url("/api/v1/bookings"), {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({
        username: "demo",
        eventType: "intro-call",
        start: slot,
        timeZone: "Europe/Berlin",
        name: "Guest",
        email: "guest@example.test",
      }),
    });
    const booking = await booked.json();
    assert.equal(booked.status, 201, JSON.stringify(booking));
    const move = await host.get(`/dashboard/bookings/${booking.id}/reschedule`);
    assert.equal(move.status, 200);
    const moveStep = nextLink(move.body);
    assert.ok(moveStep, "the move page steps to the next month too");
    const moveLater = await host.get(`/dashboard/bookings/${booking.id}/reschedule${moveStep[1]}`);
    const moveDays = chips(moveLater.body);
    assert.ok(moveDays.length >= 15, moveDays.join(" "));
    for (const d of moveDays) assert.equal(d.slice(0, 7), moveStep[2]);
  },
});
