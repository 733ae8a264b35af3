/**
 * A poll meeting's invitees pressing "I can't come" at once on three service instances sharing
 * one remote KV (the KV Connect test server, 1–8 ms a request; ADR 050, amendment "declining").
 * Inside one process a booking's declines queue behind each other; across processes every
 * decline rewrites the same booking record and they race. A press must be recorded (or refused
 * for a reason that is true), never answered "busy, press again".
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { type RemoteApps, remoteApps } from "../support/remote-apps.ts";
import { createPoll } from "../../src/lib/server/services/polls.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll } from "../../src/lib/server/services/poll-votes.ts";
import { cancelByGuest, declineByInvitee } from "../../src/lib/server/services/decide-booking.ts";
import { bookingToken, declineToken } from "../../src/lib/server/services/booking-links.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listBookingJobs } from "../../src/lib/server/store/outbox.ts";
import { attendeesOf } from "../../src/lib/server/domain/attendees.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const N = 36;

/** A picked poll of `N` invitees who all said yes to its first time, on the store `r` shares. */
async function pollMeeting(r: RemoteApps, title: string, starts: string[]) {
  const host = await createHost(r.a, { username: title.toLowerCase(), weekly: WORKDAYS });
  await createEventType(r.a, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  const made = await createPoll(r.a, host, { slug: "chat", title, starts });
  assert.ok(made.ok, JSON.stringify(made));
  const token = new URL(made.url).pathname.split("/").pop()!;
  const emails = Array.from({ length: N }, (_, i) => `${title}${i}@example.test`.toLowerCase());
  for (let i = 0; i < N; i += 12) {
    const votes = await Promise.all(
      emails.slice(i, i + 12).map((email, j) =>
        votePoll(r.app(i + j), token, { name: email, email, answers: { t0: "yes" }, client: email })
      ),
    );
    assert.deepEqual(votes.filter((v) => !v.ok), [], "every invitee is thanked");
  }
  const pick = await pickPollTime(r.b, host, made.poll.id, starts[0]);
  assert.ok(pick.ok, JSON.stringify(pick));
  const booking = (await getBooking(r.kv, pick.bookingId))!;
  assert.equal(attendeesOf(booking).length, N);
  return { booking, emails };
}

/** Everyone but `stay` presses their own link at once, the presses spread over the processes. */
async function declineAtOnce(r: RemoteApps, b: BookingRecord, emails: string[], stay?: string) {
  const guestLink = await bookingToken(r.a, b, "guest");
  const started = performance.now();
  const pressing = emails.map(async (email, i) => {
    if (email === stay) return null;
    const app = r.app(i);
    return email === b.guestEmail
      ? await cancelByGuest(app, guestLink, "")
      : await declineByInvitee(app, await declineToken(app, b, email));
  });
  const results = (await Promise.all(pressing)).filter((x) => x !== null);
  const busy = results.filter((x) => !x.ok && x.reason === "busy").length;
  const ms = Math.round(performance.now() - started);
  console.log(`${busy} of ${results.length} declines answered "busy" (all answered in ${ms} ms)`);
  return results;
}

const jobsOf = async (r: RemoteApps, id: string, mail: string) =>
  (await listBookingJobs(r.kv, id)).filter(({ job }) =>
    job.payload.kind === "booking_mail" && job.payload.mail === mail
  ).map(({ job }) => (job.payload as { attendee?: string }).attendee);

Deno.test({
  ...opts,
  name:
    "remote KV: 36 invitees of a poll meeting declining at once on three processes, three of their commit answers lost, are each told it is recorded, none “busy”, and the meeting is cancelled exactly once, each decline's mails queued once",
  async fn() {
    await using r = await remoteApps({ processes: 3 });
    const { booking, emails } = await pollMeeting(r, "Crowd", [
      "2026-11-23T09:00:00Z",
      "2026-11-23T10:00:00Z",
    ]);
    // Three declines' writes land but their answers are lost: each is settled by reading back.
    r.server.faults.set({ loseAnswer: 3, matchKey: "booking" });
    const results = await declineAtOnce(r, booking, emails);
    assert.equal(r.server.stats().injected.loseAnswer, 3, "answers were lost");
    assert.deepEqual(results.filter((x) => !x.ok), [], "every press is answered as recorded");
    const after = (await getBooking(r.kv, booking.id))!;
    assert.equal(after.status, "CANCELLED");
    assert.deepEqual(after.declined!.map((d) => d.email).sort(), [...emails].sort());
    assert.equal(after.history.filter((h) => h.status === "CANCELLED").length, 1, "one end");
    // The host: a "can't come" for each but the last, whose decline ended the meeting (one mail).
    assert.equal((await jobsOf(r, booking.id, "host_cancelled")).length, 1);
    assert.equal((await jobsOf(r, booking.id, "host_declined")).length, N - 1);
    // Each invitee's own CANCEL, once.
    assert.deepEqual((await jobsOf(r, booking.id, "attendee_declined")).sort(), [...emails].sort());
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: 35 of 36 invitees of a poll meeting declining at once on three processes are each told it is recorded, none “busy”, and the meeting stays with the one who did not",
  async fn() {
    await using r = await remoteApps({ processes: 3 });
    const { booking, emails } = await pollMeeting(r, "Stay", [
      "2026-11-24T09:00:00Z",
      "2026-11-24T10:00:00Z",
    ]);
    const stay = emails[17];
    const results = await declineAtOnce(r, booking, emails, stay);
    assert.deepEqual(results.filter((x) => !x.ok), [], "every press is answered as recorded");
    const after = (await getBooking(r.kv, booking.id))!;
    assert.equal(after.status, "CONFIRMED", "the meeting goes on");
    assert.deepEqual(attendeesOf(after), [stay], "with the one who did not decline");
    assert.equal(after.declined!.length, N - 1);
    assert.equal((await jobsOf(r, booking.id, "host_cancelled")).length, 0);
    assert.equal((await jobsOf(r, booking.id, "host_declined")).length, N - 1);
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});
