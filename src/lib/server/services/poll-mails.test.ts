/**
 * The mails about a poll's meeting reach each voter as they read the poll's page: their language,
 * their zone and clock (the vote's `reader`); a vote without one reads the host's. Over a real
 * SMTP peer, with each mail's .ics read by ical.js (docs/decisions/050, amendment of 2026-11-27).
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { mailerTo, type ReceivedMail, startSmtp } from "../../../../tests/support/smtp.ts";
import { createPoll } from "./polls.ts";
import { pickPollTime } from "./poll-pick.ts";
import { votePoll } from "./poll-votes.ts";
import { moveBookingByHost } from "./host-reschedule.ts";
import { decideBooking } from "./decide-booking.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { keys } from "../store/keys.ts";
import { pollMeeting } from "../../../../tests/support/poll-meeting.ts";

const T = ["2026-11-23T09:00:00Z", "2026-11-24T09:00:00Z"];
const MOVED = "2026-11-25T13:00:00Z";

/** A mail's text without its links (whose ids and tokens are random letters). */
const prose = (text: string) => text.replace(/https?:\/\/\S+/g, "");

/** The DTSTART of a mail's invitation, as an instant, read by ical.js. */
function icsStart(m: ReceivedMail): string {
  const ics = m.calendar ?? m.attachments.find((a) => a.contentType.includes("calendar"))?.content;
  assert.ok(ics, `${m.subject}: no .ics`);
  const ev = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!;
  const start = ev.getFirstPropertyValue("dtstart") as ICAL.Time;
  return new Date(start.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

Deno.test({
  name:
    "poll mails: each voter's invitation, its move and its cancel speak their language in their zone and clock (one mail per way of reading), a vote without a reader the host's (a real SMTP peer)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = mailerTo(smtp);
    try {
      const created = await createHost(app, {
        username: "marie",
        timeZone: "Europe/Paris",
        weekly: WORKDAYS,
      });
      const host = { ...created, locale: "fr", name: "Marie" };
      await app.kv.set(keys.user(host.id), host);
      await createEventType(app, host, {
        slug: "rdv",
        durationMin: 30,
        requiresConfirmation: false,
        minNoticeMin: 0,
      } as never);
      const made = await createPoll(app, host, { slug: "rdv", title: "Réunion", starts: T });
      assert.ok(made.ok);
      const token = new URL(made.url).pathname.split("/").pop()!;
      const mexico = { locale: "es", timeZone: "America/Mexico_City", clock: "12h" as const };
      const voters = [
        { name: "Xavi", email: "xavi@example.test", reader: mexico },
        // The first (by address) to say yes is the booking's guest: Greta.
        {
          name: "Greta",
          email: "greta@example.test",
          reader: { locale: "de", timeZone: "Europe/Berlin", clock: "24h" as const },
        },
        { name: "Olle", email: "olle@example.test" },
        { name: "Pia", email: "pia@example.test", reader: mexico },
        { name: "Quim", email: "quim@example.test", reader: mexico },
      ];
      for (const v of voters) {
        assert.ok((await votePoll(app, token, { ...v, answers: { t0: "yes", t1: "no" } })).ok);
      }
      const picked = await pickPollTime(app, host, made.poll.id, T[0]);
      assert.ok(picked.ok);
      await deliverOutbox(app, app.now());

      /** The mail that reached `email` whose subject matches `subject`. */
      const mailTo = (email: string, subject: RegExp) =>
        smtp.waitForMail((m) => m.to.includes(email) && subject.test(m.subject), 5_000);
      // 09:00Z: 3:00 a.m. in Mexico City, 10:00 in Berlin and Paris.
      const booked = {
        greta: await mailTo("greta@example.test", /^Bestätigt/),
        olle: await mailTo("olle@example.test", /^Réservé/),
        pia: await mailTo("pia@example.test", /^Reservada/),
      };
      assert.match(booked.pia.subject, /3:00.*a\.\s?m\..*Mexico/);
      assert.match(booked.greta.text, /10:00.*Berlin/);
      // Her 24-hour clock: no 12-hour marker after a time. Looked for in the prose only, as a
      // word after a time: the mail's links carry the booking's id and token, random letters
      // that held "AM" now and then ("…TBNAAMWT…"), which failed this test once in a while.
      assert.doesNotMatch(prose(booked.greta.text), /\d\s?(a\.\s?m\.|p\.\s?m\.|AM|PM)(?![A-Za-z])/);
      assert.match(booked.olle.subject, /10:00.*Paris/);
      // A mail of their own for each voter (it carries their own link to decline, ADR 050,
      // amendment "declining"), the three Mexican readers' alike.
      assert.deepEqual(booked.pia.to, ["pia@example.test"]);
      for (const other of ["quim@example.test", "xavi@example.test"]) {
        const theirs = await mailTo(other, /^Reservada/);
        assert.deepEqual(theirs.to, [other]);
        assert.match(theirs.text, /3:00.*a\.\s?m\..*Mexico/s);
      }
      assert.deepEqual(booked.greta.to, ["greta@example.test"]);
      assert.deepEqual(booked.olle.to, ["olle@example.test"]);
      // Each distinct mail has its own Message-ID.
      const ids = Object.values(booked).map((m) => m.messageId);
      assert.equal(new Set(ids).size, ids.length, ids.join(" "));
      for (const m of Object.values(booked)) assert.equal(icsStart(m), T[0], m.subject);

      // The host moves it: each hears of it in their own words and zone again.
      smtp.clear();
      const moved = await moveBookingByHost(app, host, picked.bookingId, {
        start: MOVED,
        reason: "",
      });
      assert.ok(moved.ok, JSON.stringify(moved));
      await deliverOutbox(app, app.now());
      // 13:00Z: 7:00 a.m. in Mexico City, 14:00 in Berlin and Paris.
      const after = {
        greta: await mailTo("greta@example.test", /^Verschoben/),
        olle: await mailTo("olle@example.test", /^Déplacé/),
        pia: await mailTo("pia@example.test", /^Reprogramada/),
      };
      assert.match(after.pia.text, /7:00.*a\.\s?m\..*Mexico/s);
      assert.match(after.greta.text, /14:00.*Berlin/s);
      assert.match(after.olle.text, /14:00.*Paris/s);
      assert.deepEqual(after.pia.to, ["pia@example.test"]);
      assert.match((await mailTo("xavi@example.test", /^Reprogramada/)).text, /7:00.*Mexico/s);
      for (const m of Object.values(after)) assert.equal(icsStart(m), MOVED, m.subject);

      // …and its cancellation.
      smtp.clear();
      const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
        hostId: host.id,
      });
      assert.ok(cancelled.ok);
      await deliverOutbox(app, app.now());
      const gone = {
        greta: await mailTo("greta@example.test", /^Abgesagt/),
        olle: await mailTo("olle@example.test", /^Annulé/),
        pia: await mailTo("pia@example.test", /^Cancelada/),
      };
      assert.match(gone.greta.text, /14:00.*Berlin/s);
      assert.match(gone.pia.text, /7:00.*a\.\s?m\..*Mexico/s);
      assert.match(gone.olle.text, /14:00.*Paris/s);
      for (const m of Object.values(gone)) assert.equal(icsStart(m), MOVED, m.subject);
    } finally {
      app.close();
    }
  },
});

Deno.test("poll mails: a poll's meeting reaches its voters four hand-offs at once, not one after another (each a mail of their own, once; their cancellations after every invitation)", async () => {
  const { app, host, booking, emails } = await pollMeeting(12);
  try {
    // A slow SMTP relay (a new connection, STARTTLS and AUTH per mail) made a poll of a hundred
    // voters wait over a minute for its last invitation, past a drain's time budget. Each
    // voter's invitation here waits until four are in flight at once; one after another they
    // never are, and the watchdog lets them through so that the counts below say what happened.
    // (The guest, the first to say yes, gets the guest's confirmation; the host a copy.)
    const voters = emails.filter((e) => e !== booking.guestEmail);
    assert.equal(voters.length, 11);
    const send = app.mailer.send.bind(app.mailer);
    let inFlight = 0;
    let peak = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const watchdog = setTimeout(() => open(), 2_000);
    app.mailer.send = async (mail) => {
      if (!voters.some((v) => String(mail.to).includes(v))) return await send(mail);
      peak = Math.max(peak, ++inFlight);
      if (inFlight === 4) open();
      await gate;
      inFlight--;
      return await send(mail);
    };
    await deliverOutbox(app, app.now());
    clearTimeout(watchdog);

    assert.equal(peak, 4, "four voters' mails in flight at once, no more");
    const to = (email: string) => app.mailer.sent.filter((m) => String(m.to).includes(email));
    for (const email of emails) assert.equal(to(email).length, 1, `${email}: one mail`);
    assert.equal(to(host.email).length, 1, "the host's copy");

    // The host cancels: each voter's cancellation comes after their invitation, once.
    app.mailer.send = send;
    const cancelled = await decideBooking(app, booking.id, "cancel", "host", {
      hostId: host.id,
    });
    assert.ok(cancelled.ok);
    await deliverOutbox(app, app.now());
    for (const email of emails) assert.equal(to(email).length, 2, `${email}: and its cancellation`);
  } finally {
    app.close();
  }
});
