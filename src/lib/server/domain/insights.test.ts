import assert from "node:assert/strict";
import fc from "fast-check";
import { messageRef } from "../../shared/i18n.ts";
import {
  bookingDeltas,
  type BookingFacts,
  type CountDelta,
  funnelRequests,
  hourCells,
  leadBucket,
  type PageRequest,
  pageStepsOf,
  resolveRange,
  stageOf,
} from "./insights.ts";
import { zonedDay } from "./zone-days.ts";
import { isoDateIn } from "../../shared/format.ts";
import { Temporal } from "./temporal.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

function facts(over: Partial<BookingFacts> = {}): BookingFacts {
  const startMs = Date.parse("2026-11-24T09:00:00Z"); // 10:00 in Berlin
  return {
    eventTypeId: "et1",
    startMs,
    endMs: startMs + 30 * MIN,
    createdAtMs: startMs - 3 * 24 * HOUR,
    durationMin: 30,
    hostTimeZone: "Europe/Berlin",
    status: "PENDING",
    endReason: null,
    rescheduledFromId: null,
    ...over,
  };
}

const pick = (ds: CountDelta[], family: string) =>
  ds.filter((d) => d.family === family).map((d) => `${d.day} ${d.metric} ${d.n}`).sort();

Deno.test("hourCells: a meeting across the autumn DST change fills the repeated hour with both halves", () => {
  // Berlin falls back at 03:00 CEST → 02:00 CET on 2026-10-25: 02:00–03:00 happens twice.
  const start = Date.parse("2026-10-25T00:30:00Z"); // 02:30 CEST
  const end = Date.parse("2026-10-25T01:30:00Z"); // 02:30 CET, one real hour later
  assert.deepEqual(hourCells(start, end, "Europe/Berlin"), [
    { day: "2026-10-25", hour: 2, minutes: 60 },
  ]);
});

Deno.test("hourCells: a meeting across the spring DST change skips the hour that does not exist", () => {
  // Berlin springs forward at 02:00 CET → 03:00 CEST on 2026-03-29.
  const start = Date.parse("2026-03-29T00:30:00Z"); // 01:30 CET
  const end = Date.parse("2026-03-29T01:30:00Z"); // 03:30 CEST
  assert.deepEqual(hourCells(start, end, "Europe/Berlin"), [
    { day: "2026-03-29", hour: 1, minutes: 30 },
    { day: "2026-03-29", hour: 3, minutes: 30 },
  ]);
});

Deno.test("hourCells: a meeting past midnight puts its late part on the next day", () => {
  const start = Date.parse("2026-11-24T22:30:00Z"); // 23:30 Berlin
  assert.deepEqual(hourCells(start, start + 60 * MIN, "Europe/Berlin"), [
    { day: "2026-11-24", hour: 23, minutes: 30 },
    { day: "2026-11-25", hour: 0, minutes: 30 },
  ]);
});

Deno.test("hourCells: Lord Howe's half-hour DST shift still gives whole wall-clock hours", () => {
  // Lord Howe moves from +10:30 to +11 at 02:00 local on 2026-10-04 (02:00 → 02:30).
  const start = Date.parse("2026-10-03T15:00:00Z"); // 01:30 +10:30
  const end = Date.parse("2026-10-03T16:00:00Z"); // 03:00 +11
  const cells = hourCells(start, end, "Australia/Lord_Howe");
  assert.equal(cells.reduce((s, c) => s + c.minutes, 0), 60);
  assert.deepEqual(cells.map((c) => c.hour), [1, 2]);
});

Deno.test("bookingDeltas: a new pending request counts as sent, on its meeting day, with lead, length and hours", () => {
  const b = facts();
  const ds = bookingDeltas(null, b, "2026-11-21");
  assert.deepEqual(pick(ds, "ev"), ["2026-11-21 submitted 1"]);
  assert.deepEqual(pick(ds, "mt"), [
    "2026-11-24 hour.10 30",
    "2026-11-24 lead.4 1",
    "2026-11-24 length.30 1",
    "2026-11-24 stage.pending 1",
  ]);
});

Deno.test("bookingDeltas: an instant booking is sent and confirmed at once", () => {
  const ds = bookingDeltas(null, facts({ status: "CONFIRMED" }), "2026-11-21");
  assert.deepEqual(pick(ds, "ev"), ["2026-11-21 confirmed 1", "2026-11-21 submitted 1"]);
  assert.ok(pick(ds, "mt").includes("2026-11-24 stage.confirmed 1"));
});

Deno.test("bookingDeltas: confirming moves the meeting from pending to confirmed and keeps its hours", () => {
  const before = facts();
  const after = facts({ status: "CONFIRMED" });
  const ds = bookingDeltas(before, after, "2026-11-22");
  assert.deepEqual(pick(ds, "ev"), ["2026-11-22 confirmed 1"]);
  assert.deepEqual(pick(ds, "mt"), ["2026-11-24 stage.confirmed 1", "2026-11-24 stage.pending -1"]);
});

Deno.test("bookingDeltas: each way a booking ends is counted under its own name and leaves the meetings of its period", () => {
  const cases: [Partial<BookingFacts>, string, string][] = [
    [{ status: "REJECTED", endReason: "rejected" }, "rejected", "rejected"],
    [{ status: "CANCELLED", endReason: "expired" }, "expired", "expired"],
    [{ status: "CANCELLED", endReason: "cancelled_by_guest" }, "cancelled_guest", "cancelled"],
    [{ status: "CANCELLED", endReason: "cancelled_by_host" }, "cancelled_host", "cancelled"],
    [{ status: "CANCELLED", endReason: "rescheduled" }, "rescheduled", "rescheduled"],
  ];
  for (const [after, ev, stage] of cases) {
    const ds = bookingDeltas(facts(), facts(after), "2026-11-22");
    assert.deepEqual(pick(ds, "ev"), [`2026-11-22 ${ev} 1`], ev);
    assert.deepEqual(
      pick(ds, "mt"),
      [
        "2026-11-24 hour.10 -30",
        "2026-11-24 lead.4 -1",
        "2026-11-24 length.30 -1",
        `2026-11-24 stage.${stage} 1`,
        "2026-11-24 stage.pending -1",
      ].sort(),
      ev,
    );
  }
});

Deno.test("bookingDeltas: a reschedule's successor is a meeting but not a new request, and its confirmation is not a new win once the chain was confirmed", () => {
  const successor = facts({ rescheduledFromId: "old", chainConfirmed: true });
  assert.deepEqual(pick(bookingDeltas(null, successor, "2026-11-22"), "ev"), []);
  const confirmed = bookingDeltas(
    successor,
    facts({ rescheduledFromId: "old", chainConfirmed: true, status: "CONFIRMED" }),
    "2026-11-22",
  );
  assert.deepEqual(pick(confirmed, "ev"), []);
  assert.ok(pick(confirmed, "mt").includes("2026-11-24 stage.confirmed 1"));
});

Deno.test("bookingDeltas: each chain of moves counts as sent once and as confirmed once, at its first confirmation", () => {
  // Each row: the steps of one chain, as [before, after] facts; what the chain adds up to.
  const P = "PENDING" as const, C = "CONFIRMED" as const;
  const moved = { status: "CANCELLED" as const, endReason: "rescheduled" };
  const chains: [
    string,
    [Partial<BookingFacts> | null, Partial<BookingFacts>][],
    number,
    number,
  ][] = [
    ["request confirmed", [[null, { status: P }], [{ status: P }, { status: C }]], 1, 1],
    ["instant booking", [[null, { status: C }]], 1, 1],
    [
      "request moved while pending, then confirmed",
      [
        [null, { status: P }],
        [{ status: P }, moved],
        [null, { status: P, rescheduledFromId: "a" }],
        [{ status: P, rescheduledFromId: "a" }, { status: C, rescheduledFromId: "a" }],
      ],
      1,
      1,
    ],
    [
      "request moved twice while pending, then confirmed",
      [
        [null, { status: P }],
        [{ status: P }, moved],
        [null, { status: P, rescheduledFromId: "a" }],
        [{ status: P, rescheduledFromId: "a" }, { ...moved, rescheduledFromId: "a" }],
        [null, { status: P, rescheduledFromId: "b" }],
        [{ status: P, rescheduledFromId: "b" }, { status: C, rescheduledFromId: "b" }],
      ],
      1,
      1,
    ],
    [
      "confirmed, moved, confirmed again",
      [
        [null, { status: P }],
        [{ status: P }, { status: C }],
        [{ status: C }, moved],
        [null, { status: P, rescheduledFromId: "a", chainConfirmed: true }],
        [{ status: P, rescheduledFromId: "a", chainConfirmed: true }, {
          status: C,
          rescheduledFromId: "a",
          chainConfirmed: true,
        }],
      ],
      1,
      1,
    ],
    [
      "confirmed, moved and kept confirmed",
      [
        [null, { status: C }],
        [{ status: C }, moved],
        [null, { status: C, rescheduledFromId: "a", chainConfirmed: true }],
      ],
      1,
      1,
    ],
    [
      "request moved while pending, never confirmed",
      [
        [null, { status: P }],
        [{ status: P }, moved],
        [null, { status: P, rescheduledFromId: "a" }],
        [{ status: P, rescheduledFromId: "a" }, {
          status: "REJECTED",
          endReason: "rejected",
          rescheduledFromId: "a",
        }],
      ],
      1,
      0,
    ],
  ];
  for (const [name, steps, sent, confirmed] of chains) {
    const all = steps.flatMap(([b, a]) => bookingDeltas(b && facts(b), facts(a), "2026-11-22"));
    const sum = (metric: string) =>
      all.filter((d) => d.family === "ev" && d.metric === metric).reduce((s, d) => s + d.n, 0);
    assert.equal(sum("submitted"), sent, `${name}: sent`);
    assert.equal(sum("confirmed"), confirmed, `${name}: confirmed`);
    // What is still on counts once in lead time and length, whatever the moves.
    const live = all.filter((d) => d.metric.startsWith("length.")).reduce((s, d) => s + d.n, 0);
    assert.equal(live, confirmed === 1 ? 1 : 0, `${name}: meetings on`);
  }
});

Deno.test("bookingDeltas: a meeting's day and hours follow the zone the booking recorded", () => {
  // 23:30 UTC on the 24th is the 25th in Berlin and still the 24th in New York.
  const startMs = Date.parse("2026-11-24T23:30:00Z");
  const berlin = bookingDeltas(null, facts({ startMs, endMs: startMs + 30 * MIN }), "d");
  const ny = bookingDeltas(
    null,
    facts({ startMs, endMs: startMs + 30 * MIN, hostTimeZone: "America/New_York" }),
    "d",
  );
  assert.ok(pick(berlin, "mt").includes("2026-11-25 stage.pending 1"));
  assert.ok(pick(berlin, "mt").includes("2026-11-25 hour.0 30"));
  assert.ok(pick(ny, "mt").includes("2026-11-24 stage.pending 1"));
  assert.ok(pick(ny, "mt").includes("2026-11-24 hour.18 30"));
});

Deno.test("stageOf and leadBucket: outcomes and lead times land in the right buckets", () => {
  assert.equal(stageOf({ status: "CANCELLED", endReason: "expired" }), "expired");
  assert.equal(stageOf({ status: "CANCELLED", endReason: "cancelled_by_host" }), "cancelled");
  assert.equal(leadBucket(30 * MIN), 0);
  assert.equal(leadBucket(HOUR), 1);
  assert.equal(leadBucket(2 * 24 * HOUR), 3);
  assert.equal(leadBucket(60 * 24 * HOUR), 7);
  assert.equal(leadBucket(-5 * MIN), 0);
});

const page = "https://cal.example.org/calendar/ann/intro";
function req(over: Partial<PageRequest>): PageRequest {
  return {
    isDataRequest: false,
    url: new URL(page),
    referer: null,
    userAgent: "Mozilla/5.0",
    purpose: null,
    signedIn: false,
    daySlots: 0,
    chosen: false,
    ...over,
  };
}

Deno.test("pageStepsOf: arriving is a view (with free times when the first day has some); picking a time within the visit is a step", () => {
  assert.deepEqual(
    pageStepsOf(req({ referer: "https://blog.example.com/post", daySlots: 5 })),
    ["view", "times"],
  );
  assert.deepEqual(pageStepsOf(req({ daySlots: 0 })), ["view"]);
  // The guest's zone is put in the URL right after arriving; other days are opened: no step.
  const tz = `${page}?tz=Europe/Paris`;
  assert.deepEqual(
    pageStepsOf(req({ isDataRequest: true, url: new URL(tz), referer: page, daySlots: 5 })),
    [],
  );
  const day = `${page}?tz=UTC&date=2026-11-24`;
  assert.deepEqual(
    pageStepsOf(req({ isDataRequest: true, url: new URL(day), referer: tz, daySlots: 6 })),
    [],
  );
  const slot = `${day}&slot=2026-11-24T09:00:00Z`;
  assert.deepEqual(
    pageStepsOf(req({ isDataRequest: true, url: new URL(slot), referer: day, chosen: true })),
    ["slot"],
  );
  // Reloading the form, or a time that is no longer offered, is not another pick.
  assert.deepEqual(
    pageStepsOf(req({ isDataRequest: true, url: new URL(slot), referer: slot, chosen: true })),
    [],
  );
  assert.deepEqual(
    pageStepsOf(req({ isDataRequest: true, url: new URL(slot), referer: day, chosen: false })),
    [],
  );
  // Without JavaScript the same steps are full page loads coming from the same page.
  assert.deepEqual(pageStepsOf(req({ url: new URL(slot), referer: day, chosen: true })), ["slot"]);
  assert.deepEqual(pageStepsOf(req({ url: new URL(day), referer: page, daySlots: 2 })), []);
  // A link straight to a time (shared by someone) is an arrival that reached the form.
  assert.deepEqual(pageStepsOf(req({ url: new URL(slot), chosen: true, daySlots: 3 })), [
    "view",
    "times",
    "slot",
  ]);
});

Deno.test("pageStepsOf: the host signed in, link previews, crawlers and prefetches count as nothing", () => {
  assert.deepEqual(pageStepsOf(req({ signedIn: true })), []);
  assert.deepEqual(pageStepsOf(req({ userAgent: "Slackbot-LinkExpanding 1.0" })), []);
  assert.deepEqual(pageStepsOf(req({ userAgent: "Googlebot/2.1" })), []);
  assert.deepEqual(pageStepsOf(req({ userAgent: "facebookexternalhit/1.1" })), []);
  assert.deepEqual(pageStepsOf(req({ purpose: "prefetch" })), []);
  // A data request from elsewhere is not a visit at all.
  assert.deepEqual(pageStepsOf(req({ isDataRequest: true, referer: "https://x.example/" })), []);
  assert.deepEqual(pageStepsOf(req({ referer: "not a url" })), ["view"]);
});

Deno.test("resolveRange: presets end today, custom ranges are checked, the previous period is as long", () => {
  const r = resolveRange({ range: "7", from: null, to: null }, "2026-11-24");
  assert.ok(r.ok);
  assert.deepEqual(
    [r.range.from, r.range.to, r.range.days, r.range.previousFrom, r.range.previousTo],
    ["2026-11-18", "2026-11-24", 7, "2026-11-11", "2026-11-17"],
  );
  const d = resolveRange({ range: "30", from: null, to: null }, "2026-03-01");
  assert.ok(d.ok && d.range.preset === "30" && d.range.from === "2026-01-31");
  const c = resolveRange({ range: "custom", from: "2026-01-01", to: "2026-12-31" }, "2026-11-24");
  assert.ok(c.ok && c.range.days === 365 && c.range.bucket === "week");
  assert.deepEqual(
    resolveRange({ range: "custom", from: "2026-02-30", to: "2026-03-01" }, "2026-11-24"),
    {
      ok: false,
      message: messageRef("ins.both_dates"),
    },
  );
  assert.deepEqual(
    resolveRange({ range: "custom", from: "2026-03-02", to: "2026-03-01" }, "2026-11-24"),
    {
      ok: false,
      message: messageRef("ins.start_after_end"),
    },
  );
  assert.equal(
    resolveRange({ range: "custom", from: "2024-01-01", to: "2026-01-01" }, "2026-11-24").ok,
    false,
  );
  assert.equal(resolveRange({ range: "365", from: null, to: null }, "2026-11-24").ok, false);
});

Deno.test("resolveRange: by default the last 30 days and the next 30, compared with the 30 days before", () => {
  const r = resolveRange({ range: null, from: null, to: null }, "2026-11-24");
  assert.ok(r.ok);
  assert.deepEqual(
    [r.range.preset, r.range.from, r.range.to, r.range.days, r.range.previousDays],
    ["around", "2026-10-26", "2026-12-24", 60, 30],
  );
  assert.deepEqual([r.range.previousFrom, r.range.previousTo], ["2026-09-26", "2026-10-25"]);
  // A custom range reaching ahead compares its days up to today with as many before it.
  const c = resolveRange({ range: "custom", from: "2026-11-20", to: "2026-12-20" }, "2026-11-24");
  assert.ok(c.ok);
  assert.deepEqual([c.range.previousDays, c.range.previousFrom], [5, "2026-11-15"]);
});

Deno.test("zonedDay: the civil date of every instant, asked again and again in one zone and across DST days, is the zone's own date", () => {
  // Lord Howe moves by half an hour; Havana and Santiago change at midnight (a day begins at 1:00).
  const zones = [
    "Europe/Berlin",
    "America/Havana",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
  ];
  // Every 37 minutes through two years (both DST changes of each zone), in order and back.
  const start = Date.UTC(2025, 0, 1);
  const steps = Array.from({ length: 2 * 365 * 24 * 60 / 37 }, (_, i) => start + i * 37 * 60_000);
  for (const zone of zones) {
    const want = (ms: number) => isoDateIn(ms, zone);
    for (const ms of steps) assert.equal(zonedDay(ms, zone), want(ms), `${zone} ${ms}`);
    for (const ms of [...steps].reverse().slice(0, 2_000)) {
      assert.equal(zonedDay(ms, zone), want(ms), `${zone} ${ms} (back)`);
    }
    // The last millisecond of a day and the first of the next.
    const midnight = Temporal.ZonedDateTime.from(`2026-03-29T00:00[${zone}]`).epochMilliseconds;
    assert.equal(zonedDay(midnight - 1, zone), want(midnight - 1));
    assert.equal(zonedDay(midnight, zone), want(midnight));
    assert.equal(zonedDay(midnight - 1, zone), want(midnight - 1));
    // Two days by turns (a booking's counts: the day it was made, the day it is on), then a third.
    for (const ms of [midnight - 1, midnight + 86_400_000, midnight - 1, midnight + 3_600_000]) {
      assert.equal(zonedDay(ms, zone), want(ms), `${zone} ${ms} (turns)`);
      assert.equal(zonedDay(ms + 172_800_000, zone), want(ms + 172_800_000), `${zone} (turns)`);
    }
    // A computed instant need not be a whole millisecond.
    for (const ms of [midnight - 0.5, midnight + 0.25, steps[100] + 1 / 3]) {
      assert.equal(zonedDay(ms, zone), want(ms), `${zone} ${ms}`);
    }
  }
});

/**
 * The hour cells counted minute by minute, each minute's wall-clock hour read on its own: slow,
 * and independent of how hourCells finds its boundaries (meetings and offsets on whole minutes).
 */
function hourCellsByMinute(startMs: number, endMs: number, timeZone: string) {
  const out: { day: string; hour: number; minutes: number }[] = [];
  for (let t = startMs; t < endMs; t += MIN) {
    const z = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(timeZone);
    const day = z.toPlainDate().toString();
    const last = out[out.length - 1];
    if (last && last.day === day && last.hour === z.hour) last.minutes++;
    else out.push({ day, hour: z.hour, minutes: 1 });
  }
  return out;
}

Deno.test("hourCells: a meeting across Lord Howe's half-hour step back counts the repeated half hour in its hour, and ends", () => {
  // 2026-04-05 02:00 +11:00 → 01:30 +10:30: 01:30–02:00 happens twice.
  const start = Date.parse("2026-04-04T14:45:00Z"); // 01:45 +11:00
  const end = start + 60 * MIN; // 02:15 +10:30
  assert.deepEqual(hourCells(start, end, "Australia/Lord_Howe"), [
    { day: "2026-04-05", hour: 1, minutes: 45 },
    { day: "2026-04-05", hour: 2, minutes: 15 },
  ]);
});

Deno.test("hourCells: the same cells as counted minute by minute, in zones with DST, half- and quarter-hour offsets, a skipped day and a 30-minute DST, over random meetings of 2010–2035 and around the changes", () => {
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe", // DST of 30 minutes
    "Asia/Kathmandu", // +05:45
    "Asia/Kolkata", // +05:30
    "Pacific/Chatham", // +12:45 / +13:45
    "Pacific/Apia", // skipped 2011-12-30 whole
    "America/St_Johns", // −03:30, DST
    "Africa/Casablanca", // DST off during Ramadan
    "America/Santiago", // DST change at midnight
  ];
  const from = Date.parse("2010-01-01T00:00:00Z");
  const to = Date.parse("2035-01-01T00:00:00Z");
  const same = (zone: string, startMs: number, lengthMin: number) =>
    assert.deepEqual(
      hourCells(startMs, startMs + lengthMin * MIN, zone),
      hourCellsByMinute(startMs, startMs + lengthMin * MIN, zone),
      `${zone} ${new Date(startMs).toISOString()} +${lengthMin} min`,
    );
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({ min: 0, max: Math.floor((to - from) / MIN) }),
      fc.integer({ min: 1, max: 4 * 60 }),
      (zone, startMin, lengthMin) => same(zone, from + startMin * MIN, lengthMin),
    ),
    { numRuns: 300 },
  );
  // Around the changes themselves, where random instants rarely fall.
  for (
    const [zone, at] of [
      ["Europe/Berlin", "2026-03-29T01:00:00Z"],
      ["Europe/Berlin", "2026-10-25T01:00:00Z"],
      ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"],
      ["Australia/Lord_Howe", "2026-10-03T15:30:00Z"],
      ["Pacific/Apia", "2011-12-30T10:00:00Z"],
      ["America/Santiago", "2026-04-05T03:00:00Z"],
      ["America/Santiago", "2026-09-06T04:00:00Z"],
    ] as const
  ) {
    for (let off = -3 * 60; off <= 3 * 60; off += 15) {
      for (const len of [15, 50, 150]) same(zone, Date.parse(at) + off * MIN, len);
    }
  }
});

Deno.test("bookingDeltas: the funnel's requests and confirmations are the booking page's — not the API's, the host's or a poll's; a moved meeting's confirmation is its chain's first booking's", () => {
  const onPage = (over: Partial<BookingFacts>) => {
    const made = bookingDeltas(null, facts({ history: [{ by: "guest" }], ...over }), "2026-11-21");
    const confirmed = bookingDeltas(
      facts({ history: [{ by: "guest" }], ...over }),
      facts({ history: [{ by: "guest" }], ...over, status: "CONFIRMED" }),
      "2026-11-22",
    );
    return [...pick(made, "ev"), ...pick(confirmed, "ev")].filter((m) => m.includes(".page"));
  };
  const both = ["2026-11-21 submitted.page 1", "2026-11-22 confirmed.page 1"];
  assert.deepEqual(onPage({}), both, "a guest on the page");
  assert.deepEqual(onPage({ singleUseLinkId: "l1" }), both, "a guest through a link's page");
  assert.deepEqual(onPage({ origin: "api" }), [], "the API");
  assert.deepEqual(onPage({ origin: "poll" }), [], "a poll's pick");
  assert.deepEqual(onPage({ history: [{ by: "host" }] }), [], "the host for a guest");
  assert.deepEqual(onPage({ history: undefined }), [], "unknown: who made it is not said");
  // A move is no new request; its confirmation counts when the chain began on the page.
  assert.deepEqual(onPage({ rescheduledFromId: "b0", chainOnPage: true }), [
    "2026-11-22 confirmed.page 1",
  ]);
  assert.deepEqual(onPage({ rescheduledFromId: "b0", chainOnPage: false }), []);
  assert.deepEqual(
    onPage({ rescheduledFromId: "b0", chainOnPage: true, chainConfirmed: true }),
    [],
    "a meeting already won before its move",
  );
});

Deno.test("funnelRequests: a day counted apart shows the page's requests; an older day without them shows every booking's, as it did", () => {
  const rows = [
    // Before this version: every booking's requests only.
    { day: "2026-11-01", metric: "submitted", n: 5 },
    { day: "2026-11-01", metric: "confirmed", n: 4 },
    // Since: counted apart too, and a day whose requests all came through the API has none.
    { day: "2026-11-10", metric: "submitted", n: 3 },
    { day: "2026-11-10", metric: "submitted.page", n: 1 },
    { day: "2026-11-10", metric: "confirmed", n: 3 },
    { day: "2026-11-10", metric: "confirmed.page", n: 1 },
    { day: "2026-11-11", metric: "submitted", n: 2 },
    { day: "2026-11-11", metric: "confirmed", n: 2 },
    // Before the version, but with the page's counts: a backfill or an import counted it.
    { day: "2026-10-01", metric: "submitted", n: 2 },
    { day: "2026-10-01", metric: "submitted.page", n: 1 },
  ];
  assert.deepEqual(funnelRequests(rows, "2026-11-05"), { submitted: 5 + 1 + 1, confirmed: 4 + 1 });
  // Nothing counted by this version yet: only days with the page's own counts show them.
  assert.deepEqual(funnelRequests(rows, null), { submitted: 5 + 1 + 2 + 1, confirmed: 4 + 1 + 2 });
});
