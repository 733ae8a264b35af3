/**
 * Microsoft 365 against the local Graph of tests/support/microsoft.ts: connect, busy sync from a
 * real calendarView payload (Windows zone names, occurrences and an exception, all-day, showAs
 * free and tentative, a cancelled meeting, Pacific time), paging with nextLink and changes
 * through the deltaLink, 429 with Retry-After, writeback de-duplicated by transactionId, and
 * refresh-token rotation raced by two processes.
 */
import assert from "node:assert/strict";
import { graphFixture, startMicrosoft } from "../support/microsoft.ts";
import {
  connectVia,
  dayWithout,
  hostWithEventType,
  labels,
  MIN,
  providerApp,
} from "./provider-helpers.ts";
import {
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import {
  decideBooking,
  rescheduleByGuest,
  rescheduleByHost,
} from "../../src/lib/server/services/decide-booking.ts";
import { listEventTypes, updateEventType } from "../../src/lib/server/store/event-types.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { writeBack } from "../../src/lib/server/services/calendar-writeback.ts";
import { meetingUid } from "../../src/lib/server/services/writeback-events.ts";
import { getAccountEntry } from "../../src/lib/server/store/calendars.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listBookingsForHost } from "../../src/lib/server/services/host-bookings.ts";
import type { OutboxRecord } from "../../src/lib/server/domain/model/records.ts";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

const CAL = "AAMkAGI2TGuLAAA=";

async function setup() {
  const m = await startMicrosoft();
  m.calendars = [
    { id: CAL, name: "Calendar", canEdit: true, isDefaultCalendar: true, isRemovable: false },
    {
      id: "AAMkBirthdays=",
      name: "Birthdays",
      canEdit: false,
      isDefaultCalendar: false,
      isRemovable: false,
    },
  ];
  m.put(CAL, ...graphFixture("calendar-view-week.json"));
  m.pageSize = 3; // several pages, linked by @odata.nextLink
  const app = await providerApp(m.env);
  const host = await hostWithEventType(app);
  return { m, app, host };
}

Deno.test({
  ...opts,
  name:
    "microsoft: connect, then a calendarView read over several pages blocks exactly the right slots (Windows zones, series occurrences, all-day, free/tentative/cancelled); deltas remove and add",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.sync.ok, true, JSON.stringify(result.sync));
      const a = (await listCalendarAccounts(app, host.id)).accounts[0];
      assert.equal(a.username, "ann@contoso.example");
      assert.deepEqual(
        a.calendars.map((c) => [c.name, c.checkConflicts, c.writeback]),
        [["Birthdays", false, false], ["Calendar", true, true]],
      );
      const pages = m.requests.filter((r) => r.path.endsWith("/calendarView/delta"));
      assert.ok(pages.length >= 3, `followed ${pages.length} pages`);
      assert.match(pages[1].query, /\$skiptoken=/);

      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("10:00", "10:30"));
      assert.deepEqual(await labels(app, "2026-11-24"), dayWithout("14:00", "14:30"));
      assert.deepEqual(await labels(app, "2026-11-25"), []);
      assert.deepEqual(await labels(app, "2026-11-26"), dayWithout("12:00", "12:30"));
      // 06:00 Pacific Standard Time is 15:00 in Berlin.
      assert.deepEqual(await labels(app, "2026-11-27"), dayWithout("15:00", "15:30"));
      assert.deepEqual(await labels(app, "2026-12-01"), dayWithout());
      assert.deepEqual(await labels(app, "2026-12-08"), dayWithout("16:00", "16:30"));

      // Changes come through the delta link: a deletion unblocks, a new event blocks.
      m.remove(CAL, "AAMkAGI2TGuLAAA-dentist=");
      m.put(CAL, {
        ...graphFixture("calendar-view-week.json")[0],
        id: "AAMkAGI2TGuLAAA-new=",
        subject: "New",
        start: { dateTime: "2026-11-23T16:00:00.0000000", timeZone: "W. Europe Standard Time" },
        end: { dateTime: "2026-11-23T16:30:00.0000000", timeZone: "W. Europe Standard Time" },
      });
      const before = m.requests.length;
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      const calls = m.requests.slice(before).filter((r) => r.path.endsWith("/delta"));
      assert.ok(calls.every((c) => /\$deltatoken=|\$skiptoken=/.test(c.query)), "no full read");
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("16:00"));

      // An expired sync state (410) reads the view in full again.
      m.forgetDeltaTokens();
      m.remove(CAL, "AAMkAGI2TGuLAAA-new=");
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout());
    } finally {
      app.close();
    }
  },
});

function job(bookingId: string, op: "put" | "delete"): OutboxRecord {
  return {
    v: 1,
    id: `job-${op}-${bookingId}`,
    dueMs: 0,
    attempts: 1,
    createdAtMs: 0,
    lastError: null,
    claimedBy: null,
    payload: { kind: "writeback", op, bookingId },
  };
}

Deno.test({
  ...opts,
  name:
    "microsoft writeback: create once (a retry after a lost record is de-duplicated by transactionId), 429 waits for Retry-After, a long Retry-After holds the outbox back, cancel deletes",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok);
      // Two throttled answers with Retry-After: 1 → waited for inside the write.
      m.throttle(1, 1);
      const first = await deliverOutbox(app, app.now());
      assert.equal(first.retried, 0, JSON.stringify(first));
      const booking = (await getBooking(app.kv, booked.bookingId))!;
      const uid = meetingUid(app, booking);
      const ours = () => m.live(CAL).filter((e) => e.transactionId === uid);
      assert.equal(ours().length, 1);
      assert.equal((ours()[0].start as { dateTime: string }).dateTime, "2026-11-23T13:00:00");

      await app.kv.delete(keys.meetingWriteback(uid));
      await app.kv.delete(keys.bookingWriteback(booking.id));
      assert.deepEqual(await writeBack(app, job(booking.id, "put"), app.now()), { ok: true });
      assert.equal(ours().length, 1, "the repeated POST carried the same transactionId");

      // Cancel while Graph asks for 5 minutes of patience: the job waits at least that long.
      m.throttle(10, 300);
      const cancelled = await decideBooking(app, booking.id, "cancel", "host", { hostId: host.id });
      assert.ok(cancelled.ok);
      const stats = await deliverOutbox(app, app.now());
      assert.equal(stats.retried, 1);
      const row = (await listBookingsForHost(app, host, "all"))[0];
      const wb = row.delivery.find((d) => d.kind === "calendar")!;
      assert.equal(wb.state, "retrying");
      assert.match(wb.error!, /slow down \(429\)/);
      app.clock.ms += 2 * MIN; // the usual first retry would be due; Retry-After says not yet
      assert.equal((await deliverOutbox(app, app.now())).done, 0);
      m.throttle(0, 0);
      app.clock.ms += 4 * MIN;
      assert.equal((await deliverOutbox(app, app.now())).done, 1);
      assert.equal(ours().length, 0, "cancelling deleted the event");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft tokens: with rotating refresh tokens, two processes racing to refresh spend the refresh token once and the grant survives",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    const other = await providerApp(m.env, app.kv);
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const account = (await getAccountEntry(app.kv, host.id, result.accountId)).value!;
      m.oauth.expireAccessTokens();
      // Both processes sync at once: each API call gets 401, and both want a new token.
      const [x, y] = await Promise.all([
        syncAccountNow(app, host.id, result.accountId),
        syncAccountNow(other, host.id, result.accountId),
      ]);
      assert.equal(x?.ok, true, JSON.stringify(x));
      assert.equal(y?.ok, true, JSON.stringify(y));
      assert.equal(m.oauth.calls.refresh_token, 1);
      // The rotated refresh token is the stored one: a later refresh still works.
      m.oauth.expireAccessTokens();
      assert.equal((await syncAccountNow(other, host.id, account.id))?.ok, true);
      assert.equal(m.oauth.calls.refresh_token, 2);
      assert.equal((await listCalendarAccounts(app, host.id)).accounts[0].reconnectNeeded, false);
    } finally {
      other.close();
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft writeback: a reschedule moves the one event in place; moved to a time that needs confirmation it shows as tentative, and declining removes it",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok && booked.status === "CONFIRMED");
      await deliverOutbox(app, app.now());
      const booking = (await getBooking(app.kv, booked.bookingId))!;
      const uid = meetingUid(app, booking);
      const ours = () => m.live(CAL).filter((e) => e.transactionId === uid);
      assert.equal(ours().length, 1);
      const eventId = ours()[0].id;
      assert.equal(ours()[0].showAs, "busy");

      // The host moves it: the same event (same Graph id), at the new time.
      const byHost = await rescheduleByHost(app, host.id, booking.id, "2026-11-24T09:00:00Z");
      assert.ok(byHost.ok, JSON.stringify(byHost));
      await deliverOutbox(app, app.now());
      assert.deepEqual(ours().map((e) => e.id), [eventId], "moved in place, not a second event");
      assert.equal((ours()[0].start as { dateTime: string }).dateTime, "2026-11-24T09:00:00");

      // The event type now needs confirmation; the guest moves the meeting again.
      const et = (await listEventTypes(app.kv, host.id)).find((e) => e.slug === "call")!;
      await updateEventType(app.kv, host.id, et.id, (cur) => ({
        ...cur,
        requiresConfirmation: true,
      }));
      // A time the calendar leaves free (its events block others), as a guest in Berlin sees it.
      const free = (await labels(app, "2026-11-26"))[0];
      assert.ok(free);
      const at = `2026-11-26T${String(Number(free.slice(0, 2)) - 1).padStart(2, "0")}:${
        free.slice(3)
      }:00Z`;
      const moved = await rescheduleByGuest(app, byHost.guestToken, at);
      assert.ok(moved.ok && moved.booking.status === "PENDING", JSON.stringify(moved));
      await deliverOutbox(app, app.now());
      assert.deepEqual(ours().map((e) => e.id), [eventId]);
      assert.equal((ours()[0].start as { dateTime: string }).dateTime, at.slice(0, 19));
      assert.equal(ours()[0].showAs, "tentative", "waiting for the host's answer");

      const declined = await decideBooking(app, moved.booking.id, "reject", "host", {
        hostId: host.id,
      });
      assert.ok(declined.ok);
      await deliverOutbox(app, app.now());
      assert.equal(ours().length, 0, "the declined move leaves no event behind");
    } finally {
      app.close();
    }
  },
});

/** A weekly series as Graph keeps it: the master (with every property) and its occurrences. */
function weeklySeries(
  id: string,
  master: Record<string, unknown>,
  dates: string[],
  time: { start: string; end: string; timeZone: string; nextDay?: boolean },
) {
  const at = (date: string, t: string, plusDay = false) => {
    const d = plusDay
      ? new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
      : date;
    return { dateTime: `${d}T${t}.0000000`, timeZone: time.timeZone };
  };
  return [
    {
      id,
      type: "seriesMaster",
      subject: "Series",
      isCancelled: false,
      seriesMasterId: null,
      responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
      start: at(dates[0], time.start),
      end: at(dates[0], time.end, time.nextDay),
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "sunday" },
        range: { type: "noEnd", startDate: dates[0], recurrenceTimeZone: time.timeZone },
      },
      ...master,
    },
    ...dates.map((date, i) => ({
      id: `${id}-occ${i}`,
      type: "occurrence",
      seriesMasterId: id,
      subject: "Series",
      // The occurrence in the store has the master's properties; the delta answer leaves them out.
      ...master,
      start: at(date, time.start),
      end: at(date, time.end, time.nextDay),
    })),
  ];
}

Deno.test({
  ...opts,
  name:
    "microsoft: series occurrences take showAs and isAllDay from their master (same round or an earlier one): a free weekly series and a free all-day series block nothing",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      m.put(
        CAL,
        ...weeklySeries("AAMkSeries-free=", { showAs: "free", isAllDay: false }, [
          "2026-11-30",
          "2026-12-07",
        ], { start: "10:00:00", end: "11:00:00", timeZone: "W. Europe Standard Time" }),
        ...weeklySeries("AAMkSeries-allday-free=", { showAs: "free", isAllDay: true }, [
          "2026-12-01",
          "2026-12-15",
        ], { start: "00:00:00", end: "00:00:00", timeZone: "UTC", nextDay: true }),
      );
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const round = m.requests.filter((r) => r.path.endsWith("/calendarView/delta"));
      assert.ok(round.length > 0);
      assert.deepEqual(await labels(app, "2026-11-30"), dayWithout(), "free series blocks");
      assert.deepEqual(await labels(app, "2026-12-07"), dayWithout());
      assert.deepEqual(await labels(app, "2026-12-01"), dayWithout(), "free all-day series");
      assert.deepEqual(await labels(app, "2026-12-15"), dayWithout());

      // A later delta round lists a new occurrence alone: its master came in an earlier round.
      m.put(CAL, {
        id: "AAMkSeries-free=-occ9",
        type: "occurrence",
        seriesMasterId: "AAMkSeries-free=",
        showAs: "free",
        isAllDay: false,
        start: { dateTime: "2026-12-14T10:00:00.0000000", timeZone: "W. Europe Standard Time" },
        end: { dateTime: "2026-12-14T11:00:00.0000000", timeZone: "W. Europe Standard Time" },
      });
      // And a busy series's occurrence (master busy) still blocks, joined the same way.
      m.put(
        CAL,
        ...weeklySeries("AAMkSeries-busy=", { showAs: "busy", isAllDay: false }, [
          "2026-12-14",
        ], { start: "15:00:00", end: "16:00:00", timeZone: "W. Europe Standard Time" }),
      );
      const before = m.requests.length;
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      const calls = m.requests.slice(before).filter((r) => r.path.endsWith("/delta"));
      assert.ok(calls.every((c) => /\$deltatoken=|\$skiptoken=/.test(c.query)), "no full read");
      assert.deepEqual(await labels(app, "2026-12-14"), dayWithout("15:00", "15:30"));

      // The master turns busy: Graph lists it and its occurrences again, which now block.
      const master = m.live(CAL).find((e) => e.id === "AAMkSeries-free=")!;
      m.put(CAL, { ...master, showAs: "busy" });
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      assert.deepEqual(await labels(app, "2026-12-07"), dayWithout("10:00", "10:30"));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft: an all-day out-of-office occurrence of a Los Angeles host blocks the whole LA day (16:00–17:00 local is not bookable) and nothing of the day before",
  async fn() {
    const m = await startMicrosoft();
    await using _m = m;
    m.calendars = [
      { id: CAL, name: "Calendar", canEdit: true, isDefaultCalendar: true, isRemovable: false },
    ];
    m.put(
      CAL,
      ...weeklySeries("AAMkSeries-oof=", { showAs: "oof", isAllDay: true }, [
        "2026-11-25",
        "2026-12-02",
      ], { start: "00:00:00", end: "00:00:00", timeZone: "UTC", nextDay: true }),
    );
    const app = await providerApp(m.env);
    try {
      const host = await createHost(app, { weekly: WORKDAYS, timeZone: "America/Los_Angeles" });
      await createEventType(app, host, {
        slug: "call",
        title: "Intro call",
        durationMin: 30,
        requiresConfirmation: false,
      });
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const la = async (date: string) => {
        const p = await getSlotPage(app, {
          username: "host",
          slug: "call",
          timeZone: "America/Los_Angeles",
          date,
        });
        assert.ok(p.ok && !p.unavailable);
        return p.slots.map((s) => s.label);
      };
      assert.deepEqual(await la("2026-11-25"), [], "the out-of-office day is blocked");
      assert.deepEqual(await la("2026-12-02"), []);
      assert.deepEqual(await la("2026-11-24"), dayWithout(), "the day before is free");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft throttling: a 429 with Retry-After holds the whole mailbox — no other job (or sync) goes to Graph before that time, across jobs of different bookings; then all go through",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const book = async (i: number, start: string) => {
        const booked = await bookSlot(app, {
          username: "host",
          slug: "call",
          start,
          name: `Guest ${i}`,
          email: `guest${i}@example.test`,
          note: "",
          timeZone: "Europe/Berlin",
        });
        assert.ok(booked.ok);
      };
      await book(1, "2026-11-23T13:00:00Z");
      await book(2, "2026-11-23T14:00:00Z");
      const posts = () => m.requests.filter((r) => r.method === "POST").length;
      const graphCalls = () => m.requests.filter((r) => r.path.startsWith("/v1.0/")).length;
      const ours = () => m.live(CAL).filter((e) => typeof e.transactionId === "string").length;

      // The sync meets Graph's throttling of the mailbox: 30 s.
      m.throttle(1, 30);
      app.clock.ms += 15 * MIN;
      const sync = await syncAccountNow(app, host.id, result.accountId);
      assert.equal(sync?.ok, false);
      // Both bookings' writeback jobs wait for it instead of calling Graph.
      const held = await deliverOutbox(app, app.now());
      assert.equal(posts(), 0, "no job went out while the mailbox waits");
      assert.equal(held.retried, 2, JSON.stringify(held));
      app.clock.ms += 10_000;
      const before = graphCalls();
      await deliverOutbox(app, app.now());
      await syncAccountNow(app, host.id, result.accountId);
      assert.equal(graphCalls(), before, "nothing reached Graph inside the Retry-After");
      // Past the hold (and the outbox's usual backoff) both go through.
      app.clock.ms += 5 * MIN;
      assert.equal((await deliverOutbox(app, app.now())).done, 2);
      assert.equal(ours(), 2);

      // One job meets the throttling; the next booking's job, 5 s later, waits for it as well.
      await book(3, "2026-11-24T08:00:00Z");
      m.throttle(1, 30);
      const third = await deliverOutbox(app, app.now());
      assert.equal(third.retried, 1);
      const after3 = posts();
      await book(4, "2026-11-24T09:00:00Z");
      app.clock.ms += 5_000;
      const fourth = await deliverOutbox(app, app.now());
      assert.equal(posts(), after3, "the next job did not go out 5 s later");
      assert.equal(fourth.retried, 1, JSON.stringify(fourth));
      app.clock.ms += 5 * MIN;
      assert.equal((await deliverOutbox(app, app.now())).done, 2);
      assert.equal(ours(), 4);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft: one meeting in the host's mailbox — Graph cannot take the meeting's UID, so with writeback to Microsoft 365 the host's mails carry no .ics (the written event is the meeting); the guest's do, and the guest is no attendee (Graph would invite them)",
  async fn() {
    const { m, app, host } = await setup();
    await using _m = m;
    try {
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok);
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok && booked.status === "CONFIRMED");
      await deliverOutbox(app, app.now());
      const toHost = app.mailer.sent.filter((x) => x.to === host.email);
      assert.ok(toHost.length >= 1, "the host is told by mail");
      assert.deepEqual(toHost.filter((x) => x.icalEvent), [], "no second meeting by mail");
      const toGuest = app.mailer.sent.filter((x) => x.to === "jane@example.test");
      assert.equal(toGuest.filter((x) => x.icalEvent?.method === "REQUEST").length, 1);
      const booking = (await getBooking(app.kv, booked.bookingId))!;
      const written = m.live(CAL).filter((e) => e.transactionId === meetingUid(app, booking));
      assert.equal(written.length, 1, "the meeting is the written event");
      assert.equal(written[0].attendees, undefined);

      // Cancelled: the event goes, and the host's mail carries no CANCEL for a meeting it never
      // sent; the guest's does.
      const cancelled = await decideBooking(app, booking.id, "cancel", "host", { hostId: host.id });
      assert.ok(cancelled.ok);
      await deliverOutbox(app, app.now());
      assert.equal(
        m.live(CAL).filter((e) => e.transactionId === meetingUid(app, booking)).length,
        0,
      );
      assert.deepEqual(app.mailer.sent.filter((x) => x.to === host.email && x.icalEvent), []);
      assert.equal(
        app.mailer.sent.filter((x) =>
          x.to === "jane@example.test" && x.icalEvent?.method === "CANCEL"
        )
          .length,
        1,
      );
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "microsoft: a calendar Graph lists without a name is named by its owner's address, not the English “Calendar” every host would read",
  async fn() {
    const m = await startMicrosoft();
    await using _m = m;
    m.calendars = [
      { id: CAL, name: "", canEdit: true, isDefaultCalendar: true, isRemovable: false },
    ];
    const app = await providerApp(m.env);
    try {
      const host = await hostWithEventType(app);
      const { result } = await connectVia(app, host, "microsoft", m.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const a = (await listCalendarAccounts(app, host.id)).accounts[0];
      assert.deepEqual(a.calendars.map((c) => c.name), ["ann@contoso.example"]);
    } finally {
      app.close();
    }
  },
});
