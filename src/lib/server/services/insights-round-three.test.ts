/**
 * Insights against an auditor's count (issue: round three's meeting shapes). Each test drives a
 * realistic history through the services — seats, a recurring series, polls and links and the
 * host's own bookings and moves, team bookings with a reassignment, a guest erased and bookings
 * imported — then checks that the counters (what every chart is drawn from), the dashboard's
 * headlines and meeting charts, and a rebuild by the backfill all agree with a count made from the
 * stored BookingRecords alone, by the rules of ADR 023/032/050:
 *
 * - `ev` (on the owner's day, in the owner's zone): a request per booking that is not a move's
 *   successor; a confirmation per chain of moves, at its first confirmation; each ending as it
 *   ended (rejected, expired, cancelled by guest or host, moved);
 * - `mt` (on the meeting's day, in the zone the booking recorded): every booking's stage now; for
 *   a meeting still on, its length, lead time and minutes per wall-clock hour;
 * - a team booking counts for each of its people (the round-robin member, every collective
 *   attendee); a seat is a booking (ADR 040); imported bookings count their history (ADR 017/050).
 */
import assert from "node:assert/strict";
import { Temporal } from "../domain/temporal.ts";
import { getInsights } from "./insights.ts";
import { settleCounts } from "./insights-count.ts";
import { bookSlot } from "./book-slot.ts";
import {
  cancelByGuest,
  decideBooking,
  requestNewTime,
  rescheduleByGuest,
} from "./decide-booking.ts";
import { createPoll } from "./polls.ts";
import { pickPollTime } from "./poll-pick.ts";
import { votePoll } from "./poll-votes.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { bookWithSingleUseLink } from "./single-use-links.ts";
import { bookForGuest } from "./host-book.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { eraseGuest, exportHostJson } from "./host-data.ts";
import { importHostData } from "./host-import.ts";
import { backfillInsights } from "../jobs/backfill-insights.ts";
import { readCounts } from "../store/insights.ts";
import { getUser } from "../store/users.ts";
import type { UserId } from "../store/keys.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { allBookings } from "../../../../tests/support/overlaps.ts";

type Tally = Record<string, number>;

const HOUR_MS = 3_600_000;
const dayIn = (ms: number, zone: string) =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();

const ownersOf = (b: BookingRecord): string[] =>
  b.teamId ? (b.personIds ?? [b.hostId]) : [b.hostId];

/**
 * The auditor's count, from the stored bookings alone (no counter, no `bookingDeltas`): per owner,
 * "family day metric" → n. Origins and sources are left to the explicit totals of each test.
 */
async function auditorCount(app: TestApp): Promise<Map<string, Tally>> {
  const bookings = await allBookings(app.kv);
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const zones = new Map<string, string>();
  const zoneOf = async (id: string) => {
    if (!zones.has(id)) zones.set(id, (await getUser(app.kv, id as UserId))!.timeZone);
    return zones.get(id)!;
  };
  const out = new Map<string, Tally>();
  const chainConfirmedBefore = (b: BookingRecord) => {
    for (let p = byId.get(b.rescheduledFromId ?? ""); p; p = byId.get(p.rescheduledFromId ?? "")) {
      if (p.history.some((h) => h.status === "CONFIRMED")) return true;
    }
    return false;
  };
  for (const b of bookings) {
    for (const owner of ownersOf(b)) {
      const t = out.get(owner) ?? {};
      out.set(owner, t);
      const add = (k: string, n = 1) => (t[k] = (t[k] ?? 0) + n);
      const zone = await zoneOf(owner);
      const ev = (ms: number, metric: string) => add(`ev ${dayIn(ms, zone)} ${metric}`);
      if (!b.rescheduledFromId) ev(b.createdAtMs, "submitted");
      const firstConfirmed = b.history.findIndex((h) => h.status === "CONFIRMED");
      if (firstConfirmed >= 0 && !chainConfirmedBefore(b)) {
        ev(firstConfirmed === 0 ? b.createdAtMs : b.history[firstConfirmed].atMs, "confirmed");
      }
      const endedAt = b.history[b.history.length - 1].atMs;
      const stage = b.status === "PENDING"
        ? "pending"
        : b.status === "CONFIRMED"
        ? "confirmed"
        : b.status === "REJECTED"
        ? "rejected"
        : b.endReason === "expired"
        ? "expired"
        : b.endReason === "rescheduled"
        ? "rescheduled"
        : "cancelled";
      if (b.status === "REJECTED") ev(endedAt, "rejected");
      if (b.status === "CANCELLED") {
        ev(
          endedAt,
          stage === "cancelled"
            ? (b.endReason === "cancelled_by_host" || b.endReason === "reschedule_requested"
              ? "cancelled_host"
              : "cancelled_guest")
            : stage,
        );
      }
      const mtDay = dayIn(b.startMs, b.hostTimeZone);
      add(`mt ${mtDay} stage.${stage}`);
      if (stage === "pending" || stage === "confirmed") {
        add(`mt ${mtDay} length.${b.durationMin}`);
        const lead = b.startMs - b.createdAtMs;
        const bounds = [1, 4, 24, 72, 168, 336, 672].map((h) => h * HOUR_MS);
        add(`mt ${mtDay} lead.${bounds.filter((x) => lead >= x).length}`);
        // Minute by minute on the wall clock of the recorded zone (a repeated hour collects both).
        for (let m = b.startMs; m < b.endMs; m += 60_000) {
          const z = Temporal.Instant.fromEpochMilliseconds(m).toZonedDateTimeISO(b.hostTimeZone);
          add(`mt ${z.toPlainDate()} hour.${z.hour}`);
        }
      }
    }
  }
  return out;
}

const ADR_METRICS =
  /^(submitted|confirmed|rejected|expired|cancelled_guest|cancelled_host|rescheduled|stage\..*|length\..*|lead\..*|hour\..*)$/;

/** The owner's counters as stored, "family day metric" → n (event types summed). */
async function counted(app: TestApp, owner: string, all = false): Promise<Tally> {
  const t: Tally = {};
  for (const family of ["ev", "mt"] as const) {
    for (const r of await readCounts(app.kv, owner, family, "2020-01-01", "2030-12-31")) {
      if (!all && !ADR_METRICS.test(r.metric)) continue;
      const k = `${family} ${r.day} ${r.metric}`;
      t[k] = (t[k] ?? 0) + r.n;
    }
  }
  for (const k of Object.keys(t)) if (t[k] === 0) delete t[k];
  return t;
}

const sorted = (t: Tally) => Object.fromEntries(Object.entries(t).sort());

/** Counters, dashboard and auditor agree for every person who has bookings. */
async function assertAudited(app: TestApp, from: string, to: string): Promise<Map<string, Tally>> {
  await settleCounts();
  const expected = await auditorCount(app);
  // Every person at once, by username: a count on the wrong person shows on both sides.
  const name = async (id: string) => (await getUser(app.kv, id as UserId))!.username;
  const actualAll: Record<string, Tally> = {};
  const wantAll: Record<string, Tally> = {};
  for (const [owner, want] of expected) {
    actualAll[await name(owner)] = sorted(await counted(app, owner));
    wantAll[await name(owner)] = sorted(want);
  }
  assert.deepEqual(actualAll, wantAll, "counters by person");
  for (const [owner, want] of expected) {
    // What the host reads: the headlines and the meetings chart of a period holding everything.
    const host = (await getUser(app.kv, owner as UserId)) as UserRecord;
    const res = await getInsights(app, host, { range: "custom", from, to, eventType: null });
    assert.ok(res.ok, JSON.stringify(res));
    const sum = (re: RegExp) =>
      Object.entries(want).filter(([k]) => re.test(k)).reduce((s, [, n]) => s + n, 0);
    const inRange = (fam: string, metric: string) => new RegExp(`^${fam} (\\S+) ${metric}$`);
    const h = Object.fromEntries(res.data.headlines.map((x) => [x.key, x.value]));
    assert.equal(h.requests, sum(inRange("ev", "submitted")), `requests of ${owner}`);
    assert.equal(h.confirmed, sum(inRange("ev", "confirmed")), `confirmed of ${owner}`);
    assert.equal(
      h.ended,
      sum(inRange("ev", "(cancelled_guest|cancelled_host|expired)")),
      `ended of ${owner}`,
    );
    const byDay = res.data.charts.find((c) => c.id === "meetings-by-day")!;
    const stages = ["confirmed", "pending", "rescheduled", "cancelled", "expired", "rejected"];
    stages.forEach((s, i) =>
      assert.equal(
        byDay.table.rows.reduce((n, r) => n + (r[i + 1] as number), 0),
        sum(inRange("mt", `stage\\.${s}`)),
        `${s} meetings of ${owner}`,
      )
    );
  }
  return expected;
}

/**
 * The backfill's rebuild: every counter, the counting boundary and the backfill's progress gone,
 * the clock past the last change, the job run — every counter must come back as live counting
 * left it (origins and sources included).
 */
async function assertBackfillRebuilds(app: TestApp, owners: Iterable<string>) {
  await settleCounts();
  const live = new Map<string, Tally>();
  for (const o of owners) live.set(o, await counted(app, o, true));
  for (const prefix of ["insights", "insights_epoch"]) {
    for await (const e of app.kv.list({ prefix: [prefix] })) await app.kv.delete(e.key);
  }
  // Single keys (a prefix lists only the keys below it).
  await app.kv.delete(["insights_since"]);
  await app.kv.delete(["insights_backfill"]);
  app.clock.ms += 5 * 60_000;
  const res = await backfillInsights(app, app.now());
  assert.equal(res.done, true);
  for (const [o, want] of live) {
    assert.deepEqual(sorted(await counted(app, o, true)), sorted(want), `rebuilt counters of ${o}`);
  }
}

/** Origins (ADR 050) of an owner, summed over days. */
async function origins(app: TestApp, owner: string): Promise<Tally> {
  const t: Tally = {};
  for (const r of await readCounts(app.kv, owner, "ev", "2020-01-01", "2030-12-31")) {
    if (r.metric.startsWith("by.")) t[r.metric.slice(3)] = (t[r.metric.slice(3)] ?? 0) + r.n;
  }
  return t;
}

const person = (n: number | string, start: string, timeZone = "UTC") => ({
  start,
  name: `Guest ${n}`,
  email: `g${n}@example.test`,
  note: "",
  timeZone,
});

Deno.test("insights audit: seats at Lord Howe — three guests, one cancels, one moves, a guest erased; each seat a booking, the half-hour step back counted minute for minute", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, {
      username: "lh",
      timeZone: "Australia/Lord_Howe",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(app, host, {
      slug: "class",
      durationMin: 90,
      intervalMin: 30,
      requiresConfirmation: false,
      bookingWindowDays: 200,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    // Sunday 4 April 2027 01:00 +11:00 — at 02:00 Lord Howe steps back to 01:30 (+10:30): the
    // 90-minute class fills 90 minutes of the 01:00 hour.
    const T1 = "2027-04-03T14:00:00Z";
    const T2 = "2026-11-23T00:00:00Z"; // Monday 11:00 +11:00
    const seat = async (i: number, start: string) => {
      const r = await bookSlot(app, { username: "lh", slug: "class", ...person(i, start) });
      assert.ok(r.ok, JSON.stringify(r));
      app.clock.ms += 60_000;
      return r;
    };
    await seat(1, T1);
    const s2 = await seat(2, T1);
    const s3 = await seat(3, T1);
    await seat(4, T2);
    assert.ok((await cancelByGuest(app, s2.guestToken, "")).ok);
    app.clock.ms += 60_000;
    const moved = await rescheduleByGuest(app, s3.guestToken, T2);
    assert.ok(moved.ok, JSON.stringify(moved));
    app.clock.ms += 60_000;
    assert.ok((await eraseGuest(app, host, "g1@example.test")).ok);

    const expected = await assertAudited(app, "2026-11-01", "2027-04-30");
    const mine = expected.get(host.id)!;
    // A 90-minute class across the step back: all 90 minutes in the 01:00 hour of 4 April.
    assert.equal(mine["mt 2027-04-04 hour.1"], 90);
    assert.deepEqual(await origins(app, host.id), { guest: 4, guest_move: 1 });
    const res = await getInsights(app, host, {
      range: "custom",
      from: "2026-11-01",
      to: "2027-04-30",
      eventType: null,
    });
    assert.ok(res.ok);
    const seats = res.data.charts.find((c) => c.id === "seats")!;
    // Two times with live seats: T1 (guest 1) and T2 (guests 4 and 3's moved seat).
    assert.deepEqual(seats.table.rows[0].slice(2, 4), [2, 3]);
    await assertBackfillRebuilds(app, [host.id]);
  } finally {
    app.close();
  }
});

Deno.test("insights audit: a weekly series in Santiago across the April change — booked, one date cancelled, the rest cancelled, a date moved into the repeated hour", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, {
      username: "cl",
      timeZone: "America/Santiago",
      weekly: EVERY_DAY_ALL_DAY,
    });
    await createEventType(app, host, {
      slug: "weekly",
      durationMin: 60,
      intervalMin: 30,
      requiresConfirmation: true,
      bookingWindowDays: 200,
      series: { everyWeeks: 1, count: 5, freeOnly: false },
    });
    // Saturdays 20:00 from 27 March 2027: -03:00, then -04:00 from the 4 April (24:00 → 23:00).
    const r = await bookSlot(app, {
      username: "cl",
      slug: "weekly",
      ...person(1, "2027-03-27T23:00:00Z", "America/Santiago"),
    });
    assert.ok(r.ok, JSON.stringify(r));
    app.clock.ms += HOUR_MS;
    const dates = (await allBookings(app.kv)).filter((b) => b.series).sort((a, b) =>
      a.series!.index - b.series!.index
    );
    assert.equal(dates.length, 5);
    assert.ok((await decideBooking(app, dates[0].id, "confirm", "host")).ok);
    app.clock.ms += HOUR_MS;
    assert.ok((await decideBooking(app, dates[1].id, "cancel", "guest")).ok);
    app.clock.ms += HOUR_MS;
    assert.ok((await decideBooking(app, dates[3].id, "cancel", "host", { scope: "rest" })).ok);
    app.clock.ms += HOUR_MS;
    // The first date moves to Saturday 3 April 23:30 -03:00: the hour 23:00 happens twice.
    const moved = await rescheduleByGuest(app, r.guestToken, "2027-04-04T02:30:00Z");
    assert.ok(moved.ok, JSON.stringify(moved));
    app.clock.ms += HOUR_MS;

    const expected = await assertAudited(app, "2026-11-01", "2027-04-30");
    const mine = expected.get(host.id)!;
    assert.equal(mine["mt 2027-04-03 hour.23"], 60);
    assert.equal(mine["ev 2026-11-20 submitted"], 5, "each date a request");
    const res = await getInsights(app, host, {
      range: "custom",
      from: "2026-11-01",
      to: "2027-04-30",
      eventType: null,
    });
    assert.ok(res.ok);
    // One series; five dates booked (the moved one counted once, at its new time); two still on
    // (the moved first date and the third); one cancelled by the guest, two by the host.
    const series = res.data.charts.find((c) => c.id === "series")!;
    assert.deepEqual(series.table.rows[0].slice(2), [1, 5, 2, 1, 2]);
    await assertBackfillRebuilds(app, [host.id]);
  } finally {
    app.close();
  }
});

Deno.test("insights audit: a poll's pick, a one-off link, the host booking for a guest and moving requests — each request counted once, each chain confirmed once", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "pm", weekly: WORKDAYS });
    await createEventType(app, host, { slug: "chat", requiresConfirmation: true });
    const T = ["2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "2026-11-24T09:00:00Z"];
    const poll = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
    assert.ok(poll.ok, JSON.stringify(poll));
    const voted = await votePoll(app, new URL(poll.url).pathname.split("/").pop()!, {
      name: "Bo",
      email: "bo@example.test",
      answers: { t0: "no", t1: "yes", t2: "maybe" },
    });
    assert.ok(voted.ok);
    assert.ok((await pickPollTime(app, host, poll.poll.id, T[1])).ok);
    app.clock.ms += HOUR_MS;

    const link = await mintOneOffLink(app, host, {
      slug: "chat",
      starts: ["2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z"],
      note: "",
    });
    assert.ok(link.ok, JSON.stringify(link));
    const viaLink = await bookWithSingleUseLink(
      app,
      "pm",
      link.url.split("/").pop()!,
      person("L", "2026-11-25T10:00:00Z"),
    );
    assert.ok(viaLink.ok, JSON.stringify(viaLink));
    app.clock.ms += HOUR_MS;

    const forGuest = await bookForGuest(app, host, {
      slug: "chat",
      ...person("H", "2026-11-26T09:00:00Z"),
      confirmed: true,
    });
    assert.ok(forGuest.ok, JSON.stringify(forGuest));
    app.clock.ms += HOUR_MS;

    // A guest's request, moved by the host while pending (the move confirms it), then again.
    const req = await bookSlot(app, {
      username: "pm",
      slug: "chat",
      ...person("R", "2026-11-27T09:00:00Z"),
    });
    assert.ok(req.ok);
    app.clock.ms += HOUR_MS;
    const m1 = await moveBookingByHost(app, host, req.bookingId, { start: "2026-11-27T11:00:00Z" });
    assert.ok(m1.ok, JSON.stringify(m1));
    app.clock.ms += HOUR_MS;
    const m2 = await moveBookingByHost(app, host, m1.booking.id, {
      start: "2026-11-30T11:00:00Z",
    });
    assert.ok(m2.ok, JSON.stringify(m2));
    app.clock.ms += HOUR_MS;
    // The link's request: confirmed by the host, then moved by the guest (still one meeting) to
    // the link's other offered time (the only kind of move its guest has; ADR 044).
    assert.ok((await decideBooking(app, viaLink.bookingId, "confirm", "host")).ok);
    app.clock.ms += HOUR_MS;
    const m3 = await rescheduleByGuest(app, viaLink.guestToken, "2026-11-25T09:00:00Z");
    assert.ok(m3.ok, JSON.stringify(m3));
    app.clock.ms += HOUR_MS;

    const expected = await assertAudited(app, "2026-11-01", "2026-12-31");
    const mine = expected.get(host.id)!;
    const total = (re: RegExp) =>
      Object.entries(mine).filter(([k]) => re.test(k)).reduce((s, [, n]) => s + n, 0);
    assert.equal(total(/^ev \S+ submitted$/), 4, "poll, link, for the guest, the request");
    assert.equal(total(/^ev \S+ confirmed$/), 4, "each once, moves or not");
    // The guest's move of the confirmed link booking is a request again (the type asks for it).
    assert.equal(total(/^mt \S+ stage\.confirmed$/), 3);
    assert.equal(total(/^mt \S+ stage\.pending$/), 1);
    assert.deepEqual(await origins(app, host.id), {
      poll: 1,
      link: 1,
      for_guest: 1,
      guest: 1,
      host_move: 2,
      guest_move: 1,
    });
    await assertBackfillRebuilds(app, [host.id]);
  } finally {
    app.close();
  }
});

Deno.test("insights audit: team bookings count for each of their people — round robin reassigned by a move, a collective meeting moved and cancelled", async () => {
  // 14:00 UTC: already Saturday 01:00 at Lord Howe, still Friday 11:00 in Santiago.
  const app = await memoryApp({ nowIso: "2026-11-20T14:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      timeZone: "UTC",
      members: [
        { username: "ann", timeZone: "America/Santiago" },
        { username: "ben", timeZone: "Australia/Lord_Howe" },
      ],
    });
    await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin" });
    await seedTeamEventType(app, team, {
      slug: "panel",
      teamMode: "collective",
      durationMin: 60,
      intervalMin: 30,
    });
    const rr = await bookTeamSlot(app, {
      team: "crew",
      slug: "call",
      ...person(1, "2026-11-23T15:00:00Z"),
    });
    assert.ok(rr.ok, JSON.stringify(rr));
    app.clock.ms += HOUR_MS;
    const first = (await allBookings(app.kv)).find((b) => b.id === rr.bookingId)!;
    // The member is busy at the new time: the move hands the meeting to the other member.
    const member = users.find((u) => u.id === first.hostId)!;
    await createEventType(app, member, { slug: "own", requiresConfirmation: false });
    assert.ok(
      (await bookSlot(app, {
        username: member.username,
        slug: "own",
        ...person(9, "2026-11-24T15:00:00Z"),
      })).ok,
    );
    app.clock.ms += HOUR_MS;
    const reassigned = await rescheduleByGuest(app, rr.guestToken, "2026-11-24T15:00:00Z");
    assert.ok(reassigned.ok, JSON.stringify(reassigned));
    assert.notEqual(reassigned.booking.hostId, first.hostId);
    app.clock.ms += HOUR_MS;

    const panel = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      ...person(2, "2026-11-25T15:00:00Z"),
    });
    assert.ok(panel.ok, JSON.stringify(panel));
    app.clock.ms += HOUR_MS;
    const panelMoved = await rescheduleByGuest(app, panel.guestToken, "2026-11-26T15:00:00Z");
    assert.ok(panelMoved.ok, JSON.stringify(panelMoved));
    app.clock.ms += HOUR_MS;
    const panel2 = await bookTeamSlot(app, {
      team: "crew",
      slug: "panel",
      ...person(3, "2026-11-27T15:00:00Z"),
    });
    assert.ok(panel2.ok, JSON.stringify(panel2));
    app.clock.ms += HOUR_MS;
    assert.ok((await cancelByGuest(app, panel2.guestToken, "")).ok);
    app.clock.ms += HOUR_MS;

    const expected = await assertAudited(app, "2026-11-01", "2026-12-31");
    for (const u of users) {
      const t = expected.get(u.id)!;
      const total = (re: RegExp) =>
        Object.entries(t).filter(([k]) => re.test(k)).reduce((s, [, n]) => s + n, 0);
      // The first member: their own booking and the moved panel; the other: the round robin's
      // new time and the moved panel.
      assert.equal(total(/^mt \S+ stage\.confirmed$/), 2, u.username);
    }
    await assertBackfillRebuilds(app, users.map((u) => u.id));
  } finally {
    app.close();
  }
});

Deno.test("insights audit: bookings imported from a file count their history once; an erased guest's booking still counts", async () => {
  const old = await memoryApp({ nowIso: "2026-11-02T08:00:00Z" });
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const mover = await createHost(old, { username: "mover", weekly: WORKDAYS });
    await createEventType(old, mover, { slug: "intro", requiresConfirmation: true });
    const book = async (i: number, start: string) => {
      const r = await bookSlot(old, { username: "mover", slug: "intro", ...person(i, start) });
      assert.ok(r.ok, JSON.stringify(r));
      old.clock.ms += HOUR_MS;
      return r;
    };
    const a = await book(1, "2026-11-23T09:00:00Z");
    const b = await book(2, "2026-11-23T10:00:00Z");
    const c = await book(3, "2026-11-24T09:00:00Z");
    await book(4, "2026-11-24T10:00:00Z");
    assert.ok((await decideBooking(old, a.bookingId, "confirm", "host")).ok);
    old.clock.ms += HOUR_MS;
    assert.ok((await decideBooking(old, b.bookingId, "reject", "host")).ok);
    old.clock.ms += HOUR_MS;
    assert.ok((await decideBooking(old, c.bookingId, "confirm", "host")).ok);
    old.clock.ms += HOUR_MS;
    const moved = await rescheduleByGuest(old, c.guestToken, "2026-11-25T09:00:00Z");
    assert.ok(moved.ok);
    old.clock.ms += HOUR_MS;
    let text = "";
    for await (const part of exportHostJson(old, mover)) text += part;

    const host = await createHost(app, { username: "fresh", weekly: WORKDAYS });
    await createEventType(app, host, { slug: "intro", requiresConfirmation: true });
    const r = await importHostData(app, host, text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.bookings!.imported, 5);
    app.clock.ms += HOUR_MS;
    assert.ok((await eraseGuest(app, host, "g1@example.test")).ok);

    const expected = await assertAudited(app, "2026-11-01", "2026-12-31");
    // The auditor of the old server and of the new one count the same (imported as they were).
    const before = (await auditorCount(old)).get(mover.id)!;
    assert.deepEqual(sorted(expected.get(host.id)!), sorted(before));
    await assertBackfillRebuilds(app, [host.id]);
  } finally {
    app.close();
    old.close();
  }
});

Deno.test("insights audit: the host asks for a new time and the guest picks one — the old meeting's cancellation counts once, the other meeting that day stays confirmed", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { username: "rq", weekly: WORKDAYS });
    await createEventType(app, host, { slug: "chat", requiresConfirmation: false });
    const x = await bookSlot(app, {
      username: "rq",
      slug: "chat",
      ...person("X", "2026-11-23T09:00:00Z"),
    });
    const y = await bookSlot(app, {
      username: "rq",
      slug: "chat",
      ...person("Y", "2026-11-23T13:00:00Z"),
    });
    assert.ok(x.ok && y.ok);
    app.clock.ms += HOUR_MS;
    assert.ok((await requestNewTime(app, host.id, x.bookingId, "Something came up")).ok);
    app.clock.ms += HOUR_MS;
    const picked = await rescheduleByGuest(app, x.guestToken, "2026-11-24T09:00:00Z");
    assert.ok(picked.ok, JSON.stringify(picked));
    app.clock.ms += HOUR_MS;

    const expected = await assertAudited(app, "2026-11-01", "2026-12-31");
    const mine = expected.get(host.id)!;
    assert.equal(mine["mt 2026-11-23 stage.confirmed"], 1, "Y is still on");
    assert.equal(mine["mt 2026-11-23 stage.cancelled"], 1);
    assert.equal(mine["mt 2026-11-24 stage.confirmed"], 1);
    const total = (re: RegExp) =>
      Object.entries(mine).filter(([k]) => re.test(k)).reduce((s, [, n]) => s + n, 0);
    assert.equal(total(/^ev \S+ cancelled_host$/), 1);
    await assertBackfillRebuilds(app, [host.id]);
  } finally {
    app.close();
  }
});
