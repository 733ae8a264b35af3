/**
 * Isolation over HTTP against the built server: a person who is not a member gets 404 for
 * every page and action of a team (settings, members, invitations, event types, bookings by id),
 * and a member gets 403 (or 404 for bookings they do not attend) for what only owners may do.
 * Nothing changes in the store when any of these is refused.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import { fullDay } from "../support/slots.ts";

const INVITE = /https?:\/\/\S+\/team-invitation\/([A-Za-z0-9_-]+)/;

Deno.test({
  name:
    "isolation: strangers get 404 for every page and action of a team, members 403 for owners' actions; nothing changes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const owner = await signInClient(app, "owner@example.test", smtp);
    const ann = await signInClient(app, "ann@example.test", smtp);
    const eve = await signInClient(app, "eve@example.test", smtp);

    // The owner creates a team and invites Ann, who accepts from the mailed link.
    const created = await owner.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "UTC",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1];
    const base = `/dashboard/teams/${teamId}`;
    assert.equal((await owner.post(`${base}?/invite`, { email: "ann@example.test" })).status, 200);
    const mail = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && INVITE.test(m.text)
    );
    const token = INVITE.exec(mail.text)![1];
    // Eve has the link (forwarded) but cannot answer it; Ann can.
    const wrong = await eve.post(`/team-invitation/${token}`, { accept: "1" });
    assert.equal(wrong.status, 409);
    const joined = await ann.post(`/team-invitation/${token}`, { accept: "1" });
    assert.equal(joined.status, 303);
    assert.match(joined.location!, new RegExp(`${base}\\?joined=1$`));

    // A round-robin event type for both, and a booking of it that goes to one of them.
    const form = await owner.get(`${base}/event-types/new`);
    const hostIds = [...form.body.matchAll(/name="host" value="([0-9A-Z]{26})"/g)].map((m) => m[1]);
    assert.equal(hostIds.length, 2);
    const et = await owner.post(`${base}/event-types/new`, {
      intent: "save",
      title: "Call",
      slug: "call",
      durationMin: "30",
      bookingWindowDays: "30",
      color: "#2549ea",
      active: "on",
      teamMode: "round_robin",
      host: hostIds,
    });
    assert.equal(et.status, 303, et.body.slice(0, 500));
    const etId = /event-types\/([0-9A-Z]{26})/.exec(et.location!)![1];
    // A time from tomorrow on: today's last one could pass before the post.
    const [start] = (await fullDay(app.baseUrl, "/team/crew/call", { min: 1 })).slots;
    const booked = await fetch(`${app.baseUrl}/team/crew/call?/book`, {
      method: "POST",
      headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        name: "Gus",
        email: "gus@example.test",
        note: "",
        start,
        tz: "UTC",
      }),
      redirect: "manual",
    });
    assert.equal(booked.status, 303);
    const teamBookings = await owner.get(`${base}/bookings`);
    const bookingId = /data-booking="([0-9A-Z]{26})"/.exec(teamBookings.body)![1];
    const invitePage = await owner.post(`${base}?/invite`, { email: "zed@example.test" });
    assert.equal(invitePage.status, 200);
    const inviteId = /name="id" value="([0-9A-Z]{26})"/.exec((await owner.get(base)).body)![1];

    const snapshot = async () => {
      const res = await owner.get(base);
      const et = await owner.get(`${base}/event-types/${etId}`);
      return [
        res.body.match(/data-member="[^"]+"/g),
        et.status,
        (await owner.get(`${base}/bookings`)).body.match(/data-booking="[^"]+"/g),
      ];
    };
    const before = await snapshot();

    // ── a stranger: 404 for everything ──
    const pages = [
      base,
      `${base}/event-types`,
      `${base}/event-types/new`,
      `${base}/event-types/${etId}`,
      `${base}/event-types/${etId}/delete`,
      `${base}/bookings`,
    ];
    for (const p of pages) assert.equal((await eve.get(p)).status, 404, `GET ${p}`);
    const actions: [string, Record<string, string>][] = [
      [`${base}?/settings`, { name: "Mine", slug: "mine", timeZone: "UTC" }],
      [`${base}?/invite`, { email: "eve2@example.test" }],
      [`${base}?/resend`, { id: inviteId }],
      [`${base}?/revoke`, { id: inviteId }],
      [`${base}?/role`, { member: hostIds[1], role: "owner" }],
      [`${base}?/weight`, { member: hostIds[1], weight: "5", priority: "4" }],
      [`${base}?/remove`, { member: hostIds[1] }],
      [`${base}/event-types?/toggle`, { id: etId, active: "false" }],
      [`${base}/event-types/${etId}`, {
        intent: "save",
        title: "X",
        slug: "x",
        durationMin: "30",
        bookingWindowDays: "30",
        teamMode: "round_robin",
      }],
      [`${base}/event-types/${etId}/delete`, {}],
      [`${base}/bookings?/cancel`, { id: bookingId }],
      [`${base}/bookings?/confirm`, { id: bookingId }],
    ];
    for (const [p, f] of actions) assert.equal((await eve.post(p, f)).status, 404, `POST ${p}`);
    // Another team's booking id under the stranger's own team is not found either.
    const own = await eve.post("/dashboard/teams?/create", {
      name: "Eve's",
      slug: "eves",
      timeZone: "UTC",
    });
    const eveTeam = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(own.location!)![1];
    assert.equal(
      (await eve.post(`/dashboard/teams/${eveTeam}/bookings?/cancel`, { id: bookingId })).status,
      404,
    );
    assert.equal(
      (await eve.get(`/dashboard/teams/${eveTeam}/event-types/${etId}`)).status,
      404,
      "another team's event type by id",
    );

    // ── a member: sees the team, cannot do owners' things ──
    assert.equal((await ann.get(base)).status, 200);
    assert.equal((await ann.get(`${base}/event-types`)).status, 200);
    assert.equal((await ann.get(`${base}/bookings`)).status, 200);
    assert.equal((await ann.get(`${base}/event-types/new`)).status, 403);
    assert.equal((await ann.get(`${base}/event-types/${etId}`)).status, 403);
    for (const [p, f] of actions.slice(0, 10)) {
      // Removing oneself is allowed; removing the owner is not.
      const body = p.endsWith("?/remove") ? { member: hostIds[0] } : f;
      assert.equal((await ann.post(p, body)).status, 403, `member POST ${p}`);
    }
    assert.deepEqual(await snapshot(), before, "nothing changed");
  },
});
