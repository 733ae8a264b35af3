/**
 * Meeting polls: the poll record, an index by the SHA-256 of its link's token, one vote per
 * invitee address (changed only by its voter's token), the "booked" marker a booking writes
 * absent-checked (a poll books once), and the votes revision every change of a vote rewrites.
 *
 * Votes against the pick: a vote checks the "booked" marker absent, the pick checks the votes
 * revision unchanged since it read it (before the votes). So whichever commits second fails:
 * a vote that lands first is in the meeting (the pick reads again), one after the pick is
 * refused — no invitee is thanked for answering and left out of the meeting. A vote that adds
 * to what the voters fill in the meeting's booking also checks the voters revision it read (and
 * rewrites it), so such votes are decided one after another and the pick fits by construction
 * (domain/poll-voters.ts). A changed answer rewrites only the votes revision: a crowd changing
 * their answers never makes a newcomer lose a race (it did, every round, until the newcomer gave
 * up; ADR 050, amendment "votes across processes").
 *
 * A pick that kept losing to a crowd answering (each answer makes it read the votes and plan
 * again, and an answer is far cheaper than a pick) holds the answers back: it writes the
 * "picking" key with a time it lasts until, every vote checks that key as it read it, and a vote
 * that finds it held waits. A pick that died leaves a key past its time, which no vote waits for.
 */
import { encodeTime } from "ulid";
import { keys, type UserId } from "./keys.ts";
import type { OutboxRecord, PollRecord, PollVoteRecord } from "../domain/model/records.ts";
import { enqueue } from "./outbox.ts";
import { commitOrReread } from "./kv.ts";
import { STORED_GUESTS_MAX } from "../../shared/booking-extras.ts";

type TokenIndex = { v: 1; hostId: UserId; id: string };
/**
 * Votes kept per poll (a poll is for a meeting, not a survey); the booked meeting's guest and
 * additional guests are its voters, so they stay within what a booking may hold.
 */
export const MAX_VOTES = STORED_GUESTS_MAX;

/** Stores a new poll and its token index, with the jobs its creation queues (one write). */
export async function insertPoll(
  kv: Deno.Kv,
  poll: PollRecord,
  tokenHash: string,
  jobs: OutboxRecord[] = [],
) {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  op
    .check({ key: keys.poll(poll.hostId, poll.id), versionstamp: null })
    .check({ key: keys.pollByToken(tokenHash), versionstamp: null })
    .set(keys.poll(poll.hostId, poll.id), poll)
    .set(keys.pollByToken(tokenHash), { v: 1, hostId: poll.hostId, id: poll.id } as TokenIndex);
  // A lost answer (remote KV: the resend's checks fail against the write that landed) is
  // settled by reading: the poll is ours when it has our salt, drawn fresh per poll (ADR 038).
  const res = await commitOrReread(
    op,
    async () => (await getPoll(kv, poll.hostId, poll.id))?.salt === poll.salt,
  );
  return res.ok;
}

export async function getPoll(kv: Deno.Kv, hostId: UserId, id: string) {
  return (await kv.get<PollRecord>(keys.poll(hostId, id))).value;
}

export async function findPollByToken(kv: Deno.Kv, tokenHash: string) {
  const idx = (await kv.get<TokenIndex>(keys.pollByToken(tokenHash))).value;
  return idx ? await getPoll(kv, idx.hostId, idx.id) : null;
}

export async function listPolls(kv: Deno.Kv, hostId: UserId, limit = 100) {
  const out: PollRecord[] = [];
  for await (
    const e of kv.list<PollRecord>({ prefix: keys.pollPrefix(hostId) }, { reverse: true, limit })
  ) out.push(e.value);
  return out;
}

/**
 * The host's polls made in [fromMs, toMs), oldest first, at most `limit` (ids are ULIDs: time
 * first, so the range is a key range).
 */
export async function listPollsMade(
  kv: Deno.Kv,
  hostId: UserId,
  fromMs: number,
  toMs: number,
  limit: number,
) {
  const out: PollRecord[] = [];
  const at = (ms: number) => [...keys.pollPrefix(hostId), encodeTime(Math.max(0, ms), 10)];
  for await (const e of kv.list<PollRecord>({ start: at(fromMs), end: at(toMs) }, { limit })) {
    out.push(e.value);
  }
  return out;
}

export async function listVotes(kv: Deno.Kv, pollId: string) {
  return (await listVoteEntries(kv, pollId)).map((e) => e.value);
}

/**
 * The votes as the pick books them: the votes revision's versionstamp (the pick's commit checks
 * it), read before the votes, so a vote that lands after this read fails the pick's commit.
 */
export async function readVotesForPick(kv: Deno.Kv, pollId: string) {
  const { revision, picking, entries } = await readVoteEntries(kv, pollId);
  return { revision, picking, votes: entries.map((e) => e.value) };
}

/**
 * The votes with their versionstamps, and the revisions read before them: a vote that adds to
 * what the voters fill passes the voters revision to `putVote`/`moveVote` as `after`, so of such
 * votes sent at once each is decided on all that landed before it (domain/poll-voters.ts).
 */
export async function readVoteEntries(kv: Deno.Kv, pollId: string) {
  const [rev, voters, picking] = await kv.getMany<[unknown, unknown, PickingRecord]>([
    keys.pollVotesRevision(pollId),
    keys.pollVotersRevision(pollId),
    keys.pollPicking(pollId),
  ]);
  return {
    /** The votes revision (every vote rewrites it): the pick checks it. */
    revision: rev.versionstamp,
    /** The voters revision (only votes that add to what the voters fill rewrite it). */
    voters: voters.versionstamp,
    /** The "picking" key as read: a vote's write checks it at this versionstamp. */
    picking: { versionstamp: picking.versionstamp, untilMs: picking.value?.untilMs ?? null },
    entries: await listVoteEntries(kv, pollId),
  };
}

type PickingRecord = { v: 1; untilMs: number; id: string };

/**
 * Holds the votes back until `untilMs` (see above), unless another pick's hold changed the key
 * since it was read at `expected`. The new key's versionstamp, to lift it with; null: not held.
 */
export async function holdVotes(
  kv: Deno.Kv,
  pollId: string,
  expected: string | null,
  untilMs: number,
): Promise<string | null> {
  const key = keys.pollPicking(pollId);
  const value: PickingRecord = { v: 1, untilMs, id: crypto.randomUUID() };
  const res = await commitOrReread(
    // Removed by the store once long past its time, whatever happened to the pick.
    kv.atomic().check({ key, versionstamp: expected }).set(key, value, { expireIn: 3_600_000 }),
    async () => (await kv.get<PickingRecord>(key)).value?.id === value.id,
  );
  if (!res.ok) return null;
  // Its versionstamp, as a lost answer would not have told it (and a vote checks no other).
  const now = await kv.get<PickingRecord>(key);
  return now.value?.id === value.id ? now.versionstamp : null;
}

/** The pick is done: votes go on at once (unless another hold replaced this one). */
export async function releaseVotes(kv: Deno.Kv, pollId: string, versionstamp: string) {
  const key = keys.pollPicking(pollId);
  await kv.atomic().check({ key, versionstamp }).delete(key).commit();
}

/** The votes with their versionstamps (a change of one checks it), oldest first. */
export async function listVoteEntries(kv: Deno.Kv, pollId: string) {
  const out: { value: PollVoteRecord; versionstamp: string }[] = [];
  for await (
    const e of kv.list<PollVoteRecord>({ prefix: keys.pollVotePrefix(pollId) }, {
      limit: MAX_VOTES,
    })
  ) out.push({ value: e.value, versionstamp: e.versionstamp });
  return out.sort((a, b) => a.value.atMs - b.value.atMs);
}

/**
 * Stores a vote with the jobs it queues, unless the poll is booked or closed already. `replaces`
 * is the versionstamp of the address's vote as read when its voter changes it (null: a new
 * voter, so the address must still be free). `after`, when given, is the voters revision the
 * vote was decided on (`readVoteEntries`): any vote that added to what the voters fill since
 * fails it, and this one rewrites it. False: the poll closed, the address's vote changed, or
 * (with `after`) such a vote landed, meanwhile.
 */
export async function putVote(
  kv: Deno.Kv,
  vote: PollVoteRecord,
  replaces: string | null,
  jobs: OutboxRecord[] = [],
  after?: string | null,
  picking: string | null = null,
): Promise<boolean> {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  op.check({ key: keys.pollPicking(vote.pollId), versionstamp: picking });
  votersAfter(op, vote, after);
  const key = keys.pollVote(vote.pollId, vote.email);
  op
    .check({ key: keys.pollBooked(vote.pollId), versionstamp: null })
    .check({ key, versionstamp: replaces })
    .set(key, vote)
    // Unchecked: votes never conflict with each other through it, only with a pick.
    .set(keys.pollVotesRevision(vote.pollId), { v: 1, atMs: vote.atMs });
  return (await commitOrReread(op, () => holdsVote(kv, key, vote))).ok;
}

/**
 * A vote that adds to what the voters fill (`after` given): checks the voters revision it was
 * decided on and rewrites it, so such votes are decided one after another; a changed answer
 * (`after` undefined) neither checks nor rewrites it.
 */
function votersAfter(op: Deno.AtomicOperation, vote: PollVoteRecord, after?: string | null) {
  if (after === undefined) return;
  const key = keys.pollVotersRevision(vote.pollId);
  op.check({ key, versionstamp: after }).set(key, { v: 1, atMs: vote.atMs });
}

/**
 * Whether `key` holds exactly `vote`: a vote write whose answer was lost (remote KV: Deno's
 * client sends it again, and the resend's checks fail against the write that landed) is settled
 * by reading (ADR 038), not taken for a lost race — which told the invitee their own address was
 * someone else's, or the poll closed while they were in its meeting. A new vote's `voterHash` is
 * fresh per request; a change is its voter's, and two identical ones are the same answer.
 */
async function holdsVote(kv: Deno.Kv, key: Deno.KvKey, vote: PollVoteRecord) {
  const now = (await kv.get<PollVoteRecord>(key)).value;
  return now !== null && JSON.stringify(now) === JSON.stringify(vote);
}

/**
 * Closes a poll without a booking: the "booked" marker (no booking) is written absent-checked,
 * so no vote or pick lands after it, with the jobs the closing queues. False: it was booked or
 * closed already.
 */
export async function closePollRecord(
  kv: Deno.Kv,
  poll: PollRecord,
  closedAtMs: number,
  jobs: OutboxRecord[],
): Promise<boolean> {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  // `attempt`: two closes at one instant are told apart (each close is one poll.closed event).
  const marker = { v: 1, bookingId: null, closedAtMs, attempt: crypto.randomUUID() };
  op
    .check({ key: keys.pollBooked(poll.id), versionstamp: null })
    .set(keys.pollBooked(poll.id), marker)
    .set(keys.poll(poll.hostId, poll.id), { ...poll, closedAtMs } satisfies PollRecord);
  // A lost answer is settled by reading (ADR 038): taken for "closed already", it left the
  // poll's held times busy until it expired. Closed by this close: its own marker.
  const res = await commitOrReread(op, async () => {
    const now = (await kv.get(keys.pollBooked(poll.id))).value;
    return JSON.stringify(now) === JSON.stringify(marker);
  });
  return res.ok;
}

/** Removes one invitee's answers from every poll of the host (a guest asked to be forgotten). */
export async function eraseVotesOf(kv: Deno.Kv, hostId: UserId, email: string): Promise<number> {
  const target = email.trim().toLowerCase();
  let n = 0;
  // Every poll of the host, not only the newest page of them.
  for await (const e of kv.list<PollRecord>({ prefix: keys.pollPrefix(hostId) })) {
    const key = keys.pollVote(e.value.id, target);
    if ((await kv.get(key)).value) {
      // A pick under way reads again: the erased invitee is not booked.
      await kv.atomic().delete(key).set(keys.pollVotesRevision(e.value.id), { v: 1, erased: true })
        .commit();
      n++;
    }
  }
  return n;
}

/**
 * Deletes every poll of a host (a closed account): the record, its token index, its "booked"
 * marker and its votes (the invitees' names and addresses). Held times are the booking
 * engine's and go with the host's other engine keys at the purge.
 */
export async function removeHostPolls(
  kv: Deno.Kv,
  hostId: UserId,
  tokenHashOf: (poll: PollRecord) => Promise<string>,
): Promise<number> {
  let n = 0;
  for await (const e of kv.list<PollRecord>({ prefix: keys.pollPrefix(hostId) })) {
    const poll = e.value;
    // The votes (MAX_VOTES at most; batched all the same), then the poll itself.
    let votes: Deno.KvKey[] = [];
    const flush = async () => {
      const op = kv.atomic();
      for (const k of votes) op.delete(k);
      await op.commit();
      votes = [];
    };
    for await (const v of kv.list({ prefix: keys.pollVotePrefix(poll.id) })) {
      votes.push(v.key);
      if (votes.length >= 500) await flush();
    }
    if (votes.length) await flush();
    await kv.atomic()
      .delete(e.key)
      .delete(keys.pollByToken(await tokenHashOf(poll)))
      .delete(keys.pollBooked(poll.id))
      .delete(keys.pollVotesRevision(poll.id))
      .delete(keys.pollVotersRevision(poll.id))
      .commit();
    n++;
  }
  return n;
}

/**
 * A voter changes the address of their own vote (a typo fixed on the "change your answers"
 * form): the vote leaves the old address's key and takes the new one in one write, unless the
 * poll is booked or closed already (the guard `putVote` checks), the vote changed meanwhile
 * (`from.versionstamp`), or the new address has a vote (one vote per address per poll), or
 * (with `after`, as `putVote`) a vote that added to what the voters fill landed. False: any of those; the caller decides again
 * on what is there now.
 */
export async function moveVote(
  kv: Deno.Kv,
  vote: PollVoteRecord,
  from: { email: string; versionstamp: string },
  jobs: OutboxRecord[] = [],
  after?: string | null,
  picking: string | null = null,
): Promise<boolean> {
  const op = kv.atomic();
  for (const job of jobs) enqueue(op, job);
  op.check({ key: keys.pollPicking(vote.pollId), versionstamp: picking });
  votersAfter(op, vote, after);
  const oldKey = keys.pollVote(vote.pollId, from.email);
  const newKey = keys.pollVote(vote.pollId, vote.email);
  op
    .check({ key: keys.pollBooked(vote.pollId), versionstamp: null })
    .check({ key: oldKey, versionstamp: from.versionstamp })
    .check({ key: newKey, versionstamp: null })
    .delete(oldKey)
    .set(newKey, vote)
    // A change of who answered is a vote change: a pick that read the votes before it must not
    // invite the address it left (the pick checks this revision, readVotesForPick).
    .set(keys.pollVotesRevision(vote.pollId), { v: 1, atMs: vote.atMs });
  return (await commitOrReread(op, () => holdsVote(kv, newKey, vote))).ok;
}
