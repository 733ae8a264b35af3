/**
 * A recurring series from the host's side, over HTTP against the built server (issue 25): the
 * event type editor takes the series setting (and refuses out-of-range values and seats with a
 * message), a guest books the series, the host's booking list shows it as one row whose dates
 * expand, and the host cancels "this date and every later one" from that row.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { fullDay } from "../support/slots.ts";
import { formsOf, type PageForm, signInByLink, submitForm } from "../support/auth.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

async function seriesBookings(dbPath: string): Promise<BookingRecord[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    const out: BookingRecord[] = [];
    for await (const e of kv.list<BookingRecord>({ prefix: ["booking"] })) {
      if (e.value.series) out.push(e.value);
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  } finally {
    kv.close();
  }
}

Deno.test({
  name:
    "series from the dashboard: the editor saves a series and refuses 53 dates and seats with it; the booking list shows one row per series with its dates; cancelling from there takes this date and every later one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const page = await host.get("/dashboard/event-types/new");
    const form = formsOf(page).find((f) => f.fields.some(([k]) => k === "seriesCount"));
    assert.ok(form, "the editor has the series fields");
    const fill = (values: Record<string, string>): PageForm => ({
      ...form,
      fields: [
        ...form.fields.filter(([k]) =>
          !["title", "slug", "active", "requiresConfirmation", ...Object.keys(values)].includes(k)
        ),
        ["active", "on"],
        ["title", "Weekly coaching"],
        ["slug", "coaching"],
        ...Object.entries(values),
      ],
    });
    const tooMany = await submitForm(host, fill({ seriesEveryWeeks: "1", seriesCount: "53" }));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body, /at most 52/);
    const seated = await submitForm(
      host,
      fill({ seriesEveryWeeks: "1", seriesCount: "5", seatsPerTime: "4" }),
    );
    assert.equal(seated.status, 400);
    assert.match(seated.body, /A series takes one guest per time/);
    const saved = await submitForm(host, fill({ seriesEveryWeeks: "1", seriesCount: "5" }));
    assert.ok(saved.status === 303 || saved.status === 302, `saved: ${saved.status}`);

    // A guest books the series at the page's first time.
    // From tomorrow on: today's last time could pass before the post.
    const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/coaching", { min: 1 })).slots;
    assert.ok(slot, "the series' page offers times");
    const booked = await fetch(`${app.baseUrl}/calendar/demo/coaching?/book`, {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Sue Series",
        email: "sue@example.test",
        note: "",
        start: slot,
        tz: "UTC",
      }),
      redirect: "manual",
    });
    await booked.body?.cancel();
    assert.equal(booked.status, 303);
    let dates = await seriesBookings(app.dbPath);
    assert.equal(dates.length, 5);

    // One row for the series, its five dates behind it.
    const list = await host.get("/dashboard/bookings?q=sue");
    const rows = [...list.body.matchAll(/data-booking="([0-9A-Z]{26})"/g)].map((m) => m[1]);
    assert.equal(rows.length, 1, "one row per series");
    const expand = list.body.match(/data-series-dates[^]*?<\/details>/)?.[0] ?? "";
    assert.equal([...expand.matchAll(/<li /g)].length, 5);
    assert.match(expand, /date 1 of 5/);

    // From the second date on: this date and every later one.
    const second = dates[1].id;
    const cancel = await host.post(
      "/dashboard/bookings?/cancel",
      new URLSearchParams({ id: second, reason: "", scope: "rest" }),
    );
    assert.ok(cancel.status < 400, `${cancel.status}`);
    dates = await seriesBookings(app.dbPath);
    assert.deepEqual(dates.map((b) => b.status), [
      "CONFIRMED",
      "CANCELLED",
      "CANCELLED",
      "CANCELLED",
      "CANCELLED",
    ]);
  },
});
