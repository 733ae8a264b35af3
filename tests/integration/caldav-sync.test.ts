/**
 * Busy sync against a real Radicale: what the host's calendar holds becomes busy time for the
 * slot engine (single, all-day, weekly with EXDATE and a moved instance, a TZID in another zone),
 * transparent events do not, and changes on the server (deletions) show after the next sync.
 */
import assert from "node:assert/strict";
import { at, deleteIcs, MIN, setupCaldav, vcalendar, vevent } from "./caldav-helpers.ts";
import { calendarBusy } from "../../src/lib/server/services/calendar-busy.ts";
import { syncDueAccounts } from "../../src/lib/server/services/sync-calendars.ts";
import { getSlotPage } from "../../src/lib/server/services/slot-page.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { listHeads } from "../../src/lib/server/store/calendar-busy.ts";
import {
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import type { TestApp } from "../support/memory-app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const fmt = (ms: number) => new Date(ms).toISOString().replace(":00.000Z", "Z");
async function busyList(app: TestApp, hostId: string, from: string, to: string): Promise<string[]> {
  const d = await calendarBusy(app, hostId, at(from), at(to), app.now());
  assert.deepEqual(d.unknown, [], "the cache is fresh");
  return d.busy.map((w) => `${fmt(w.startMs)}/${fmt(w.endMs)}`);
}
async function slotLabels(app: TestApp, date: string): Promise<string[]> {
  const page = await getSlotPage(app, {
    username: "host",
    slug: "call",
    timeZone: "Europe/Berlin",
    date,
  });
  assert.ok(page.ok);
  return page.slots.map((s) => s.label);
}

Deno.test({
  ...opts,
  name:
    "caldav sync: a single event, an all-day event, a weekly series with EXDATE and a moved instance, and a New York event block their times; a transparent event does not",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await dav.putIcs(
      "work",
      "single.ics",
      vevent("single@test", [
        "SUMMARY:Dentist",
        "DTSTART;TZID=Europe/Berlin:20261123T100000",
        "DTEND;TZID=Europe/Berlin:20261123T110000",
        // Radicale stores what it gets; a VTIMEZONE-less IANA TZID is common from some clients.
      ]),
    );
    await dav.putIcs(
      "work",
      "allday.ics",
      vevent("allday@test", [
        "SUMMARY:Offsite",
        "DTSTART;VALUE=DATE:20261124",
        "DTEND;VALUE=DATE:20261125",
      ]),
    );
    await dav.putIcs(
      "work",
      "weekly.ics",
      vcalendar("weekly@test", [
        [
          "SUMMARY:Weekly review",
          "DTSTART;TZID=Europe/Berlin:20261125T090000",
          "DTEND;TZID=Europe/Berlin:20261125T100000",
          "RRULE:FREQ=WEEKLY;BYDAY=WE",
          "EXDATE;TZID=Europe/Berlin:20261202T090000",
        ],
        [
          "SUMMARY:Weekly review (moved)",
          "RECURRENCE-ID;TZID=Europe/Berlin:20261209T090000",
          "DTSTART;TZID=Europe/Berlin:20261210T140000",
          "DTEND;TZID=Europe/Berlin:20261210T150000",
        ],
      ]),
    );
    await dav.putIcs(
      "work",
      "newyork.ics",
      vevent("ny@test", [
        "SUMMARY:Call with New York",
        "DTSTART;TZID=America/New_York:20261126T060000",
        "DTEND;TZID=America/New_York:20261126T070000",
      ]),
    );
    await dav.putIcs(
      "work",
      "free.ics",
      vevent("free@test", [
        "SUMMARY:Focus (free)",
        "TRANSP:TRANSPARENT",
        "DTSTART;TZID=Europe/Berlin:20261127T090000",
        "DTEND;TZID=Europe/Berlin:20261127T120000",
      ]),
    );
    const res = await syncAccountNow(app, host.id, s.accountId);
    assert.deepEqual(res, { ok: true, calendars: 1 });

    assert.deepEqual(await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-12-17T00:00:00Z"), [
      "2026-11-23T09:00Z/2026-11-23T10:00Z", // 10:00 Berlin
      "2026-11-23T23:00Z/2026-11-24T23:00Z", // all of Tuesday in Berlin
      "2026-11-25T08:00Z/2026-11-25T09:00Z", // weekly, Wednesday 09:00 Berlin
      "2026-11-26T11:00Z/2026-11-26T12:00Z", // 06:00 New York
      // 2 Dec excluded, 9 Dec moved to Thursday 10 Dec 14:00 Berlin
      "2026-12-10T13:00Z/2026-12-10T14:00Z",
      "2026-12-16T08:00Z/2026-12-16T09:00Z",
    ]);
    // What a guest sees (Berlin): the blocked half-hours are gone, the rest stays.
    const monday = await slotLabels(app, "2026-11-23");
    assert.ok(!monday.includes("10:00") && !monday.includes("10:30"));
    assert.ok(monday.includes("09:30") && monday.includes("11:00"));
    assert.deepEqual(await slotLabels(app, "2026-11-24"), []);
    const thursday = await slotLabels(app, "2026-11-26");
    assert.ok(
      !thursday.includes("12:00") && !thursday.includes("12:30") && thursday.includes("13:00"),
    );
    assert.ok(
      (await slotLabels(app, "2026-11-27")).includes("09:00"),
      "a transparent event leaves the time free",
    );
    // And booking a blocked time is refused even with a hand-made request.
    const booked = await bookSlot(app, {
      username: "host",
      slug: "call",
      start: "2026-11-23T09:30:00Z",
      name: "G",
      email: "g@example.test",
      note: "",
      timeZone: "Europe/Berlin",
    });
    assert.deepEqual(booked, { ok: false, reason: "slot_taken" });
  },
});

Deno.test({
  ...opts,
  name:
    "caldav sync: an event deleted on the server stops blocking after the next sync; an unchanged calendar is confirmed by its ctag without a re-read",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await dav.putIcs(
      "work",
      "gone.ics",
      vevent("gone@test", ["DTSTART:20261123T090000Z", "DTEND:20261123T100000Z"]),
    );
    await dav.putIcs(
      "work",
      "stays.ics",
      vevent("stays@test", ["DTSTART:20261123T130000Z", "DTEND:20261123T140000Z"]),
    );
    await syncAccountNow(app, host.id, s.accountId);
    assert.equal(
      (await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")).length,
      2,
    );
    const [before] = await listHeads(app.kv, host.id);

    // Nothing changed: the next due sync keeps the cached generation and just refreshes its age.
    app.clock.ms += 15 * MIN;
    assert.deepEqual(await syncDueAccounts(app, app.now()), { synced: 1, failed: 0, skipped: 0 });
    const [unchanged] = await listHeads(app.kv, host.id);
    assert.equal(unchanged.gen, before.gen);
    assert.equal(unchanged.syncedAtMs, app.now());

    await deleteIcs(dav, "work", "gone.ics");
    assert.ok(
      !(await slotLabels(app, "2026-11-23")).includes("10:00"),
      "still blocked until the next sync",
    );
    app.clock.ms += 15 * MIN;
    await syncDueAccounts(app, app.now());
    assert.deepEqual(await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"), [
      "2026-11-23T13:00Z/2026-11-23T14:00Z",
    ]);
    assert.ok((await slotLabels(app, "2026-11-23")).includes("10:00"));
    // The old generation's chunks are gone, not just hidden.
    const gens = new Set<string>();
    for await (const e of app.kv.list({ prefix: ["calendar_busy", host.id] })) {
      gens.add(String(e.key[4]));
    }
    assert.deepEqual([...gens], [(await listHeads(app.kv, host.id))[0].gen]);
  },
});

Deno.test({
  ...opts,
  name:
    "caldav sync: a malformed event is skipped and shown to the host, the rest of the calendar still blocks",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    // Radicale accepts it; Invito cannot place an event that ends before it starts.
    await dav.putIcs(
      "work",
      "bad.ics",
      vevent("backwards@test", ["DTSTART:20261123T110000Z", "DTEND:20261123T100000Z"]),
    );
    await dav.putIcs(
      "work",
      "good.ics",
      vevent("good@test", ["DTSTART:20261123T130000Z", "DTEND:20261123T140000Z"]),
    );
    const res = await syncAccountNow(app, host.id, s.accountId);
    assert.ok(res?.ok);
    assert.deepEqual(await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"), [
      "2026-11-23T13:00Z/2026-11-23T14:00Z",
    ]);
    const view = await listCalendarAccounts(app, host.id);
    assert.deepEqual(view.accounts[0].calendars[0].skipped, [{
      uid: "backwards@test",
      reason: "ends before it starts",
    }]);
  },
});

Deno.test({
  ...opts,
  name:
    "caldav sync: a calendar turned off no longer blocks, one found later on the server is listed but not checked until turned on",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    const { saveCalendarSettings } = await import(
      "../../src/lib/server/services/calendar-accounts.ts"
    );
    await dav.putIcs(
      "work",
      "a.ics",
      vevent("a@test", ["DTSTART:20261123T090000Z", "DTEND:20261123T100000Z"]),
    );
    await dav.mkcalendar("private", "Private");
    await dav.putIcs(
      "private",
      "b.ics",
      vevent("b@test", ["DTSTART:20261123T130000Z", "DTEND:20261123T140000Z"]),
    );
    await syncAccountNow(app, host.id, s.accountId);
    let view = (await listCalendarAccounts(app, host.id)).accounts[0].calendars;
    const work = view.find((c) => c.name === "Work")!;
    const priv = view.find((c) => c.name === "Private")!;
    assert.equal(work.checkConflicts, true);
    assert.equal(priv.checkConflicts, false, "found after connecting: the host decides");
    assert.equal(
      (await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")).length,
      1,
    );

    const saved = await saveCalendarSettings(app, host.id, {
      conflicts: [priv.id],
      writeback: work.id,
    });
    assert.ok(saved.ok);
    // Turned on → unknown until read (never empty); reading it makes it count.
    assert.equal(
      (await calendarBusy(
        app,
        host.id,
        at("2026-11-23T00:00:00Z"),
        at("2026-11-24T00:00:00Z"),
        app.now(),
      )).unknown.length,
      1,
    );
    await syncAccountNow(app, host.id, s.accountId);
    assert.deepEqual(await busyList(app, host.id, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"), [
      "2026-11-23T13:00Z/2026-11-23T14:00Z",
    ]);
    view = (await listCalendarAccounts(app, host.id)).accounts[0].calendars;
    assert.equal(view.find((c) => c.name === "Work")!.writeback, true);
  },
});
