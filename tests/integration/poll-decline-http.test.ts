/**
 * A meeting poll's invitee who cannot come leaves the meeting; only the host ends it for everyone
 * (ADR 050, amendment of 2026-11-27 "declining"). Over HTTP against the built server with a real
 * SMTP peer, as the pages post: the host picks a time three voters said yes to; the first voter
 * (the booking's guest) presses their link's cancel button, another voter their own "I can't
 * come" link from their own mail, and the last one's decline ends the meeting.
 */
import assert from "node:assert/strict";
import { fromTomorrow, startsIn } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createClient } from "../support/http.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The text a reader sees: tags left out, entities read. */
const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");

const VOTERS = [
  ["Ann Guest", "ann@example.test"],
  ["Ben Miller", "ben@example.test"],
  ["Cleo Park", "cleo@example.test"],
] as const;

Deno.test({
  ...opts,
  name:
    "poll meeting: the first voter's cancel link declines their own place (the others keep the meeting, the host hears who declined); each other voter declines from their own mail; the last decline ends the meeting and tells the host",
  async fn(t) {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const page = await host.get("/dashboard/polls?type=quick-chat");
    const free = fromTomorrow(startsIn(page.body));
    const form = new URLSearchParams({ type: "quick-chat", title: "Offsite" });
    for (const s of free.slice(0, 2)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, visible(made.body).slice(0, 300));
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    for (const [name, email] of VOTERS) {
      const voted = await createClient(app.baseUrl).post(`${path}?/vote`, {
        name,
        email,
        t0: "yes",
        t1: "no",
      });
      assert.equal(voted.status, 200, visible(voted.body).slice(0, 300));
    }
    smtp.clear();
    const picked = await host.post(`/dashboard/polls/${id}?/pick`, { start: free[0] });
    assert.equal(picked.status, 303, visible(picked.body).slice(0, 300));

    const mailTo = (email: string, what: RegExp, method?: string) =>
      smtp.waitForMail((m) =>
        m.to.includes(email) && what.test(m.subject) &&
        (method === undefined || m.attachments.some((a) => a.method === method) ||
          (m.calendar ?? "").includes(`METHOD:${method}`)), 10_000);
    const invited = Object.fromEntries(
      await Promise.all(VOTERS.map(async ([, email]) => [email, await mailTo(email, /Offsite/)])),
    );
    /** The host's bookings list, found by the meeting's guest (she stays its guest). */
    const hostRow = async () => (await host.get(`/dashboard/bookings?q=Ann`)).body;
    const cancels = (email: string) =>
      smtp.mails.filter((m) =>
        m.to.includes(email) && (m.calendar ?? "").includes("METHOD:CANCEL")
      );

    const annLink = /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}/.exec(
      invited["ann@example.test"].text,
    );
    assert.ok(annLink, "the booking's guest has their link");

    await t.step("the first voter cannot move the meeting for everyone", async () => {
      // Their mail offers what their page does: saying they can't come, not moving it (a link
      // whose page then said "cannot be moved").
      const mail = invited["ann@example.test"];
      assert.doesNotMatch(mail.text, /\/reschedule\b/);
      assert.doesNotMatch(mail.html ?? "", /\/reschedule"/);
      assert.match(mail.text, /Can’t come\? Tell Demo Host here/);
      const page = await createClient(app.baseUrl).get(annLink[0]);
      assert.match(visible(page.body), /I can’t come/);
      assert.doesNotMatch(page.body, /\/reschedule"/);
      const move = await createClient(app.baseUrl).get(`${annLink[0]}/reschedule`);
      assert.match(visible(move.body), /Only Demo Host can move this meeting/);
      const res = await createClient(app.baseUrl).post(`${annLink[0]}/reschedule`, {
        start: free[1],
      });
      assert.equal(res.status, 409);
      assert.match(visible(res.body), /Only Demo Host can move this meeting/);
    });

    await t.step("the first voter's cancel button declines their place only", async () => {
      const link = annLink;
      const res = await createClient(app.baseUrl).post(`${link[0]}/cancel`, { reason: "" });
      assert.equal(res.status, 200, visible(res.body).slice(0, 300));
      // Ann's copy is cancelled; the others keep theirs; the host hears who declined.
      const own = await mailTo("ann@example.test", /You declined/, "CANCEL");
      assert.match(own.calendar!.replace(/\r\n /g, ""), /ATTENDEE[^\n]*ann@example\.test/);
      await mailTo(DEMO_EMAIL, /Ann Guest can’t come/);
      assert.equal(cancels("ben@example.test").length, 0, "Ben still has the meeting");
      assert.equal(cancels("cleo@example.test").length, 0, "Cleo still has the meeting");
      const told = await mailTo(DEMO_EMAIL, /Ann Guest can’t come/);
      assert.match(told.text, /Ben Miller|ben@example.test/);
      const row = await hostRow();
      assert.match(visible(row), /Offsite .*Can’t come: Ann Guest/);
      assert.match(row, />confirmed<\/span>/);
      // Her link's page says so, and offers no cancel for everyone.
      const again = await createClient(app.baseUrl).get(`${link[0]}/cancel`);
      assert.match(visible(again.body), /You told .* you can’t come/);
    });

    await t.step("another voter declines from their own mail", async () => {
      const own = /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}\/decline/.exec(
        invited["ben@example.test"].text,
      );
      assert.ok(own, "Ben's own mail carries his decline link");
      assert.ok(!invited["cleo@example.test"].text.includes(own[0]), "a link of his own");
      const res = await createClient(app.baseUrl).post(own[0], {});
      assert.equal(res.status, 200, visible(res.body).slice(0, 300));
      await mailTo("ben@example.test", /./, "CANCEL");
      await mailTo(DEMO_EMAIL, /Ben Miller can’t come/);
      assert.match(visible(await hostRow()), /Can’t come: Ann Guest, Ben Miller/);
      assert.equal(cancels("cleo@example.test").length, 0, "Cleo still has the meeting");
    });

    await t.step("the last decline ends the meeting and tells the host", async () => {
      const own = /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}\/decline/.exec(
        invited["cleo@example.test"].text,
      )!;
      const res = await createClient(app.baseUrl).post(own[0], {});
      assert.equal(res.status, 200, visible(res.body).slice(0, 300));
      assert.match(visible(res.body), /Demo Host has been told/);
      assert.doesNotMatch(visible(res.body), /goes on without you/);
      await mailTo("cleo@example.test", /./, "CANCEL");
      const ended = await mailTo(DEMO_EMAIL, /./, "CANCEL");
      assert.match(ended.text, /Everyone you invited to “Offsite”/);
      const row = await hostRow();
      assert.match(row, />cancelled<\/span>/);
      assert.match(visible(row), /Can’t come: Ann Guest, Ben Miller, Cleo Park/);
      // Found by anyone who declined, as by anyone invited.
      const byCleo = await host.get(`/dashboard/bookings?q=cleo%40example.test`);
      assert.match(visible(byCleo.body), /Offsite .*Can’t come: Ann Guest, Ben Miller, Cleo Park/);
      assert.equal(cancels("ann@example.test").length, 1, "Ann's copy was cancelled once");
    });
  },
});
