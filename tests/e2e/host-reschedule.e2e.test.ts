/**
 * A host moves a booking from the dashboard (issue 28), over HTTP against the built server with
 * a real SMTP peer: the form the move page posts, raced against a guest booking the same time;
 * the guest's calendar (two .ics parsers) ends with the one meeting at its new time; a time
 * outside the host's hours needs their explicit "outside my hours", and never lands over another
 * booking.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { waitFor } from "../support/wait.ts";
import { applyInvitations } from "../support/calendar-app.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { fullDay, slotsIn, startsIn } from "../support/slots.ts";

const HOST = "demo@invito.example";

async function book(base: string, start: string, name: string, email: string) {
  const res = await fetch(`${base}/calendar/demo/quick-chat?/book`, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ name, email, note: "", start, tz: "UTC" }),
    redirect: "manual",
  });
  await res.body?.cancel();
  return { status: res.status, location: res.headers.get("location") };
}

/** The quick chat's times on `date` (UTC): every read of a test on the one day it booked on. */
async function slotsOn(base: string, date: string): Promise<string[]> {
  return slotsIn(
    await (await fetch(`${base}/calendar/demo/quick-chat?tz=UTC&date=${date}`)).text(),
  );
}

/**
 * A full day of quarter hours from tomorrow on. Not the page's own first day: late in the
 * host's afternoon that is today with a few times left, and it moves on once they are booked.
 */
const quickDay = (base: string, min = 12) => fullDay(base, "/calendar/demo/quick-chat", { min });

/** The booking id the host's list shows for a guest (one live booking each here). */
function idOf(listHtml: string, guest: string): string {
  const at = listHtml.indexOf(guest);
  assert.ok(at >= 0, `${guest} is listed`);
  const ids = [...listHtml.slice(0, at).matchAll(/data-booking="([0-9A-Z]{26})"/g)];
  return ids.at(-1)![1];
}

const calendarOf = (smtp: Awaited<ReturnType<typeof startSmtp>>, who: string) =>
  applyInvitations(
    smtp.mails.filter((m) => m.to.includes(who) && m.calendar).map((m) => m.calendar!),
  );

Deno.test({
  name:
    "host reschedule over HTTP: raced against a guest booking the target time exactly one wins; the guest's calendar ends with the new time only, with the host's reason",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const { date, slots } = await quickDay(base);
    assert.ok(slots.length >= 12, "the demo host offers a day of quarter hours");
    const [a, t1, u] = [slots[0], slots[4], slots[8]];

    const ann = await book(base, a, "Ann Original", "ann@example.test");
    assert.equal(ann.status, 303);
    const annFirst = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && !!m.calendar
    );
    const uid = /UID:(\S+)/.exec(annFirst.calendar!)![1];

    const host = await signInByLink(app, HOST, { smtp });
    const list = await host.get("/dashboard/bookings");
    const annId = idOf(list.body, "Ann Original");
    // The list offers the move.
    assert.ok(list.body.includes(`/dashboard/bookings/${annId}/reschedule`));
    const page = await host.get(`/dashboard/bookings/${annId}/reschedule?date=${t1.slice(0, 10)}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(`value="${t1}"`), "the target is among the host's free times");

    // The race: the host moves Ann to t1 while Bob books t1.
    const [moved, bob] = await Promise.all([
      host.post(`/dashboard/bookings/${annId}/reschedule?/move`, {
        start: t1,
        reason: "A clash on my side",
      }),
      book(base, t1, "Bob Racer", "bob@example.test"),
    ]);
    const hostWon = moved.status === 303;
    const bobWon = bob.status === 303;
    assert.ok(hostWon !== bobWon, `exactly one wins (host ${moved.status}, Bob ${bob.status})`);
    if (!hostWon) {
      assert.equal(moved.status, 409);
      assert.match(moved.body, /just taken/);
    } else assert.match(moved.location!, /\/dashboard\/bookings\?moved=/);

    // Then the host moves Ann (again) to u, uncontested, with a message.
    const currentId = idOf((await host.get("/dashboard/bookings")).body, "Ann Original");
    const again = await host.post(`/dashboard/bookings/${currentId}/reschedule?/move`, {
      start: u,
      reason: "Sorry, my flight moved",
    });
    assert.equal(again.status, 303, again.body.slice(0, 500));
    const done = await host.get(again.location!);
    assert.match(done.body, /Moved; the guest has been told\./);

    // Ann's mail names the new time and the host's words; her calendar holds one meeting, at u.
    const update = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && /flight moved/.test(m.text)
    );
    assert.match(update.text, /Demo Host wrote: Sorry, my flight moved/);
    assert.match(update.text, /\/booking\/[A-Za-z0-9_-]{40,}/, "her links come with it");
    const expectedMails = hostWon ? 3 : 2;
    await waitFor(
      () =>
        smtp.mails.filter((m) => m.to.includes("ann@example.test") && m.calendar).length >=
          expectedMails,
      { timeoutMs: 30_000, message: "Ann's invitations" },
    );
    const annCal = await calendarOf(smtp, "ann@example.test");
    assert.deepEqual(Object.keys(annCal), [uid], "one meeting, under its first UID");
    assert.equal(annCal[uid].start, u);
    // A later SEQUENCE than every invitation before it, so calendars replace the meeting.
    const before = smtp.mails.filter((m) =>
      m.to.includes("ann@example.test") && m.calendar && m !== update
    ).map((m) => Number(/SEQUENCE:(\d+)/.exec(m.calendar!)![1]));
    assert.ok(before.every((s) => annCal[uid].sequence > s), `${annCal[uid].sequence} > ${before}`);
    if (bobWon) {
      await smtp.waitForMail((m) => m.to.includes("bob@example.test") && !!m.calendar);
      const bobCal = await calendarOf(smtp, "bob@example.test");
      assert.deepEqual(Object.values(bobCal).map((e) => e.start), [t1]);
    }
    // The host's own copy moved too; the old and the intermediate times are free again.
    const free = await slotsOn(base, date);
    assert.ok(free.includes(a) && !free.includes(u));
    assert.equal(free.includes(t1), !bobWon);
  },
});

Deno.test({
  name:
    'host reschedule over HTTP: a time outside the host\'s hours needs "outside my hours"; never over another booking; bad input is a 400 with words',
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const { slots } = await quickDay(base);
    assert.equal((await book(base, slots[0], "Ann Late", "ann@example.test")).status, 303);
    assert.equal((await book(base, slots[4], "Carol Busy", "carol@example.test")).status, 303);
    const host = await signInByLink(app, HOST, { smtp });
    const list = (await host.get("/dashboard/bookings")).body;
    const annId = idOf(list, "Ann Late");
    const path = `/dashboard/bookings/${annId}/reschedule?/move`;
    // 21:00 in Berlin (the demo host's zone) on the day of the first slot: after their hours.
    const day = Temporal.Instant.from(slots[0]).toZonedDateTimeISO("Europe/Berlin").toPlainDate()
      .toString();

    const unconfirmed = await host.post(path, { date: day, time: "21:00", reason: "" });
    assert.equal(unconfirmed.status, 409);
    assert.match(unconfirmed.body, /outside your hours/);
    // The page ticks the box for the next try, and says so (it asked to tick a ticked box).
    assert.match(unconfirmed.body, /name="outside_hours" checked/);
    assert.match(unconfirmed.body, /is now ticked: send it again if you mean it/);

    // Carol's time, even when "outside my hours" is ticked: refused, nothing moved.
    const carol = Temporal.Instant.from(slots[4]).toZonedDateTimeISO("Europe/Berlin");
    const over = await host.post(path, {
      date: day,
      time: carol.toPlainTime().toString().slice(0, 5),
      outside_hours: "on",
    });
    assert.equal(over.status, 409);
    assert.match(over.body, /just taken/);

    const bads: Record<string, string>[] = [
      { date: "2026-02-30", time: "10:00" },
      { date: day, time: "25:00" },
      { date: "tomorrow", time: "10:00" },
      {},
      { start: "not a time" },
      { start: slots[8], reason: "x".repeat(501) },
    ];
    for (const bad of bads) {
      const res = await host.post(path, bad);
      assert.ok(res.status === 400 || res.status === 409, `${JSON.stringify(bad)}: ${res.status}`);
      assert.match(res.body, /role="alert"/);
    }

    const confirmed = await host.post(path, { date: day, time: "21:00", outside_hours: "on" });
    assert.equal(confirmed.status, 303);
    await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && /^Rescheduled — Confirmed/.test(m.subject)
    );
    const cal = await calendarOf(smtp, "ann@example.test");
    const expected = Temporal.PlainDate.from(day).toZonedDateTime({
      timeZone: "Europe/Berlin",
      plainTime: "21:00",
    }).toInstant().toString();
    assert.deepEqual(Object.values(cal).map((e) => e.start), [expected]);
  },
});

Deno.test({
  name:
    "request reschedule over HTTP: the host cancels with a reason; the guest's mail link picks a new time once (10 at once: one booking), name kept, same meeting in her calendar",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const { date, slots } = await quickDay(base);
    assert.equal((await book(base, slots[0], "Ann Asked", "ann@example.test")).status, 303);
    const first = await smtp.waitForMail((m) => m.to.includes("ann@example.test") && !!m.calendar);
    const uid = /UID:(\S+)/.exec(first.calendar!)![1];
    const host = await signInByLink(app, HOST, { smtp });
    const annId = idOf((await host.get("/dashboard/bookings")).body, "Ann Asked");

    const asked = await host.post("/dashboard/bookings?/request", {
      id: annId,
      reason: "Something came up",
    });
    assert.equal(asked.status, 200, asked.body.slice(0, 300));
    assert.match(asked.body, /the guest has been asked to pick a new time/);
    // Asking twice: the booking is no longer confirmed.
    assert.equal(
      (await host.post("/dashboard/bookings?/request", { id: annId, reason: "" })).status,
      409,
    );
    // The old time is free again at once.
    assert.ok((await slotsOn(base, date)).includes(slots[0]));

    const mail = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && /^Please pick a new time/.test(m.subject)
    );
    assert.match(mail.text, /Something came up/);
    const link = /http:\/\/\S+\/booking\/[A-Za-z0-9_-]+\/reschedule/.exec(mail.text)![0];
    const page = await fetch(link);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    const path = new URL(link).pathname;
    // Ten times of one day from tomorrow on (the link's own first day may be today, with fewer).
    const offered = (await fullDay(base, path, { min: 10 })).slots;
    assert.ok(offered.length >= 10, "her link offers times");
    // Ten picks at once through the one link: exactly one booking.
    const picks = await Promise.all(
      offered.slice(0, 10).map(async (start) => {
        const res = await fetch(base + path, {
          method: "POST",
          headers: {
            origin: base,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ start }),
          redirect: "manual",
        });
        await res.body?.cancel();
        return { start, status: res.status };
      }),
    );
    const won = picks.filter((p) => p.status === 303);
    assert.equal(won.length, 1, JSON.stringify(picks));
    assert.ok(picks.every((p) => p.status === 303 || p.status === 409), JSON.stringify(picks));

    // Her calendar: the one meeting, back at the time she picked; the host's list shows her.
    await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && /^Rescheduled — Confirmed/.test(m.subject)
    );
    const cal = await calendarOf(smtp, "ann@example.test");
    assert.deepEqual(Object.keys(cal), [uid]);
    assert.equal(cal[uid].start, won[0].start);
    const list = (await host.get("/dashboard/bookings?status=confirmed")).body;
    assert.ok(list.includes("Ann Asked"));
    assert.ok(!(await slotsOn(base, won[0].start.slice(0, 10))).includes(won[0].start));
  },
});

Deno.test({
  name:
    "book for a guest over HTTP: the host enters a request-type meeting as confirmed; the guest gets the invitation with links; never over another booking; bad input is a 400 with words",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const host = await signInByLink(app, HOST, { smtp });
    const page = await host.get("/dashboard/bookings/new?type=intro-call");
    assert.equal(page.status, 200);
    // The picker opens on the host's first free day, which may be today with one time left: a
    // full day from tomorrow on (the host's zone) instead.
    const { slots: offered } = await fullDay(base, "/dashboard/bookings/new?type=intro-call", {
      tz: "Europe/Berlin",
      min: 3,
      get: async (p) => (await host.get(p)).body,
      read: startsIn,
    });
    assert.ok(offered.length >= 3, "the host's free times are offered");
    const [s1, s2] = offered;

    // A guest books s2 through the public page while the host enters Dana for s2 and s1.
    assert.equal((await book(base, s2, "Eve Public", "eve@example.test")).status, 303);
    const clash = await host.post("/dashboard/bookings/new?/book", {
      type: "intro-call",
      start: s2,
      name: "Dana Phone",
      email: "dana@example.test",
      note: "",
      confirmed: "on",
    });
    assert.equal(clash.status, 409);
    assert.match(clash.body, /just taken/);

    const booked = await host.post("/dashboard/bookings/new?/book", {
      type: "intro-call",
      start: s1,
      name: "Dana Phone",
      email: "dana@example.test",
      note: "Agreed on the phone",
      confirmed: "on",
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 400));
    const list = await host.get(booked.location!);
    assert.match(list.body, /Booked; the guest has the invitation\./);
    const invitation = await smtp.waitForMail((m) =>
      m.to.includes("dana@example.test") && /^Confirmed/.test(m.subject)
    );
    assert.match(invitation.text, /\/booking\/[A-Za-z0-9_-]{40,}\/reschedule/);
    const cal = await calendarOf(smtp, "dana@example.test");
    assert.deepEqual(Object.values(cal).map((e) => [e.start, e.status]), [[s1, "CONFIRMED"]]);
    assert.ok(
      !(await slotsOn(base, s1.slice(0, 10))).includes(s1),
      "its time is taken on the public page",
    );

    const bads: Record<string, string>[] = [
      { type: "intro-call", start: offered[2], name: "", email: "x@example.test" },
      { type: "intro-call", start: offered[2], name: "X", email: "not-an-address" },
      { type: "intro-call", name: "X", email: "x@example.test" },
      { type: "no-such-type", start: offered[2], name: "X", email: "x@example.test" },
      { type: "intro-call", date: "2026-13-01", time: "10:00", name: "X", email: "x@e.test" },
    ];
    for (const bad of bads) {
      const res = await host.post("/dashboard/bookings/new?/book", { note: "", ...bad });
      assert.ok(
        res.status === 400 || res.status === 404 || res.status === 409,
        `${JSON.stringify(bad)}: ${res.status}`,
      );
      assert.match(res.body, /role="alert"/);
    }
  },
});
