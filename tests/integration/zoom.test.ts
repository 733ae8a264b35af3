/**
 * Zoom meetings per booking (issue 27) against the local Zoom of tests/support/zoom.ts: the host
 * connects Zoom as a browser would (authorize → "Allow" → callback), a confirmed booking gets a
 * Zoom meeting (`POST /users/me/meetings`) whose link the one confirmation carries, a reschedule
 * moves the same meeting (`PATCH`), a cancellation deletes it, a Zoom outage leaves the booking
 * standing and is followed by an updated invitation (SEQUENCE + 1) once the link exists, a 429's
 * Retry-After is waited out, and a revoked grant sends the host one reconnect mail.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startZoom, zoomEnv } from "../support/zoom.ts";
import { startGoogle } from "../support/google.ts";
import { connectVia, hostWithEventType, MIN, providerApp } from "./provider-helpers.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import {
  decideBooking,
  requestNewTime,
  rescheduleByGuest,
  rescheduleByHost,
} from "../../src/lib/server/services/decide-booking.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { meetingUid } from "../../src/lib/server/domain/calendar-identity.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { getEventTypeBySlug, updateEventType } from "../../src/lib/server/store/event-types.ts";
import {
  disconnectZoom,
  finishZoomConnect,
  startZoomConnect,
  zoomStatus,
} from "../../src/lib/server/services/zoom-meetings.ts";
import type { TestApp } from "../support/memory-app.ts";
import { freePort } from "../support/ports.ts";
import { createTeamEventType } from "../../src/lib/server/services/team-event-types.ts";
import {
  NEW_EVENT_TYPE_VALUES,
  parseEventTypeValues,
} from "../../src/lib/shared/forms/event-type-editor.ts";
import { translateRefs } from "../../src/lib/shared/i18n.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import { getInsights } from "../../src/lib/server/services/insights.ts";
import { settleCounts } from "../../src/lib/server/services/insights-count.ts";
import { listProblems } from "../../src/lib/server/store/insights.ts";
import { listBookingsForHost } from "../../src/lib/server/services/host-bookings.ts";
import { undocumentedWebhook } from "../support/webhook-bodies.ts";
import { createSubscription } from "../../src/lib/server/services/webhooks.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();
const ZOOM_LINK = /^https:\/\/us05web\.zoom\.us\/j\/\d+\?pwd=/;

async function setup(requiresConfirmation = false, env: Record<string, string> = {}) {
  const z = await startZoom();
  const app = await providerApp({ ...env, ...zoomEnv(z) });
  const host = await hostWithEventType(app);
  const et = (await getEventTypeBySlug(app.kv, host.id, "call"))!;
  await updateEventType(app.kv, host.id, et.id, (cur) => ({
    ...cur,
    requiresConfirmation,
    locations: [{ kind: "zoom", value: "" }],
    location: { kind: "zoom", value: "" },
  }));
  const started = await startZoomConnect(app, host);
  assert.ok(started.ok, JSON.stringify(started));
  const params = new URL(started.url).searchParams;
  assert.equal(params.get("code_challenge_method"), "S256");
  const callback = new URL(z.oauth.callbackFor(params, true));
  const done = await finishZoomConnect(app, host, callback);
  assert.ok(done.ok, JSON.stringify(done));
  assert.equal((await zoomStatus(app, host.id)).connected, true);
  // The callback works once.
  assert.equal((await finishZoomConnect(app, host, callback)).ok, false);
  return { z, app, host };
}

async function book(app: TestApp, start: string, confirmed = true, guests?: string) {
  const booked = await bookSlot(app, {
    username: "host",
    slug: "call",
    start,
    name: "Jane Doe",
    email: "jane@example.test",
    note: "",
    timeZone: "Europe/Berlin",
    guests,
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  assert.equal(booked.status, confirmed ? "CONFIRMED" : "PENDING");
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
    "zoom: a confirmed booking gets one Zoom meeting whose link the one confirmation carries (text and ICS); a reschedule PATCHes the same meeting; cancel deletes it",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 2 * MIN);
      const booking = (await getBooking(app.kv, id))!;
      assert.equal(booking.location?.kind, "zoom");
      const link = booking.location!.value;
      assert.match(link, ZOOM_LINK);
      assert.equal(z.meetings.size, 1);
      const meeting = [...z.meetings.values()][0];
      assert.equal(meeting.join_url, link);
      assert.equal(meeting.start_time, "2026-11-23T13:00:00Z");
      assert.equal(meeting.duration, 30);
      assert.equal(meeting.timezone, "Europe/Berlin");

      const guest = confirmations(app, "jane@example.test");
      assert.equal(guest.length, 1, "one confirmation, sent once the link existed");
      assert.ok(guest[0].text.includes(link), "the guest's mail has the link");
      const ev = vevent(guest[0].icalEvent!.content);
      assert.equal(ev.getFirstPropertyValue("location"), `Zoom: ${link}`);
      assert.equal(ev.getFirstPropertyValue("url"), link);
      assert.ok(
        app.mailer.sent.some((m) => m.to === host.email && m.text.includes(link)),
        "the host's mail has it",
      );

      const moved = await rescheduleByHost(app, host.id, id, "2026-11-24T09:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      await drain(app);
      assert.equal(z.meetings.size, 1, "never two live meetings");
      assert.ok(z.log.includes(`PATCH /v2/meetings/${meeting.id}`), z.log.join(", "));
      assert.equal(z.meetings.get(meeting.id)!.start_time, "2026-11-24T09:00:00Z");
      assert.equal((await getBooking(app.kv, moved.booking.id))!.location?.value, link);

      const cancelled = await decideBooking(app, moved.booking.id, "cancel", "host", {
        hostId: host.id,
      });
      assert.ok(cancelled.ok);
      await drain(app);
      assert.equal(z.meetings.size, 0, "cancelling leaves no meeting");
      assert.ok(z.log.includes(`DELETE /v2/meetings/${meeting.id}`));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a request gets no meeting until the host confirms; a rejected request never gets one",
  async fn() {
    const { z, app, host } = await setup(true);
    await using _z = z;
    try {
      const id = await book(app, "2026-11-23T13:00:00Z", false);
      await drain(app);
      assert.equal(z.meetings.size, 0, "no room before the host confirms");
      const before = app.mailer.sent.length;
      const ok = await decideBooking(app, id, "confirm", "host", { hostId: host.id });
      assert.ok(ok.ok, JSON.stringify(ok));
      await drain(app);
      assert.equal(z.meetings.size, 1);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      // The host's copy of the confirmation carries the meeting: it waits for the link too.
      const copies = app.mailer.sent.slice(before).filter((m) =>
        m.to === host.email && m.icalEvent
      );
      assert.ok(copies.length >= 1, "the host's copy went out");
      assert.ok(
        copies.every((m) => m.text.includes(link)),
        copies.map((m) => m.text).join("\n--\n"),
      );
      const other = await book(app, "2026-11-23T15:00:00Z", false);
      const rejected = await decideBooking(app, other, "reject", "host", { hostId: host.id });
      assert.ok(rejected.ok, JSON.stringify(rejected));
      await drain(app);
      assert.equal(z.meetings.size, 1, "the rejected request made none");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: an outage leaves the booking standing; the confirmation says the link follows, and an updated invitation (SEQUENCE+1) carries it once Zoom is back",
  async fn() {
    const { z, app } = await setup();
    await using _z = z;
    try {
      z.down = true;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 11 * MIN);
      const booking = (await getBooking(app.kv, id))!;
      assert.equal(booking.status, "CONFIRMED", "the booking stands");
      assert.equal(booking.location?.value, "");
      const first = confirmations(app, "jane@example.test");
      assert.equal(first.length, 1, "after the wait the confirmation goes out");
      assert.match(first[0].text, /the link follows in a separate mail/);
      const seq1 = Number(vevent(first[0].icalEvent!.content).getFirstPropertyValue("sequence"));

      z.down = false;
      await drain(app, 60 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      const all = confirmations(app, "jane@example.test");
      assert.equal(all.length, 2, "one updated invitation");
      assert.ok(all[1].text.includes(link));
      const ev = vevent(all[1].icalEvent!.content);
      assert.equal(Number(ev.getFirstPropertyValue("sequence")), seq1 + 1);
      assert.equal(ev.getFirstPropertyValue("url"), link);
      assert.equal(z.meetings.size, 1);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a 429 with a long Retry-After is retried by the outbox after that wait; a revoked grant sends the host one reconnect mail",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      // Longer than the outbox's first backoff (one minute) and than any wait inside a request.
      z.rateLimitNext(1, 90);
      const id = await book(app, "2026-11-23T13:00:00Z");
      await deliverOutbox(app, app.now());
      assert.equal(z.meetings.size, 0, "throttled");
      const calls = z.log.length;
      for (let s = 0; s < 75; s += 5) {
        app.clock.ms += 5_000;
        await deliverOutbox(app, app.now());
      }
      assert.equal(z.log.length, calls, "nothing goes to Zoom before Retry-After");
      await drain(app, 3 * MIN);
      assert.equal(z.meetings.size, 1);
      assert.match((await getBooking(app.kv, id))!.location!.value, ZOOM_LINK);

      z.oauth.revokeAll();
      await book(app, "2026-11-23T15:00:00Z");
      await drain(app, 2 * MIN);
      await book(app, "2026-11-24T15:00:00Z");
      await drain(app, 2 * MIN);
      const mails = app.mailer.sent.filter((m) =>
        m.to === host.email && /Reconnect Zoom/.test(m.subject)
      );
      assert.equal(mails.length, 1, "one mail per interruption");
      assert.equal((await zoomStatus(app, host.id)).reconnect, true);
      // Why, as the calendars page says it to a German host: in German.
      assert.match(
        (await zoomStatus(app, host.id, translator("de"))).reason ?? "",
        /^Zoom akzeptiert den Zugriff von Invito nicht mehr/,
      );
      assert.equal(z.meetings.size, 1);
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: while Zoom is down the booking still reaches the host's Google calendar; once the link exists the same event carries it",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: "ann@example.com", summary: "Ann", accessRole: "owner", primary: true }];
    const { z, app, host } = await setup(false, g.env);
    await using _z = z;
    try {
      const { result } = await connectVia(app, host, "google", g.oauth);
      assert.ok(result.ok, JSON.stringify(result));
      z.down = true;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 2 * MIN);
      const live = () =>
        [...(g.events.get("ann@example.com")?.values() ?? [])].filter((s) =>
          s.ev.status !== "cancelled"
        );
      assert.equal(live().length, 1, "the calendar has the booking despite the outage");
      assert.equal((await getBooking(app.kv, id))!.location?.value, "");

      z.down = false;
      await drain(app, 30 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      assert.equal(live().length, 1, "the same event, updated");
      assert.ok(String(live()[0].ev.location ?? "").includes(link), JSON.stringify(live()[0].ev));
      assert.equal(z.meetings.size, 1);
    } finally {
      app.close();
    }
  },
});

const invitations = (app: TestApp, to: string) =>
  app.mailer.sent.filter((m) => m.to === to && !!m.icalEvent);

Deno.test({
  ...opts,
  name:
    "zoom: the guest's additional guests' invitation waits for the link like the guest's confirmation: both carry the join URL (text and ICS)",
  async fn() {
    const { z, app } = await setup();
    await using _z = z;
    try {
      const id = await book(app, "2026-11-23T13:00:00Z", true, "pat@example.test");
      await drain(app, 2 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      const guest = invitations(app, "jane@example.test");
      const pat = invitations(app, "pat@example.test");
      assert.equal(guest.length, 1);
      assert.equal(pat.length, 1, "one invitation to the additional guest, sent with the link");
      for (const m of [guest[0], pat[0]]) {
        assert.ok(m.text.includes(link), m.text);
        assert.equal(vevent(m.icalEvent!.content).getFirstPropertyValue("url"), link);
      }
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: after an outage the updated invitation (SEQUENCE+1) reaches the additional guests and the host too, not only the guest",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      z.down = true;
      const id = await book(app, "2026-11-23T13:00:00Z", true, "pat@example.test");
      await drain(app, 11 * MIN);
      assert.equal((await getBooking(app.kv, id))!.location?.value, "");
      const first = invitations(app, "pat@example.test");
      assert.equal(first.length, 1, "after the wait the invitation goes out");
      assert.match(first[0].text, /the link follows in a separate mail/);
      const seq1 = Number(vevent(first[0].icalEvent!.content).getFirstPropertyValue("sequence"));
      const hostBefore = invitations(app, host.email).length;

      z.down = false;
      await drain(app, 60 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      const all = invitations(app, "pat@example.test");
      assert.equal(all.length, 2, "one updated invitation to the additional guests");
      assert.ok(all[1].text.includes(link));
      const ev = vevent(all[1].icalEvent!.content);
      assert.equal(Number(ev.getFirstPropertyValue("sequence")), seq1 + 1);
      assert.equal(ev.getFirstPropertyValue("url"), link);
      const hostMails = invitations(app, host.email);
      assert.equal(hostMails.length, hostBefore + 1, "the host's update");
      assert.ok(hostMails.at(-1)!.text.includes(link));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: the guest's new time after the host asked for one gets a live meeting: its confirmation waits for the fresh link and never carries the deleted one",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      const booked = await bookSlot(app, {
        username: "host",
        slug: "call",
        start: "2026-11-23T13:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "Europe/Berlin",
      });
      assert.ok(booked.ok);
      await drain(app, 2 * MIN);
      const old = (await getBooking(app.kv, booked.bookingId))!.location!.value;
      assert.match(old, ZOOM_LINK);
      const asked = await requestNewTime(app, host.id, booked.bookingId, "Something came up");
      assert.ok(asked.ok, JSON.stringify(asked));
      await drain(app);
      assert.equal(z.meetings.size, 0, "the cancelled meeting is deleted at Zoom");
      const before = app.mailer.sent.length;
      const again = await rescheduleByGuest(app, booked.guestToken, "2026-11-24T09:00:00Z");
      assert.ok(again.ok, JSON.stringify(again));
      await drain(app, 2 * MIN);
      assert.equal(z.meetings.size, 1, "one live meeting for the new time");
      const fresh = [...z.meetings.values()][0].join_url;
      assert.notEqual(fresh, old);
      assert.equal((await getBooking(app.kv, again.booking.id))!.location?.value, fresh);
      const mails = app.mailer.sent.slice(before).filter((m) => m.icalEvent);
      assert.ok(mails.some((m) => m.to === "jane@example.test"), "the guest is invited again");
      for (const m of mails) {
        assert.ok(!m.text.includes(old), `${m.to} got the dead link`);
        assert.ok(m.text.includes(fresh), `${m.to}: ${m.text}`);
      }
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a round-robin booking moved to another member ends the first member's Zoom meeting and makes one with the new member's account; one live meeting, and the mails carry the new link",
  async fn() {
    const z = await startZoom();
    await using _z = z;
    const app = await providerApp(zoomEnv(z));
    try {
      const { team, users } = await seedTeam(app, {
        members: [{ username: "ann" }, { username: "ben" }],
      });
      for (const u of users) {
        const started = await startZoomConnect(app, u);
        assert.ok(started.ok);
        const back = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
        assert.ok((await finishZoomConnect(app, u, back)).ok);
      }
      await seedTeamEventType(app, team, {
        slug: "call",
        teamMode: "round_robin",
        durationMin: 30,
        locations: [{ kind: "zoom", value: "" }],
        location: { kind: "zoom", value: "" },
      });
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "call",
        start: "2026-11-23T09:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      await drain(app, 2 * MIN);
      assert.equal(z.meetings.size, 1);
      const first = [...z.meetings.values()][0];
      const firstHost = (await getBooking(app.kv, r.bookingId))!.hostId;
      // The assigned member is busy at the new time: the move goes to the other member.
      const busy = users.find((u) => u.id === firstHost)!;
      await createEventType(app, busy, { slug: "own", requiresConfirmation: false });
      const own = await bookSlot(app, {
        username: busy.username,
        slug: "own",
        start: "2026-11-23T14:00:00Z",
        name: "Someone",
        email: "someone@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(own.ok, JSON.stringify(own));
      const before = app.mailer.sent.length;
      const moved = await rescheduleByGuest(app, r.guestToken, "2026-11-23T14:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      assert.notEqual(moved.booking.hostId, firstHost, "handed to the other member");
      await drain(app, 3 * MIN);
      assert.equal(z.meetings.size, 1, `one live meeting; Zoom saw ${z.log.join(", ")}`);
      const live = [...z.meetings.values()][0];
      assert.notEqual(live.id, first.id, "the first member's meeting is gone");
      assert.notEqual(live.owner, first.owner, "made with the new member's account");
      assert.equal((await getBooking(app.kv, moved.booking.id))!.location?.value, live.join_url);
      const guest = app.mailer.sent.slice(before).filter((m) =>
        m.to === "jane@example.test" && m.icalEvent
      );
      assert.ok(guest.length >= 1);
      assert.ok(guest.every((m) => m.text.includes(live.join_url)), "no mail with the old link");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a link that comes late reaches webhook subscribers: booking.updated with the booking's new location, queued in the write that stores the link",
  async fn() {
    const hits: { type: string; data: { booking: { id: string; location: { value: string } } } }[] =
      [];
    const port = freePort();
    const drifted: string[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      const text = await req.text();
      const undocumented = undocumentedWebhook(text);
      if (undocumented) drifted.push(undocumented);
      hits.push(JSON.parse(text));
      return new Response("ok");
    });
    const { z, app, host } = await setup(false, { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" });
    await using _z = z;
    try {
      const sub = await createSubscription(app, host, {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ["booking.confirmed", "booking.updated"],
        description: "",
      });
      assert.ok(sub.ok, JSON.stringify(sub));
      z.down = true;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 2 * MIN);
      const confirmed = hits.find((h) => h.type === "booking.confirmed");
      assert.ok(confirmed, JSON.stringify(hits));
      assert.equal(confirmed.data.booking.location.value, "", "no link yet");
      z.down = false;
      await drain(app, 30 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      const updated = hits.filter((h) => h.type === "booking.updated");
      assert.equal(updated.length, 1, JSON.stringify(hits.map((h) => h.type)));
      assert.equal(updated[0].data.booking.id, id);
      assert.equal(updated[0].data.booking.location.value, link);
      assert.deepEqual(drifted, [], "bodies the OpenAPI document describes otherwise");
    } finally {
      app.close();
      await server.shutdown();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: waiting for the link is no problem: the mails that wait show as queued (no English error, no attempts used, nothing on the health panel); only Zoom's failure is reported",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      z.down = true;
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 3 * MIN);
      await settleCounts();
      const problems = await listProblems(app.kv, host.id);
      assert.ok(
        !problems.some((p) => p.channel === "mail"),
        `mail problems: ${JSON.stringify(problems)}`,
      );
      assert.ok(
        problems.some((p) => p.bookingId === id && /Zoom/.test(p.detail)),
        `the Zoom failure is reported: ${JSON.stringify(problems)}`,
      );
      const [row] = await listBookingsForHost(app, host, "all");
      const mails = row.delivery.filter((d) => d.kind !== "calendar");
      assert.ok(mails.length >= 2, JSON.stringify(row.delivery));
      for (const m of mails) {
        assert.equal(m.state, "queued", JSON.stringify(m));
        assert.equal(m.error, null);
        assert.ok(m.attempts <= 1, `waiting uses no attempts: ${JSON.stringify(m)}`);
      }
      assert.ok(
        row.delivery.some((d) => d.kind === "calendar" && d.state === "retrying"),
        JSON.stringify(row.delivery),
      );
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a team event type offering Zoom is refused at save time while a member who would host its bookings has no Zoom, naming them; saved once they connect",
  async fn() {
    const z = await startZoom();
    await using _z = z;
    const app = await providerApp(zoomEnv(z));
    try {
      const { team, users } = await seedTeam(app, {
        members: [{ username: "ann" }, { username: "ben" }],
      });
      const [ann, ben] = users;
      const connect = async (u: typeof ann) => {
        const started = await startZoomConnect(app, u);
        assert.ok(started.ok);
        const back = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
        assert.ok((await finishZoomConnect(app, u, back)).ok);
      };
      await connect(ann);
      const parsed = parseEventTypeValues({
        ...NEW_EVENT_TYPE_VALUES,
        title: "Team call",
        slug: "team-call",
        locationKind: "zoom",
        locationValue: "",
      });
      assert.ok(parsed.ok, JSON.stringify(parsed));
      const save = (mode: "round_robin" | "collective", organiserId = "") =>
        createTeamEventType(app, ann, team.id, { ...parsed.input, slug: `call-${mode}` }, {
          teamMode: mode,
          hostIds: [ann.id, ben.id],
          organiserId,
        });
      const refused = await save("round_robin");
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && refused.reason === "invalid", JSON.stringify(refused));
      const message = translateRefs(translator("en"), refused.errors).locationKind ?? "";
      assert.match(message, /Host ben/, message);
      assert.doesNotMatch(message, /Host ann/);
      // A collective booking's meeting is its organiser's: Ann's Zoom is enough when she organises.
      assert.ok((await save("collective", ann.id)).ok);
      assert.equal((await save("collective", ben.id)).ok, false);
      await connect(ben);
      assert.ok((await save("round_robin")).ok, "saved once every member has Zoom");
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a host who disconnected Zoom sees it: the booking's Zoom step is reported in the booking list and the health panel (not skipped silently), and reconnecting brings the link",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      await disconnectZoom(app, host);
      const id = await book(app, "2026-11-23T13:00:00Z");
      await drain(app, 2 * MIN);
      await settleCounts();
      const problems = await listProblems(app.kv, host.id);
      assert.ok(
        problems.some((p) => p.bookingId === id && /Zoom/.test(p.detail)),
        JSON.stringify(problems),
      );
      const [row] = await listBookingsForHost(app, host, "all");
      const cal = row.delivery.find((d) => d.kind === "calendar");
      assert.ok(cal && cal.state !== "queued" && /Zoom/.test(cal.error ?? ""), JSON.stringify(row));
      // A German host reads why in German, on the booking list and the health panel.
      const why = "Zoom: nicht verbunden: Verbinden Sie Zoom auf der Seite „Kalender“";
      const [german] = await listBookingsForHost(app, host, "all", "de");
      assert.equal(german.delivery.find((d) => d.kind === "calendar")?.error, why);
      const insights = await getInsights(
        app,
        host,
        { range: null, from: null, to: null, eventType: null },
        translator("de"),
      );
      assert.ok(insights.ok);
      assert.equal(insights.data.health.calendarWrites.problem?.detail, why);
      // The confirmation did not wait for a link that cannot come.
      assert.match(confirmations(app, "jane@example.test")[0]?.text ?? "", /link follows/);

      const started = await startZoomConnect(app, host);
      assert.ok(started.ok);
      const back = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
      assert.ok((await finishZoomConnect(app, host, back)).ok);
      await drain(app, 40 * MIN);
      const link = (await getBooking(app.kv, id))!.location!.value;
      assert.match(link, ZOOM_LINK);
      assert.ok(confirmations(app, "jane@example.test").at(-1)!.text.includes(link));
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a collective booking's mails to every member wait for the organiser's Zoom link and carry it",
  async fn() {
    const z = await startZoom();
    await using _z = z;
    const app = await providerApp(zoomEnv(z));
    try {
      const { team, users } = await seedTeam(app, {
        members: [{ username: "ann" }, { username: "ben" }],
      });
      const [ann, ben] = users;
      const started = await startZoomConnect(app, ann);
      assert.ok(started.ok);
      const back = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
      assert.ok((await finishZoomConnect(app, ann, back)).ok);
      await seedTeamEventType(app, team, {
        slug: "call",
        teamMode: "collective",
        organiserId: ann.id,
        durationMin: 30,
        locations: [{ kind: "zoom", value: "" }],
        location: { kind: "zoom", value: "" },
      });
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "call",
        start: "2026-11-23T09:00:00Z",
        name: "Jane Doe",
        email: "jane@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      await drain(app, 2 * MIN);
      const link = (await getBooking(app.kv, r.bookingId))!.location!.value;
      assert.match(link, ZOOM_LINK);
      for (const who of [ann.email, ben.email, "jane@example.test"]) {
        const mails = invitations(app, who);
        assert.ok(mails.length >= 1, `${who} is invited`);
        assert.ok(mails.every((m) => m.text.includes(link)), `${who}: ${mails[0].text}`);
      }
    } finally {
      app.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "zoom: a booking whose calendar UID names another host's meeting (a record written before import checked UIDs) never ends that host's Zoom meeting; it is reported instead",
  async fn() {
    const { z, app, host } = await setup();
    await using _z = z;
    try {
      const victimId = await book(app, "2026-11-23T09:00:00Z");
      await drain(app, 2 * MIN);
      const victim = (await getBooking(app.kv, victimId))!;
      assert.match(victim.location!.value, ZOOM_LINK);
      assert.equal(z.meetings.size, 1);
      const [meeting] = z.meetings.keys();

      const mallory = await createHost(app, {
        username: "mallory",
        weekly: WORKDAYS,
        timeZone: "Europe/Berlin",
      });
      await createEventType(app, mallory, {
        slug: "call",
        durationMin: 30,
        requiresConfirmation: false,
      });
      const et = (await getEventTypeBySlug(app.kv, mallory.id, "call"))!;
      await updateEventType(app.kv, mallory.id, et.id, (cur) => ({
        ...cur,
        locations: [{ kind: "zoom", value: "" }],
        location: { kind: "zoom", value: "" },
      }));
      const started = await startZoomConnect(app, mallory);
      assert.ok(started.ok);
      const back = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
      assert.ok((await finishZoomConnect(app, mallory, back)).ok);
      const booked = await bookSlot(app, {
        username: "mallory",
        slug: "call",
        start: "2026-11-24T09:00:00Z",
        name: "Eve",
        email: "eve@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(booked.ok && booked.status === "CONFIRMED", JSON.stringify(booked));
      // Mallory's record carries the victim's meeting UID, as an import before ADR 017's
      // amendment could have written it.
      const own = (await getBooking(app.kv, booked.bookingId))!;
      await app.kv.set(keys.booking(own.id), {
        ...own,
        icalUid: meetingUid(victim, new URL(app.config.baseUrl).hostname),
      });

      await drain(app, 2 * MIN);
      assert.ok(z.meetings.has(meeting), "the victim's Zoom meeting still exists");
      assert.equal(
        (await getBooking(app.kv, victimId))!.location!.value,
        victim.location!.value,
      );
      await settleCounts();
      const problems = await listProblems(app.kv, mallory.id);
      assert.ok(
        problems.some((p) => p.bookingId === own.id && /Zoom/.test(p.detail)),
        JSON.stringify(problems),
      );
      // The victim's meeting still moves with the victim's own reschedule.
      const moved = await rescheduleByHost(app, host.id, victimId, "2026-11-23T10:00:00Z");
      assert.ok(moved.ok, JSON.stringify(moved));
      await drain(app, 2 * MIN);
      assert.ok(z.meetings.has(meeting));
    } finally {
      app.close();
    }
  },
});
