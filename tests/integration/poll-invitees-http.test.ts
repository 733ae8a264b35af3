/**
 * What a booked meeting poll's invitees read when the host moves or cancels it, when the last of
 * them declines, and behind a decline link mailed before a move (ADR 050, amendment
 * "declining"). Over HTTP against the built server with a real SMTP peer, as the pages post: the
 * host picks a time the voters said yes to; the first voter is the booking's guest, every other
 * voter one of its invitees with their own "Can't come?" link.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { type SmtpHandle, startSmtp } from "../support/smtp.ts";
import { type Client, createClient } from "../support/http.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The text a reader sees: tags left out, entities read. */
const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");

type Voter = { name: string; email: string; lang?: string };

/**
 * A poll of the demo host's quick chat on two free times, answered "yes" to the first by each
 * voter (on the poll's page in their `lang`), and picked: the meeting, with each voter's
 * invitation mail.
 */
async function pollMeeting(
  app: AppHandle,
  smtp: SmtpHandle,
  host: Client,
  title: string,
  times: string[],
  voters: Voter[],
) {
  const form = new URLSearchParams({ type: "quick-chat", title });
  for (const s of times) form.append("start", s);
  const made = await host.post("/dashboard/polls?/create", form);
  assert.equal(made.status, 200, visible(made.body).slice(0, 300));
  const path = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
  const id = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
  for (const v of voters) {
    const voted = await createClient(app.baseUrl).post(
      `${path}?/vote`,
      { name: v.name, email: v.email, t0: "yes", t1: "no" },
      v.lang ? { headers: { "accept-language": v.lang } } : {},
    );
    assert.equal(voted.status, 200, visible(voted.body).slice(0, 300));
  }
  const picked = await host.post(`/dashboard/polls/${id}?/pick`, { start: times[0] });
  assert.equal(picked.status, 303, visible(picked.body).slice(0, 300));
  const bookingId = /booked=([0-9A-Z]{26})/.exec(picked.location!)![1];
  const invited: Record<string, string> = {};
  for (const v of voters) {
    invited[v.email] = (await mailTo(smtp, v.email, new RegExp(title))).text;
  }
  return { bookingId, invited };
}

/** The mail that reached `email` with a subject like `what` (and a calendar of `method`). */
const mailTo = (smtp: SmtpHandle, email: string, what: RegExp, method?: string) =>
  smtp.waitForMail((m) =>
    m.to.includes(email) && what.test(m.subject) &&
    (method === undefined || (m.calendar ?? "").includes(`METHOD:${method}`)), 10_000);

/** The demo host's free quick-chat times, as the poll form offers them. */
async function freeTimes(host: Client): Promise<string[]> {
  const page = await host.get("/dashboard/polls?type=quick-chat");
  return [...page.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
}

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
