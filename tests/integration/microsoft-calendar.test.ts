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
import { meetingUid, writeBack } from "../../src/lib/server/services/calendar-writeback.ts";
import { getAccountEntry } from "../../src/lib/server/store/calendars.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listBookingsForHost } from "../../src/lib/server/services/host-bookings.ts";
import type { OutboxRecord } from "../../src/lib/server/store/records.ts";

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
