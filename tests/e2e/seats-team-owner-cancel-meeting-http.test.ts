/**
 * A team owner cancels a collective seated meeting whole from the team's bookings page, over HTTP
 * against the built server: the page lists each seated time as one row (event, time, seats taken
 * of the total, each guest), and an owner — who need not attend, nor organise it — reaches a
 * confirmation page from it that cancels every seat. Before, the team page listed each seat on
 * its own and only the organiser's own list could cancel the meeting.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { startSmtp } from "../support/smtp.ts";
import { seededTeamClass } from "../support/seated-team.ts";

// Three days ahead at 10:00 UTC: upcoming whenever the test runs.
const AT = `${new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)}T10:00:00Z`;
const GUESTS = ["Anne", "Bert", "Cleo"];

const seededClass = (prefix: string) =>
  seededTeamClass(prefix, {
    start: AT,
    guests: GUESTS.map((name) => ({ name, email: `${name.toLowerCase()}@example.test` })),
  });

const confirmLink = (body: string) =>
  /href="(\/dashboard\/teams\/[0-9A-Z]{26}\/bookings\/meeting\/[0-9A-Z]{26})"/.exec(body)?.[1];

Deno.test({
  name:
    "team bookings over HTTP: an owner sees one row per seated time (event, time, 3 of 5 seats taken, every guest) and cancels the whole meeting after a confirmation page; every seat ends with the reason, each guest is mailed, and each attending member is told the owner cancelled it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, owner, organiser, other } = await seededClass("invito-owner-cancel-");
    await using smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const c = await signInByLink(app, owner.email, { smtp });
      const page = `/dashboard/teams/${team.id}/bookings`;
      const list = await c.get(page);
      assert.equal(list.status, 200);
      // One row for the time, not one per seat.
      assert.equal(list.body.match(/data-seated-time=/g)?.length, 1, "one row for the time");
      assert.match(list.body, /3 of 5 seats taken/);
      for (const g of GUESTS) assert.match(list.body, new RegExp(`>${g}<`));
      assert.match(list.body, /Class/);
      const href = confirmLink(list.body);
      assert.ok(href, "the row links to the meeting's confirmation page");

      const ask = await c.get(href);
      assert.equal(ask.status, 200, ask.body.slice(0, 400));
      assert.match(ask.body, /Cancel “Class” for every guest\?/);
      assert.match(ask.body, /3 of 5 seats taken/);
      assert.match(ask.body, new RegExp(`Organiser: ${organiser.name}`));
      for (const g of GUESTS) assert.match(ask.body, new RegExp(`>${g}<`));
      // Nothing is cancelled by looking at it.
      assert.match((await c.get(page)).body, /data-seat-state="confirmed"/);

      const tooLong = await c.post(href, { reason: "x".repeat(501) });
      assert.equal(tooLong.status, 400);
      assert.match(tooLong.body, /reason/i);

      const res = await c.post(href, { reason: "Teacher is ill" });
      assert.equal(res.status, 303, res.body.slice(0, 400));
      const back = await c.get(res.location!);
      assert.equal(back.status, 200);
      assert.match(back.body, /Meeting cancelled\. 3 guests have been told\./);
      assert.doesNotMatch(back.body, /data-seat-state="confirmed"/);
      assert.equal(confirmLink(back.body), undefined, "nothing left to cancel");
      // Its page now says so instead of offering the press again.
      const again = await c.post(href, { reason: "again" });
      assert.equal(again.status, 409);

      for (const g of GUESTS) {
        const m = await smtp.waitForMail(
          (m) => m.to.includes(`${g.toLowerCase()}@example.test`) && /^Cancelled/.test(m.subject),
          10_000,
        );
        assert.match(m.text, /Teacher is ill/);
      }
      for (const member of [organiser, other]) {
        const m = await smtp.waitForMail(
          (m) => m.to.includes(member.email) && /^Cancelled: Class, /.test(m.subject),
          10_000,
        );
        assert.match(
          m.text,
          new RegExp(`${owner.name} cancelled “Class” of The Crew on .+ for every guest`),
          member.username,
        );
        assert.doesNotMatch(m.text, /You cancelled/);
        assert.match(m.text, /Teacher is ill/);
      }
      // The owner pressed it and does not attend: the page told them, no mail does.
      assert.equal(
        smtp.mails.filter((m) => m.to.includes(owner.email) && /^Cancelled/.test(m.subject))
          .length,
        0,
      );
      // Each member is told once.
      for (const member of [organiser, other]) {
        assert.equal(
          smtp.mails.filter((m) => m.to.includes(member.email) && /^Cancelled/.test(m.subject))
            .length,
          1,
          member.username,
        );
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "team bookings over HTTP: a member who neither owns the team nor organises the meeting sees the seated row without 'Cancel this meeting', and its confirmation page and form answer 403; an unknown seat is 404",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, owner, other, ids } = await seededClass("invito-owner-cancel-member-");
    try {
      await using app = await startApp({ dataDir });
      const page = `/dashboard/teams/${team.id}/bookings`;
      const href = confirmLink((await (await signInByLink(app, owner.email)).get(page)).body);
      assert.ok(href);

      const m = await signInByLink(app, other.email);
      const list = await m.get(page);
      assert.equal(list.status, 200);
      assert.equal(list.body.match(/data-seated-time=/g)?.length, 1);
      assert.equal(confirmLink(list.body), undefined, "no whole-meeting cancel for them");
      assert.equal((await m.get(href)).status, 403);
      assert.equal((await m.post(href, { reason: "" })).status, 403);
      const still = await m.get(page);
      assert.equal(still.body.match(/data-seat-state="confirmed"/g)?.length, ids.length);

      const o = await signInByLink(app, owner.email);
      const unknown = `/dashboard/teams/${team.id}/bookings/meeting/${"0".repeat(26)}`;
      assert.equal((await o.get(unknown)).status, 404);
      assert.equal((await o.post(unknown, { reason: "" })).status, 404);
      assert.equal((await o.get(`/dashboard/teams/${team.id}/bookings/meeting/nope`)).status, 404);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
