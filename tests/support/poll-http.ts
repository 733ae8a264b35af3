/**
 * A booked meeting poll over HTTP, as the pages post it (the dashboard's poll form, each voter's
 * answer on the poll's page, the host's pick), with a real SMTP peer: what the poll tests of
 * invitees share.
 */
import assert from "node:assert/strict";
import type { AppHandle } from "./app.ts";
import type { SmtpHandle } from "./smtp.ts";
import { type Client, createClient } from "./http.ts";
import { fromTomorrow, startsIn } from "./slots.ts";

/** The text a reader sees: tags left out, entities read. */
export const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");

export type Voter = { name: string; email: string; lang?: string };

/**
 * A poll of the demo host's quick chat on two free times, answered "yes" to the first by each
 * voter (on the poll's page in their `lang`), and picked: the meeting, with each voter's
 * invitation mail.
 */
export async function pollMeeting(
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
export const mailTo = (smtp: SmtpHandle, email: string, what: RegExp, method?: string) =>
  smtp.waitForMail((m) =>
    m.to.includes(email) && what.test(m.subject) &&
    (method === undefined || (m.calendar ?? "").includes(`METHOD:${method}`)), 10_000);

/**
 * The demo host's free quick-chat times from tomorrow on, as the poll form offers them: one of
 * today's can pass while the test uses it, and a passed time takes no answer or pick.
 */
export async function freeTimes(host: Client): Promise<string[]> {
  const page = await host.get("/dashboard/polls?type=quick-chat");
  return fromTomorrow(startsIn(page.body));
}
