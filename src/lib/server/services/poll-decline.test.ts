/**
 * A poll meeting's invitees declining at once (ADR 050, amendment "declining"): each decline is
 * one guarded write of the booking (its versionstamp checked), so a crowd pressing "I can't come"
 * together is recorded whole, the meeting is cancelled exactly once when the last one leaves, and
 * a decline racing the host's cancel or move lands on the meeting as it is.
 */
import assert from "node:assert/strict";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { POLL_TIMES as T, pollMeeting } from "../../../../tests/support/poll-meeting.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { cancelByGuest, decideBooking, declineByInvitee } from "./decide-booking.ts";
import { bookingToken, declineToken } from "./booking-links.ts";
import { MAX_ATTEMPTS } from "./transaction.ts";
import { getBooking } from "../store/bookings.ts";
import { listBookingJobs, listDue } from "../store/outbox.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { bookingResource } from "./booking-resource.ts";
import { eraseGuest, exportHostJson } from "./host-data.ts";
import { importHostData } from "./host-import.ts";
import { listHostBookings } from "../store/bookings.ts";
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";

const MOVED = "2026-11-25T13:00:00Z";

/** Each invitee's press: the guest's cancel link, every other one's own decline link. */
async function presses(app: App, b: BookingRecord, emails: string[]) {
  const guestLink = await bookingToken(app, b, "guest");
  const links = await Promise.all(emails.map((email) => declineToken(app, b, email)));
  return emails.map((email, i) =>
    email === b.guestEmail
      ? () => cancelByGuest(app, guestLink, "")
      : () => declineByInvitee(app, links[i])
  );
}

const mailsOf = async (app: App, id: string, kind: string) =>
  (await listBookingJobs(app.kv, id)).filter(({ job }) =>
    job.payload.kind === "booking_mail" && job.payload.mail === kind
  ).map(({ job }) => job.payload as { attendee?: string; readers?: string });

Deno.test("poll decline: 100 invitees (a full poll) pressing at once are all recorded, and the meeting is cancelled exactly once", async () => {
  const { app, booking, emails } = await pollMeeting(100);
  try {
    const results = await Promise.all((await presses(app, booking, emails)).map((f) => f()));
    assert.deepEqual(results.filter((r) => !r.ok), [], "every decline is taken");
    const after = (await getBooking(app.kv, booking.id))!;
    assert.equal(after.status, "CANCELLED");
    assert.equal(after.endReason, "cancelled_by_guest");
    assert.deepEqual(after.declined!.map((d) => d.email).sort(), [...emails].sort());
    assert.deepEqual(after.additionalGuests, []);
    // One cancellation: one step into CANCELLED, one mail and calendar removal for the host.
    assert.equal(after.history.filter((h) => h.status === "CANCELLED").length, 1);
    assert.equal((await mailsOf(app, booking.id, "host_cancelled")).length, 1);
    // Each decliner's own CANCEL, once; the host heard of each decline but the last.
    const own = (await mailsOf(app, booking.id, "attendee_declined")).map((p) => p.attendee);
    assert.deepEqual(own.sort(), [...emails].sort());
    assert.equal((await mailsOf(app, booking.id, "host_declined")).length, emails.length - 1);
    // Nobody who declined gets the meeting's end besides their own CANCEL.
    assert.equal((await mailsOf(app, booking.id, "guest_cancelled")).length, 0);
    assert.equal((await mailsOf(app, booking.id, "guests_cancelled")).length, 0);
  } finally {
    app.close();
  }
});

Deno.test("poll decline: a second press is answered as done and changes nothing; an address not invited has no link", async () => {
  const { app, booking, emails } = await pollMeeting(3);
  try {
    const t = await declineToken(app, booking, emails[2]);
    assert.ok((await declineByInvitee(app, t)).ok);
    const once = (await getBooking(app.kv, booking.id))!;
    assert.ok((await declineByInvitee(app, t)).ok);
    assert.deepEqual(await getBooking(app.kv, booking.id), once);
    assert.equal((await mailsOf(app, booking.id, "attendee_declined")).length, 1);
    // The host's calendar entry is written again (without them): a second put after the pick's.
    const puts = (await listBookingJobs(app.kv, booking.id)).filter(({ job }) =>
      job.payload.kind === "writeback" && job.payload.op === "put"
    );
    assert.equal(puts.length, 2);
    // Subscribers hear `booking.updated`, made by the guest (the invitee), once.
    const events = (await listDue(app.kv, app.now(), 1000)).map((e) => e.value.payload).filter((
      p,
    ) => p.kind === "webhook_event" && p.bookingId === booking.id && p.event === "booking.updated");
    assert.deepEqual(events.map((p) => p.kind === "webhook_event" && p.by), ["guest"]);
    // The API's (and MCP's, and webhooks') booking: no longer among the guests, listed declined.
    const res = await bookingResource(app, once);
    assert.ok(!res.additionalGuests.includes(emails[2]));
    assert.deepEqual(res.declined.map((d) => d.email), [emails[2]]);
    const stranger = await declineToken(app, booking, "nobody@example.test");
    assert.deepEqual(await declineByInvitee(app, stranger), { ok: false, reason: "not_found" });
  } finally {
    app.close();
  }
});

Deno.test("poll decline: a decline that loses more races in a row than a booking's retries (other processes' declines landing first) is still recorded, not answered “busy”", async () => {
  const { app, booking, emails } = await pollMeeting(3);
  try {
    // The next commits fail their checks, as if another writer had landed before each.
    let lose = MAX_ATTEMPTS + 5;
    const real = app.kv;
    app.kv = new Proxy(real, {
      get(target, prop) {
        if (prop === "atomic") {
          return () => {
            const op = target.atomic();
            if (lose-- > 0) op.check({ key: ["never"], versionstamp: "00000000000000000000" });
            return op;
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const [press] = await presses(app, booking, [emails[1]]);
    const res = await press();
    app.kv = real;
    assert.ok(res.ok, JSON.stringify(res));
    assert.ok(lose < 0, "every lost race was read and planned again");
    const after = (await getBooking(real, booking.id))!;
    assert.deepEqual(after.declined!.map((d) => d.email), [emails[1]]);
    assert.equal((await mailsOf(app, booking.id, "attendee_declined")).length, 1);
  } finally {
    app.close();
  }
});

Deno.test("poll decline: declines racing the host's cancel all land on the meeting as it is (recorded before the cancel, or refused after it), and the host's cancel ends it once", async () => {
  for (let round = 0; round < 5; round++) {
    const { app, host, booking, emails } = await pollMeeting(8);
    try {
      const declining = (await presses(app, booking, emails.slice(0, 6))).map((f) => f());
      const cancel = decideBooking(app, booking.id, "cancel", "host", { hostId: host.id });
      const [results, cancelled] = await Promise.all([Promise.all(declining), cancel]);
      assert.ok(cancelled.ok, JSON.stringify(cancelled));
      const after = (await getBooking(app.kv, booking.id))!;
      assert.equal(after.status, "CANCELLED");
      assert.equal(after.endReason, "cancelled_by_host");
      assert.equal(after.history.filter((h) => h.status === "CANCELLED").length, 1);
      const recorded = new Set((after.declined ?? []).map((d) => d.email));
      results.forEach((r, i) => {
        if (r.ok) assert.ok(recorded.has(emails[i]), `${emails[i]}'s decline is recorded`);
        else assert.equal(r.reason, "cancelled", JSON.stringify(r));
      });
      // Who declined got their own CANCEL; everyone else the meeting's end, once each.
      const own = (await mailsOf(app, booking.id, "attendee_declined")).map((p) => p.attendee);
      assert.deepEqual(own.sort(), [...recorded].sort());
      const ended = (await mailsOf(app, booking.id, "guests_cancelled")).length +
        (await mailsOf(app, booking.id, "guest_cancelled")).length;
      assert.equal(ended, emails.length - recorded.size);
    } finally {
      app.close();
    }
  }
});

Deno.test("poll decline: a decline racing the host's move lands on the meeting where it is (a link mailed before the move follows it)", async () => {
  for (let round = 0; round < 5; round++) {
    const { app, host, booking, emails } = await pollMeeting(4);
    try {
      const [ben] = await presses(app, booking, [emails[1]]);
      const [declined, moved] = await Promise.all([
        ben(),
        moveBookingByHost(app, host as UserRecord, booking.id, { start: MOVED, reason: "" }),
      ]);
      assert.ok(moved.ok, JSON.stringify(moved));
      assert.ok(declined.ok, JSON.stringify(declined));
      const now = (await getBooking(app.kv, moved.booking.id))!;
      assert.equal(now.status, "CONFIRMED");
      assert.ok(now.declined?.some((d) => d.email === emails[1]), "declined where it is now");
      assert.ok(!now.additionalGuests?.includes(emails[1]), "no longer invited to it");
      // Their own CANCEL reaches them once, and the moved meeting's invitation does not.
      await deliverOutbox(app, app.now());
      const theirs = app.mailer.sent.filter((m) => m.to.includes(emails[1]));
      const cancels = theirs.filter((m) => m.icalEvent?.method === "CANCEL");
      assert.equal(cancels.length, 1, theirs.map((m) => m.subject).join(" | "));
      assert.ok(
        theirs.every((m) =>
          m.icalEvent?.method !== "REQUEST" || !m.icalEvent.content.includes("20261125")
        ),
        theirs.map((m) => m.subject).join(" | "),
      );
      if (round === 0) {
        // The others hear of the move, as ever.
        const others = app.mailer.sent.filter((m) => m.to.includes(emails[2]));
        assert.ok(others.some((m) => m.icalEvent?.content.includes("20261125T130000Z")));
      }
    } finally {
      app.close();
    }
  }
});

Deno.test("poll decline: a full poll's meeting (100 voters, a mail each) still moves and ends in one write each", async () => {
  const { app, host, booking } = await pollMeeting(100);
  try {
    assert.equal((await mailsOf(app, booking.id, "guests_invited")).length, 99);
    const moved = await moveBookingByHost(app, host as UserRecord, booking.id, {
      start: MOVED,
      reason: "",
    });
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal((await mailsOf(app, moved.booking.id, "guests_invited")).length, 99);
    const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
      hostId: host.id,
    });
    assert.ok(cancelled.ok, JSON.stringify(cancelled));
    assert.equal((await mailsOf(app, moved.booking.id, "guests_cancelled")).length, 99);
  } finally {
    app.close();
  }
});

Deno.test("poll decline: the first voter who declined gets no reminder or follow-up queued before they declined", async () => {
  const { app, booking, emails } = await pollMeeting(2, {
    reminders: [{ minutesBefore: 60, toHost: false }],
    followUps: [{ minutesAfter: 60, message: "Thanks!", bookAgain: false }],
  });
  try {
    const [guest] = await presses(app, booking, [booking.guestEmail]);
    assert.ok((await guest()).ok);
    await deliverOutbox(app, app.now());
    app.mailer.sent.length = 0;
    app.clock.ms = Date.parse(T[0]) - 50 * 60_000;
    await deliverOutbox(app, app.now());
    app.clock.ms = Date.parse(T[0]) + 95 * 60_000;
    await deliverOutbox(app, app.now());
    const toGuest = app.mailer.sent.filter((m) => m.to.includes(booking.guestEmail));
    assert.deepEqual(toGuest.map((m) => m.subject), []);
    assert.ok(emails.includes(booking.guestEmail));
  } finally {
    app.close();
  }
});

Deno.test("poll decline: erasing an invitee who declined erases them from the meeting's list of decliners too (ADR 022)", async () => {
  const { app, host, booking, emails } = await pollMeeting(3);
  try {
    const all = await presses(app, booking, emails);
    assert.ok((await all[0]()).ok); // the guest
    assert.ok((await all[2]()).ok);
    for (const email of [emails[2], emails[0]]) {
      const erased = await eraseGuest(app, host as UserRecord, email);
      assert.ok(erased.ok, JSON.stringify(erased));
      const text = JSON.stringify(await getBooking(app.kv, booking.id));
      assert.ok(!text.includes(email), `${email} is gone: ${text}`);
    }
  } finally {
    app.close();
  }
});

Deno.test("poll decline: who declined travels with the meeting to another server (export, import)", async () => {
  const { app, host, booking, emails } = await pollMeeting(3);
  let text = "";
  try {
    const all = await presses(app, booking, emails);
    assert.ok((await all[0]()).ok);
    for await (const part of exportHostJson(app, host as UserRecord)) text += part;
  } finally {
    app.close();
  }
  const there = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const user = await createHost(there, { username: "fresh", timeZone: "UTC" });
    const r = await importHostData(there, user, text);
    assert.ok(r.ok, JSON.stringify(r));
    const [moved] = await listHostBookings(there.kv, user.id);
    assert.deepEqual(moved.declined?.map((d) => d.email), [booking.guestEmail]);
  } finally {
    there.close();
  }
});
