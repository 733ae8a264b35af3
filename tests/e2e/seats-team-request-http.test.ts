/**
 * The organiser asks the guest of a seat of a team's collective seated time to pick a new time,
 * from their bookings list, over HTTP against the built server (ADR 040, amended: a collective
 * time's seat is asked for a new time). The seat leaves the meeting at once, the guest is mailed
 * their link, their page says the host asks for a new time, and their pick takes a seat there.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { startSmtp } from "../support/smtp.ts";
import { seededTeamClass } from "../support/seated-team.ts";

// Three days ahead at 10:00 UTC: upcoming whenever the test runs.
const DAY = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
const AT = `${DAY}T10:00:00Z`;
const LATER = `${DAY}T14:00:00Z`;
const GUESTS = ["Anne", "Bert"];

Deno.test({
  name:
    "team seats over HTTP: the organiser asks a seat's guest to pick a new time from their bookings list — the row drops to 1 of 5 seats, the guest is mailed their link, their page says the host asks for a new time, and their pick takes a seat at the new time",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, organiser, other, ids } = await seededTeamClass("invito-team-seat-request-", {
      start: AT,
      guests: GUESTS.map((name) => ({ name, email: `${name.toLowerCase()}@example.test` })),
    });
    await using smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const c = await signInByLink(app, organiser.email, { smtp });
      const list = await c.get("/dashboard/bookings");
      assert.equal(list.status, 200);
      assert.match(list.body, /2 of 5 seats taken/);
      const offered = list.body.match(/data-request-new-time/g)?.length ?? 0;
      assert.equal(offered, 2, "each confirmed seat offers 'Ask to reschedule…'");
      const asked = await c.post("/dashboard/bookings?/request", {
        id: ids[0],
        reason: "The room changed",
      });
      assert.ok(asked.status === 303 || asked.status === 200, `${asked.status}`);
      const after = await c.get("/dashboard/bookings");
      assert.match(after.body, /1 of 5 seats taken/);
      // A member who does not organise it is not offered the press.
      const m = await signInByLink(app, other.email, { smtp });
      assert.doesNotMatch((await m.get("/dashboard/bookings")).body, /data-request-new-time/);

      const mail = await smtp.waitForMail(
        (x) => x.to.includes("anne@example.test") && /The room changed/.test(x.text),
        10_000,
      );
      const link = /https?:\/\/[^\s]+\/booking\/[^\s"<>]+/.exec(mail.text)?.[0];
      assert.ok(link, mail.text);
      const path = new URL(link).pathname.replace(/\/(reschedule|cancel)$/, "");
      const page = await fetch(`${app.baseUrl}${path}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /new time/i);
      const picked = await fetch(`${app.baseUrl}${path}/reschedule`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ start: LATER }),
        redirect: "manual",
      });
      assert.equal(picked.status, 303, (await picked.text()).slice(0, 400));
      const now = await c.get("/dashboard/bookings");
      assert.match(
        now.body,
        /1 of 5 seats taken[^]*1 of 5 seats taken/,
        "two times, one seat each",
      );
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "team seats over HTTP: a team's owner asks a seat's guest to pick a new time from the team's bookings page — the seat leaves the meeting and the guest is mailed their link; a member who neither owns nor organises it is not offered the press, and their post is 403",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, owner, other, ids } = await seededTeamClass(
      "invito-team-seat-request-owner-",
      {
        start: AT,
        guests: GUESTS.map((name) => ({ name, email: `${name.toLowerCase()}@example.test` })),
      },
    );
    await using smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const page = `/dashboard/teams/${team.id}/bookings`;
      const m = await signInByLink(app, other.email, { smtp });
      assert.doesNotMatch((await m.get(page)).body, /data-request-new-time/);
      const denied = await m.post(`${page}?/request`, { id: ids[1], reason: "" });
      assert.equal(denied.status, 403);
      const o = await signInByLink(app, owner.email, { smtp });
      const list = await o.get(page);
      assert.equal(list.body.match(/data-request-new-time/g)?.length ?? 0, 2);
      const asked = await o.post(`${page}?/request`, { id: ids[1], reason: "Room change" });
      assert.ok(asked.status === 303 || asked.status === 200, `${asked.status}`);
      assert.match((await o.get(page)).body, /1 of 5 seats taken/);
      await smtp.waitForMail(
        (x) => x.to.includes("bert@example.test") && /Room change/.test(x.text),
        10_000,
      );
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
