/**
 * A guest's booking links over HTTP against the built server, with a real SMTP peer: the
 * reschedule page never offers (or takes) the time the booking already has, the calendar file
 * from the first mail follows the booking's moves and carries its additional guests, and inside
 * the host's cutoff the booking page offers no changes, only how to reach the host.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { fullDay, slotsIn } from "../support/slots.ts";
import { postPlain } from "../support/http.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

const allDay = [{ start: "00:00", end: "24:00" }];

/** A host open around the clock whose type lets guests change up to 24 hours before. */
async function seed() {
  const { dataDir, kv, app } = await seedStore("invito-guest-links-");
  const host = await createHost(app, {
    username: "lia",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "call",
    title: "Call",
    durationMin: 30,
    intervalMin: 30,
    requiresConfirmation: false,
    cancelCutoffHours: 24,
  });
  kv.close();
  return dataDir;
}

/** A day with free times beyond the 24-hour cutoff (from the day after tomorrow on). */
const laterDay = (base: string) =>
  fullDay(base, "/calendar/lia/call", {
    min: 6,
    from: Temporal.Now.plainDateISO("UTC").add({ days: 2 }).toString(),
  });

const get = async (url: string) => {
  const res = await fetch(url, { headers: { accept: "text/html" } });
  return { status: res.status, headers: res.headers, body: await res.text() };
};

/** Books `start` through the booking page's form; answers the guest's link (a path). */
async function book(base: string, start: string, more: Record<string, string> = {}) {
  const res = await postPlain(base, "/calendar/lia/call?/book", {
    name: "Ann Guest",
    email: "ann@example.test",
    note: "",
    start,
    tz: "UTC",
    ...more,
  });
  assert.equal(res.status, 303, `booked ${start}`);
  return res.location!;
}

Deno.test({
  name:
    "guest links over HTTP: the reschedule page does not offer the booking's own time, and a post of it (to the nanosecond) is refused with words — no move, no mail",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const { date, slots } = await laterDay(app.baseUrl);
      const at = slots[2];
      const link = await book(app.baseUrl, at);
      const page = await get(app.url(`${link}/reschedule?tz=UTC&date=${date}`));
      assert.equal(page.status, 200);
      const offered = slotsIn(page.body);
      assert.ok(!offered.includes(at), `${at} is where it is: ${offered.join(" ")}`);
      assert.ok(offered.includes(slots[1]) && offered.includes(slots[3]), "its neighbours are");
      for (const start of [at, at.replace(/(\.\d+)?Z$/, ".000000001Z")]) {
        const res = await fetch(app.url(`${link}/reschedule`), {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ start }),
          redirect: "manual",
        });
        assert.equal(res.status, 409, start);
        assert.match(
          await res.text(),
          /This booking is already at that time — pick another time to move it to\./,
        );
      }
      const after = await get(app.url(link));
      assert.match(after.body, /data-state="confirmed"/, "still booked, not moved");
      // A real move is mailed; it is the only "Rescheduled" mail (waited for, so any earlier
      // one has arrived by then).
      const moved = await postPlain(app.baseUrl, `${link}/reschedule`, { start: slots[4] });
      assert.equal(moved.status, 303);
      await smtp.waitForMail((m) =>
        m.to.includes("ann@example.test") && /^Rescheduled/.test(m.subject)
      );
      await smtp.waitForMail((m) =>
        m.to.includes("lia@example.test") && /^Rescheduled/.test(m.subject)
      );
      assert.equal(smtp.mails.filter((m) => /^Rescheduled/.test(m.subject)).length, 2);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "guest links over HTTP: the first mail's .ics link, after two moves, downloads the current booking's invitation with the additional guests",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const { slots } = await laterDay(app.baseUrl);
      const link = await book(app.baseUrl, slots[0], { guests: "cy@example.test" });
      const first = await smtp.waitForMail((m) =>
        m.to.includes("ann@example.test") && /^Confirmed/.test(m.subject)
      );
      const icsLink = first.text.match(/https?:\/\/\S+\/invite\.ics/)?.[0];
      assert.ok(icsLink, first.text);
      const one = await postPlain(app.baseUrl, `${link}/reschedule`, { start: slots[2] });
      assert.equal(one.status, 303);
      const two = await postPlain(app.baseUrl, `${one.location!.split("?")[0]}/reschedule`, {
        start: slots[4],
      });
      assert.equal(two.status, 303);
      const file = await fetch(icsLink);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get("content-type"), "text/calendar; charset=utf-8");
      const body = (await file.text()).replace(/\r\n[ \t]/g, "");
      const start = Temporal.Instant.from(slots[4]).toString().replace(/[-:]/g, "")
        .replace(/\.\d+/, "");
      assert.match(body, new RegExp(`^DTSTART:${start}\\r$`, "m"));
      assert.match(body, /^ATTENDEE;[^:]*:mailto:cy@example\.test\r$/m, body);
      // The same meeting as the mails: its invitation's UID.
      const uid = first.calendar!.replace(/\r\n[ \t]/g, "").match(/^UID:(.+)\r$/m)![1];
      assert.ok(body.includes(`UID:${uid}\r`), body);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "guest links over HTTP: inside the host's cutoff the booking page shows no Reschedule or Cancel, and says changes are closed and how to reach the host",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await seed();
    try {
      await using app = await startApp({ dataDir });
      // A time between one and 23 hours from now: inside the 24-hour cutoff.
      const now = Date.now();
      const today = Temporal.Now.plainDateISO("UTC");
      const near: string[] = [];
      for (const d of [today, today.add({ days: 1 })]) {
        const page = await get(app.url(`/calendar/lia/call?tz=UTC&date=${d}`));
        near.push(
          ...slotsIn(page.body).filter((s) =>
            Date.parse(s) > now + 3_600_000 && Date.parse(s) < now + 23 * 3_600_000
          ),
        );
      }
      const soon = await book(app.baseUrl, near[0]);
      const page = await get(app.url(soon));
      assert.match(page.body, /data-state="confirmed"/);
      assert.doesNotMatch(page.body, /href="[^"]*\/reschedule"/);
      assert.doesNotMatch(page.body, /href="[^"]*\/cancel"/);
      assert.match(
        page.body,
        /data-testid="changes-closed">Changes are closed: Host lia asks for them at least 24 hours before the start\. To change or cancel, reply to your booking mail or write to lia@example\.test\.</,
      );
      // A booking further ahead still offers both.
      const { slots } = await laterDay(app.baseUrl);
      const later = await get(app.url(await book(app.baseUrl, slots[0])));
      assert.match(later.body, /href="[^"]*\/reschedule"/);
      assert.match(later.body, /href="[^"]*\/cancel"/);
      assert.doesNotMatch(later.body, /changes-closed/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
