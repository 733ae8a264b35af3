import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { closePoll, createPoll, pollMatrix, switchOnPollEventType } from "./polls.ts";
import { pickPollTime } from "./poll-pick.ts";
import { openPoll, votePoll } from "./poll-votes.ts";
import { pollAnswers } from "./poll-views.ts";
import { keys } from "../store/keys.ts";
import type { EventTypeRecord, OutboxRecord } from "../domain/model/records.ts";
import { deleteEventType, setEventTypeActive } from "./event-types.ts";
import { bookSlot } from "./book-slot.ts";
import { getSlotRange } from "./slot-range.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { decideBooking, rescheduleByGuest } from "./decide-booking.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";

async function setup() {
  // Friday 2026-11-20 08:00 UTC; the host works weekdays 09–17 UTC.
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  return { app, host };
}

async function offered(app: TestApp, date: string): Promise<string[]> {
  const r = await getSlotRange(app, {
    username: "ann",
    slug: "chat",
    start: date,
    end: date,
    timeZone: "UTC",
  });
  assert.ok(r.ok);
  return r.days.flatMap((d) => Array.from(d.starts)).map((ms) =>
    new Date(ms).toISOString().replace(".000Z", "Z")
  );
}

const guest = (start: string, email: string) => ({
  username: "ann",
  slug: "chat",
  start,
  name: "Guest",
  email,
  note: "",
  timeZone: "UTC",
});

const T = ["2026-11-23T10:00:00Z", "2026-11-23T13:00:00Z", "2026-11-24T09:00:00Z"];

/** A poll of the times `T` called `title`, answered by each of `voters` with `answers`. */
async function answeredPoll(
  app: TestApp,
  host: Parameters<typeof createPoll>[1],
  title: string,
  voters: string[],
  answers: Record<string, string>,
) {
  const made = await createPoll(app, host, { slug: "chat", title, starts: T });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  for (const who of voters) {
    assert.ok(
      (await votePoll(app, token, { name: who, email: `${who}@example.test`, answers })).ok,
    );
  }
  return { poll: made.poll, token };
}

Deno.test("polls: reserved times are busy for everyone else and free themselves when the poll expires", async () => {
  const { app, host } = await setup();
  const made = await createPoll(app, host, {
    slug: "chat",
    title: "Sync",
    starts: T,
    reserve: true,
    until: "2026-11-21",
  });
  assert.ok(made.ok, JSON.stringify(made));
  const monday = await offered(app, "2026-11-23");
  assert.ok(!monday.includes(T[0]) && !monday.includes(T[1]), "held times are not offered");
  assert.ok(monday.includes("2026-11-23T11:00:00Z"), "the rest of the day is");
  assert.equal((await bookSlot(app, guest(T[0], "x@example.test"))).ok, false);
  // A time overlapping a held one (30-minute meetings) is refused as well.
  const r = await bookSlot(app, guest("2026-11-23T09:45:00Z", "y@example.test"));
  assert.equal(r.ok ? "booked" : r.reason, "slot_unavailable");
  // The poll expires at the end of Saturday: on Sunday the times are free again, with no write.
  app.clock.ms = Date.parse("2026-11-22T00:00:01Z");
  assert.ok((await offered(app, "2026-11-23")).includes(T[0]));
  const booked = await bookSlot(app, guest(T[0], "x@example.test"));
  assert.ok(booked.ok, JSON.stringify(booked));
  assert.deepEqual(
    await votePoll(app, new URL(made.url).pathname.split("/").pop()!, {
      name: "Late",
      email: "late@example.test",
      answers: { t0: "yes" },
    }),
    { ok: false, reason: "closed" },
  );
  app.close();
});

Deno.test("polls: picking a held time books it under the hold's id; the other held times are free at once; a poll books once", async () => {
  const { app, host } = await setup();
  const made = await createPoll(app, host, {
    slug: "chat",
    title: "Sync",
    starts: T,
    reserve: true,
  });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  assert.equal(
    (await votePoll(app, token, {
      name: "Bo",
      email: "bo@example.test",
      answers: { t0: "no", t1: "yes", t2: "maybe" },
    })).ok,
    true,
  );
  const picked = await pickPollTime(app, host, made.poll.id, T[1]);
  assert.ok(picked.ok, JSON.stringify(picked));
  assert.equal(picked.bookingId, made.poll.holds![1].id);
  const monday = await offered(app, "2026-11-23");
  assert.ok(monday.includes(T[0]), "another held time is free again");
  assert.ok(!monday.includes(T[1]), "the booked one is not");
  assert.ok((await offered(app, "2026-11-24")).includes(T[2]));
  const again = await pickPollTime(app, host, made.poll.id, T[2]);
  assert.equal(again.ok ? "booked" : again.reason, "closed");
  app.close();
});

Deno.test("polls: holding a time that is already taken refuses the poll and holds nothing", async () => {
  const { app, host } = await setup();
  assert.ok((await bookSlot(app, guest(T[2], "z@example.test"))).ok);
  const made = await createPoll(app, host, {
    slug: "chat",
    title: "Sync",
    starts: T,
    reserve: true,
  });
  assert.equal(made.ok ? "made" : made.reason, "not_free");
  const monday = await offered(app, "2026-11-23");
  assert.ok(monday.includes(T[0]) && monday.includes(T[1]), "the first holds were released");
  app.close();
});

/** The poll events waiting in the outbox (nothing has been delivered: no job ran). */
async function queuedPollEvents(app: TestApp): Promise<string[]> {
  const out: string[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) {
    if (e.value.payload.kind === "host_event") out.push(e.value.payload.event);
  }
  return out.sort();
}

Deno.test("polls: each change queues its poll.* event in the change's own write; a refused change queues none", async () => {
  const { app, host } = await setup();
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
  assert.ok(made.ok);
  assert.deepEqual(await queuedPollEvents(app), ["poll.created"]);
  const token = new URL(made.url).pathname.split("/").pop()!;
  const vote = { name: "Bo", email: "bo@example.test", answers: { t0: "yes" } };
  assert.equal((await votePoll(app, token, vote)).ok, true);
  assert.deepEqual(await queuedPollEvents(app), ["poll.created", "poll.voted"]);
  assert.deepEqual(await closePoll(app, host, made.poll.id), { ok: true });
  assert.deepEqual(await votePoll(app, token, vote), { ok: false, reason: "closed" });
  assert.deepEqual(await pickPollTime(app, host, made.poll.id, T[0]), {
    ok: false,
    reason: "closed",
  });
  assert.deepEqual(await queuedPollEvents(app), ["poll.closed", "poll.created", "poll.voted"]);
  assert.equal((await app.kv.get(keys.pollBooked(made.poll.id))).value !== null, true);
  app.close();
});

Deno.test("polls: closing a poll with reserved times frees them at once; of 10 concurrent closes one lands", async () => {
  const { app, host } = await setup();
  const made = await createPoll(app, host, {
    slug: "chat",
    title: "Sync",
    starts: T,
    reserve: true,
  });
  assert.ok(made.ok);
  assert.ok(!(await offered(app, "2026-11-23")).includes(T[0]));
  const results = await Promise.all(
    Array.from({ length: 10 }, () => closePoll(app, host, made.poll.id)),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  const days = await offered(app, "2026-11-23");
  assert.ok(days.includes(T[0]) && days.includes(T[1]), "held times are free again");
  assert.equal((await queuedPollEvents(app)).filter((e) => e === "poll.closed").length, 1);
  app.close();
});

Deno.test("polls: erasing a guest removes their answers from the host's polls", async () => {
  const { eraseGuest } = await import("./host-data.ts");

  const { app, host } = await setup();
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  for (const email of ["bo@example.test", "cy@example.test"]) {
    assert.equal(
      (await votePoll(app, token, { name: "X", email, answers: { t0: "yes" } })).ok,
      true,
    );
  }
  assert.ok((await eraseGuest(app, host, "BO@example.test")).ok);
  const after = await pollAnswers(app, host, made.poll.id);
  assert.deepEqual(after!.votes.map((v) => v.email), ["cy@example.test"]);
  app.close();
});

Deno.test("polls: a time that has begun cannot be picked (the poll stays open for the later ones) and is marked for the results page, which offers no pick for it", async () => {
  const { app, host } = await setup();
  const { poll } = await answeredPoll(app, host, "Sync", ["bo"], {
    t0: "yes",
    t1: "yes",
    t2: "yes",
  });
  // Monday 10:30: the first time has begun.
  app.clock.ms = Date.parse("2026-11-23T10:30:00Z");
  const late = await pickPollTime(app, host, poll.id, T[0]);
  assert.equal(late.ok ? "booked" : late.reason, "slot_unavailable");
  const matrix = (await pollMatrix(app, host, poll.id, "en"))!;
  assert.deepEqual(matrix.times.map((t) => t.past), [true, false, false]);
  assert.equal(matrix.state, "open");
  assert.ok((await pickPollTime(app, host, poll.id, T[1])).ok, "a later time still can");
  app.close();
});

Deno.test("polls: the meeting a poll booked keeps the poll's title when it is moved, by the host or by the guest", async () => {
  const { app, host } = await setup();
  const { poll } = await answeredPoll(app, host, "Quarterly planning", ["bo"], {
    t0: "yes",
    t1: "no",
    t2: "no",
  });
  const picked = await pickPollTime(app, host, poll.id, T[0]);
  assert.ok(picked.ok);
  const moved = await moveBookingByHost(app, host, picked.bookingId, {
    start: "2026-11-25T10:00:00Z",
    reason: "",
  });
  assert.ok(moved.ok, JSON.stringify(moved));
  const again = await rescheduleByGuest(app, moved.guestToken, "2026-11-26T10:00:00Z");
  assert.ok(again.ok, JSON.stringify(again));
  for (const id of [picked.bookingId, moved.booking.id, again.booking.id]) {
    assert.equal((await getBooking(app.kv, id))!.eventTitle, "Quarterly planning", id);
  }
  app.close();
});

Deno.test("polls: the other invitees' mails after the host moves or cancels the meeting name the host, and their replies go to the host, not to a fellow invitee", async () => {
  const { app, host } = await setup();
  const { poll } = await answeredPoll(app, host, "Sync", ["bo", "cy"], {
    t0: "yes",
    t1: "no",
    t2: "no",
  });
  const picked = await pickPollTime(app, host, poll.id, T[0]);
  assert.ok(picked.ok);
  await deliverOutbox(app, app.now());
  const moved = await moveBookingByHost(app, host, picked.bookingId, {
    start: "2026-11-25T10:00:00Z",
    reason: "",
  });
  assert.ok(moved.ok);
  await deliverOutbox(app, app.now());
  assert.ok((await decideBooking(app, moved.booking.id, "cancel", "host", { hostId: host.id })).ok);
  await deliverOutbox(app, app.now());
  const toCy = app.mailer.sent.filter((m) => m.to.includes("cy@example.test"));
  assert.ok(toCy.length >= 3, `${toCy.length} mails to the other invitee`);
  for (const m of toCy) {
    assert.equal(m.replyTo, host.email, m.subject);
    assert.doesNotMatch(m.text, /bo invited you|to which bo invited/i, m.subject);
  }
  app.close();
});

Deno.test("polls and one-off links: one time written two ways is one time, not a refusal", async () => {
  const { app, host } = await setup();
  const twice = [T[0], T[0].replace("Z", "+00:00"), T[1]];
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: twice });
  assert.ok(made.ok, JSON.stringify(made));
  assert.equal(made.poll.starts.length, 2);
  const link = await mintOneOffLink(app, host, { slug: "chat", starts: twice, note: "" });
  assert.ok(link.ok, JSON.stringify(link));
  assert.equal(link.link.offeredStarts!.length, 2);
  app.close();
});

Deno.test("polls: after the pick, the invitees' link and the host's results say when the meeting is, where it moved to, and nothing once it is cancelled", async () => {
  const { app, host } = await setup();
  const { poll, token } = await answeredPoll(app, host, "Sync", ["bo"], {
    t0: "yes",
    t1: "no",
    t2: "no",
  });
  const picked = await pickPollTime(app, host, poll.id, T[0]);
  assert.ok(picked.ok);
  const voterSees = async () => {
    const p = await openPoll(app, token, { timeZone: "UTC", locale: "en", clock: "24h" });
    assert.ok(p.ok);
    return p.booked;
  };
  assert.match((await voterSees())!, /23.*10:00/);
  const moved = await moveBookingByHost(app, host, picked.bookingId, {
    start: "2026-11-25T14:00:00Z",
    reason: "",
  });
  assert.ok(moved.ok);
  assert.match((await voterSees())!, /25.*14:00/, "where it moved to");
  const matrix = (await pollMatrix(app, host, poll.id, "en"))!;
  assert.equal(matrix.booked?.bookingId, moved.booking.id);
  assert.ok((await decideBooking(app, moved.booking.id, "cancel", "host", { hostId: host.id })).ok);
  assert.equal(await voterSees(), null);
  app.close();
});

Deno.test("polls: a time that has begun keeps the answers it had when an invitee changes theirs, and the invitees' page shows it as passed", async () => {
  const { app, host } = await setup();
  const { poll, token } = await answeredPoll(app, host, "Sync", ["bo"], {
    t0: "yes",
    t1: "no",
    t2: "no",
  });
  const votes = await pollAnswers(app, host, poll.id);
  const answersOf = (v: { answers: { answer: string }[] }) => v.answers.map((a) => a.answer);
  assert.deepEqual(answersOf(votes!.votes[0]), ["yes", "no", "no"]);
  const dee = await votePoll(app, token, {
    name: "Dee",
    email: "dee@example.test",
    answers: { t0: "yes", t1: "no", t2: "no" },
  });
  assert.ok(dee.ok);
  app.clock.ms = Date.parse("2026-11-23T10:30:00Z");
  // Dee changes her answers: the passed time keeps her "yes".
  assert.ok(
    (await votePoll(app, token, {
      name: "Dee",
      email: "dee@example.test",
      answers: { t0: "no", t1: "yes", t2: "yes" },
      voterToken: dee.voterToken,
    })).ok,
  );
  const page = await openPoll(app, token, { timeZone: "UTC", locale: "en", clock: "24h" });
  assert.ok(page.ok);
  assert.deepEqual(page.times.map((t) => t.past), [true, false, false]);
  // A newcomer's "yes" to the passed time is not taken; the later ones are.
  assert.ok(
    (await votePoll(app, token, {
      name: "Cy",
      email: "cy@example.test",
      answers: { t0: "yes", t1: "yes", t2: "maybe" },
    })).ok,
  );
  const after = await pollAnswers(app, host, poll.id);
  const cy = after!.votes.find((v) => v.email === "cy@example.test")!;
  assert.deepEqual(answersOf(cy), ["no", "yes", "maybe"]);
  const deeNow = after!.votes.find((v) => v.email === "dee@example.test")!;
  assert.deepEqual(answersOf(deeNow), ["yes", "yes", "yes"]);
  app.close();
});

Deno.test("polls: invitees answering while the host picks are each either an attendee of the meeting or refused, never thanked and left out", async () => {
  const { app, host } = await setup();
  const free = [
    ...await offered(app, "2026-11-23"),
    ...await offered(app, "2026-11-24"),
    ...await offered(app, "2026-11-25"),
  ];
  // Each round a fresh poll with one answer, then a crowd of new invitees and the pick at once,
  // the pick started among them at a different place each round.
  let [thanked, refused] = [0, 0];
  for (let round = 0; round < 12; round++) {
    const starts = [free[2 * round], free[2 * round + 1]];
    const made = await createPoll(app, host, { slug: "chat", title: `Race ${round}`, starts });
    assert.ok(made.ok);
    const token = new URL(made.url).pathname.split("/").pop()!;
    const first = { name: "First", email: "first@example.test", answers: { t0: "yes" } };
    assert.ok((await votePoll(app, token, { ...first, client: `r${round}` })).ok);
    const turns = (n: number) =>
      Array.from({ length: n }).reduce<Promise<unknown>>(
        (p) => p.then(() => new Promise((r) => setTimeout(r, 0))),
        Promise.resolve(),
      );
    const emails = Array.from({ length: 14 }, (_, i) => `r${round}v${i}@example.test`);
    const [pick, ...votes] = await Promise.all([
      turns(round % 7).then(() => pickPollTime(app, host, made.poll.id, starts[0])),
      ...emails.map((email, i) =>
        turns(i % 5).then(() =>
          votePoll(app, token, { name: `V${i}`, email, answers: { t0: "yes" }, client: email })
        )
      ),
    ]);
    assert.ok(pick.ok, `round ${round}: the pick books`);
    const booking = (await getBooking(app.kv, pick.bookingId))!;
    const attendees = new Set([booking.guestEmail, ...(booking.additionalGuests ?? [])]);
    emails.forEach((email, i) => {
      const v = votes[i];
      if (v.ok) assert.ok(attendees.has(email), `round ${round}: ${email} thanked but not invited`);
      else assert.equal(v.reason, "closed", `round ${round}: ${email} refused as ${v.reason}`);
      v.ok ? thanked++ : refused++;
    });
    // And the other way: every attendee answered, every stored answer is an attendee's.
    const stored = (await pollMatrix(app, host, made.poll.id, "en"))!.votes.map((v) => v.email);
    assert.deepEqual([...attendees].sort(), [...stored].sort(), `round ${round}`);
  }
  // The race was run: some answers landed before the pick, some after it.
  assert.ok(thanked > 0 && refused > 0, `${thanked} thanked, ${refused} refused`);
  app.close();
});

Deno.test("polls: invitees fixing their address while the host picks are invited under the address their answer ended with, never under one it left", async () => {
  const { app, host } = await setup();
  const free = [...await offered(app, "2026-11-23"), ...await offered(app, "2026-11-24")];
  let [moved, refused] = [0, 0];
  for (let round = 0; round < 10; round++) {
    const starts = [free[2 * round], free[2 * round + 1]];
    const made = await createPoll(app, host, { slug: "chat", title: `Moves ${round}`, starts });
    assert.ok(made.ok);
    const token = new URL(made.url).pathname.split("/").pop()!;
    const voters = [];
    for (let i = 0; i < 8; i++) {
      const email = `r${round}typo${i}@exmaple.test`;
      const v = await votePoll(app, token, {
        name: `V${i}`,
        email,
        answers: { t0: "yes" },
        client: email,
      });
      assert.ok(v.ok);
      voters.push({ email, fixed: `r${round}v${i}@example.test`, voterToken: v.voterToken });
    }
    const turns = (n: number) =>
      Array.from({ length: n }).reduce<Promise<unknown>>(
        (p) => p.then(() => new Promise((r) => setTimeout(r, 0))),
        Promise.resolve(),
      );
    const [pick, ...moves] = await Promise.all([
      turns(round % 3).then(() => pickPollTime(app, host, made.poll.id, starts[0])),
      // Spread over more turns than the pick takes, so some moves land after it in every run.
      ...voters.map((v, i) =>
        turns(3 * i).then(() =>
          votePoll(app, token, {
            name: `V${i}`,
            email: v.fixed,
            answers: { t0: "yes" },
            voterToken: v.voterToken,
            client: v.fixed,
          })
        )
      ),
    ]);
    assert.ok(pick.ok, `round ${round}: the pick books`);
    const booking = (await getBooking(app.kv, pick.bookingId))!;
    const attendees = new Set([booking.guestEmail, ...(booking.additionalGuests ?? [])]);
    voters.forEach((v, i) => {
      const m = moves[i];
      const now = m.ok ? v.fixed : v.email;
      const before = m.ok ? v.email : v.fixed;
      assert.ok(attendees.has(now), `round ${round}: ${now} answered but not invited`);
      assert.ok(!attendees.has(before), `round ${round}: ${before} invited but no answer has it`);
      m.ok ? moved++ : refused++;
    });
    const stored = (await pollMatrix(app, host, made.poll.id, "en"))!.votes.map((v) => v.email);
    assert.deepEqual([...attendees].sort(), [...stored].sort(), `round ${round}`);
  }
  assert.ok(moved > 0 && refused > 0, `${moved} moved, ${refused} refused`);
  app.close();
});

Deno.test("polls: with its event type switched off the poll still opens for the host, who is told why no time can be picked and can switch it on; deleted, the pick says so", async () => {
  const { app, host } = await setup();
  const { poll } = await answeredPoll(app, host, "Sync", ["ben"], { t0: "yes" });
  const et = (await app.kv.get<EventTypeRecord>(keys.eventType(host.id, poll.eventTypeId))).value!;
  await setEventTypeActive(app, host, et.id, false);
  const m = await pollMatrix(app, host, poll.id, "en");
  assert.equal(m?.state, "open");
  assert.deepEqual(m?.eventType, { off: "switched_off", title: et.title });
  assert.deepEqual(await pickPollTime(app, host, poll.id, T[0]), {
    ok: false,
    reason: "poll_event_type_off",
  });
  assert.deepEqual(await switchOnPollEventType(app, host, poll.id), { ok: true });
  assert.equal((await pollMatrix(app, host, poll.id, "en"))?.eventType.off, null);
  // Deleted: the poll is still there, and the pick names why it cannot book.
  const other = await answeredPoll(app, host, "Later", ["cy"], { t1: "yes" });
  assert.ok(await deleteEventType(app, host, et.id));
  assert.equal((await pollMatrix(app, host, other.poll.id, "en"))?.eventType.off, "deleted");
  assert.deepEqual(await pickPollTime(app, host, other.poll.id, T[1]), {
    ok: false,
    reason: "poll_event_type_deleted",
  });
  app.close();
});

Deno.test("polls: the meeting's invitation names every voter (CN, escaped) and its SUMMARY is the meeting of several, not the first voter's", async () => {
  const { app, host } = await setup();
  const made = await createPoll(app, host, { slug: "chat", title: "Sync", starts: T });
  assert.ok(made.ok);
  const token = new URL(made.url).pathname.split("/").pop()!;
  const voters = ["Ann", 'Ben; "B", Jr.', "Cy", "Dee"];
  for (const [i, name] of voters.entries()) {
    const email = `v${i}@example.test`;
    assert.ok(
      (await votePoll(app, token, { name, email, answers: { t0: "yes" }, client: email })).ok,
    );
  }
  const picked = await pickPollTime(app, host, made.poll.id, T[0]);
  assert.ok(picked.ok);
  await deliverOutbox(app, app.now());
  const toBen = app.mailer.sent.find((m) => m.to.includes("v1@example.test") && m.icalEvent);
  assert.ok(toBen, "Ben's invitation");
  // Unfolded, as calendars read it.
  const ics = toBen.icalEvent!.content.replace(/\r\n[ \t]/g, "");
  const attendees = ics.split("\r\n").filter((l) => l.startsWith("ATTENDEE"));
  assert.equal(attendees.length, 4, attendees.join("\n"));
  for (const [i, name] of voters.entries()) {
    const line = attendees.find((l) => l.endsWith(`:mailto:v${i}@example.test`));
    assert.ok(line, `v${i} attends`);
    // A name with `;`, `,` or `:` is quoted; a double quote has no escape in a parameter (RFC
    // 6868 writes it ^').
    const cn = name.includes('"') ? `"Ben; ^'B^', Jr."` : name;
    assert.ok(line.includes(`CN=${cn};`) || line.includes(`CN=${cn}:`), line);
  }
  const summary = ics.split("\r\n").find((l) => l.startsWith("SUMMARY:"))!;
  // TEXT escapes `,` and `;` (RFC 5545 3.3.11).
  assert.equal(summary, 'SUMMARY:Sync: Ann\\, Ben\\; "B"\\, Jr.\\, 2 others and Host ann');
  app.close();
});
