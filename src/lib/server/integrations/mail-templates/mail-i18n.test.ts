/**
 * Mails and calendar text in their reader's language: the guest's as they booked, the host's
 * profile language; dates spelled the reader's way; mails valid as documents (lang, title).
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
} from "../../../../../tests/support/memory-app.ts";
import { bookSlot } from "../../services/book-slot.ts";
import {
  cancelByGuest,
  decideBooking,
  decideByToken,
  rescheduleByGuest,
} from "../../services/decide-booking.ts";
import { deliverOutbox } from "../../jobs/deliver-outbox.ts";
import { expireHolds } from "../../jobs/expire-holds.ts";
import { getSlotPage } from "../../services/slot-page.ts";
import { updateUser } from "../../store/users.ts";
import { getBooking } from "../../store/bookings.ts";
import { bookingLinks } from "../../services/booking-links.ts";
import { writebackIcs } from "../../services/writeback-events.ts";
import type { OutgoingMail } from "../mail.ts";

// The memory app's clock: Friday 2026-11-20 08:00 UTC. Wednesday 25 November, 10:00 Berlin.
const START = "2026-11-25T09:00:00Z";

async function setup(opts: { hostLocale?: string; video?: boolean } = {}) {
  const app = await memoryApp();
  const host = await createHost(app, { username: "ana" });
  if (opts.hostLocale) await updateUser(app.kv, host.id, { locale: opts.hostLocale });
  const et = await createEventType(app, host, {
    slug: "call",
    title: "Intro call",
    location: opts.video
      ? { kind: "video", value: "https://meet.example/ana" }
      : { kind: "none", value: "" },
  });
  return { app, host: (await getHostById(app, host.id))!, et };
}

async function getHostById(app: TestApp, id: string) {
  const { getUser } = await import("../../store/users.ts");
  return await getUser(app.kv, id);
}

async function book(app: TestApp, locale: string | undefined, email = "gast@example.test") {
  const res = await bookSlot(app, {
    username: "ana",
    slug: "call",
    start: START,
    name: "Grete Gast",
    email,
    note: "",
    timeZone: "Europe/Berlin",
    locale,
  });
  assert.ok(res.ok, JSON.stringify(res));
  return res;
}

async function drain(app: TestApp): Promise<OutgoingMail[]> {
  const before = app.mailer.sent.length;
  await deliverOutbox(app, app.now());
  return app.mailer.sent.slice(before);
}

const to = (mails: OutgoingMail[], who: string) => mails.filter((m) => m.to === who);

Deno.test("mails: the guest reads German (as booked), the host French (profile), each with their own date format", async () => {
  const { app } = await setup({ hostLocale: "fr" });
  try {
    const booked = await book(app, "de-DE");
    assert.equal((await getBooking(app.kv, booked.bookingId))!.guestLocale, "de-DE");
    const mails = await drain(app);
    const [guest] = to(mails, "gast@example.test");
    const [host] = to(mails, "ana@example.test");
    assert.equal(guest.subject, "Anfrage gesendet: Intro call mit Host ana");
    assert.match(
      guest.text,
      /am Mittwoch, 25\. November 2026, 10:00–10:30 \(Europe\/Berlin, GMT\+1\)/,
    );
    assert.match(guest.html!, /^<!doctype html>\n<html lang="de-DE">/);
    assert.match(guest.html!, /<title>Anfrage gesendet<\/title>/);
    assert.equal(host.subject, "Demande de rendez-vous\u00a0: Intro call avec Grete Gast");
    assert.match(host.text, /le mercredi 25 novembre 2026, 10:00–10:30/);
    assert.match(host.html!, /<html lang="fr">/);
  } finally {
    app.close();
  }
});

Deno.test("mails: a US guest without a stored host language reads 'Wednesday, November 25, 2026'; the host gets English", async () => {
  const { app } = await setup();
  try {
    await book(app, "en-US");
    const mails = await drain(app);
    assert.match(to(mails, "gast@example.test")[0].text, /on Wednesday, November 25, 2026, 10:00/);
    assert.match(to(mails, "ana@example.test")[0].subject, /^Booking request: Intro call/);
  } finally {
    app.close();
  }
});

Deno.test("invitation: the guest's .ics summary and description are in their language; the host's calendar entry in the host's, with the location", async () => {
  const { app, host } = await setup({ hostLocale: "es", video: true });
  try {
    const booked = await book(app, "fr");
    await drain(app);
    const b = await getBooking(app.kv, booked.bookingId);
    const links = await bookingLinks(app, b!);
    assert.ok((await decideByToken(app, links.tokens.confirm, "confirm")).ok);
    const mails = await drain(app);
    const confirmed = to(mails, "gast@example.test")[0];
    const vevent = new ICAL.Component(ICAL.parse(confirmed.icalEvent!.content))
      .getFirstSubcomponent("vevent")!;
    assert.equal(
      vevent.getFirstPropertyValue("summary"),
      "Intro call\u00a0: Grete Gast et Host ana",
    );
    assert.match(
      String(vevent.getFirstPropertyValue("description")),
      /Déplacer ou annuler\u00a0: /,
    );
    assert.equal(
      vevent.getFirstPropertyValue("location"),
      "Visioconférence\u00a0: https://meet.example/ana",
    );
    // The guest's mail makes the meeting link a link.
    assert.match(
      confirmed.html!,
      /Lieu\u00a0: Visioconférence\u00a0: <a href="https:\/\/meet\.example\/ana"/,
    );
    const written = new ICAL.Component(
      ICAL.parse(writebackIcs(app, (await getBooking(app.kv, booked.bookingId))!, host, app.now())),
    ).getFirstSubcomponent("vevent")!;
    assert.equal(written.getFirstPropertyValue("summary"), "Intro call con Grete Gast");
    assert.equal(
      written.getFirstPropertyValue("location"),
      "Videollamada: https://meet.example/ana",
      "the calendar entry written back carries the meeting location",
    );
  } finally {
    app.close();
  }
});

Deno.test("rejecting with a message: the guest's mail quotes it and links back to the event's page in their language", async () => {
  const { app } = await setup();
  try {
    const booked = await book(app, "es");
    await drain(app);
    const links = await bookingLinks(app, (await getBooking(app.kv, booked.bookingId))!);
    const res = await decideByToken(app, links.tokens.reject, "reject", {
      reason: "¿Y el jueves a las 11?",
    });
    assert.ok(res.ok);
    assert.equal(res.booking.cancelReason, "¿Y el jueves a las 11?");
    const [mail] = to(await drain(app), "gast@example.test");
    assert.equal(mail.subject, "No aceptada: Intro call con Host ana");
    assert.match(mail.text, /Host ana ha escrito: ¿Y el jueves a las 11\?/);
    assert.match(
      mail.text,
      /Elegir otra hora: http:\/\/invito\.test\/calendar\/ana\/call\?lang=es/,
    );
    assert.match(mail.html!, /href="http:\/\/invito\.test\/calendar\/ana\/call\?lang=es"/);
  } finally {
    app.close();
  }
});

Deno.test("an expired request: the guest is pointed to the event's page, and the host is told once", async () => {
  const { app } = await setup({ hostLocale: "de" });
  try {
    await book(app, "en");
    await drain(app);
    app.clock.ms += 25 * 3_600_000;
    assert.deepEqual(await expireHolds(app, app.now()), { expired: 1 });
    // A second run of the job (another process, a retry) changes nothing and mails nobody.
    assert.deepEqual(await expireHolds(app, app.now()), { expired: 0 });
    const mails = await drain(app);
    const hostMails = to(mails, "ana@example.test");
    assert.equal(hostMails.length, 1);
    assert.equal(hostMails[0].subject, "Unbeantwortet abgelaufen: Intro call mit Grete Gast");
    assert.match(hostMails[0].text, /http:\/\/invito\.test\/dashboard\/bookings/);
    const guestMail = to(mails, "gast@example.test")[0];
    assert.match(guestMail.text, /Pick another time: http:\/\/invito\.test\/calendar\/ana\/call/);
    assert.deepEqual(await drain(app), []);
  } finally {
    app.close();
  }
});

Deno.test("a host cancelling: the guest's mail says so in their language and offers the event's page", async () => {
  const { app } = await setup();
  try {
    const booked = await book(app, "de");
    await drain(app);
    const links = await bookingLinks(app, (await getBooking(app.kv, booked.bookingId))!);
    assert.ok((await decideByToken(app, links.tokens.confirm, "confirm")).ok);
    await drain(app);
    const host = await getHostById(app, (await getBooking(app.kv, booked.bookingId))!.hostId);
    assert.ok(
      (await decideBooking(app, booked.bookingId, "cancel", "host", {
        hostId: host!.id,
        reason: "Krank",
      })).ok,
    );
    const [mail] = to(await drain(app), "gast@example.test");
    assert.equal(mail.subject, "Abgesagt: Intro call mit Host ana");
    assert.match(mail.text, /Grund: Krank/);
    assert.match(
      mail.text,
      /Andere Zeit wählen: http:\/\/invito\.test\/calendar\/ana\/call\?lang=de/,
    );
  } finally {
    app.close();
  }
});

Deno.test("a host cancelling a confirmed meeting: their own copy, with the CANCEL for their calendar, is in their language", async () => {
  const { app } = await setup({ hostLocale: "fr" });
  try {
    const booked = await book(app, "de");
    await drain(app);
    const links = await bookingLinks(app, (await getBooking(app.kv, booked.bookingId))!);
    assert.ok((await decideByToken(app, links.tokens.confirm, "confirm")).ok);
    await drain(app);
    const hostId = (await getBooking(app.kv, booked.bookingId))!.hostId;
    assert.ok(
      (await decideBooking(app, booked.bookingId, "cancel", "host", { hostId, reason: "Malade" }))
        .ok,
    );
    const [mail] = to(await drain(app), "ana@example.test");
    assert.equal(mail.subject, "Annulé\u00a0: Intro call avec Grete Gast");
    assert.match(
      mail.text,
      /^Vous avez annulé «\u202fIntro call\u202f» avec Grete Gast du mercredi 25/,
    );
    assert.match(mail.text, /Motif\u00a0: Malade/);
    assert.equal(mail.icalEvent?.method, "CANCEL");
    const ics = ICAL.Component.fromString(mail.icalEvent!.content);
    assert.equal(ics.getFirstSubcomponent("vevent")!.getFirstPropertyValue("status"), "CANCELLED");
  } finally {
    app.close();
  }
});

Deno.test("slot labels and the page's words follow the guest's locale and clock", async () => {
  const { app } = await setup();
  try {
    const page = await getSlotPage(app, {
      username: "ana",
      slug: "call",
      timeZone: "America/New_York",
      date: "2026-11-25",
      clock: "12h",
      locale: "de",
    });
    assert.ok(page.ok);
    assert.equal(page.locale, "de");
    assert.equal(page.slots[0].label.replace(/\s/u, " "), "3:00 AM");
  } finally {
    app.close();
  }
});

Deno.test("mails: a French guest's additional guests read one gender for the meeting, and a move (even to an earlier time) is “Déplacé”, not “Reportée”", async () => {
  const app = await memoryApp();
  try {
    const host = await createHost(app, { username: "ana" });
    await createEventType(app, host, {
      slug: "call",
      title: "Intro call",
      requiresConfirmation: false,
      maxGuests: 2,
    });
    const booked = await bookSlot(app, {
      username: "ana",
      slug: "call",
      start: START,
      name: "Grete Gast",
      email: "gast@example.test",
      note: "",
      timeZone: "Europe/Berlin",
      locale: "fr",
      guests: "kim@example.test",
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    await drain(app);
    // An hour earlier: a move, not a postponement.
    const moved = await rescheduleByGuest(app, booked.guestToken, "2026-11-25T08:00:00Z");
    assert.ok(moved.ok, JSON.stringify(moved));
    const [invited] = to(await drain(app), "kim@example.test");
    assert.equal(invited.subject, "Déplacé — Invitation\u00a0: Intro call avec Host ana");
    assert.ok((await cancelByGuest(app, moved.guestToken, "")).ok);
    const [cancelled] = to(await drain(app), "kim@example.test");
    assert.equal(cancelled.subject, "Annulé\u00a0: Intro call avec Host ana");
    assert.match(
      cancelled.text,
      /^Le rendez-vous «\u202fIntro call\u202f» avec Host ana le mercredi 25 novembre 2026, 09:00–09:30 \(Europe\/Berlin, GMT\+1\), auquel Grete Gast vous avait invité·e, est annulé\.$/m,
    );
  } finally {
    app.close();
  }
});

Deno.test("a reminder days ahead says it in each language's grammar: “in 2 Tagen”, not “in 2 Tage”", async () => {
  const { renderBookingMail } = await import("./booking.ts");
  const startMs = Date.parse(START);
  const said = (locale: string, minutesBefore: number, sentBeforeMin = minutesBefore) => {
    const mail = renderBookingMail("reminder_guest", {
      booking: {
        v: 1,
        id: "01J0000000000000000000000A",
        hostId: "H",
        eventTypeId: "E",
        eventTitle: "Intro call",
        durationMin: 30,
        startMs,
        endMs: startMs + 30 * 60_000,
        blockStartMs: startMs,
        blockEndMs: startMs + 30 * 60_000,
        status: "CONFIRMED",
        guestName: "Grete Gast",
        guestEmail: "gast@example.test",
        guestNote: "",
        guestTimeZone: "Europe/Berlin",
        guestLocale: locale,
        hostTimeZone: "Europe/Berlin",
        createdAtMs: 0,
        reservedUntilMs: null,
        decidedAtMs: 0,
        endReason: null,
        history: [],
        tokenSalt: "salt",
      },
      host: { name: "Ana", email: "ana@example.test", locale },
      links: {
        confirm: "https://cal.example/c",
        reject: "https://cal.example/r",
        guest: "https://cal.example/g",
        ics: "https://cal.example/g/invite.ics",
        cancel: "https://cal.example/g/cancel",
        reschedule: "https://cal.example/g/reschedule",
      },
      baseUrl: "https://cal.example",
      ttlMs: 86_400_000,
      nowMs: startMs - sentBeforeMin * 60_000,
      minutesBefore,
    } as never)!;
    return mail.subject;
  };
  assert.match(said("de", 2880), / in 2 Tagen$/);
  assert.match(said("de", 1440), / in 1 Tag$/);
  assert.match(said("de", 60), / in 1 Stunde$/);
  assert.match(said("en", 2880), / in 2 days$/);
  assert.match(said("fr", 2880), / dans 2\sjours$/);
  assert.match(said("es", 2880), / dentro de 2 días$/);
  // Late: the time really left, after the language's own preposition.
  assert.match(said("de", 1440, 125), / in 2 Stunden, 5 Minuten$/);
  // Intl spaces a number from its unit with a no-break space in French.
  assert.match(said("fr", 1440, 125), / dans 2\sheures et 5\sminutes$/);
});
