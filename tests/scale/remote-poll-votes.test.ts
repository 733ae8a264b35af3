/**
 * A crowd answering one meeting poll at once on three service instances sharing one remote KV
 * (the KV Connect test server, 1–8 ms a request; ADR 050). A new voter's write checks the votes
 * revision it read, so of votes sent at once one lands a round and the others decide again
 * (`votePoll`): each new invitee must be stored once and thanked — never "busy", never twice,
 * never lost — up to the poll's MAX_VOTES, and told "full" past it, while others change their
 * own answers and some commit answers are lost after their writes landed.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, WORKDAYS } from "../support/memory-app.ts";
import { type RemoteApps, remoteApps } from "../support/remote-apps.ts";
import { createPoll, pollMatrix } from "../../src/lib/server/services/polls.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll, type VoteResult } from "../../src/lib/server/services/poll-votes.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listVotes, MAX_VOTES } from "../../src/lib/server/store/polls.ts";
import { sha256Hex } from "../../src/lib/server/integrations/crypto.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { OutboxRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const STARTS = ["2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"];

async function openPoll(r: RemoteApps, title: string) {
  const host = await createHost(r.a, { username: title.toLowerCase(), weekly: WORKDAYS });
  await createEventType(r.a, host, {
    slug: "chat",
    requiresConfirmation: false,
    minNoticeMin: 0,
  } as never);
  const made = await createPoll(r.a, host, { slug: "chat", title, starts: STARTS });
  assert.ok(made.ok, JSON.stringify(made));
  return { host, id: made.poll.id, token: new URL(made.url).pathname.split("/").pop()! };
}

/** The host's `poll.voted` events queued: one per answer stored, never one per attempt. */
async function votedEvents(kv: Deno.Kv) {
  let n = 0;
  for await (const e of kv.list<OutboxRecord>({ prefix: [keys.outbox(0, "x")[0]] })) {
    const p = e.value.payload;
    if (p.kind === "host_event" && p.event === "poll.voted") n++;
  }
  return n;
}

const refusals = (results: VoteResult[]) =>
  results.flatMap((v) => v.ok ? [] : [v.reason]).join(", ");

/** What the host's pick of the first time books: every attendee's address, sorted. */
async function pickFirst(r: RemoteApps, p: Awaited<ReturnType<typeof openPoll>>) {
  const pick = await pickPollTime(r.b, p.host, p.id, STARTS[0]);
  assert.ok(pick.ok, `the host's pick books (${JSON.stringify(pick)})`);
  const booking = (await getBooking(r.kv, pick.bookingId))!;
  return [booking.guestEmail, ...(booking.additionalGuests ?? [])].sort();
}

Deno.test({
  ...opts,
  name:
    "remote KV: a poll's invitees answering at once on three processes up to its MAX_VOTES, while others change their own answers, two race with one address and three commit answers are lost: each is stored once and thanked, none “busy”, exactly one owns the address, and the host's pick books them all",
  async fn() {
    await using r = await remoteApps({ processes: 3 });
    const p = await openPoll(r, "Crowd");
    const vote = (
      i: number,
      email: string,
      t1: string,
      voterToken: string | null = null,
      name = email,
    ) =>
      votePoll(r.app(i), p.token, {
        name,
        email,
        answers: { t0: "yes", t1 },
        voterToken,
        client: email,
      });
    // Six invitees answered earlier; at once, each changes their answers three times (one of
    // them also fixes the address and lengthens the name: a vote that grows, so it is ordered).
    const early = Array.from({ length: 6 }, (_, i) => `early${i}@example.test`);
    const tokens: string[] = [];
    for (const [i, email] of early.entries()) {
      const v = await vote(i, email, "no");
      assert.ok(v.ok, JSON.stringify(v));
      tokens.push(v.voterToken);
    }
    const finalOf = (i: number) => i === 0 ? "early0-fixed@example.test" : early[i];
    const changing = early.map(async (email, i) => {
      const out: VoteResult[] = [];
      for (let k = 0; k < 3; k++) {
        const last = k === 2;
        out.push(
          await vote(
            i + 1,
            last ? finalOf(i) : email,
            k % 2 ? "no" : "maybe",
            tokens[i],
            last && i === 0 ? "Early Zero, address fixed" : email,
          ),
        );
      }
      return out;
    });
    // The crowd fills the poll: 93 new invitees and one of the two with a shared address.
    const crowd = Array.from(
      { length: MAX_VOTES - early.length - 1 },
      (_, i) => `crowd${i}@example.test`,
    );
    const shared = "shared@example.test";
    r.server.faults.set({ loseAnswer: 3, matchKey: "poll_vote" });
    const started = performance.now();
    const [news, twins, changes] = await Promise.all([
      Promise.all(crowd.map((email, i) => vote(i, email, "yes"))),
      Promise.all([vote(0, shared, "yes", null, "Twin A"), vote(1, shared, "no", null, "Twin B")]),
      Promise.all(changing).then((x) => x.flat()),
    ]);
    const ms = Math.round(performance.now() - started);
    r.server.faults.set({ loseAnswer: 0 });
    assert.equal(r.server.stats().injected.loseAnswer, 3, "answers were lost");
    const busy = [...news, ...twins, ...changes].filter((v) => !v.ok && v.reason !== "taken");
    console.log(
      `${busy.length} of ${news.length + twins.length + changes.length} votes refused ` +
        `(${refusals(busy)}), all answered in ${ms} ms`,
    );

    assert.equal(refusals(news), "", "every new invitee is thanked");
    assert.equal(refusals(changes), "", "every change is taken");
    // The same address: exactly one owns it, the other is told it is taken.
    const won = twins.filter((v) => v.ok);
    assert.equal(won.length, 1, `one of the two owns the address (${refusals(twins)})`);
    assert.equal(refusals(twins), "taken");

    const stored = await listVotes(r.kv, p.id);
    assert.equal(stored.length, MAX_VOTES, "the poll is full, no vote lost or stored twice");
    const byEmail = new Map(stored.map((v) => [v.email, v]));
    for (const [i, email] of crowd.entries()) {
      const v = news[i];
      assert.ok(v.ok);
      assert.equal(byEmail.get(email)?.voterHash, await sha256Hex(v.voterToken), email);
    }
    assert.equal(
      byEmail.get(shared)!.voterHash,
      await sha256Hex(won[0].ok ? won[0].voterToken : ""),
    );
    // Each changer's vote is their last answer, under the address it ended with.
    for (const [i, email] of early.entries()) {
      const v = byEmail.get(finalOf(i));
      assert.deepEqual(v?.answers, ["yes", "maybe"], finalOf(i));
      assert.equal(v.voterHash, await sha256Hex(tokens[i]));
      if (i === 0) assert.ok(!byEmail.has(email), "the address it left holds no vote");
    }
    // One `poll.voted` per answer that was stored: a lost answer settled by reading is not
    // stored (nor announced) twice.
    assert.equal(await votedEvents(r.kv), early.length + news.length + 1 + changes.length);

    // The host's counts are the votes stored, and the pick books every one of them.
    const matrix = (await pollMatrix(r.a, p.host, p.id, "en"))!;
    assert.equal(matrix.votes.length, MAX_VOTES);
    assert.equal(matrix.times[0].yes, MAX_VOTES);
    assert.equal(
      matrix.times[1].yes + matrix.times[1].maybe,
      crowd.length + early.length + (won[0] === twins[0] ? 1 : 0),
    );
    assert.deepEqual(await pickFirst(r, p), [...byEmail.keys()].sort());
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: MAX_VOTES + 5 new invitees answering a poll at once on three processes, three commit answers lost and three reads' answers broken off (each cut breaking what else its connection carried): exactly MAX_VOTES are stored and thanked, the other five are told the poll is full, none “busy”, and the host's pick books exactly those thanked",
  async fn() {
    await using r = await remoteApps({ processes: 3 });
    const p = await openPoll(r, "Full");
    const emails = Array.from({ length: MAX_VOTES + 5 }, (_, i) => `v${i}@example.test`);
    r.server.faults.set({ loseAnswer: 3, matchKey: "poll_vote", cutReadBody: 3 });
    const started = performance.now();
    const results = await Promise.all(
      emails.map((email, i) =>
        votePoll(r.app(i), p.token, { name: email, email, answers: { t0: "yes" }, client: email })
      ),
    );
    const ms = Math.round(performance.now() - started);
    r.server.faults.set({ loseAnswer: 0, cutReadBody: 0 });
    const refused = results.filter((v) => !v.ok);
    console.log(
      `${refused.length} of ${results.length} refused (${refusals(refused)}) in ${ms} ms`,
    );
    assert.equal(r.server.stats().injected.loseAnswer, 3, "answers were lost");
    assert.equal(r.server.stats().injected.cutReadBody, 3, "reads were cut");
    assert.equal(refusals(results), "full, full, full, full, full", "five are told it is full");
    const thanked = emails.filter((_, i) => results[i].ok).sort();
    const stored = await listVotes(r.kv, p.id);
    assert.deepEqual(stored.map((v) => v.email).sort(), thanked, "exactly the thanked are stored");
    for (const v of stored) {
      const res = results[emails.indexOf(v.email)];
      assert.equal(v.voterHash, res.ok ? await sha256Hex(res.voterToken) : "", v.email);
    }
    assert.equal(await votedEvents(r.kv), MAX_VOTES, "one poll.voted per vote stored");
    assert.equal((await pollMatrix(r.a, p.host, p.id, "en"))!.times[0].yes, MAX_VOTES);
    assert.deepEqual(await pickFirst(r, p), thanked);
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: 80 new invitees answering a poll at once on three processes while 20 others change their answers again and again until the last newcomer is answered: every newcomer is stored and thanked (none told their address is taken), every change is kept",
  async fn() {
    await using r = await remoteApps({ processes: 3 });
    const p = await openPoll(r, "Storm");
    const vote = (i: number, email: string, t1: string, voterToken: string | null = null) =>
      votePoll(r.app(i), p.token, {
        name: email,
        email,
        answers: { t0: "yes", t1 },
        voterToken,
        client: email,
      });
    const early = Array.from({ length: 20 }, (_, i) => `early${i}@example.test`);
    const tokens: string[] = [];
    for (let i = 0; i < early.length; i += 10) {
      for (const v of await Promise.all(early.slice(i, i + 10).map((e, j) => vote(j, e, "no")))) {
        assert.ok(v.ok, JSON.stringify(v));
        tokens.push(v.voterToken);
      }
    }
    let answered = false;
    const last: string[] = early.map(() => "no");
    let changed = 0;
    const storm = early.map(async (email, i) => {
      for (let k = 0; !answered; k++) {
        const t1 = k % 2 ? "no" : "maybe";
        const v = await vote(i + 1, email, t1, tokens[i]);
        assert.ok(v.ok, `${email}'s change is kept (${JSON.stringify(v)})`);
        last[i] = t1;
        changed++;
      }
    });
    const crowd = Array.from({ length: 80 }, (_, i) => `crowd${i}@example.test`);
    const started = performance.now();
    const news = await Promise.all(crowd.map((email, i) => vote(i, email, "yes")));
    const ms = Math.round(performance.now() - started);
    answered = true;
    await Promise.all(storm);
    const refused = news.filter((v) => !v.ok);
    console.log(
      `${refused.length} of ${news.length} newcomers refused (${refusals(refused)}) in ${ms} ms, ` +
        `while ${changed} changes landed`,
    );
    assert.equal(refusals(news), "", "every newcomer is thanked");
    const stored = new Map((await listVotes(r.kv, p.id)).map((v) => [v.email, v]));
    assert.equal(stored.size, early.length + crowd.length);
    for (const [i, email] of crowd.entries()) {
      const v = news[i];
      assert.equal(stored.get(email)?.voterHash, v.ok ? await sha256Hex(v.voterToken) : "");
    }
    early.forEach((email, i) => assert.deepEqual(stored.get(email)?.answers, ["yes", last[i]]));
    assert.equal(await votedEvents(r.kv), early.length + crowd.length + changed);
    assert.deepEqual(await pickFirst(r, p), [...stored.keys()].sort());
  },
});
