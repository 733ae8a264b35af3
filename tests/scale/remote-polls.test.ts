/**
 * Meeting polls over remote KV (ADR 050, ADR 038): two service instances, each with Deno's own
 * KV Connect client, sharing the KV Connect test server with 1–8 ms per request. The races the
 * in-memory tests stage (services/polls.test.ts, poll-votes.test.ts) here go through HTTP, with
 * commit answers lost after the write landed — which Deno's client answers `{ ok: false }` for,
 * after sending the write again.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { type RemoteApps, remoteApps } from "../support/remote-apps.ts";
import { createPoll, pollMatrix } from "../../src/lib/server/services/polls.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll } from "../../src/lib/server/services/poll-votes.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listVotes } from "../../src/lib/server/store/polls.ts";
import { sha256Hex } from "../../src/lib/server/integrations/crypto.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { OutboxRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function setup(r: RemoteApps) {
  const host = await createHost(r.a, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(r.a, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  return host;
}

/** Monday 2026-11-23 and on: 09:00, 09:30, … UTC (the host's hours). */
const slot = (i: number) =>
  new Date(
    Date.parse("2026-11-23T09:00:00Z") + Math.floor(i / 16) * 86_400_000 +
      (i % 16) * 1_800_000,
  ).toISOString().replace(".000Z", "Z");

async function poll(r: RemoteApps, host: Awaited<ReturnType<typeof setup>>, starts: string[]) {
  const made = await createPoll(r.a, host, { slug: "chat", title: "Sync", starts });
  assert.ok(made.ok, JSON.stringify(made));
  return { id: made.poll.id, token: new URL(made.url).pathname.split("/").pop()! };
}

async function votedJobs(kv: Deno.Kv) {
  const out: string[] = [];
  for await (const e of kv.list<OutboxRecord>({ prefix: [keys.outbox(0, "x")[0]] })) {
    const p = e.value.payload;
    if (p.kind === "host_event" && p.event === "poll.voted") out.push(p.body);
  }
  return out;
}

Deno.test({
  ...opts,
  name:
    "remote KV: an invitee whose vote landed but whose commit answer was lost is thanked with a token that is their vote's — never told their own address is taken; a changed answer lost the same way is stored once",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    const p = await poll(r, host, [slot(0), slot(1)]);

    r.server.faults.set({ loseAnswer: 1, matchKey: "poll_vote" });
    const first = await votePoll(r.a, p.token, {
      name: "Ida",
      email: "ida@example.test",
      answers: { t0: "yes" },
      client: "ida",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the vote's answer was lost");
    assert.ok(first.ok, `Ida is thanked, not refused (${JSON.stringify(first)})`);
    const [stored] = await listVotes(r.kv, p.id);
    assert.equal(stored.voterHash, await sha256Hex(first.voterToken), "her token is her vote's");

    // She changes her answer with her token; that answer is lost too.
    r.server.faults.set({ loseAnswer: 1, matchKey: "poll_vote" });
    const again = await votePoll(r.b, p.token, {
      name: "Ida",
      email: "ida@example.test",
      answers: { t0: "no", t1: "yes" },
      voterToken: first.voterToken,
      client: "ida",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 2);
    assert.ok(again.ok, JSON.stringify(again));
    const votes = await listVotes(r.kv, p.id);
    assert.deepEqual(votes.map((v) => [v.email, v.answers]), [["ida@example.test", ["no", "yes"]]]);
    // The host's webhooks hear of each answer once, not once per attempt.
    assert.equal((await votedJobs(r.kv)).length, 2, "one poll.voted per answer");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: invitees answering while the host picks, on two processes, with lost commit answers: each is an attendee of the meeting exactly when they were thanked",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    let [thanked, refused] = [0, 0];
    for (let round = 0; round < 6; round++) {
      const starts = [slot(2 * round), slot(2 * round + 1)];
      const p = await poll(r, host, starts);
      const first = { name: "First", email: "first@example.test", answers: { t0: "yes" } };
      assert.ok((await votePoll(r.a, p.token, { ...first, client: `r${round}` })).ok);
      const emails = Array.from({ length: 12 }, (_, i) => `r${round}v${i}@example.test`);
      // Some votes' answers are lost after they landed (Deno's client sends them again).
      r.server.faults.set({ loseAnswer: 3, matchKey: "poll_vote" });
      const [pick, ...votes] = await Promise.all([
        new Promise((ok) => setTimeout(ok, 4 * round)).then(() =>
          pickPollTime(r.app(round), host, p.id, starts[0])
        ),
        ...emails.map((email, i) =>
          new Promise((ok) => setTimeout(ok, 3 * i)).then(() =>
            votePoll(r.app(i + 1), p.token, {
              name: `V${i}`,
              email,
              answers: { t0: "yes" },
              client: email,
            })
          )
        ),
      ]);
      r.server.faults.set({ loseAnswer: 0 });
      assert.ok(pick.ok, `round ${round}: the pick books (${JSON.stringify(pick)})`);
      const booking = (await getBooking(r.kv, pick.bookingId))!;
      const attendees = new Set([booking.guestEmail, ...(booking.additionalGuests ?? [])]);
      emails.forEach((email, i) => {
        const v = votes[i];
        if (v.ok) assert.ok(attendees.has(email), `round ${round}: ${email} thanked, not invited`);
        else {
          assert.equal(v.reason, "closed", `round ${round}: ${email} refused as ${v.reason}`);
          assert.ok(!attendees.has(email), `round ${round}: ${email} refused, yet invited`);
        }
        v.ok ? thanked++ : refused++;
      });
      const stored = (await pollMatrix(r.a, host, p.id, "en"))!.votes.map((v) => v.email);
      assert.deepEqual([...attendees].sort(), [...stored].sort(), `round ${round}`);
    }
    assert.ok(thanked > 0 && refused > 0, `${thanked} thanked, ${refused} refused`);
    assert.ok(r.server.stats().injected.loseAnswer > 0, "answers were lost");
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});
