import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { guardKv, guardStats } from "../../../../tests/support/kv-guard.ts";
import { exportHostJson } from "./host-data.ts";
import { importHostData, type ImportReport } from "./host-import.ts";
import { bookSlot } from "./book-slot.ts";
import { decideBooking } from "./decide-booking.ts";
import { manageState } from "./guest-manage.ts";
import { bookingForToken, bookingToken } from "./booking-links.ts";
import { getSlotPage } from "./slot-page.ts";
import { getSlotRange } from "./slot-range.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { createPoll } from "./polls.ts";
import { votePoll } from "./poll-votes.ts";
import { pickPollTime } from "./poll-pick.ts";
import { listBookingsForHost } from "./host-bookings.ts";
import { getBooking, listHostBookings, listSeriesBookings } from "../store/bookings.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getUser, newId } from "../store/users.ts";
import { keys } from "../store/keys.ts";
import { meetingUid } from "../domain/calendar-identity.ts";
import { overlaps } from "../domain/interval.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";

const collect = async (it: AsyncIterable<string>) => {
  let s = "";
  for await (const c of it) s += c;
  return s;
};

// Monday 23 Nov 2026 in Berlin (UTC+1): 09:00 = 08:00Z.
const NOW = "2026-11-20T08:00:00Z";
const at = (hhmm: string, day = "2026-11-23") => `${day}T${hhmm}:00Z`;

const guest = (n: number, start: string, extra: Record<string, string> = {}) => ({
  username: "mover",
  slug: "intro",
  start,
  name: `Guest ${n}`,
  email: `g${n}@example.test`,
  note: n === 1 ? "Line one\nline two" : "",
  timeZone: "America/New_York",
  rawAnswers: extra,
});

/**
 * The old server: a host with two event types (one needs confirmation and asks a question) and
 * bookings in every state, some of them past by the time of the export.
 */
async function oldServer() {
  const app = await memoryApp({ nowIso: "2026-11-01T08:00:00Z" });
  const host = await createHost(app, { username: "mover", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    title: "Intro <script>alert(1)</script>",
    questions: [
      { id: "topic", label: "Topic", type: "short", required: true },
      { id: "nda", label: "Signed the NDA", type: "checkbox", required: false },
    ],
    bookingWindowDays: 90,
  });
  await createEventType(app, host, {
    slug: "deep-dive",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
  });
  const booked: Record<string, string> = {};
  const book = async (name: string, input: Parameters<typeof bookSlot>[1]) => {
    const r = await bookSlot(app, input);
    assert.ok(r.ok, `${name}: ${JSON.stringify(r)}`);
    booked[name] = r.bookingId;
  };
  // Past by the export (the clock moves on below): a confirmed meeting and a rejected request.
  await book("pastConfirmed", {
    ...guest(2, at("08:00", "2026-11-09")),
    slug: "deep-dive",
  });
  await book("rejected", guest(3, at("10:00", "2026-11-09"), { q_topic: "no" }));
  assert.ok((await decideBooking(app, booked.rejected, "reject", "host")).ok);
  app.clock.ms = Date.parse(NOW);
  // Ahead: a pending request (its hold ends 24 h after it was made), a confirmed meeting, and a
  // confirmed meeting the guest cancelled.
  // A French guest (their mails and pages are in French) who ticked the box.
  await book("pending", {
    ...guest(1, at("08:00"), { q_topic: "Pricing <b>now</b>", q_nda: "on" }),
    locale: "fr",
  });
  await book("confirmed", { ...guest(4, at("10:00")), slug: "deep-dive" });
  await book("cancelled", { ...guest(5, at("13:00")), slug: "deep-dive" });
  assert.ok((await decideBooking(app, booked.cancelled, "cancel", "guest")).ok);
  const text = await collect(exportHostJson(app, host));
  const records = await listHostBookings(app.kv, host.id);
  return { app, host, text, booked, records };
}

/** The new server, on a KV that refuses what remote KV would (and counts what it saw). */
async function newServer() {
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  const app = await memoryApp({
    kv,
    nowIso: NOW,
    // Tests import many files as one host; the per-host import limit has its own test.
    env: { INVITO_BASE_URL: "https://new.example", INVITO_RATE_LIMIT: "import=1000/1h" },
  });
  const user = await createHost(app, { username: "fresh", timeZone: "UTC" });
  return { app: Object.assign(app, { close: () => raw.close() }), user, kv };
}

const byId = async (app: TestApp, host: UserRecord) =>
  new Map((await listHostBookings(app.kv, host.id)).map((b) => [b.id, b]));

Deno.test("import bookings: a host's bookings move to another instance with their identity, status and answers; their time blocks slots there; guests' new links work; nothing is mailed", async () => {
  const old = await oldServer();
  const { app, user, kv } = await newServer();
  try {
    const r = await importHostData(app, user, old.text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.bookings, {
      imported: 5,
      already_here: 0,
      overlaps: 0,
      unknown_event_type: 0,
      cap_reached: 0,
      too_many_pending: 0,
      id_in_use: 0,
      failed: 0,
      not_yet: 0,
    });
    assert.ok(r.applied.includes("5 bookings"), r.applied.join(" | "));
    assert.ok(r.skipped.some((s) => s.startsWith("Guest links: links in mails from the other")));

    const here = await byId(app, user);
    const ets = new Map((await listEventTypes(app.kv, user.id)).map((e) => [e.slug, e]));
    /** All a booking is but where it is filed, its salt and its calendar UID (checked below). */
    const kept = (b: BookingRecord) => {
      const { hostId: _h, eventTypeId: _e, tokenSalt: _t, icalUid: _u, ...rest } = b;
      return rest;
    };
    for (const before of old.records) {
      const after = here.get(before.id);
      assert.ok(after, `${before.id} moved under its own id`);
      // Status, history, guest (language and clock too), answers (a box ticked too), holds…
      assert.deepEqual(kept(after), kept(before));
      assert.equal(after.hostId, user.id);
      const slug = before.eventTitle.startsWith("Intro") ? "intro" : "deep-dive";
      assert.equal(after.eventTypeId, ets.get(slug)!.id, "filed under the event type here");
      // Calendars know the meeting by the old server's UID; updates from here land on it.
      assert.equal(meetingUid(after, "new.example"), meetingUid(before, "invito.test"));
      assert.equal(after.sequence ?? 0, before.sequence ?? 0);
      assert.notEqual(after.tokenSalt, before.tokenSalt);
    }
    assert.deepEqual(here.get(old.booked.pending)!.answers, [{
      questionId: "topic",
      label: "Topic",
      value: "Pricing <b>now</b>",
    }, { questionId: "nda", label: "Signed the NDA", value: "Yes", checked: true }]);
    assert.equal(here.get(old.booked.pending)!.guestLocale, "fr");

    // The confirmed meeting and the pending request block their times on the booking page here.
    const after = (await getUser(app.kv, user.id))!;
    const slots = await getSlotRange(app, {
      username: after.username,
      slug: "intro",
      start: "2026-11-23",
      end: "2026-11-23",
      timeZone: "UTC",
    });
    assert.ok(slots.ok);
    const starts = [...slots.days[0].starts];
    assert.ok(starts.length > 0, "the day has slots");
    for (const taken of [at("08:00"), at("10:00"), at("10:30")]) {
      assert.ok(!starts.includes(Date.parse(taken)), `${taken} is blocked`);
    }
    assert.ok(starts.includes(Date.parse(at("09:00"))), "free time stays free");
    assert.ok(starts.includes(Date.parse(at("13:00"))), "a cancelled meeting blocks nothing");
    const taken = await bookSlot(app, {
      ...guest(9, at("10:00"), { q_topic: "x" }),
      username: after.username,
    });
    assert.equal(taken.ok, false);
    assert.equal((taken as { reason: string }).reason, "slot_taken");

    // Guests' links: the new server's open the booking; the old server's do not.
    const moved = here.get(old.booked.confirmed)!;
    const fresh = await manageState(app, await bookingToken(app, moved, "guest"));
    assert.ok(fresh.ok && fresh.bookingId === moved.id && fresh.blocked === null);
    const oldRec = old.records.find((b) => b.id === moved.id)!;
    const stale = await manageState(app, await bookingToken(old.app, oldRec, "guest"));
    assert.equal(stale.ok, false);

    // Nothing went out: no mails, calendar writes or webhooks for bookings that already exist.
    let jobs = 0;
    for await (const _ of app.kv.list({ prefix: keys.outboxPrefix() })) jobs++;
    assert.equal(jobs, 0);
    await deliverOutbox(app, app.now());
    assert.equal(app.mailer.sent.length, 0);

    // The host decides the pending request here; the guest is mailed with this server's link.
    assert.ok((await decideBooking(app, old.booked.pending, "confirm", "host")).ok);
    await deliverOutbox(app, app.now());
    const mail = app.mailer.sent.find((m) => m.to === "g1@example.test");
    assert.ok(mail, "the guest hears of the confirmation");
    assert.match(mail.text, /https:\/\/new\.example\/booking\/[A-Za-z0-9_-]+/);

    const stats = guardStats(kv)!;
    assert.ok(stats.maxChecks <= 10, `${stats.maxChecks} checks`);
  } finally {
    app.close();
    old.app.close();
  }
});

Deno.test("import bookings: one overlapping a booking here is reported with both times in the host's zone and not written; the booking here is untouched", async () => {
  const old = await oldServer();
  const { app, user } = await newServer();
  try {
    // Here, the host already has 10:30 booked for another event type.
    const here = await createEventType(app, user, {
      slug: "chat",
      title: "Chat",
      durationMin: 30,
      requiresConfirmation: false,
    });
    const { putAvailability, getAvailability } = await import("../store/availability.ts");
    await putAvailability(app.kv, {
      ...await getAvailability(app.kv, user.id, app.now()),
      weekly: WORKDAYS,
    });
    const mine = await bookSlot(app, {
      ...guest(7, at("10:30")),
      username: "fresh",
      slug: "chat",
      rawAnswers: {},
    });
    assert.ok(mine.ok, JSON.stringify(mine));
    const before = await getBooking(app.kv, mine.bookingId);

    const r = await importHostData(app, user, old.text);
    assert.ok(r.ok);
    assert.equal(r.bookings!.overlaps, 1);
    assert.equal(r.bookings!.imported, 4);
    assert.ok(
      r.skipped.includes("1 booking not imported: it overlaps a booking here."),
      r.skipped.join("\n"),
    );
    // The profile import set the zone to Berlin: times read as the host reads them.
    assert.ok(
      r.skipped.includes(
        "“deep-dive” with Guest 4, Monday, November 23, 2026, 11:00–12:00 (Europe/Berlin, GMT+1): overlaps “Chat” with Guest 7 (11:30–12:00).",
      ),
      r.skipped.join("\n"),
    );
    assert.equal(await getBooking(app.kv, old.booked.confirmed), null);
    assert.deepEqual(await getBooking(app.kv, mine.bookingId), before);
    assert.equal(here.slug, "chat");
  } finally {
    app.close();
    old.app.close();
  }
});

Deno.test("import bookings: importing the same file again reports them as already here and adds nothing; an import cut short by its time is finished by importing again", async () => {
  const old = await oldServer();
  const { app, user } = await newServer();
  try {
    // Out of time after the first booking: the rest waits for the next import of the file.
    const first = await importHostData(app, user, old.text, undefined, { budgetMs: 0 });
    assert.ok(first.ok);
    assert.equal(first.bookings!.imported, 1);
    assert.equal(first.bookings!.not_yet, 4);
    assert.ok(first.skipped.some((s) => s.startsWith("4 bookings not imported yet")));
    assert.equal((await listHostBookings(app.kv, user.id)).length, 1);

    const me = (await getUser(app.kv, user.id))!;
    const second = await importHostData(app, me, old.text);
    assert.ok(second.ok);
    assert.equal(second.bookings!.imported, 4);
    assert.equal(second.bookings!.already_here, 1);
    const third = await importHostData(app, me, old.text);
    assert.ok(third.ok);
    assert.equal(third.bookings!.imported, 0);
    assert.equal(third.bookings!.already_here, 5);
    assert.ok(
      third.skipped.includes("5 bookings were already here (imported before); left as they are."),
    );
    assert.equal((await listHostBookings(app.kv, user.id)).length, 5);
    // Every imported booking opens by its new guest link (a token proves itself: ADR 054).
    for (const b of await listHostBookings(app.kv, user.id)) {
      const opened = await bookingForToken(app, await bookingToken(app, b, "guest"), "guest");
      assert.equal(opened?.id, b.id);
    }
  } finally {
    app.close();
    old.app.close();
  }
});

Deno.test("import bookings: a booking whose event type is not here, or whose id is another host's booking, is reported and skipped", async () => {
  const old = await oldServer();
  const { app, user } = await newServer();
  try {
    const file = JSON.parse(old.text);
    // The file lacks the deep-dive event type (deleted there): its bookings have no home here.
    file.eventTypes = file.eventTypes.filter((e: { slug: string }) => e.slug !== "deep-dive");
    const other = await createHost(app, { username: "other" });
    const r = await importHostData(app, user, JSON.stringify(file));
    assert.ok(r.ok);
    assert.equal(r.bookings!.unknown_event_type, 3);
    assert.ok(r.skipped.some((s) => /: its event type is not in the file\.$/.test(s)));
    assert.equal(r.bookings!.imported, 2);

    // Another host imports the same file: ids in use by someone else are not theirs to take.
    const r2 = await importHostData(app, other, old.text);
    assert.ok(r2.ok);
    assert.equal(r2.bookings!.id_in_use, 2);
  } finally {
    app.close();
    old.app.close();
  }
});

Deno.test("import bookings: a hostile or damaged booking refuses the whole file with a clear message and nothing is written", async () => {
  const old = await oldServer();
  const { app, user } = await newServer();
  try {
    const good = JSON.parse(old.text);
    const withBooking = (i: number, patch: Record<string, unknown>) => {
      const bookings = structuredClone(good.bookings);
      bookings[i] = { ...bookings[i], ...patch };
      return JSON.stringify({ ...good, bookings });
    };
    const junk = Array.from({ length: 100_000 }, (_, i) => ({ id: `b${i}`, startMs: i }));
    const tooMany = Array.from({ length: 100_001 }, () => ({}));
    const cases: [string, string, RegExp][] = [
      [
        "bad date",
        withBooking(1, { startMs: "yesterday" }),
        /^Booking 2 in the file is damaged at startMs: /,
      ],
      [
        "unknown status",
        withBooking(0, { status: "MAYBE" }),
        /^Booking 1 in the file is damaged at status: /,
      ],
      [
        "huge name",
        withBooking(2, { guestName: "x".repeat(1_000_000) }),
        /^Booking 3 .* at guestName: /,
      ],
      [
        "huge answers",
        withBooking(0, {
          answers: Array.from(
            { length: 10 },
            (_, i) => ({ questionId: `q${i}`, label: "L", value: "v".repeat(1_500) }),
          ),
        }),
        /^Booking 1 .* at answers: answers longer than 12,000 characters together/,
      ],
      [
        "times that disagree",
        withBooking(0, { endMs: good.bookings[0].endMs + 1 }),
        /times do not agree/,
      ],
      [
        "long block",
        withBooking(0, { blockStartMs: good.bookings[0].startMs - 5 * 3_600_000 }),
        /times do not agree/,
      ],
      ["id not ours", withBooking(0, { id: "../../etc" }), /^Booking 1 .* at id: not a booking id/],
      [
        "junk bookings",
        JSON.stringify({ ...good, bookings: junk }),
        /^Booking 1 in the file is damaged/,
      ],
      [
        "names of more invitees than a booking may have",
        withBooking(0, {
          additionalGuestNames: Object.fromEntries(
            Array.from({ length: 101 }, (_, i) => [`g${i}@example.test`, "G"]),
          ),
        }),
        /^Booking 1 .* at additionalGuestNames: /,
      ],
      [
        "a reading with no clock",
        withBooking(0, {
          additionalGuestReaders: {
            "a@example.test": { locale: "de", timeZone: "Europe/Berlin", clock: "25h" },
          },
        }),
        /^Booking 1 .* at additionalGuestReaders\.a@example\.test\.clock: /,
      ],
      [
        "too many",
        JSON.stringify({ ...good, bookings: tooMany }),
        /holds 100,001 bookings; an Invito export holds at most 100,000/,
      ],
    ];
    for (const [what, text, message] of cases) {
      const r = await importHostData(app, user, text);
      assert.equal(r.ok, false, what);
      assert.match((r as { error: string }).error, message, what);
      assert.match((r as { error: string }).error, /Nothing was imported\.$/, what);
    }
    assert.equal((await getUser(app.kv, user.id))!.username, "fresh", "nothing was written");
    assert.equal((await listEventTypes(app.kv, user.id)).length, 0);
    assert.equal((await listHostBookings(app.kv, user.id)).length, 0);

    // Script in a name is text, kept as typed; control characters and line breaks become spaces.
    const r = await importHostData(
      app,
      user,
      withBooking(0, { guestName: "<script>alert(1)</script>\u202e\r\nBob" }),
    );
    assert.ok(r.ok, JSON.stringify(r));
    const b = await getBooking(app.kv, good.bookings[0].id);
    assert.equal(b!.guestName, "<script>alert(1)</script> Bob");
    // An invitee's name and reading are kept for the booking's own invitees only; a reading
    // whose language is no language is dropped (they read as the guest), not refused.
    const id = newId(app.now());
    const named = await importHostData(
      app,
      user,
      withBooking(1, {
        id,
        additionalGuests: ["ann@example.test", "ben@example.test"],
        additionalGuestNames: {
          "ann@example.test": "Ann\u202e\nLee",
          "eve@example.test": "Not invited",
        },
        additionalGuestReaders: {
          "ann@example.test": { locale: "not a tag!", timeZone: "Europe/Berlin", clock: "24h" },
          "ben@example.test": { locale: "de-de", timeZone: "Europe/Berlin", clock: "24h" },
          "eve@example.test": { locale: "fr", timeZone: "Europe/Paris", clock: "24h" },
        },
      }),
    );
    assert.ok(named.ok, JSON.stringify(named));
    const invited = (await getBooking(app.kv, id))!;
    assert.deepEqual(invited.additionalGuestNames, { "ann@example.test": "Ann Lee" });
    assert.deepEqual(invited.additionalGuestReaders, {
      "ben@example.test": { locale: "de-DE", timeZone: "Europe/Berlin", clock: "24h" },
    });
  } finally {
    app.close();
    old.app.close();
  }
});

/** A file of `n` bookings of the old server's host, moved by `shiftMin` and with fresh ids. */
function variant(text: string, shiftMin: number, nowMs: number, n: number): string {
  const file = JSON.parse(text);
  const seed = file.bookings.find((b: BookingRecord) =>
    b.status === "CONFIRMED" && b.startMs > nowMs
  );
  const d = shiftMin * 60_000;
  file.bookings = Array.from({ length: n }, (_, i) => {
    const s = d + i * 45 * 60_000;
    const pending = i % 3 === 0;
    return {
      ...seed,
      id: newId(nowMs),
      startMs: seed.startMs + s,
      endMs: seed.endMs + s,
      blockStartMs: seed.blockStartMs + s,
      blockEndMs: seed.blockEndMs + s,
      guestEmail: `g${shiftMin}x${i}@example.test`,
      ...(pending
        ? {
          status: "PENDING",
          reservedUntilMs: nowMs + 3_600_000,
          decidedAtMs: null,
          history: [{ status: "PENDING", atMs: nowMs, by: "guest" }],
        }
        : {}),
    };
  });
  return JSON.stringify(file);
}

Deno.test("import bookings: many imports of overlapping files from two processes, with guests booking the same times, never leave two live bookings overlapping", async () => {
  const old = await oldServer();
  // Two processes on one KV: two handles, each with its own queues and group commits.
  const raw = await Deno.openKv(":memory:");
  const kv = guardKv(raw);
  const kvB = guardKv(raw);
  const env = { INVITO_RATE_LIMIT: "import=1000/1h" };
  const a = await memoryApp({ kv, nowIso: NOW, env });
  const b = await memoryApp({ kv: kvB, nowIso: NOW, env });
  try {
    const host = await createHost(a, { username: "mover", weekly: WORKDAYS });
    // The files' event type is here already (so guests can book it while files are imported).
    await createEventType(a, host, {
      slug: "deep-dive",
      durationMin: 60,
      requiresConfirmation: false,
      bookingWindowDays: 90,
    });
    const nowMs = a.now();
    // Rounds on five days, each a crowd of its own: ten files (several with the very same times,
    // the others 15 to 45 minutes apart), imported by both processes while 24 guests book.
    for (let day = 0; day < 5; day++) {
      const files = [0, 0, 0, 15, 15, 15, 30, 30, 45, 0].map((shift) =>
        variant(old.text, shift + day * 1440, nowMs, 12)
      );
      const date = `2026-11-${23 + day}`;
      // Guests want some of the same times (three of four overlap the files' bookings).
      const guests = Array.from({ length: 24 }, (_, i) => ({
        ...guest(100 + i, at(`${[8, 10, 12, 14][i % 4]}`.padStart(2, "0") + ":00", date)),
        slug: "deep-dive",
        rawAnswers: {},
      }));
      const results = await Promise.all([
        ...files.map((f, i) => importHostData(i % 2 ? a : b, host, f)),
        ...guests.map((g, i) => bookSlot(i % 2 ? b : a, g)),
      ]);
      let imported = 0;
      for (const r of results.slice(0, files.length) as ImportReport[]) {
        assert.ok(r.ok, JSON.stringify(r));
        const c = r.bookings!;
        imported += c.imported;
        assert.equal(c.failed, 0);
        assert.equal(c.imported + c.overlaps + c.too_many_pending, 12, JSON.stringify(c));
      }
      assert.ok(imported > 0, "some imports landed");
      assert.ok(results.slice(files.length).some((r) => r.ok), "some guests got their time");
    }
    const all: BookingRecord[] = [];
    for await (const e of raw.list<BookingRecord>({ prefix: keys.bookingPrefix() })) {
      all.push(e.value);
    }
    const live = all.filter((x) =>
      x.status === "CONFIRMED" || (x.status === "PENDING" && x.reservedUntilMs! > nowMs)
    );
    assert.ok(live.length > 20, `${live.length} live bookings`);
    for (let i = 0; i < live.length; i++) {
      for (let j = i + 1; j < live.length; j++) {
        const x = { startMs: live[i].blockStartMs, endMs: live[i].blockEndMs };
        const y = { startMs: live[j].blockStartMs, endMs: live[j].blockEndMs };
        assert.ok(!overlaps(x, y), `${live[i].id} overlaps ${live[j].id}`);
      }
    }
    for (const stats of [guardStats(kv)!, guardStats(kvB)!]) {
      assert.ok(stats.maxChecks <= 10 && stats.commits > 0, JSON.stringify(stats));
    }
  } finally {
    raw.close();
    old.app.close();
  }
});

Deno.test("import bookings: a seated time's seats move as seats of one meeting (not as overlaps), and the time keeps its seats left", async () => {
  const old = await memoryApp({ nowIso: NOW });
  const oldHost = await createHost(old, { username: "mover", weekly: WORKDAYS });
  await createEventType(old, oldHost, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    seats: { perTime: 4, showAttendees: false, hideCount: false },
  });
  for (const n of [1, 2, 3]) {
    const r = await bookSlot(old, { ...guest(n, at("10:00")), slug: "class" });
    assert.ok(r.ok, JSON.stringify(r));
  }
  const text = await collect(exportHostJson(old, oldHost));
  old.close();
  const { app, user } = await newServer();
  try {
    const r = await importHostData(app, user, text);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.bookings!.imported, 3, JSON.stringify(r.bookings));
    assert.equal(r.bookings!.overlaps, 0);
    const seats = await listHostBookings(app.kv, user.id);
    assert.equal(new Set(seats.map((b) => b.seat?.meetingId)).size, 1, "one meeting");
    const username = (await getUser(app.kv, user.id))!.username;
    const page = await getSlotPage(app, {
      username,
      slug: "class",
      timeZone: "UTC",
      date: "2026-11-23",
    });
    assert.ok(page.ok);
    const slot = page.slots.find((s) => s.start === at("10:00"));
    assert.equal(slot?.seatsLeft, 1, JSON.stringify(page.slots.slice(0, 3)));
    const fourth = await bookSlot(app, {
      ...guest(9, at("10:00")),
      username,
      slug: "class",
    });
    assert.ok(fourth.ok, JSON.stringify(fourth));
    const fifth = await bookSlot(app, {
      ...guest(8, at("10:00")),
      username,
      slug: "class",
    });
    assert.ok(!fifth.ok && fifth.reason === "seats_full");
  } finally {
    app.close();
  }
});

Deno.test("import bookings: a recurring series moves as its dates, each still a date of its series, listed in order on the new server", async () => {
  const app = await memoryApp({ nowIso: NOW });
  const host = await createHost(app, { username: "mover", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  const r = await bookSlot(app, { ...guest(7, at("09:00")), slug: "weekly" });
  assert.ok(r.ok, JSON.stringify(r));
  const text = await collect(exportHostJson(app, host));
  const before = (await listHostBookings(app.kv, host.id)).sort((a, b) => a.startMs - b.startMs);
  assert.equal(before.length, 4);
  const { app: fresh, user } = await newServer();
  try {
    const imported = await importHostData(fresh, user, text);
    assert.ok(imported.ok, JSON.stringify(imported));
    const after = (await listHostBookings(fresh.kv, user.id)).sort((a, b) => a.startMs - b.startMs);
    assert.deepEqual(after.map((b) => b.series), before.map((b) => b.series));
    const listed = await listSeriesBookings(fresh.kv, user.id, before[0].series!.id);
    assert.deepEqual(listed.map((b) => b.id), before.map((b) => b.id));
  } finally {
    fresh.close();
    app.close();
  }
});

Deno.test("import bookings: a poll's meeting keeps its other invitees' names and how each reads — their mails from the new server are in their language and zone, and the calendar names them", async () => {
  const old = await memoryApp({ nowIso: NOW });
  const oldHost = await createHost(old, { username: "mover", weekly: WORKDAYS });
  await createEventType(old, oldHost, {
    slug: "sync",
    title: "Sync",
    requiresConfirmation: false,
    bookingWindowDays: 90,
    minNoticeMin: 0,
  });
  const made = await createPoll(old, oldHost, {
    slug: "sync",
    title: "Sync",
    starts: [at("09:00"), at("11:00")],
  });
  assert.ok(made.ok, JSON.stringify(made));
  const token = new URL(made.url).pathname.split("/").pop()!;
  const berlin = { locale: "de", timeZone: "Europe/Berlin", clock: "24h" as const };
  for (
    const voter of [
      { name: "Ada Voter", email: "ada@example.test" },
      { name: "Greta Gast", email: "greta@example.test", reader: berlin },
      { name: "Olle Other", email: "olle@example.test" },
    ]
  ) {
    assert.ok((await votePoll(old, token, { ...voter, answers: { t0: "yes", t1: "no" } })).ok);
  }
  const picked = await pickPollTime(old, oldHost, made.poll.id, at("09:00"));
  assert.ok(picked.ok, JSON.stringify(picked));
  const before = (await getBooking(old.kv, picked.bookingId))!;
  assert.equal(before.additionalGuestNames?.["greta@example.test"], "Greta Gast");
  assert.deepEqual(before.additionalGuestReaders?.["greta@example.test"], berlin);
  const text = await collect(exportHostJson(old, oldHost));
  old.close();

  const { app, user } = await newServer();
  try {
    const r = await importHostData(app, user, text);
    assert.ok(r.ok && r.bookings?.imported === 1, JSON.stringify(r));
    const after = (await getBooking(app.kv, picked.bookingId))!;
    // All of it but where it is filed and its salt; the calendar UID it had is now stored.
    const { hostId: _h, eventTypeId: _e, tokenSalt: _t, icalUid: _u, ...kept } = after;
    const { hostId: _h2, eventTypeId: _e2, tokenSalt: _t2, ...was } = before;
    assert.deepEqual(kept, was);
    assert.equal(meetingUid(after, "new.example"), meetingUid(before, "invito.test"));

    // The host's list here finds the meeting by an invitee's name, as it did there.
    const host = (await getUser(app.kv, user.id))!;
    const found = await listBookingsForHost(app, host, "all", "en", "greta gast");
    assert.deepEqual(found.map((row) => row.id), [after.id]);

    // The host cancels it here: Greta reads it in German at Berlin's time, the others in the
    // host's words; everyone's calendar names the invitees.
    assert.ok((await decideBooking(app, after.id, "cancel", "host")).ok);
    await deliverOutbox(app, app.now());
    const greta = app.mailer.sent.find((m) => m.to.includes("greta@example.test"));
    assert.ok(greta, app.mailer.sent.map((m) => `${m.to}: ${m.subject}`).join("\n"));
    assert.equal(greta.to, "greta@example.test", "a mail of her own, in her own reading");
    assert.match(greta.subject, /^Abgesagt/);
    assert.match(greta.text, /10:00.*Berlin/);
    const olle = app.mailer.sent.find((m) => m.to.includes("olle@example.test"))!;
    assert.doesNotMatch(olle.to, /greta/);
    const ics = olle.icalEvent!.content.replace(/\r\n /g, "");
    assert.match(ics, /CN="?Greta Gast"?[;:]/);
    assert.match(ics, /CN="?Olle Other"?[;:]/);
  } finally {
    app.close();
  }
});

Deno.test("import bookings: every field of a booking comes back as it was, but where it is filed, its salt, a team's people, the form response it followed and the browser it was booked from", async () => {
  const old = await memoryApp({ nowIso: NOW });
  const oldHost = await createHost(old, { username: "mover", weekly: WORKDAYS });
  await createEventType(old, oldHost, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    bookingWindowDays: 90,
    seats: { perTime: 4, showAttendees: false, hideCount: false },
  });
  const ids: string[] = [];
  for (const [n, start] of [[1, at("10:00")], [2, at("12:00")]] as const) {
    const r = await bookSlot(old, { ...guest(n, start), slug: "class" });
    assert.ok(r.ok, JSON.stringify(r));
    ids.push(r.bookingId);
  }
  const [fromId, toId] = ids;
  const base = (await getBooking(old.kv, toId))!;
  // Every field a booking may hold, set (the type makes a new field a failure here until it is
  // listed): a moved seat of a one-off link's series, its guest's colleagues named and reading
  // their own way, with a source, reminders, follow-ups and a team's people.
  const full: Required<BookingRecord> = {
    ...base,
    guestClock: "12h",
    guestLocale: "de",
    cancelReason: null,
    answers: [{ questionId: "topic", label: "Topic", value: "Pricing", checked: false }],
    location: { kind: "phone", value: "+49 30 1234567" },
    rescheduledFromId: fromId,
    rescheduledToId: null,
    reminders: [{ minutesBefore: 60, toHost: true }],
    followUps: [{ minutesAfter: 60, message: "Thanks", bookAgain: true }],
    singleUseLinkId: "01JSINGLEUSELINK0000000000",
    offeredStarts: [Date.parse(at("10:00")), Date.parse(at("12:00"))],
    guestErasedAtMs: Date.parse(NOW),
    bookerTag: "tag-of-the-browser",
    icalUid: `${fromId}@invito.test`,
    sequence: 2,
    calendarIssued: true,
    personIds: [oldHost.id],
    coordinatorId: "coordinator",
    teamId: "team",
    seat: base.seat!,
    additionalGuests: ["cleo@example.test", "dan@example.test"],
    additionalGuestNames: { "cleo@example.test": "Cleo Colleague" },
    additionalGuestReaders: {
      "dan@example.test": { locale: "fr", timeZone: "Europe/Paris", clock: "24h" },
    },
    invitedBy: "host",
    source: { utm_source: "newsletter", ref: "friend" },
    routing: { formId: "form", responseId: "response" },
    series: { id: "series", index: 0, count: 1 },
    origin: "guest_move",
  } as Required<BookingRecord>;
  const retired = (await getBooking(old.kv, fromId))!;
  const moved: BookingRecord = {
    ...full,
    ...retired,
    status: "CANCELLED",
    endReason: "rescheduled",
    rescheduledFromId: null,
    rescheduledToId: toId,
    origin: "guest",
  };
  await old.kv.set(keys.booking(toId), full);
  await old.kv.set(keys.booking(fromId), moved);
  const text = await collect(exportHostJson(old, oldHost));
  old.close();
  const { app, user } = await newServer();
  try {
    const r = await importHostData(app, user, text);
    assert.ok(r.ok && r.bookings?.imported === 2, JSON.stringify(r));
    /** What an import changes, on purpose (ADR 017, ADR 022). */
    const kept = (b: BookingRecord) => {
      const {
        hostId: _host, // filed under the importing host
        eventTypeId: _type, // and the event type of the same slug here
        tokenSalt: _salt, // a fresh one: links from the other server do not open it
        bookerTag: _browser, // not exported (a browser of the other server)
        personIds: _people, // a team's other people are the other server's
        coordinatorId: _coordinator,
        teamId: _team,
        routing: _routing, // the form responses stay in the file
        seat, // a seat still, of a meeting named here (import-pointers.test.ts)
        ...rest
      } = b;
      return { ...rest, seat: !!seat };
    };
    for (const [id, before] of [[toId, full], [fromId, moved]] as const) {
      const after = (await getBooking(app.kv, id))!;
      assert.deepEqual(kept(after), kept(before), id);
    }
  } finally {
    app.close();
  }
});
