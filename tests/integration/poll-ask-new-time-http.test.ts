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
import { createClient } from "../support/http.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

Deno.test({
  name:
    "poll meeting: the host is not offered 'Ask to reschedule' for it, a post of it is refused with words, and the meeting stays confirmed for every invitee",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signIn(app, DEMO_EMAIL, smtp);
    const page = await host.get("/dashboard/polls?type=quick-chat");
    const free = [...page.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
    const form = new URLSearchParams({ type: "quick-chat", title: "Offsite" });
    for (const s of free.slice(0, 2)) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, visible(made.body).slice(0, 300));
    const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    for (const [name, email] of [["Ann Guest", "ann@example.test"], ["Ben", "ben@example.test"]]) {
      const voted = await createClient(app.baseUrl).post(`${path}?/vote`, {
        name,
        email,
        t0: "yes",
        t1: "no",
      });
      assert.equal(voted.status, 200, visible(voted.body).slice(0, 300));
    }
    const picked = await host.post(`/dashboard/polls/${id}?/pick`, { start: free[0] });
    assert.equal(picked.status, 303, visible(picked.body).slice(0, 300));
    await smtp.waitForMail((m) => m.to.includes("ben@example.test") && /Offsite/.test(m.subject));

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
