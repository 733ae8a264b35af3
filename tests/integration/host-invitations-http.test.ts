/**
 * What the host's (and each team member's) calendar gets by mail, over HTTP against the built
 * server with a real SMTP peer, every .ics parsed with ical.js: the host's invitation speaks the
 * host's words and links to the host's dashboard — never to the guest's own page, whose link
 * cancels or moves the booking without signing in (whoever sees the host's calendar entry, an
 * assistant or a shared calendar, could have cancelled as the guest) — and a host without a
 * calendar connected gets a seated time as one meeting, updated as seats come and go.
 * Also: each language punctuates "Add to your calendar" itself, and the Spanish mails keep "tú".
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { type ReceivedMail, type SmtpHandle, startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { applyInvitations } from "../support/calendar-app.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const HOST = "hank@example.test";

/**
 * Host "hank" (UTC, all day, English): an instant "call", a weekly "series" of 3, a 3-seat
 * "class"; team "crew" (ann, ben) with a collective "sync".
 */
async function seed() {
  const { dataDir, kv, app } = await seedStore("invito-host-ics-");
  const host = await createHost(app, {
    username: "hank",
    email: HOST,
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(app, host, { slug: "call", title: "Call", requiresConfirmation: false });
  await createEventType(app, host, {
    slug: "series",
    title: "Coaching",
    requiresConfirmation: false,
    series: { everyWeeks: 1, count: 3, freeOnly: false },
  });
  await createEventType(app, host, {
    slug: "class",
    title: "Class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  const { team } = await seedTeam(app, {
    slug: "crew",
    members: [{ username: "ann" }, { username: "ben" }],
  });
  await seedTeamEventType(app, team, {
    slug: "sync",
    title: "Sync",
    teamMode: "collective",
    durationMin: 30,
  });
  kv.close();
  return dataDir;
}

/** The booking form posted as a browser without scripts does, in `lang`; the guest's page. */
async function book(
  base: string,
  page: string,
  start: string,
  guest: { name: string; email: string },
  lang = "en",
): Promise<string> {
  const res = await fetch(`${base}${page}?/book`, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "accept-language": lang,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ ...guest, note: "Please call me", start, tz: "UTC" }),
    redirect: "manual",
  });
  await res.body?.cancel();
  assert.equal(res.status, 303, `booking ${page} at ${start}`);
  return res.headers.get("location")!;
}

/** The guest cancels with their own link, as the page's form does. */
async function cancel(base: string, guestPage: string) {
  const res = await fetch(`${base}${guestPage}/cancel`, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ reason: "" }),
    redirect: "manual",
  });
  await res.body?.cancel();
  assert.ok(res.status < 400, `cancel: ${res.status}`);
}

/** Everything a reader of the mail sees: its text, HTML and every attachment. */
const everything = (m: ReceivedMail) =>
  [m.subject, m.text, m.html, ...m.attachments.map((a) => a.content)].join("\n");

/** The booking id inside a guest's link (`/booking/{id}{hmac}`). */
const idOf = (guestPage: string) => guestPage.split("/")[2].slice(0, 26);

function vevents(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return {
    method: String(cal.getFirstPropertyValue("method")),
    events: cal.getAllSubcomponents("vevent"),
  };
}

const attendees = (ve: ICAL.Component) =>
  ve.getAllProperties("attendee").map((p) => String(p.getParameter("cn")));

/** Waits for the `n`-th mail (1-based) to `to` matching `subject`. */
async function nth(smtp: SmtpHandle, to: string, subject: RegExp, n = 1) {
  const match = (m: ReceivedMail) => m.to.includes(to) && subject.test(m.subject);
  await smtp.waitForMail(() => smtp.mails.filter(match).length >= n);
  return smtp.mails.filter(match)[n - 1];
}

/** The host's entry: host words, the dashboard's row of this booking, no guest link. */
function assertHostEntry(
  ve: ICAL.Component,
  base: string,
  bookingId: string,
  summary: string,
) {
  const row = `${base}/dashboard/bookings?booking=${bookingId}#booking-${bookingId}`;
  assert.equal(ve.getFirstPropertyValue("summary"), summary);
  assert.equal(ve.getFirstPropertyValue("url"), row);
  const description = String(ve.getFirstPropertyValue("description"));
  assert.ok(description.includes(row), description);
  assert.doesNotMatch(description, /\/booking\//, "no guest page in the host's entry");
}

Deno.test({
  ...opts,
  name:
    "host's invitation: the confirmation's and the cancellation's .ics speak the host's words and link their dashboard, never the guest's own page; the guest's keep theirs",
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/hank/call");
      const guestPage = await book(base, "/calendar/hank/call", slots[2], {
        name: "Gina",
        email: "gina@example.test",
      });
      const id = idOf(guestPage);
      const booked = await nth(smtp, HOST, /^Confirmed/);
      assert.ok(booked.calendar, "the host's confirmation carries the invitation");
      const req = vevents(booked.calendar!);
      assert.equal(req.method, "REQUEST");
      assertHostEntry(req.events[0], base, id, "Call with Gina");
      assert.ok(!everything(booked).includes(guestPage), "the guest's link is nowhere in it");

      // The guest's own invitation still lets them manage it.
      const guestMail = await nth(smtp, "gina@example.test", /^Confirmed/);
      const guestEvent = vevents(guestMail.calendar!).events[0];
      assert.equal(guestEvent.getFirstPropertyValue("url"), base + guestPage);
      assert.equal(guestEvent.getFirstPropertyValue("summary"), "Call: Gina and Host hank");

      await cancel(base, guestPage);
      const ended = await nth(smtp, HOST, /^Cancelled/);
      const doc = vevents(ended.calendar!);
      assert.equal(doc.method, "CANCEL");
      assertHostEntry(doc.events[0], base, id, "Call with Gina");
      assert.ok(!everything(ended).includes(guestPage));
      assert.deepEqual(
        await applyInvitations([booked.calendar!, ended.calendar!]),
        {},
        "the host's calendar is left empty",
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "host's invitation: every member of a collective team event and the host of a series get entries in their own words, linking the dashboard, never the guest's page",
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const base = app.baseUrl;
      const team = await fullDay(base, "/team/crew/sync");
      const teamGuest = await book(base, "/team/crew/sync", team.slots[1], {
        name: "Tom",
        email: "tom@example.test",
      });
      for (const member of ["ann@example.test", "ben@example.test"]) {
        const m = await nth(smtp, member, /^Confirmed/);
        assert.ok(m.calendar, `${member}'s mail carries the invitation`);
        const ve = vevents(m.calendar!).events[0];
        assertHostEntry(ve, base, idOf(teamGuest), "Sync with Tom");
        assert.match(String(ve.getFirstPropertyValue("description")), /With: Host ann, Host ben/);
        assert.deepEqual(attendees(ve).sort(), ["Host ben", "Tom"], "one meeting, every attendee");
        assert.ok(!everything(m).includes(teamGuest), `${member}: no guest link`);
      }

      const series = await fullDay(base, "/calendar/hank/series");
      const seriesGuest = await book(base, "/calendar/hank/series", series.slots[0], {
        name: "Sue",
        email: "sue@example.test",
      });
      const m = await nth(smtp, HOST, /^Confirmed: Coaching/);
      const file = m.attachments.find((a) => a.filename === "series.ics");
      assert.ok(file, "the host's series mail carries series.ics");
      const dates = vevents(file.content).events;
      assert.equal(dates.length, 3);
      for (const ve of dates) {
        assert.equal(ve.getFirstPropertyValue("summary"), "Coaching with Sue");
        assert.match(
          String(ve.getFirstPropertyValue("url")),
          new RegExp(`^${base}/dashboard/bookings\\?booking=([0-9A-Z]{26})#booking-\\1$`),
        );
        assert.doesNotMatch(String(ve.getFirstPropertyValue("description")), /\/booking\//);
      }
      assert.ok(!everything(m).includes(seriesGuest));
      assert.doesNotMatch(everything(m), /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "seats: a host without a calendar connected gets the seated time as one meeting by mail — updated as each guest takes or leaves a seat, cancelled with the last",
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/hank/class");
      const at = slots[4];
      const sam = await book(base, "/calendar/hank/class", at, {
        name: "Sam",
        email: "sam@example.test",
      });
      const first = await nth(smtp, HOST, /^Confirmed: Class with Sam/);
      const tina = await book(base, "/calendar/hank/class", at, {
        name: "Tina",
        email: "tina@example.test",
      });
      const second = await nth(smtp, HOST, /^Confirmed: Class with Tina/);
      const docs = [first, second].map((m) => m.calendar);
      assert.ok(docs.every(Boolean), "each seat's mail to the host carries the meeting");
      const [a, b] = docs.map((d) => vevents(d!));
      assert.equal(a.method, "REQUEST");
      const uid = a.events[0].getFirstPropertyValue("uid");
      assert.equal(b.events[0].getFirstPropertyValue("uid"), uid, "one meeting, not one per seat");
      assert.deepEqual(attendees(a.events[0]), ["Sam"]);
      assert.deepEqual(attendees(b.events[0]), ["Sam", "Tina"]);
      assert.ok(
        Number(b.events[0].getFirstPropertyValue("sequence")) >
          Number(a.events[0].getFirstPropertyValue("sequence")),
      );
      assertHostEntry(b.events[0], base, idOf(tina), "Class with 2 guests");
      assert.ok(!everything(second).includes(tina) && !everything(first).includes(sam));
      const both = await applyInvitations(docs as string[]);
      assert.deepEqual(Object.keys(both), [uid]);
      assert.equal(both[uid as string].start, at);

      await cancel(base, sam);
      const samLeft = await nth(smtp, HOST, /^Cancelled: Class with Sam/);
      const c = vevents(samLeft.calendar!);
      assert.equal(c.method, "REQUEST", "the meeting goes on without Sam");
      assert.deepEqual(attendees(c.events[0]), ["Tina"]);
      await cancel(base, tina);
      // The last seat out: the host reads that the meeting is now empty (ADR 040), naming Tina.
      const tinaLeft = await nth(smtp, HOST, /^Cancelled: Class, .* — no guests left/);
      assert.match(tinaLeft.text, /Tina/);
      assert.equal(vevents(tinaLeft.calendar!).method, "CANCEL", "the last seat ends it");
      const all = [...docs, samLeft.calendar, tinaLeft.calendar] as string[];
      assert.equal(
        (await applyInvitations(all.slice(0, 3)))[uid as string].summary,
        "Class with 1 guest",
      );
      assert.deepEqual(await applyInvitations(all), {}, "nothing left in the host's calendar");
      // Each guest's own invitation is still their seat's alone.
      const samMail = await nth(smtp, "sam@example.test", /^Confirmed/);
      assert.deepEqual(attendees(vevents(samMail.calendar!).events[0]), ["Sam"]);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "seats: a guest moving their seat to another time (their page's form) leaves a host without a calendar one class by mail — the old time's event drops them, same UID, higher SEQUENCE, cancelled once empty — and says who moved from when to when",
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/hank/class");
      const [at, later] = [slots[4], slots[8]];
      const sam = await book(base, "/calendar/hank/class", at, {
        name: "Sam",
        email: "sam@example.test",
      });
      await nth(smtp, HOST, /^Confirmed: Class with Sam/);
      const tina = await book(base, "/calendar/hank/class", at, {
        name: "Tina",
        email: "tina@example.test",
      });
      const both = vevents((await nth(smtp, HOST, /^Confirmed: Class with Tina/)).calendar!);
      const uid = both.events[0].getFirstPropertyValue("uid");
      const move = async (guestPage: string) => {
        const res = await fetch(`${base}${guestPage}/reschedule`, {
          method: "POST",
          headers: {
            origin: base,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ start: later }),
          redirect: "manual",
        });
        await res.body?.cancel();
        assert.equal(res.status, 303, `move: ${res.status}`);
      };

      await move(sam);
      const samLeft = await nth(smtp, HOST, /^Seat moved: Class with Sam/);
      const left = vevents(samLeft.calendar!);
      assert.equal(left.method, "REQUEST", "the class at the old time goes on with Tina");
      assert.equal(left.events[0].getFirstPropertyValue("uid"), uid);
      assert.deepEqual(attendees(left.events[0]), ["Tina"]);
      assert.ok(
        Number(left.events[0].getFirstPropertyValue("sequence")) >
          Number(both.events[0].getFirstPropertyValue("sequence")),
      );
      assert.match(samLeft.text, /Sam moved their seat at “Class” from .+ to .+\./);
      const samJoined = await nth(smtp, HOST, /^Rescheduled — Confirmed: Class with Sam/);
      const newUid = vevents(samJoined.calendar!).events[0].getFirstPropertyValue("uid");
      assert.notEqual(newUid, uid);

      await move(tina);
      const tinaLeft = await nth(smtp, HOST, /^Seat moved: Class with Tina/);
      assert.equal(vevents(tinaLeft.calendar!).method, "CANCEL", "nobody is left there");
      await nth(smtp, HOST, /^Rescheduled — Confirmed: Class with Tina/);
      // The host's calendar app, every .ics applied as it came: one class, at the new time.
      const calendar = await applyInvitations(
        smtp.mails.filter((m) => m.to.includes(HOST) && m.calendar).map((m) => m.calendar!),
      );
      assert.deepEqual(Object.keys(calendar), [newUid]);
      assert.equal(calendar[newUid as string].start, later);
      assert.equal(calendar[newUid as string].summary, "Class with 2 guests");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    "add to calendar: French puts a no-break space before the colon (ADR 015), Spanish says “tu calendario” like the rest of its mails",
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/hank/call");
      await book(base, "/calendar/hank/call", slots[1], {
        name: "Fleur",
        email: "fleur@example.test",
      }, "fr");
      await book(base, "/calendar/hank/call", slots[3], {
        name: "Sol",
        email: "sol@example.test",
      }, "es");
      const fr = await nth(smtp, "fleur@example.test", /^Confirmé/);
      assert.match(fr.text, /^Ajouter à votre agenda\u00a0:$/m);
      const es = await nth(smtp, "sol@example.test", /^Confirmada/);
      assert.match(es.text, /^Añadir a tu calendario:$/m);
      assert.doesNotMatch(everything(es), /\bsu calendario\b/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
