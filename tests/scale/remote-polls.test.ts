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
import { closePoll, createPoll, pollMatrix } from "../../src/lib/server/services/polls.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { pickPollTime } from "../../src/lib/server/services/poll-pick.ts";
import { votePoll } from "../../src/lib/server/services/poll-votes.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { listPolls, listVotes } from "../../src/lib/server/store/polls.ts";
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
    "remote KV: invitees answering while the host picks, on two processes, with the commit answers of votes or of the pick lost: each is an attendee of the meeting exactly when they were thanked",
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
      const vote = (i: number) =>
        votePoll(r.app(i + 1), p.token, {
          name: `V${i}`,
          email: emails[i],
          answers: { t0: "yes" },
          client: emails[i],
        });
      // Three answer before the pick starts and three after it ended: thanked and refused by
      // construction, whatever the machine's speed (staggered sleeps alone made the mix: under
      // CPU load every vote lost, or won, the race, and the test failed). Six race the pick.
      const before = await Promise.all([0, 1, 2].map(vote));
      // Some votes' answers are lost after they landed (Deno's client sends them again), or
      // every other round the pick's.
      r.server.faults.set(
        round % 2
          ? { loseAnswer: 1, matchKey: "poll_booked" }
          : { loseAnswer: 3, matchKey: "poll_vote" },
      );
      const [pick, ...racing] = await Promise.all([
        new Promise((ok) => setTimeout(ok, 4 * round)).then(() =>
          pickPollTime(r.app(round), host, p.id, starts[0])
        ),
        ...[3, 4, 5, 6, 7, 8].map((i) =>
          new Promise((ok) => setTimeout(ok, 3 * (i - 3))).then(() => vote(i))
        ),
      ]);
      r.server.faults.set({ loseAnswer: 0 });
      const votes = [...before, ...racing, ...await Promise.all([9, 10, 11].map(vote))];
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

Deno.test({
  ...opts,
  name:
    "remote KV: invitees fixing their address while the host picks, on two processes, with lost commit answers: each is invited under the address their answer ended with, never under one it left",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    let [moved, refused] = [0, 0];
    for (let round = 0; round < 5; round++) {
      const starts = [slot(2 * round), slot(2 * round + 1)];
      const p = await poll(r, host, starts);
      const voters: { email: string; fixed: string; voterToken: string }[] = [];
      for (let i = 0; i < 8; i++) {
        const email = `r${round}typo${i}@exmaple.test`;
        const v = await votePoll(r.app(i), p.token, {
          name: `V${i}`,
          email,
          answers: { t0: "yes" },
          client: email,
        });
        assert.ok(v.ok);
        voters.push({ email, fixed: `r${round}v${i}@example.test`, voterToken: v.voterToken });
      }
      const move = (i: number) =>
        votePoll(r.app(i + 1), p.token, {
          name: `V${i}`,
          email: voters[i].fixed,
          answers: { t0: "yes" },
          voterToken: voters[i].voterToken,
          client: voters[i].fixed,
        });
      // Two move before the pick starts and two after it ended (moved and refused by
      // construction, as above); four race it.
      const before = await Promise.all([0, 1].map(move));
      r.server.faults.set({ loseAnswer: 2, matchKey: "poll_vote" });
      const [pick, ...racing] = await Promise.all([
        new Promise((ok) => setTimeout(ok, 5 * round)).then(() =>
          pickPollTime(r.app(round), host, p.id, starts[0])
        ),
        ...[2, 3, 4, 5].map((i) =>
          new Promise((ok) => setTimeout(ok, 20 * (i - 2))).then(() => move(i))
        ),
      ]);
      r.server.faults.set({ loseAnswer: 0 });
      const moves = [...before, ...racing, ...await Promise.all([6, 7].map(move))];
      assert.ok(pick.ok, `round ${round}: the pick books (${JSON.stringify(pick)})`);
      const booking = (await getBooking(r.kv, pick.bookingId))!;
      const attendees = new Set([booking.guestEmail, ...(booking.additionalGuests ?? [])]);
      voters.forEach((v, i) => {
        const m = moves[i];
        if (!m.ok) assert.equal(m.reason, "closed", `round ${round}: ${v.fixed}: ${m.reason}`);
        const now = m.ok ? v.fixed : v.email;
        const before = m.ok ? v.email : v.fixed;
        assert.ok(attendees.has(now), `round ${round}: ${now} answered but not invited`);
        assert.ok(!attendees.has(before), `round ${round}: ${before} invited, no answer has it`);
        m.ok ? moved++ : refused++;
      });
      const stored = (await pollMatrix(r.a, host, p.id, "en"))!.votes.map((v) => v.email);
      assert.deepEqual([...attendees].sort(), [...stored].sort(), `round ${round}`);
    }
    assert.ok(moved > 0 && refused > 0, `${moved} moved, ${refused} refused`);
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a poll whose creating commit's answer was lost is made once and its link given to the host (not an error); closing it with its answer lost closes it and frees its held times at once",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    r.server.faults.set({ loseAnswer: 1, matchKey: "poll" });
    const made = await createPoll(r.a, host, {
      slug: "chat",
      title: "Sync",
      starts: [slot(0), slot(1)],
      reserve: true,
    });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the poll's answer was lost");
    assert.ok(made.ok, JSON.stringify(made));
    assert.equal((await listPolls(r.kv, host.id)).length, 1, "one poll");

    r.server.faults.set({ loseAnswer: 1, matchKey: "poll_booked" });
    const closed = await closePoll(r.b, host, made.poll.id);
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the close's answer was lost");
    assert.deepEqual(closed, { ok: true }, "the host sees the poll closed");
    // Its held times are free again: a guest books one on the host's page.
    const guest = await bookSlot(r.a, {
      username: "ann",
      slug: "chat",
      start: slot(0),
      name: "Gus",
      email: "gus@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(guest.ok, `the held time is free (${JSON.stringify(guest)})`);
  },
});

/** The poll's booking mails queued in one commit, by kind. */
async function mailJobs(kv: Deno.Kv, bookingId: string) {
  const out = new Map<string, number>();
  for await (const e of kv.list<OutboxRecord>({ prefix: [keys.outbox(0, "x")[0]] })) {
    const p = e.value.payload;
    if (p.kind === "booking_mail" && p.bookingId === bookingId) {
      out.set(p.mail, (out.get(p.mail) ?? 0) + 1);
    }
  }
  return Object.fromEntries(out);
}

const ZONES = Intl.supportedValuesOf("timeZone");
const LOCALES = ["en", "de", "fr", "es"];

/** Votes `list` in batches of `n` at once, spread over both processes. */
async function voteAll(
  r: RemoteApps,
  token: string,
  list: {
    name: string;
    email: string;
    reader?: { locale: string; timeZone: string; clock: "12h" | "24h" };
  }[],
  answers: Record<string, string>,
  n = 8,
) {
  const out = [];
  for (let i = 0; i < list.length; i += n) {
    out.push(
      ...await Promise.all(
        list.slice(i, i + n).map((v, j) =>
          votePoll(r.app(i + j), token, { ...v, answers, client: v.email })
        ),
      ),
    );
  }
  return out;
}

Deno.test({
  ...opts,
  name:
    "remote KV: the host picks a time of a poll of 100 invitees who each read differently: one commit books them all and queues one invitation per way of reading, within remote KV's limits (measured at the server)",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    const p = await poll(r, host, [slot(0), slot(1)]);
    // Addresses of 40 characters, names of 22; 100 ways of reading (zone × clock × language).
    const voters = Array.from({ length: 100 }, (_, i) => ({
      name: `Firstname Lastname ${String(i).padStart(3, "0")}`,
      email: `firstname.lastname${String(i).padStart(3, "0")}@company-example.com`,
      reader: {
        locale: LOCALES[i % 4],
        timeZone: ZONES[(i >> 1) * 7 % ZONES.length],
        clock: i % 2 ? "12h" as const : "24h" as const,
      },
    }));
    const votes = await voteAll(r, p.token, voters, { t0: "yes" });
    assert.deepEqual(votes.filter((v) => !v.ok), [], "every invitee is thanked");
    const before = { ...r.server.stats().largest };
    const pick = await pickPollTime(r.b, host, p.id, slot(0));
    assert.ok(pick.ok, JSON.stringify(pick));
    const booking = (await getBooking(r.kv, pick.bookingId))!;
    assert.equal(1 + booking.additionalGuests!.length, 100, "every invitee is an attendee");
    const jobs = await mailJobs(r.kv, pick.bookingId);
    // The guest's own confirmation, and the other 99 invitees' invitations: one per way of
    // reading, all queued by the pick's one commit.
    assert.equal(jobs.guests_invited, 99, JSON.stringify(jobs));
    const { largest, refused } = r.server.stats();
    assert.deepEqual(refused, [], "the server refused nothing");
    console.log(
      `largest write: ${JSON.stringify(largest)} (before the pick: ${JSON.stringify(before)})`,
    );
    assert.ok(largest.checks <= 10 && largest.mutations <= 1_000, JSON.stringify(largest));
    assert.ok(largest.bytes <= 800 * 1024 && largest.valueBytes <= 64 * 1024);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a poll takes the invitees its meeting can hold, the longest addresses and names too: those sent at once past that are told it is full, and the host's pick books every one thanked in one write the server accepts",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    const starts = Array.from({ length: 20 }, (_, i) => slot(i));
    const made = await createPoll(r.a, host, { slug: "chat", title: "会".repeat(100), starts });
    assert.ok(made.ok);
    const token = new URL(made.url).pathname.split("/").pop()!;
    // Addresses of 254 characters, names of 100 characters outside Latin-1 (two bytes each),
    // every invitee reading in another zone: the most an invitee can fill.
    const voters = Array.from({ length: 40 }, (_, i) => ({
      name: "会".repeat(96) + String(i).padStart(4, "0"),
      email: (`v${i}.`.padEnd(64, "x") + "@" + ("d".repeat(60) + ".").repeat(3) + "example.test")
        .slice(0, 254),
      reader: {
        locale: LOCALES[i % 4],
        timeZone: ZONES.filter((z) => z.length >= 20)[i],
        clock: "24h" as const,
      },
    }));
    assert.ok(voters.every((v) => v.email.length === 254));
    const all = Object.fromEntries(starts.map((_, i) => [`t${i}`, "yes"]));
    // The first 16 one by one, then 24 at once over both processes.
    const first = await voteAll(r, token, voters.slice(0, 16), all, 1);
    assert.deepEqual(first.filter((v) => !v.ok), [], "16 of the longest fit");
    const crowd = await voteAll(r, token, voters.slice(16), all, 24);
    const thanked = crowd.filter((v) => v.ok).length;
    const reasons = crowd.filter((v) => !v.ok).map((v) => !v.ok && v.reason);
    assert.ok(thanked > 0, "some of the crowd fit");
    assert.ok(reasons.length > 0 && reasons.every((x) => x === "full"), reasons.join(", "));
    const pick = await pickPollTime(r.b, host, made.poll.id, starts[0]);
    assert.ok(pick.ok, `the pick books (${JSON.stringify(pick)})`);
    const booking = (await getBooking(r.kv, pick.bookingId))!;
    assert.equal(1 + booking.additionalGuests!.length, 16 + thanked, "every one thanked attends");
    const { largest, refused } = r.server.stats();
    assert.deepEqual(refused, [], "the server refused nothing");
    console.log(`${16 + thanked} voters; largest write: ${JSON.stringify(largest)}`);
    assert.ok(largest.valueBytes <= 64 * 1024, JSON.stringify(largest));
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a host picks while 24 invitees answer or keep changing their answers on two processes, with the pick's hold on the answers landing but its answer lost: the pick books, with exactly the invitees whose answers were stored",
  async fn() {
    await using r = await remoteApps();
    const host = await setup(r);
    for (let round = 0; round < 3; round++) {
      const starts = [slot(2 * round), slot(2 * round + 1)];
      const p = await poll(r, host, starts);
      const vote = (i: number, email: string, voterToken: string | null, t1: string) =>
        votePoll(r.app(i), p.token, {
          name: `V${i}`,
          email,
          answers: { t0: "yes", t1 },
          voterToken,
          client: email,
        });
      const early = await Promise.all(
        Array.from({ length: 12 }, (_, i) => vote(i, `r${round}e${i}@example.test`, null, "no")),
      );
      // The pick's hold on the answers (its only write to `poll_picking`) lands; its answer is
      // lost: the pick must know it holds them (and lift the hold after).
      r.server.faults.set({ loseAnswer: 1, matchKey: "poll_picking" });
      const changing = early.map(async (e, i) => {
        assert.ok(e.ok);
        const out = [];
        for (let k = 0; k < 4; k++) {
          out.push(
            await vote(i, `r${round}e${i}@example.test`, e.voterToken, k % 2 ? "no" : "maybe"),
          );
        }
        return out;
      });
      const [pick, ...newcomers] = await Promise.all([
        pickPollTime(r.app(round), host, p.id, starts[0]),
        ...Array.from({ length: 12 }, (_, i) => vote(i, `r${round}n${i}@example.test`, null, "no")),
      ]);
      const changes = (await Promise.all(changing)).flat();
      r.server.faults.set({ loseAnswer: 0 });
      assert.ok(pick.ok, `round ${round}: the pick books (${JSON.stringify(pick)})`);
      for (const v of [...newcomers, ...changes]) {
        assert.ok(v.ok || v.reason === "closed", `round ${round}: ${JSON.stringify(v)}`);
      }
      const booking = (await getBooking(r.kv, pick.bookingId))!;
      const attendees = [booking.guestEmail, ...(booking.additionalGuests ?? [])].sort();
      const stored = (await listVotes(r.kv, p.id)).map((v) => v.email).sort();
      assert.deepEqual(attendees, stored, `round ${round}`);
      // The hold is lifted: nothing is left that would make a later answer wait.
      assert.equal((await r.kv.get(keys.pollPicking(p.id))).value, null, `round ${round}`);
    }
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});
