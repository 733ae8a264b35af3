/**
 * "Ask to reschedule…" on a meeting the host booked from a poll, over HTTP against the built
 * server with a real SMTP peer. Asking asks one guest to pick a new time, but a poll's meeting
 * has several invitees and only the host moves it (ADR 050): before, the press cancelled it for
 * everyone, mailed the first voter a "pick a new time" link that their page then refused, and
 * the poll stayed "booked" — the meeting was gone with no way back. The bookings list no longer
 * offers it for such a meeting, and a post of it is refused with words; the meeting stays.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { freeTimes, pollMeeting, visible } from "../support/poll-http.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

Deno.test({
  name:
    "poll meeting: the host is not offered 'Ask to reschedule' for it, a post of it is refused with words, and the meeting stays confirmed for every invitee",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const free = await freeTimes(host);
    await pollMeeting(app, smtp, host, "Offsite", free.slice(0, 2), [
      { name: "Ann Guest", email: "ann@example.test" },
      { name: "Ben", email: "ben@example.test" },
    ]);

    const list = (await host.get("/dashboard/bookings?q=Ann")).body;
    const bookingId = /name="id" value="([0-9A-Z]{26})"/.exec(list)?.[1];
    assert.ok(bookingId, "the meeting is listed");
    assert.match(visible(list), /Offsite/);
    assert.doesNotMatch(list, /data-request-new-time/, "no 'Ask to reschedule' for it");

    smtp.clear();
    const asked = await host.post("/dashboard/bookings?/request", {
      id: bookingId,
      reason: "Something came up",
    });
    assert.equal(asked.status, 409, visible(asked.body).slice(0, 300));
    assert.match(visible(asked.body), /several invitees/);
    const after = (await host.get("/dashboard/bookings?q=Ann")).body;
    assert.match(after, />confirmed<\/span>/, "the meeting stays confirmed");
    // Nobody was told it is cancelled (a mail would have left with the refused press).
    await host.get("/dashboard/bookings");
    assert.equal(
      smtp.mails.filter((m) => (m.calendar ?? "").includes("METHOD:CANCEL")).length,
      0,
      "no cancellation mailed",
    );
  },
});
