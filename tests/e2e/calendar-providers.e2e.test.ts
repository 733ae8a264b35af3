/**
 * One meeting, one invitation (issue 34, docs/decisions/031-one-meeting-one-invitation.md), on the
 * built server as people reach it: the demo host connects Google Calendar through the consent
 * page's answer, a guest books on the page's form, and the host's mail (real SMTP) and the event
 * written to Google are compared — the .ics UID is the event's iCalUID, the guest is no attendee,
 * and Google is asked to mail nobody. And an Outlook series is read with its master: one marked
 * free leaves the booking page's times open.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { startGoogle } from "../support/google.ts";
import { startMicrosoft } from "../support/microsoft.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import { waitFor } from "../support/wait.ts";
import { pageSlots, signIn } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PRIMARY = "demo@invito.example";

Deno.test({
  ...opts,
  name:
    "e2e google: a booking made on the page reaches the host's mail and Google Calendar as one meeting — the mailed .ics UID is the written event's iCalUID",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: PRIMARY, summary: "Demo", accessRole: "owner", primary: true }];
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, env: g.env, smtp });
    const host = await signIn(app, "demo@invito.example", smtp);

    // "Connect Google Calendar" → Google's consent page → "Allow" → back to Invito.
    const go = await host.post("/dashboard/calendars?/connect", { provider: "google" });
    assert.equal(go.status, 303);
    const consent = new URL(go.location!);
    assert.equal(consent.origin, g.base);
    const back = new URL(g.oauth.callbackFor(consent.searchParams));
    const done = await host.get(back.pathname + back.search);
    assert.ok(done.status < 400, `callback answered ${done.status}`);
    const dash = await host.get("/dashboard/calendars");
    assert.match(dash.body, /Google Calendar account/);

    // A guest books a time that is confirmed at once.
    const slots = await pageSlots(app.baseUrl, "demo", "quick-chat");
    const booked = await fetch(app.url("/calendar/demo/quick-chat?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Jane Doe",
        email: "jane@example.test",
        tz: "UTC",
        start: slots[0],
      }),
      redirect: "manual",
    });
    await booked.body?.cancel();
    assert.equal(booked.status, 303);

    const unfold = (s: string) => s.replace(/\r?\n[ \t]/g, "");
    const uidOf = (ics: string) => /^UID:(.+)$/m.exec(unfold(ics))?.[1]?.trim();
    const hostMail = await smtp.waitForMail((m) =>
      m.to.includes("demo@invito.example") && !!m.calendar && /METHOD:REQUEST/.test(m.calendar)
    );
    const guestMail = await smtp.waitForMail((m) =>
      m.to.includes("jane@example.test") && !!m.calendar
    );
    const uid = uidOf(hostMail.calendar!);
    assert.ok(uid);
    assert.equal(uidOf(guestMail.calendar!), uid);
    const written = await waitFor(
      () => g.live(PRIMARY).find((e) => e.iCalUID === uid) ?? null,
      { timeoutMs: 30_000, message: "the booking written to Google with the meeting's UID" },
    );
    assert.equal(written.attendees, undefined, "the guest is not an attendee");
    for (const r of g.requests.filter((r) => r.method === "POST" || r.method === "PATCH")) {
      assert.match(r.query, /sendUpdates=none/);
    }
    // The host got one invitation for the meeting.
    assert.equal(
      smtp.mails.filter((m) =>
        m.to.includes("demo@invito.example") && m.calendar && uidOf(m.calendar) === uid
      ).length,
      1,
    );
  },
});

Deno.test({
  ...opts,
  name:
    "e2e microsoft: an Outlook series marked free leaves its times bookable on the booking page, a busy one blocks them (occurrences read with their series master)",
  async fn() {
    await using m = await startMicrosoft();
    const CAL = "AAMkDemoCal=";
    m.calendars = [
      { id: CAL, name: "Calendar", canEdit: true, isDefaultCalendar: true, isRemovable: false },
    ];
    // A weekday a week ahead, and the same weekday a week later.
    const zone = "Europe/Berlin";
    let day = Temporal.Now.plainDateISO(zone).add({ days: 7 });
    while (day.dayOfWeek > 5) day = day.add({ days: 1 });
    const days = [day, day.add({ days: 7 })];
    const wall = (d: Temporal.PlainDate, t: string) => ({
      dateTime: `${d}T${t}.0000000`,
      timeZone: "W. Europe Standard Time",
    });
    const series = (id: string, showAs: string, from: string, to: string) => [
      {
        id,
        type: "seriesMaster",
        subject: `Series ${showAs}`,
        showAs,
        isAllDay: false,
        isCancelled: false,
        start: wall(days[0], from),
        end: wall(days[0], to),
      },
      ...days.map((d, i) => ({
        id: `${id}-${i}`,
        type: "occurrence",
        seriesMasterId: id,
        showAs,
        isAllDay: false,
        start: wall(d, from),
        end: wall(d, to),
      })),
    ];
    m.put(
      CAL,
      ...series("AAMkFree=", "free", "09:00:00", "10:00:00"),
      ...series("AAMkBusy=", "busy", "14:00:00", "15:00:00"),
    );
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, env: m.env, smtp });
    const host = await signIn(app, "demo@invito.example", smtp);
    const go = await host.post("/dashboard/calendars?/connect", { provider: "microsoft" });
    assert.equal(go.status, 303);
    const back = new URL(m.oauth.callbackFor(new URL(go.location!).searchParams));
    const done = await host.get(back.pathname + back.search);
    assert.ok(done.status < 400, `callback answered ${done.status}`);

    for (const d of days) {
      const html = await (await fetch(
        app.url(`/calendar/demo/quick-chat?tz=${encodeURIComponent(zone)}&date=${d}`),
      )).text();
      const offered = new Set([...html.matchAll(/data-slot="([^"]+)"/g)].map((x) => x[1]));
      const at = (t: string) =>
        Temporal.PlainDateTime.from(`${d}T${t}`).toZonedDateTime(zone)
          .toInstant().toString();
      assert.ok(offered.has(at("09:00")), `${d} 09:00 (a free series) is bookable`);
      assert.ok(offered.has(at("09:45")), `${d} 09:45 is bookable`);
      assert.ok(!offered.has(at("14:00")), `${d} 14:00 (a busy series) is not`);
      assert.ok(!offered.has(at("14:45")), `${d} 14:45 is not`);
      assert.ok(offered.has(at("15:00")), `${d} 15:00 is bookable again`);
    }
  },
});

/** The dashboard's bookings list as text. */
const pageText = (html: string) =>
  html.replace(/<[^>]+>/g, " ").replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

async function bookQuickChat(
  app: { baseUrl: string; url(p: string): string },
  start: string,
  i = 0,
) {
  const res = await fetch(app.url("/calendar/demo/quick-chat?/book"), {
    method: "POST",
    headers: {
      origin: app.baseUrl,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      name: `Guest ${i}`,
      email: `guest${i}@example.test`,
      tz: "UTC",
      start,
    }),
    redirect: "manual",
  });
  await res.body?.cancel();
  assert.equal(res.status, 303);
}

Deno.test({
  ...opts,
  name:
    "e2e google: a connection to Google dropped during writeback shows the host 'Google Calendar could not be reached … Invito will try again', not the CalDAV address advice",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: PRIMARY, summary: "Demo", accessRole: "owner", primary: true }];
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, env: g.env, smtp });
    const host = await signIn(app, "demo@invito.example", smtp);
    const go = await host.post("/dashboard/calendars?/connect", { provider: "google" });
    const back = new URL(g.oauth.callbackFor(new URL(go.location!).searchParams));
    assert.ok((await host.get(back.pathname + back.search)).status < 400);
    // Google starts answering each write, then the connection drops.
    g.override = (req) => {
      if (req.method === "GET") return null;
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"kind": "calendar#event", '));
            c.error(new Error("connection reset"));
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    };
    const since = app.logs().length;
    await bookQuickChat(app, (await pageSlots(app.baseUrl, "demo", "quick-chat"))[0]);
    await app.waitForLog(/writeback put \S+\) failed, retry in/, { since, timeoutMs: 30_000 });
    const list = pageText((await host.get("/dashboard/bookings")).body);
    assert.match(
      list,
      /Google Calendar could not be reached: the connection failed, timed out or was cut off\. Invito will try again\./,
    );
    assert.doesNotMatch(list, /Check the address|public internet/);
  },
});

Deno.test({
  ...opts,
  name:
    "e2e microsoft: after Graph answers 429 with Retry-After for the mailbox, the next bookings' calendar writes wait instead of calling Graph",
  async fn() {
    await using m = await startMicrosoft();
    m.calendars = [
      {
        id: "AAMkDemoCal=",
        name: "Calendar",
        canEdit: true,
        isDefaultCalendar: true,
        isRemovable: false,
      },
    ];
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, env: m.env, smtp });
    const host = await signIn(app, "demo@invito.example", smtp);
    const go = await host.post("/dashboard/calendars?/connect", { provider: "microsoft" });
    const back = new URL(m.oauth.callbackFor(new URL(go.location!).searchParams));
    assert.ok((await host.get(back.pathname + back.search)).status < 400);
    const dash = await host.get("/dashboard/calendars");
    const account = /name="account" value="([0-9A-Z]{26})"/.exec(dash.body)![1];

    // "Sync now" meets Graph's throttling of the mailbox: Retry-After 60 s.
    m.throttle(1, 60);
    const synced = await host.post("/dashboard/calendars?/sync", { account });
    assert.equal(synced.status, 200);
    const since = app.logs().length;
    const slots = await pageSlots(app.baseUrl, "demo", "quick-chat");
    await bookQuickChat(app, slots[0], 1);
    await bookQuickChat(app, slots[1], 2);
    // Both writes are put off (the outbox says so in its log) …
    await waitFor(
      () =>
        (app.logs().slice(since).match(/writeback put \S+\) failed, retry in/g) ?? []).length >= 2,
      { timeoutMs: 30_000, message: "both calendar writes put off" },
    );
    // … without a request to Graph.
    assert.equal(m.requests.filter((r) => r.method === "POST").length, 0);
    const list = pageText((await host.get("/dashboard/bookings")).body);
    assert.match(list, /Microsoft 365 asked Invito to slow down/);
  },
});
