/**
 * What a booked meeting poll's invitees read when the host moves or cancels it, when the last of
 * them declines, and behind a decline link mailed before a move (ADR 050, amendment
 * "declining"). Over HTTP against the built server with a real SMTP peer, as the pages post: the
 * host picks a time the voters said yes to; the first voter is the booking's guest, every other
 * voter one of its invitees with their own "Can't come?" link.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createClient } from "../support/http.ts";
import { freeTimes, mailTo, pollMeeting, visible } from "../support/poll-http.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** An .ics as one line per property (folded lines joined). */
const unfolded = (ics: string) => ics.replace(/\r?\n[ \t]/g, "");

const DECLINE_LINK = /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}\/decline/;
const GUEST_LINK = /\/booking\/[0-9A-Z]{26}[A-Za-z0-9_-]{43}/;

Deno.test({
  ...opts,
  name:
    "poll meeting: every invitee reads what the host wrote with a move and why the host cancelled, as the first voter does, each in their own language",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const free = await freeTimes(host);
    const { bookingId } = await pollMeeting(app, smtp, host, "Offsite", free.slice(0, 2), [
      { name: "Ann Guest", email: "ann@example.test" },
      { name: "Ben Müller", email: "ben@example.test", lang: "de" },
      { name: "Cleo Park", email: "cleo@example.test" },
    ]);

    smtp.clear();
    const moved = await host.post(`/dashboard/bookings/${bookingId}/reschedule?/move`, {
      start: free[1],
      reason: "Moved to Friday",
    });
    assert.equal(moved.status, 303, visible(moved.body).slice(0, 300));
    // The first voter (the booking's guest), and each other invitee in their own words.
    const ann = await mailTo(smtp, "ann@example.test", /Offsite/);
    assert.match(ann.text, /Demo Host wrote: Moved to Friday/);
    const ben = await mailTo(smtp, "ben@example.test", /^Verschoben/);
    assert.match(ben.text, /Demo Host schreibt dazu: Moved to Friday/);
    const cleo = await mailTo(smtp, "cleo@example.test", /^Rescheduled/);
    assert.match(cleo.text, /Demo Host wrote: Moved to Friday/);
    assert.match(cleo.html, /Demo Host wrote: Moved to Friday/);

    smtp.clear();
    const current = /moved=([0-9A-Z]{26})/.exec(moved.location!)?.[1] ??
      /data-booking="([0-9A-Z]{26})"/.exec((await host.get("/dashboard/bookings?q=Ann")).body)![1];
    const cancelled = await host.post("/dashboard/bookings?/cancel", {
      id: current,
      reason: "The venue is flooded",
    });
    assert.ok(
      cancelled.status < 400,
      `${cancelled.status}: ${visible(cancelled.body).slice(0, 300)}`,
    );
    const annEnd = await mailTo(smtp, "ann@example.test", /Offsite/, "CANCEL");
    assert.match(annEnd.text, /Reason: The venue is flooded/);
    const benEnd = await mailTo(smtp, "ben@example.test", /^Abgesagt/, "CANCEL");
    assert.match(benEnd.text, /Grund: The venue is flooded/);
    const cleoEnd = await mailTo(smtp, "cleo@example.test", /^Cancelled/, "CANCEL");
    assert.match(cleoEnd.text, /Reason: The venue is flooded/);
    assert.match(cleoEnd.html, /Reason: The venue is flooded/);
  },
});

Deno.test({
  ...opts,
  name:
    "poll meeting: the last invitee to decline is told beforehand that the meeting will be cancelled, for the host too; after, their page and mail say it is cancelled, and their CANCEL names them, not who declined before",
  async fn(t) {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const free = await freeTimes(host);

    await t.step("an invitee's decline page, after the first voter declined", async () => {
      const { invited } = await pollMeeting(app, smtp, host, "Offsite", free.slice(0, 2), [
        { name: "Ann Guest", email: "ann@example.test" },
        { name: "Bob Stone", email: "bob@example.test" },
      ]);
      const annLink = GUEST_LINK.exec(invited["ann@example.test"])![0];
      const bobLink = DECLINE_LINK.exec(invited["bob@example.test"])![0];
      // While Ann still comes, Bob leaves the meeting to her.
      const before = visible((await createClient(app.baseUrl).get(bobLink)).body);
      assert.match(before, /Only you leave the meeting; the others keep it/);

      const annOut = await createClient(app.baseUrl).post(`${annLink}/cancel`, { reason: "" });
      assert.equal(annOut.status, 200, visible(annOut.body).slice(0, 300));
      await mailTo(smtp, DEMO_EMAIL, /Ann Guest can’t come/);

      // Bob is the last one coming: his page says what his press does.
      const page = visible((await createClient(app.baseUrl).get(bobLink)).body);
      assert.doesNotMatch(page, /the others keep it/);
      assert.match(page, /You are the last one still coming/);
      assert.match(page, /cancelled, for Demo Host too/);
      const de = visible(
        (await createClient(app.baseUrl).get(bobLink, { headers: { "accept-language": "de" } }))
          .body,
      );
      assert.doesNotMatch(de, /für die anderen bleibt es bestehen/);
      assert.match(de, /Außer Ihnen kommt niemand mehr/);

      smtp.clear();
      const res = await createClient(app.baseUrl).post(bobLink, {});
      assert.equal(res.status, 200, visible(res.body).slice(0, 300));
      assert.doesNotMatch(visible(res.body), /goes on without you/);
      assert.match(visible(res.body), /the meeting is cancelled/);
      const own = await mailTo(smtp, "bob@example.test", /Offsite/, "CANCEL");
      assert.doesNotMatch(own.text, /goes on without you/);
      assert.match(own.text, /Nobody else was still coming, so “Offsite” is cancelled/);
      // His copy, as the first voter's own copy names her: the meeting with him and the host.
      const ics = unfolded(own.calendar!);
      assert.match(ics, /^SUMMARY:Offsite: Bob Stone and Demo Host\r?$/m);
      assert.doesNotMatch(ics, /Ann Guest|ann@example\.test/);
      assert.match(ics, /ATTENDEE;CN=Bob Stone[^\n]*PARTSTAT=DECLINED[^\n]*bob@example\.test/);
      const told = await mailTo(smtp, DEMO_EMAIL, /./, "CANCEL");
      assert.match(told.text, /Everyone you invited to “Offsite”/);
    });

    await t.step("the first voter's cancel page, after the other invitee declined", async () => {
      const { invited } = await pollMeeting(app, smtp, host, "Retro", free.slice(2, 4), [
        { name: "Cleo Park", email: "cleo@example.test" },
        { name: "Dan Reed", email: "dan@example.test" },
      ]);
      const cleoLink = GUEST_LINK.exec(invited["cleo@example.test"])![0];
      const danLink = DECLINE_LINK.exec(invited["dan@example.test"])![0];
      assert.equal((await createClient(app.baseUrl).post(danLink, {})).status, 200);
      await mailTo(smtp, DEMO_EMAIL, /Dan Reed can’t come/);
      const page = visible((await createClient(app.baseUrl).get(`${cleoLink}/cancel`)).body);
      assert.doesNotMatch(page, /the others keep it/);
      assert.match(page, /You are the last one still coming/);
      smtp.clear();
      const res = await createClient(app.baseUrl).post(`${cleoLink}/cancel`, { reason: "" });
      assert.equal(res.status, 200, visible(res.body).slice(0, 300));
      assert.match(visible(res.body), /the meeting is cancelled/);
      const own = await mailTo(smtp, "cleo@example.test", /Retro/, "CANCEL");
      assert.match(own.text, /Nobody else was still coming, so “Retro” is cancelled/);
      assert.match(unfolded(own.calendar!), /^SUMMARY:Retro: Cleo Park and Demo Host\r?$/m);
    });
  },
});

Deno.test({
  ...opts,
  name:
    "poll meeting: an invitee's decline link mailed before the host moved it says the meeting moved and leads to their own decline page of the meeting where it is now",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const free = await freeTimes(host);
    const { bookingId, invited } = await pollMeeting(app, smtp, host, "Offsite", free.slice(0, 2), [
      { name: "Ann Guest", email: "ann@example.test" },
      { name: "Bob Stone", email: "bob@example.test" },
      { name: "Cleo Park", email: "cleo@example.test" },
    ]);
    const oldLink = DECLINE_LINK.exec(invited["bob@example.test"])![0];

    smtp.clear();
    const moved = await host.post(`/dashboard/bookings/${bookingId}/reschedule?/move`, {
      start: free[1],
      reason: "",
    });
    assert.equal(moved.status, 303, visible(moved.body).slice(0, 300));
    const update = await mailTo(smtp, "bob@example.test", /^Rescheduled/);
    const newLink = DECLINE_LINK.exec(update.text)![0];
    assert.notEqual(newLink, oldLink);

    const page = await createClient(app.baseUrl).get(oldLink);
    assert.equal(page.status, 200);
    const words = visible(page.body);
    assert.doesNotMatch(words, /cancelled/);
    assert.match(words, /This booking was moved/);
    assert.match(words, /Moved to /);
    // It leads to his decline page of the meeting as it is now: the link his update carries.
    const current =
      /data-testid="moved-current"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*data-testid="moved-current"/
        .exec(page.body);
    assert.ok(current, "a link to the current meeting");
    const href = current[1] ?? current[2];
    assert.equal(new URL(href, app.baseUrl).pathname, newLink);
    const there = await createClient(app.baseUrl).get(href);
    assert.equal(there.status, 200);
    assert.match(visible(there.body), /I can’t come/);
    assert.equal((await createClient(app.baseUrl).post(href, {})).status, 200);
    await mailTo(smtp, DEMO_EMAIL, /Bob Stone can’t come/);
  },
});
