/**
 * Google Meet per booking (issue 27) against the local Google of tests/support/google.ts: the
 * Meet is made with the host's calendar event (`conferenceData.createRequest`,
 * `conferenceDataVersion=1`), a `pending` answer is asked for again through the outbox, the
 * confirmation waits for the link, a provider outage leaves the booking standing and is followed
 * by an updated invitation (SEQUENCE + 1) once the link exists, a reschedule keeps the one Meet
 * and a cancellation leaves none.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startGoogle } from "../support/google.ts";
import { connectVia, hostWithEventType, MIN, providerApp } from "./provider-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { decideBooking, rescheduleByHost } from "../../src/lib/server/services/decide-booking.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { getEventTypeBySlug, updateEventType } from "../../src/lib/server/store/event-types.ts";
import type { TestApp } from "../support/memory-app.ts";
import { setWriteback } from "../../src/lib/server/store/calendars.ts";
import { settleCounts } from "../../src/lib/server/services/insights-count.ts";
import { listProblems } from "../../src/lib/server/store/insights.ts";
import { startSmtp } from "../support/smtp.ts";
import { createMailer } from "../../src/lib/server/integrations/mail.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();
const PRIMARY = "ann@example.com";
const MEET = /https:\/\/meet\.google\.com\/inv-\d{4}-mtg/;

async function setup() {
  const g = await startGoogle();
  g.calendars = [{ id: PRIMARY, summary: "Ann", accessRole: "owner", primary: true }];
  const app = await providerApp(g.env);
  const host = await hostWithEventType(app);
  const et = (await getEventTypeBySlug(app.kv, host.id, "call"))!;
  await updateEventType(app.kv, host.id, et.id, (cur) => ({
    ...cur,
    locations: [{ kind: "google_meet", value: "" }],
    location: { kind: "google_meet", value: "" },
  }));
  const { result } = await connectVia(app, host, "google", g.oauth);
  assert.ok(result.ok);
  return { g, app, host };
}

async function book(app: TestApp, start: string, email = "jane@example.test") {
  const booked = await bookSlot(app, {
    username: "host",
    slug: "call",
    start,
    name: "Jane Doe",
    email,
    note: "",
    timeZone: "Europe/Berlin",
  });
  assert.ok(booked.ok && booked.status === "CONFIRMED", JSON.stringify(booked));
  return booked.bookingId;
}

/** Runs the outbox until nothing is due within `ms` of the (moving) test clock. */
async function drain(app: TestApp, ms = 60_000) {
  for (let t = 0; t <= ms; t += 5_000) {
    await deliverOutbox(app, app.now());
    app.clock.ms += 5_000;
  }
}

const confirmations = (app: TestApp, to: string) =>
  app.mailer.sent.filter((m) => m.to === to && /^Confirmed/.test(m.subject));

function vevent(ics: string) {
  return new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!;
}

Deno.test({
  ...opts,
  name:
    "google meet: made with the event (pending, then success); the one confirmation waits for it and carries hangoutLink in text and ICS; reschedule keeps the Meet, cancel leaves none",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      g.meetPendingAnswers = 1; // Google makes the Meet in the background
      const id = await book(app, "2026-11-23T13:00:00Z");
      // The write reads `pending` and is retried through the outbox (after a minute).
      await drain(app, 2 * MIN);
      const post = g.requests.find((r) => r.method === "POST" && r.path.endsWith("/events"))!;
      assert.match(post.query, /conferenceDataVersion=1/);
      const booking = (await getBooking(app.kv, id))!;
      assert.equal(booking.location?.kind, "google_meet");
      const link = booking.location!.value;
      assert.match(link, MEET, "the link read back from the event");
      assert.deepEqual(g.liveMeets(PRIMARY).length, 1);

      const guest = confirmations(app, "jane@example.test");
      assert.equal(guest.length, 1, "one confirmation, sent once the link existed");
      assert.ok(guest[0].text.includes(link), "the guest's mail has the link");
      const ev = vevent(guest[0].icalEvent!.content);
      assert.equal(ev.getFirstPropertyValue("location"), `Google Meet: ${link}`);
      assert.equal(ev.getFirstPropertyValue("url"), link);
      assert.equal(ev.getFirstPropertyValue("x-google-conference"), link);
      assert.ok(
        app.mailer.sent.some((m) => m.to === host.email && m.text.includes(link)),
        "the host's mail has it",
      );

      // A reschedule moves the same event: still the one Meet, the same link.
      const moved = await rescheduleByHost(app, host.id, id, "2026-11-24T09:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      await drain(app);
      assert.equal(g.liveMeets(PRIMARY).length, 1, "never two live meetings");
      assert.equal((await getBooking(app.kv, moved.booking.id))!.location?.value, link);

      const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
        hostId: host.id,
      });
      assert.ok(cancelled.ok);
      await drain(app);
      assert.equal(g.liveMeets(PRIMARY).length, 0, "cancelling leaves no meeting");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google meet: an outage leaves the booking standing; the confirmation goes out saying the link follows, and an updated invitation (SEQUENCE+1) carries it once it exists",
  async fn() {
    const { g, app } = await setup();
    await using _g = g;
    try {
      let down = true;
      g.override = (req) =>
        down && req.method !== "GET"
          ? Response.json({ error: { code: 503, message: "Backend Error" } }, { status: 503 })
          : null;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 11 * MIN);
      const booking = (await getBooking(app.kv, id))!;
      assert.equal(booking.status, "CONFIRMED", "the booking stands");
      assert.equal(booking.location?.value, "");
      const first = confirmations(app, "jane@example.test");
      assert.equal(first.length, 1, "after the wait the confirmation goes out");
      assert.match(first[0].text, /the link follows in a separate mail/);
      const seq1 = Number(vevent(first[0].icalEvent!.content).getFirstPropertyValue("sequence"));

      down = false;
      await drain(app, 60 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, MEET);
      const all = confirmations(app, "jane@example.test");
      assert.equal(all.length, 2, "one updated invitation");
      assert.ok(all[1].text.includes(link));
      const ev = vevent(all[1].icalEvent!.content);
      assert.equal(Number(ev.getFirstPropertyValue("sequence")), seq1 + 1);
      assert.equal(ev.getFirstPropertyValue("url"), link);
      assert.equal(g.liveMeets(PRIMARY).length, 1);
    } finally {
      app.close();
    }
  },
});

/**
 * The app's own SMTP mailer to a real peer, whose first `lose` hand-offs go through but answer
 * as if the connection broke after DATA (the outbox then sends the same mail again).
 */
function smtpMailer(port: number, lose = 0): TestApp["mailer"] {
  const real = createMailer({
    host: "127.0.0.1",
    port,
    user: null,
    password: null,
    from: "Invito <invito@example.test>",
  });
  return {
    mode: "smtp",
    sent: [],
    failWith: null,
    async send(mail) {
      const res = await real.send(mail);
      if (res.ok && lose > 0) {
        lose--;
        return { ok: false, error: { kind: "network", detail: "connection lost after DATA" } };
      }
      return res;
    },
  };
}

Deno.test({
  ...opts,
  name:
    "google meet: the updated invitation that brings the link after an outage is a mail of its own (its own Message-ID, for the guest and the host), while a resend of one mail keeps its Message-ID",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    await using smtp = await startSmtp();
    try {
      // The first hand-off (the guest's confirmation) is resent: the receiver must be able to
      // tell the copy from a new mail.
      app.mailer = smtpMailer(smtp.port, 1);
      let down = true;
      g.override = (req) =>
        down && req.method !== "GET"
          ? Response.json({ error: { code: 503, message: "Backend Error" } }, { status: 503 })
          : null;
      await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 11 * MIN);
      down = false;
      await drain(app, 60 * MIN);
      for (const to of ["jane@example.test", host.email]) {
        const mails = smtp.mails.filter((m) => m.to.includes(to));
        const withLink = mails.filter((m) => MEET.test(m.text));
        assert.equal(withLink.length, 1, `${to}: one updated invitation`);
        const first = mails.filter((m) => !MEET.test(m.text));
        assert.ok(first.length >= 1, `${to}: the first invitation`);
        assert.ok(
          first.every((m) => m.messageId !== withLink[0].messageId),
          `${to}: ${first.map((m) => m.messageId)} vs ${withLink[0].messageId}`,
        );
        const seqs = [...first, ...withLink].map((m) =>
          Number(vevent(m.calendar!).getFirstPropertyValue("sequence"))
        );
        assert.ok(seqs.at(-1)! > seqs[0], `${to}: the update is newer (${seqs})`);
      }
      const guestFirst = smtp.mails.filter((m) =>
        m.to.includes("jane@example.test") && !MEET.test(m.text)
      );
      assert.equal(guestFirst.length, 2, "the lost answer's mail went twice");
      assert.equal(guestFirst[0].messageId, guestFirst[1].messageId, "as the same message");
      assert.equal(new Set(smtp.mails.map((m) => m.messageId)).size, smtp.mails.length - 1);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "google meet: a Meet still being made is no problem on the health panel; a host who stopped writing bookings to Google sees why the link does not come",
  async fn() {
    const { g, app, host } = await setup();
    await using _g = g;
    try {
      g.meetPendingAnswers = 1;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 2 * MIN);
      assert.match((await getBooking(app.kv, id))!.location!.value, MEET);
      await settleCounts();
      assert.deepEqual(await listProblems(app.kv, host.id), [], "waiting is not failing");

      assert.ok(await setWriteback(app.kv, host.id, null));
      const other = await book(app, "2026-11-23T15:00:00Z", "kim@example.test");
      await drain(app, 2 * MIN);
      await settleCounts();
      const problems = await listProblems(app.kv, host.id);
      assert.ok(
        problems.some((p) => p.bookingId === other && /Google Meet: no calendar/.test(p.detail)),
        JSON.stringify(problems),
      );
    } finally {
      app.close();
    }
  },
});
