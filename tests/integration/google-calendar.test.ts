/**
 * Google Calendar against the local server of tests/support/google.ts (Calendar API v3 and
 * Google's OAuth as documented): connect, busy sync from a real `events.list` payload (series as
 * instances, a cancelled and a moved instance, all-day, transparent, tentative, declined, another
 * zone), incremental sync with sync tokens and 410, writeback that stays one event through
 * retries and restarts, revoked consent, and refresh races between two processes on one KV.
 */
import assert from "node:assert/strict";
import { googleFixture, startGoogle } from "../support/google.ts";
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
import { decideBooking, rescheduleByHost } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { writeBack } from "../../src/lib/server/services/calendar-writeback.ts";
import { meetingUid } from "../../src/lib/server/services/writeback-events.ts";
import { getTokenEntry } from "../../src/lib/server/store/calendar-tokens.ts";
import { getAccountEntry } from "../../src/lib/server/store/calendars.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { tokenSource } from "../../src/lib/server/services/calendar-tokens.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { calendarBusy } from "../../src/lib/server/services/calendar-busy.ts";
import type { OutboxRecord } from "../../src/lib/server/domain/model/records.ts";
import { createHost, WORKDAYS } from "../support/memory-app.ts";
import { seedTeamEventType } from "../support/teams.ts";
import { insertTeam } from "../../src/lib/server/store/teams.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import { listBookingsForHost } from "../../src/lib/server/services/host-bookings.ts";
import { translator } from "../../src/lib/server/i18n.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

const PRIMARY = "ann@example.com";

async function setup() {
  const g = await startGoogle();
  g.calendars = [
    { id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true, backgroundColor: "#9fe1e7" },
    {
      id: "de.german#holiday@group.v.calendar.google.com",
      summary: "Holidays",
      accessRole: "reader",
    },
  ];
  g.put(PRIMARY, ...googleFixture("events-week.json"));
  const app = await providerApp(g.env);
  const host = await hostWithEventType(app);
  return { g, app, host };
}

Deno.test({
  ...opts,
  name:
    "google: connecting lists the calendars (primary checked and receiving bookings, subscribed ones listed but unchecked) and its events block exactly the right slots",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.sync.ok, true, JSON.stringify(result.sync));
      const dash = await listCalendarAccounts(app, host.id);
      assert.equal(dash.accounts.length, 1);
      const a = dash.accounts[0];
      assert.equal(a.provider, "google");
      assert.equal(a.username, PRIMARY);
      assert.deepEqual(
        a.calendars.map((c) => [c.name, c.checkConflicts, c.writeback, c.writable]),
        [["Ann", true, true, true], ["Holidays", false, false, false]],
      );
      // Monday: the dentist 10:00–11:00.
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("10:00", "10:30"));
      // Tuesday: the series instance 14:00–15:00.
      assert.deepEqual(await labels(app, "2026-11-24"), dayWithout("14:00", "14:30"));
      // Wednesday: the all-day conference, in the host's zone.
      assert.deepEqual(await labels(app, "2026-11-25"), []);
      // Thursday: the tentative lunch blocks; the transparent reading and the declined pitch do not.
      assert.deepEqual(await labels(app, "2026-11-26"), dayWithout("12:00", "12:30"));
      // Friday: 09:00 in New York is 15:00 in Berlin.
      assert.deepEqual(await labels(app, "2026-11-27"), dayWithout("15:00", "15:30"));
      // 1 December: the cancelled instance does not block; 8 December: the moved one blocks 16:00.
      assert.deepEqual(await labels(app, "2026-12-01"), dayWithout());
      assert.deepEqual(await labels(app, "2026-12-08"), dayWithout("16:00", "16:30"));
      // Tokens are sealed: no token text in the stored record.
      const token = await getTokenEntry(app.kv, host.id, result.accountId);
      const raw = JSON.stringify(token.value);
      for (const t of g.oauth.accessTokens.keys()) assert.ok(!raw.includes(t));
      for (const t of g.oauth.refreshTokens.keys()) assert.ok(!raw.includes(t));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google: later syncs read only changes (sync token): a deleted event and a cancelled series stop blocking, a new one blocks; an expired token (410) reads everything again",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok);
      const listCalls = () =>
        g.requests.filter((r) => r.path.endsWith("/events") && r.method === "GET");
      const before = listCalls().length;

      // Nothing changed: one incremental call, no full read.
      app.clock.ms += 15 * MIN;
      assert.deepEqual(await syncAccountNow(app, host.id, result.accountId), {
        ok: true,
        calendars: 1,
      });
      const calls = listCalls().slice(before);
      assert.equal(calls.length, 1);
      assert.match(calls[0].query, /syncToken=s-\d+/);
      assert.doesNotMatch(calls[0].query, /timeMin/);

      g.remove(PRIMARY, "dentist2611");
      g.removeSeries(PRIMARY, "teamsync7q3");
      g.put(PRIMARY, {
        id: "newmeeting",
        status: "confirmed",
        summary: "New",
        start: { dateTime: "2026-11-23T15:00:00+01:00" },
        end: { dateTime: "2026-11-23T15:30:00+01:00" },
      });
      app.clock.ms += 15 * MIN;
      await syncAccountNow(app, host.id, result.accountId);
      assert.deepEqual(await labels(app, "2026-11-23"), dayWithout("15:00"));
      assert.deepEqual(await labels(app, "2026-11-24"), dayWithout());
      assert.deepEqual(await labels(app, "2026-12-08"), dayWithout());

      g.expireSyncTokens();
      g.remove(PRIMARY, "newmeeting");
      const beforeFull = listCalls().length;
      app.clock.ms += 15 * MIN;
      assert.equal((await syncAccountNow(app, host.id, result.accountId))?.ok, true);
      const after = listCalls().slice(beforeFull).map((c) => c.query);
      assert.equal(after.length, 2, "the refused incremental call, then a full read");
      assert.match(after[1], /timeMin=/);
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
    "google writeback: confirm creates one event (the meeting's UID as iCalUID, no double-blocking), a redelivery after a lost record is still one event, a reschedule keeping the UID updates it in place, cancel deletes it",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
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
      // Our event carries the meeting's UID as its iCalUID (Google chose its id).
      const uid = meetingUid(app, booking);
      const ours = () => g.live(PRIMARY).filter((e) => e.iCalUID === uid);
      assert.equal(ours().length, 1);
      const ev = ours()[0] as Record<string, { dateTime?: string }>;
      assert.equal(ev.start.dateTime, "2026-11-23T13:00:00.000Z");
      assert.equal(ev.summary as unknown, "Intro call with Jane Doe");
      assert.equal(
        g.requests.find((r) => r.method === "POST")?.query ?? "",
        "?sendUpdates=none",
        "Google must not mail the guest: Invito does",
      );

      // A crash after Google created the event but before we recorded it: the retry finds it.
      await app.kv.delete(keys.meetingWriteback(meetingUid(app, booking)));
      await app.kv.delete(keys.bookingWriteback(booking.id));
      assert.deepEqual(await writeBack(app, job(booking.id, "put"), app.now()), { ok: true });
      assert.equal(ours().length, 1, "still exactly one event");

      // Our own event, synced back, does not block a second time.
      app.clock.ms += 15 * MIN;
      await syncAccountNow(app, host.id, result.accountId);
      const busy = await calendarBusy(
        app,
        host.id,
        Date.parse("2026-11-23T00:00:00Z"),
        Date.parse("2026-11-24T00:00:00Z"),
        app.now(),
      );
      assert.deepEqual(busy.busy, [{
        startMs: Date.parse("2026-11-23T09:00:00Z"),
        endMs: Date.parse("2026-11-23T10:00:00Z"),
      }], "only the dentist: our own event adds no busy time");
      assert.ok(!(await labels(app, "2026-11-23")).includes("14:00"), "the booking itself blocks");

      // The booking engine's reschedule keeps the UID: the successor's write moves the event.
      const seqBefore = Number(ours()[0].sequence);
      const moved = await rescheduleByHost(app, host.id, booking.id, "2026-11-24T09:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      assert.equal(meetingUid(app, moved.booking), meetingUid(app, booking));
      await deliverOutbox(app, app.now());
      assert.equal(ours().length, 1, "updated in place, not a second event");
      assert.equal(
        (ours()[0] as Record<string, { dateTime?: string }>).start.dateTime,
        "2026-11-24T09:00:00.000Z",
      );
      assert.ok(Number(ours()[0].sequence) > seqBefore, "a higher SEQUENCE");
      assert.equal(g.requests.filter((r) => r.method === "PATCH").length >= 2, true);
      // A delete of the old booking (a job from before the move) leaves the moved event alone.
      assert.deepEqual(await writeBack(app, job(booking.id, "delete"), app.now()), { ok: true });
      assert.equal(ours().length, 1);

      const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
        hostId: host.id,
      });
      assert.ok(cancelled.ok);
      await deliverOutbox(app, app.now());
      assert.equal(ours().length, 0, "cancelling deleted it");
      const gone = moved.booking.id;
      // A second delete (a redelivery) is fine: Google answers 410, which counts as done.
      assert.deepEqual(await writeBack(app, job(gone, "delete"), app.now()), { ok: true });
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google: a German host whose consent was revoked reads why in German, on the calendars page and in the mail (Google's refusal was English inside German)",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      await app.kv.set(keys.user(host.id), { ...host, locale: "de" });
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok);
      g.oauth.revokeAll();
      app.clock.ms += 2 * 60 * MIN; // past the access token's life: a refresh is tried and refused
      await syncAccountNow(app, host.id, result.accountId);
      const said = /Google akzeptiert den Zugriff von Invito nicht mehr \(invalid_grant\)/;
      const dash = await listCalendarAccounts(app, host.id, translator("de"));
      assert.match(dash.accounts[0].error!, said);
      await deliverOutbox(app, app.now());
      const mail = app.mailer.sent.find((m) => m.to === host.email);
      assert.ok(mail, "the host is told");
      assert.match(mail.text!, said);
      assert.doesNotMatch(mail.text!, /no longer accepts/);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google: revoked consent fails closed at once (same guest message as CalDAV), mails the host exactly once per incident, and reconnecting ends it",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok);
      assert.notDeepEqual(await labels(app, "2026-11-23"), ["unavailable"]);
      g.oauth.revokeAll();
      app.clock.ms += 15 * MIN;
      for (let i = 0; i < 3; i++) {
        const res = await syncAccountNow(app, host.id, result.accountId);
        assert.equal(res?.ok, false);
        app.clock.ms += MIN;
      }
      assert.deepEqual(await labels(app, "2026-11-23"), ["unavailable"]);
      const refused = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T14:00:00Z",
        name: "Jane",
        email: "jane@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.deepEqual(refused, { ok: false, reason: "calendar_unavailable" });
      const dash = await listCalendarAccounts(app, host.id);
      assert.equal(dash.paused, true);
      assert.equal(dash.accounts[0].reconnectNeeded, true);
      assert.match(dash.accounts[0].error!, /^Reconnect needed:/);
      await deliverOutbox(app, app.now());
      const mails = app.mailer.sent.filter((m) => /Reconnect/.test(m.subject));
      assert.equal(mails.length, 1, "one mail for the incident");
      assert.equal(mails[0].to, host.email);
      assert.match(mails[0].text!, /http:\/\/invito\.test\/dashboard\/calendars/);

      const again = await connectVia(app, host, "google", g.oauth, { reconnect: result.accountId });
      assert.ok(again.result.ok, JSON.stringify(again.result));
      assert.equal(again.result.reconnected, true);
      assert.notDeepEqual(await labels(app, "2026-11-23"), ["unavailable"]);
      const after = await listCalendarAccounts(app, host.id);
      assert.equal(after.accounts.length, 1, "the same account, not a second one");
      assert.equal(after.accounts[0].reconnectNeeded, false);
      assert.equal(after.paused, false);

      // A new incident gets its own (one) mail.
      g.oauth.revokeAll();
      app.clock.ms += 2 * 60 * MIN; // past the access token's life: a refresh is tried and refused
      await syncAccountNow(app, host.id, result.accountId);
      await syncAccountNow(app, host.id, result.accountId);
      await deliverOutbox(app, app.now());
      assert.equal(app.mailer.sent.filter((m) => /Reconnect/.test(m.subject)).length, 2);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google tokens: two processes on one KV needing a fresh token at once refresh it exactly once and both use the new token",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    const other = await providerApp(g.env, app.kv);
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok);
      const account = (await getAccountEntry(app.kv, host.id, result.accountId)).value!;
      // An hour later both processes find the access token expiring.
      app.clock.ms += 60 * MIN;
      other.clock.ms = app.clock.ms;
      const refreshesBefore = g.oauth.calls.refresh_token;
      const a = tokenSource(app, account);
      const b = tokenSource(other, account);
      const got = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).get()),
      );
      assert.equal(g.oauth.calls.refresh_token - refreshesBefore, 1, "exactly one refresh");
      const tokens = new Set(got.map((r) => (r.ok ? r.accessToken : `error: ${r.error.detail}`)));
      assert.equal(tokens.size, 1, [...tokens].join(", "));
      assert.ok(g.oauth.accessTokens.has([...tokens][0]), "the new access token");
    } finally {
      other.close();
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google and teams: a member's Google busy time removes the collective's slots, and the booking is written into that member's Google calendar as one meeting naming both",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      const ben = await createHost(app, {
        username: "ben",
        weekly: WORKDAYS,
        timeZone: "Europe/Berlin",
      });
      const nowMs = app.now();
      const team = {
        v: 1 as const,
        id: "01JTEAMGOOGLE0000000000000",
        slug: "crew",
        name: "The Crew",
        timeZone: "Europe/Berlin",
        members: [host, ben].map((u, i) => ({
          userId: u.id,
          role: i === 0 ? "owner" as const : "member" as const,
          weight: 1,
          priority: 2,
          joinedAtMs: nowMs,
        })),
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
      };
      assert.ok((await insertTeam(app.kv, team)).ok);
      await seedTeamEventType(app, team, {
        slug: "pair",
        title: "Pair call",
        teamMode: "collective",
        durationMin: 30,
      });
      const teamLabels = async (date: string) => {
        const p = await getSlotPage(app, {
          username: "",
          team: "crew",
          slug: "pair",
          timeZone: "Europe/Berlin",
          date,
        });
        assert.ok(p.ok);
        return p.unavailable ? ["unavailable"] : p.slots.map((s) => s.label);
      };
      // Monday: Ann's dentist 10:00–11:00 in her Google calendar; Ben is free all day.
      assert.deepEqual(await teamLabels("2026-11-23"), dayWithout("10:00", "10:30"));

      const booked = await bookTeamSlot(app, {
        team: "crew",
        slug: "pair",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok, JSON.stringify(booked));
      await deliverOutbox(app, app.now());
      const booking = (await getBooking(app.kv, booked.bookingId))!;
      const events = g.live(PRIMARY).filter((e) => e.iCalUID === meetingUid(app, booking));
      assert.equal(events.length, 1, "one event in Ann's Google calendar");
      assert.match(String(events[0].description), /With: Host host, Host ben/);
      assert.equal(events[0].attendees, undefined, "Google invites nobody: Invito mails them");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google writeback: a connection dropped mid-answer tells the host Google Calendar could not be reached and will be tried again — not the CalDAV address advice — and the retry writes the event",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
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
      // Google starts answering, then the connection drops.
      g.override = (req) => {
        if (req.method === "GET") return null;
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"kind": "calendar#event", "id": '));
            c.error(new Error("connection reset"));
          },
        });
        return new Response(body, { headers: { "content-type": "application/json" } });
      };
      const first = await deliverOutbox(app, app.now());
      assert.equal(first.retried, 1, JSON.stringify(first));
      const row = (await listBookingsForHost(app, host, "all"))[0];
      const wb = row.delivery.find((d) => d.kind === "calendar")!;
      assert.equal(wb.state, "retrying");
      assert.match(wb.error!, /^Google Calendar could not be reached/);
      assert.match(wb.error!, /try again/);
      assert.doesNotMatch(wb.error!, /address|public internet/i);

      g.override = null;
      app.clock.ms += 10 * MIN;
      assert.equal((await deliverOutbox(app, app.now())).done, 1);
      const after = (await listBookingsForHost(app, host, "all"))[0];
      assert.ok(!after.delivery.some((d) => d.kind === "calendar" && d.error), "no error left");
      const written = g.live(PRIMARY).filter((e) =>
        e.summary && String(e.summary).includes("Jane")
      );
      assert.equal(written.length, 1, "the retry wrote the event");
    } finally {
      app.close();
    }
  },
});

/** The UID of an iCalendar document (lines unfolded). */
const icsUid = (ics: string) => /^UID:(.+)$/m.exec(ics.replace(/\r?\n[ \t]/g, ""))?.[1]?.trim();

Deno.test({
  ...opts,
  name:
    "google writeback: the written event is the meeting of the mails — its iCalUID is the .ics UID the host and the guest receive; the guest is no attendee and Google sends nobody anything, so the host gets one invitation",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
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
      const invites = (to: string) =>
        app.mailer.sent.filter((m) => m.to === to && m.icalEvent?.method === "REQUEST");
      assert.equal(invites(host.email).length, 1, "the host gets one invitation");
      assert.equal(invites("jane@example.test").length, 1);
      const uid = icsUid(invites(host.email)[0].icalEvent!.content);
      assert.ok(uid);
      assert.equal(icsUid(invites("jane@example.test")[0].icalEvent!.content), uid);

      const written = g.live(PRIMARY).filter((e) =>
        (e.extendedProperties as { private?: { invitoUid?: string } } | undefined)?.private
          ?.invitoUid === uid
      );
      assert.equal(written.length, 1);
      assert.equal(written[0].iCalUID, uid, "one meeting: the mail's UID is the event's iCalUID");
      assert.equal(written[0].attendees, undefined, "the guest is not an attendee");
      for (const r of g.requests.filter((r) => r.method !== "GET")) {
        assert.match(r.query, /sendUpdates=none/, "Google mails nobody");
      }

      // A crash after Google created the event but before Invito recorded it: the retry finds
      // the event by its iCalUID and updates it; still one event with that UID.
      const booking = (await getBooking(app.kv, booked.bookingId))!;
      await app.kv.delete(keys.meetingWriteback(meetingUid(app, booking)));
      await app.kv.delete(keys.bookingWriteback(booking.id));
      assert.deepEqual(await writeBack(app, job(booking.id, "put"), app.now()), { ok: true });
      assert.equal(g.live(PRIMARY).filter((e) => e.iCalUID === uid).length, 1);
    } finally {
      app.close();
    }
  },
});
