/**
 * A recurring series after it is booked, over HTTP against the built server with a real SMTP
 * peer (issue 25): booked through the API under an Idempotency-Key, one invitation mail per
 * party listing every date, confirmed in one press from the host's mail, one date cancelled
 * alone and then "this and the later ones" from the guest's pages — and the guest's calendar,
 * as two independent parsers apply the mails' invitations, ends with exactly the date left.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { waitFor } from "../support/wait.ts";
import { applyInvitations } from "../support/calendar-app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";

const WEEK = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function seed(requiresConfirmation: boolean) {
  const { dataDir, dbPath, kv, app } = await seedStore("invito-series-manage-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "coach",
    email: "coach@example.test",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  kv.close();
  return { dataDir, dbPath };
}

async function bookings(dbPath: string): Promise<BookingRecord[]> {
  const kv = await Deno.openKv(dbPath);
  try {
    const out: BookingRecord[] = [];
    for await (const e of kv.list<BookingRecord>({ prefix: ["booking"] })) out.push(e.value);
    return out.sort((a, b) => a.startMs - b.startMs);
  } finally {
    kv.close();
  }
}

async function postForm(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, body: await res.text() };
}

Deno.test({
  name:
    "series after booking: API booking under an Idempotency-Key (replayed, not doubled), one invitation per party listing every date, one press confirms every date, cancel one date then this and the later ones — the guest's calendar ends with exactly the date left (ical.js and python3-icalendar)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath } = await seed(true);
    const smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        10 * 3_600_000;
      const body = {
        username: "coach",
        eventType: "weekly",
        start: iso(first),
        timeZone: "UTC",
        name: "Sam Series",
        email: "sam@example.test",
      };
      const key = crypto.randomUUID();
      const post = () =>
        fetch(`${app.baseUrl}/api/v1/bookings`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": key },
          body: JSON.stringify(body),
        });
      const res = await post();
      const booked = await res.json() as {
        id: string;
        series: { id: string; index: number; count: number };
        links: { manage: string };
      };
      assert.equal(res.status, 201, JSON.stringify(booked));
      assert.deepEqual({ index: booked.series.index, count: booked.series.count }, {
        index: 0,
        count: 4,
      });
      const again = await post();
      assert.equal(again.status, 201);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      assert.equal((await again.json() as { id: string }).id, booked.id);
      let all = await bookings(dbPath);
      assert.equal(all.length, 4, "the retry booked nothing more");
      assert.ok(all.every((b) => b.status === "PENDING" && b.series?.id === booked.series.id));

      // One request mail to the host and one to the guest, each listing the four dates.
      const hostMail = await smtp.waitForMail((m) => m.to.includes("coach@example.test"));
      const guestMail = await smtp.waitForMail((m) => m.to.includes("sam@example.test"));
      for (const m of [hostMail, guestMail]) assert.match(m.text, /This series has 4 dates:/);
      const confirm = /\/booking\/([A-Za-z0-9_-]+)\/confirm/.exec(hostMail.text)?.[0];
      assert.ok(confirm, hostMail.text);

      // The host confirms once, from the mail: every date is confirmed.
      const pressed = await postForm(app.baseUrl, confirm, { reason: "" });
      assert.ok(pressed.status === 200 || pressed.status === 303, `${pressed.status}`);
      all = await bookings(dbPath);
      assert.deepEqual(all.map((b) => b.status), [
        "CONFIRMED",
        "CONFIRMED",
        "CONFIRMED",
        "CONFIRMED",
      ]);

      // The guest reads the confirmation before changing anything: a mail is written as the
      // series stands when it goes out, so one still queued when a date is cancelled would
      // rightly list three (the outbox sends a series' mails in turn, after its other jobs).
      await smtp.waitForMail((m) =>
        m.to.includes("sam@example.test") && /METHOD:REQUEST/.test(m.calendar ?? "")
      );

      // The guest's page lists every date, each with its own page.
      const manage = new URL(booked.links.manage).pathname;
      const page = await (await fetch(app.baseUrl + manage)).text();
      const list = page.match(/data-testid="series-list"[^]*?<\/ol>/)?.[0] ?? "";
      const links = [...list.matchAll(/href="(\/booking\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]);
      assert.equal(links.length, 3, list);
      // The second date alone.
      const one = await postForm(app.baseUrl, `${links[0]}/cancel`, { reason: "", scope: "one" });
      assert.equal(one.status, 200);
      all = await bookings(dbPath);
      assert.deepEqual(all.map((b) => b.status), [
        "CONFIRMED",
        "CANCELLED",
        "CONFIRMED",
        "CONFIRMED",
      ]);
      // The third and the later one.
      const rest = await postForm(app.baseUrl, `${links[1]}/cancel`, { reason: "", scope: "rest" });
      assert.equal(rest.status, 200);
      all = await bookings(dbPath);
      assert.deepEqual(all.map((b) => b.status), [
        "CONFIRMED",
        "CANCELLED",
        "CANCELLED",
        "CANCELLED",
      ]);

      // The guest's calendar: every invitation and cancellation they received, in order.
      const cancels = () =>
        smtp.mails.filter((m) =>
          m.to.includes("sam@example.test") && /METHOD:CANCEL/.test(m.calendar ?? "")
        );
      await waitFor(() => cancels().length === 3, {
        timeoutMs: 30_000,
        message: "3 cancellations",
      });
      const guestDocs = smtp.mails.filter((m) => m.to.includes("sam@example.test")).flatMap((m) => [
        ...(m.calendar ? [m.calendar] : []),
        ...m.attachments.filter((a) => a.filename === "series.ics").map((a) => a.content),
      ]);
      // One press, one mail each: the guest's confirmation lists every date and carries them all.
      const requests = smtp.mails.filter((m) =>
        m.to.includes("sam@example.test") && /METHOD:REQUEST/.test(m.calendar ?? "")
      );
      assert.equal(requests.length, 1, requests.map((m) => m.subject).join(" | "));
      assert.match(requests[0].text, /This series has 4 dates:/);
      assert.ok(requests[0].attachments.some((a) => a.filename === "series.ics"));
      const cal = await applyInvitations(guestDocs);
      const kept = Object.values(cal).filter((e) => !("cancelled" in e));
      assert.deepEqual(kept.map((e) => e.start), [iso(first)]);
      // The host's calendar mails (no calendar connected): the same end.
      const hostDocs = smtp.mails.filter((m) => m.to.includes("coach@example.test")).flatMap((m) =>
        m.calendar ? [m.calendar] : []
      );
      const hostCal = await applyInvitations(hostDocs);
      const hostKept = Object.values(hostCal).filter((e) => !("cancelled" in e));
      assert.deepEqual(hostKept.map((e) => e.start), [iso(first)]);
      // One date of the four moved on: the dates' webhook-facing resource names the series.
      const one4 = all.find((b) => b.series!.index === 3)!;
      assert.equal(one4.startMs, first + 3 * WEEK);
    } finally {
      await smtp.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series invitation: a series booked without confirmation sends the guest one mail listing every date with series.ics, one event per date under its own UID",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed(false);
    const smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        9 * 3_600_000;
      const r = await postForm(app.baseUrl, "/calendar/coach/weekly?/book", {
        name: "Ann",
        email: "ann@example.test",
        note: "",
        start: iso(first),
        tz: "UTC",
      });
      assert.equal(r.status, 303);
      const guest = await smtp.waitForMail((m) => m.to.includes("ann@example.test"));
      await smtp.waitForMail((m) => m.to.includes("coach@example.test"));
      const ics = guest.attachments.find((a) => a.filename === "series.ics")?.content;
      assert.ok(ics, guest.attachments.map((a) => a.filename).join());
      const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents("vevent")
        .map((v) => new ICAL.Event(v));
      assert.deepEqual(
        events.map((e) => e.startDate.toJSDate().getTime()),
        [0, 1, 2, 3].map((i) => first + i * WEEK),
      );
      assert.equal(new Set(events.map((e) => e.uid)).size, 4);
      // The REQUEST beside it is the first date's, under the same UID as in series.ics.
      const request = new ICAL.Event(
        new ICAL.Component(ICAL.parse(guest.calendar!)).getFirstSubcomponent("vevent")!,
      );
      assert.equal(request.uid, events[0].uid);
      const cal = await applyInvitations([guest.calendar!, ics]);
      assert.equal(Object.keys(cal).length, 4);
      // One mail to each party, not four.
      const sent = smtp.mails.length;
      assert.equal(sent, 2, smtp.mails.map((m) => `${m.to} ${m.subject}`).join("\n"));
    } finally {
      await smtp.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "series request: the host's Confirm and Reject pages (from the request mail) list the four dates their one press decides and say so; it read 'Confirm this booking?' with the first date alone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed(true);
    const smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        10 * 3_600_000;
      const booked = await postForm(app.baseUrl, "/calendar/coach/weekly?/book", {
        name: "Sam Series",
        email: "sam@example.test",
        note: "",
        start: iso(first),
        tz: "UTC",
      });
      assert.equal(booked.status, 303, booked.body.slice(0, 300));
      const hostMail = await smtp.waitForMail((m) => m.to.includes("coach@example.test"));
      for (const action of ["confirm", "reject"]) {
        const link = new RegExp(`/booking/[A-Za-z0-9_-]+/${action}`).exec(hostMail.text)?.[0];
        assert.ok(link, hostMail.text);
        const page = await (await fetch(app.baseUrl + link)).text();
        const list = page.match(/data-testid="series-list"[^]*?<\/ol>/)?.[0] ?? "";
        const states = [...list.matchAll(/<li data-state="([a-z]+)"/g)].map((m) => m[1]);
        assert.deepEqual(states, ["pending", "pending", "pending", "pending"], `${action} page`);
        assert.match(list, /Your answer applies to all 4 dates still waiting/);
        for (let i = 0; i < 4; i++) {
          const day = new Date(first + i * WEEK).toISOString().slice(0, 10);
          const words = new Intl.DateTimeFormat("en-US", {
            month: "long",
            day: "numeric",
            timeZone: "UTC",
          }).format(new Date(`${day}T12:00:00Z`));
          assert.match(list, new RegExp(words), `${action} page lists ${day}`);
        }
        // The list is the host's: no link to the guest's own pages (they cancel without sign-in).
        assert.doesNotMatch(list, /href="\/booking\//);
      }
    } finally {
      await smtp.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
