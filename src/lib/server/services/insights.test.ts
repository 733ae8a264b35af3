import assert from "node:assert/strict";
import { getInsights, type InsightsData } from "./insights.ts";
import { countPageSteps, settleCounts } from "./insights-count.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { buildChart } from "../http/insight-charts.ts";
import { parseCsv, toCsv } from "../http/csv.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedInsightsHost } from "../../../../tests/support/insights-seed.ts";
import type { UserRecord } from "../domain/model/records.ts";

const q = (over: Partial<Parameters<typeof getInsights>[2]> = {}) => ({
  range: null,
  from: null,
  to: null,
  eventType: null,
  ...over,
});

async function insights(app: TestApp, host: UserRecord, query = q()): Promise<InsightsData> {
  const res = await getInsights(app, host, query);
  assert.ok(res.ok, JSON.stringify(res));
  return res.data;
}

const chart = (d: InsightsData, id: string) => d.charts.find((c) => c.id === id)!;

/** Two guests open the page, one books Monday 09:00 (a request), the host confirms it. */
async function scenario() {
  const app = await memoryApp(); // Friday 20 Nov 2026, 09:00 Berlin
  const host = await createHost(app, { weekly: WORKDAYS });
  const call = await createEventType(app, host, { slug: "call", title: "Intro call" });
  const page = { username: "host", slug: "call" };
  await countPageSteps(app, page, ["view"]);
  await countPageSteps(app, page, ["view"]);
  await countPageSteps(app, page, ["times"]);
  await countPageSteps(app, page, ["slot"]);
  const res = await bookSlot(app, {
    ...page,
    start: "2026-11-23T08:00:00Z",
    name: "Ann",
    email: "ann@example.test",
    note: "",
    timeZone: "Europe/Berlin",
  });
  assert.ok(res.ok);
  await settleCounts();
  app.clock.ms += 3_600_000;
  const confirmed = await decideBooking(app, res.bookingId, "confirm", "host");
  assert.ok(confirmed.ok);
  await settleCounts();
  return { app, host, call };
}

Deno.test("getInsights: the funnel, headline numbers and meeting charts read what was counted", async () => {
  const { app, host } = await scenario();
  try {
    const d = await insights(
      app,
      host,
      q({ range: "custom", from: "2026-11-16", to: "2026-11-29" }),
    );
    assert.deepEqual(chart(d, "funnel").table.rows, [
      ["Viewed a booking page", 2, 100, 100],
      ["Found free times", 1, 50, 50],
      ["Picked a time", 1, 100, 50],
      ["Sent a booking", 1, 100, 50],
      ["Confirmed", 1, 100, 50],
    ]);
    const h = Object.fromEntries(d.headlines.map((x) => [x.key, x.text]));
    assert.deepEqual(h, {
      views: "2",
      requests: "1",
      confirmed: "1",
      conversion: "50%",
      ended: "0",
    });
    const perDay = chart(d, "meetings-by-day");
    assert.deepEqual(perDay.table.columns.slice(0, 3), ["Date", "Confirmed", "Waiting for you"]);
    const monday = perDay.table.rows.find((r) => r[0] === "2026-11-23")!;
    assert.deepEqual(monday.slice(1), [1, 0, 0, 0, 0, 0]);
    assert.equal(perDay.table.rows.length, 14);
    // Monday 09:00–09:30 Berlin: half an hour in the Monday 09:00 cell.
    const hours = chart(d, "busiest-hours");
    // The host chose no first day: their language's (English: Sunday), as the dashboard's weeks.
    assert.deepEqual(hours.table.rows.map((r) => r[0]).slice(0, 2), ["Sunday", "Monday"]);
    // On the host's clock: none chosen, so their language's (English: 12-hour), as everywhere
    // in the dashboard (issue 35).
    assert.equal(hours.table.columns[10], "9:00 AM");
    assert.equal(hours.table.rows[1][10], 0.5);
    assert.deepEqual(chart(d, "meeting-length").table.rows, [["30 min", 1]]);
    assert.deepEqual(
      chart(d, "lead-time").table.rows.find((r) => r[1] === 1)?.[0],
      "3–7 days", // booked Friday 09:00 for Monday 09:00: exactly three days ahead
    );
    assert.equal(chart(d, "endings").table.rows.length, 0);
  } finally {
    app.close();
  }
});

Deno.test("getInsights: the headline compares with the previous period of the same length", async () => {
  const { app, host } = await scenario();
  try {
    // A week later: the views of the 20th are now the previous period of "last 7 days".
    app.clock.ms += 7 * 86_400_000;
    await countPageSteps(app, { username: "host", slug: "call" }, ["view"]);
    await settleCounts();
    const d = await insights(app, host, q({ range: "7" }));
    assert.deepEqual([d.range.from, d.range.to], ["2026-11-21", "2026-11-27"]);
    const views = d.headlines.find((x) => x.key === "views")!;
    assert.deepEqual([views.value, views.previous, views.changeText], [1, 2, "−50%"]);
    const requests = d.headlines.find((x) => x.key === "requests")!;
    assert.deepEqual([requests.value, requests.previous, requests.changeText], [0, 1, "−100%"]);
  } finally {
    app.close();
  }
});

Deno.test("getInsights: another host's counters never appear, and another host's event type is not found", async () => {
  const { app, host, call } = await scenario();
  try {
    const other = await createHost(app, { username: "other", weekly: WORKDAYS });
    await createEventType(app, other, { slug: "call" });
    const d = await insights(app, other, q({ range: "30" }));
    assert.ok(d.headlines.every((x) => x.value === 0 && x.previous === 0));
    assert.ok(
      d.charts.every((c) => buildChart(c).total === 0),
      "every chart of the other host is empty",
    );
    assert.deepEqual(await getInsights(app, other, q({ eventType: call.id })), {
      ok: false,
      reason: "not_found",
    });
    // The owner filtering by their own event type sees the same numbers as unfiltered.
    const mine = await insights(app, host, q({ eventType: call.id }));
    assert.equal(mine.headlines.find((x) => x.key === "views")!.value, 2);
  } finally {
    app.close();
  }
});

Deno.test("getInsights: a range it cannot show is refused with a message that says what to fix", async () => {
  const { app, host } = await scenario();
  try {
    assert.deepEqual(
      await getInsights(app, host, q({ range: "custom", from: "2026-12-01", to: "2026-11-01" })),
      {
        ok: false,
        reason: "invalid",
        message: "The start date must not be after the end date.",
      },
    );
    assert.deepEqual(await getInsights(app, host, q({ range: "week" })), {
      ok: false,
      reason: "invalid",
      message: "Choose the last 7, 30 or 90 days, or a custom range.",
    });
  } finally {
    app.close();
  }
});

Deno.test("charts: every shape drawn stands for the number in its table cell, and the CSV carries that table", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { host } = await seedInsightsHost(app, { bookings: 600, days: 120, extras: true });
    for (const range of ["30", "90"]) {
      const d = await insights(app, host, q({ range }));
      for (const spec of d.charts) {
        const c = buildChart(spec);
        const g = c.geometry;
        const shapes = g.kind === "heatmap" ? g.cells.filter((x) => x.value > 0) : g.rects;
        const cells = new Map<string, number>();
        spec.table.rows.forEach((row, i) =>
          spec.series.forEach((s) => {
            const v = row[s.column] as number;
            if (v > 0) cells.set(`${i}|${s.key}`, v);
          })
        );
        const drawn = new Map(shapes.map((r) => [`${r.row}|${spec.series[r.s].key}`, r.value]));
        // Floating point from the stack: compare to a millionth.
        assert.equal(drawn.size, cells.size, `${spec.id}: one shape per non-zero cell`);
        for (const [k, v] of cells) {
          assert.ok(
            Math.abs((drawn.get(k) ?? NaN) - v) < 1e-6,
            `${spec.id} ${k}: ${drawn.get(k)} ≠ ${v}`,
          );
        }
        assert.deepEqual(parseCsv(toCsv(spec.table)), [spec.table.columns, ...spec.table.rows]);
      }
      assert.ok(chart(d, "funnel").table.rows[0][1] as number > 0);
      assert.ok(chart(d, "meetings-by-day").table.rows.some((r) => (r[1] as number) > 0));
    }
  } finally {
    app.close();
  }
});

Deno.test("csv: quotes what needs quoting and never lets a spreadsheet run a title as a formula", () => {
  const text = toCsv({
    columns: ["Event type", "Count"],
    rows: [['=HYPERLINK("http://x")', 1], ["Coffee, tea", 2], ["Line\nbreak", 3], ["-5", 4]],
  });
  assert.equal(
    text,
    '\uFEFFEvent type,Count\r\n"\'=HYPERLINK(""http://x"")",1\r\n"Coffee, tea",2\r\n"Line\nbreak",3\r\n\'-5,4\r\n',
  );
});

Deno.test("getInsights: weeks start on the host's first day — weekly buckets and the busiest hours' rows; the first bucket starts with the range", async () => {
  const { app, host } = await scenario();
  try {
    for (
      const [weekStart, first, second, firstRow] of [
        [7, "2026-09-01", "2026-09-06", "Sunday"],
        [1, "2026-09-01", "2026-09-07", "Monday"],
        [6, "2026-09-01", "2026-09-05", "Saturday"],
      ] as const
    ) {
      const d = await insights(
        app,
        { ...host, weekStart },
        q({ range: "custom", from: "2026-09-01", to: "2026-12-31" }),
      );
      const perDay = chart(d, "meetings-by-day");
      assert.equal(perDay.table.columns[0], "Week from");
      assert.deepEqual(perDay.table.rows.slice(0, 2).map((r) => r[0]), [first, second]);
      // Monday 23 November's confirmed meeting, in the week that holds it.
      const holding = perDay.table.rows.filter((r) => r[1] === 1).map((r) => r[0]);
      assert.deepEqual(holding, [
        weekStart === 7 ? "2026-11-22" : weekStart === 1 ? "2026-11-23" : "2026-11-21",
      ]);
      const hours = chart(d, "busiest-hours");
      assert.equal(hours.table.rows[0][0], firstRow);
      const monday = hours.table.rows.find((r) => r[0] === "Monday")!;
      assert.equal(monday[10], 0.5);
    }
  } finally {
    app.close();
  }
});
