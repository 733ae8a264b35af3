/**
 * Meeting polls, the invitee's side (issue 28; services/polls.ts is the host's): what the poll's
 * link opens, and answering. A vote belongs to whoever cast it (ADR 050): casting one hands back
 * a personal token, and only that token changes those answers.
 */
import type { App } from "../app.ts";
import type { PollAnswer, PollVoteRecord } from "../domain/model/records.ts";
import { keys } from "../store/keys.ts";
import { getActiveUser } from "../store/users.ts";
import {
  findPollByToken,
  listVotes,
  MAX_VOTES,
  moveVote,
  putVote,
  readVoteEntries,
} from "../store/polls.ts";
import { votersBytes, votersFit, votesHeld } from "../domain/poll-voters.ts";
import { jitter, PATIENT_MS, RETRY_AFTER_S } from "./transaction.ts";
import { randomToken, sha256Hex } from "../integrations/crypto.ts";
import { hostEventJob } from "./webhooks.ts";
import { checkRateLimit } from "./rate-limit.ts";
import { isoInstant } from "../../shared/format.ts";
import {
  bookedMeeting,
  pollResource,
  type PollState,
  pollUrl,
  stateOf,
  timesOf,
  type TimeView,
} from "./polls.ts";

const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

export type OpenPoll =
  | { ok: false; reason: "not_found" }
  | {
    ok: true;
    title: string;
    hostName: string;
    state: PollState;
    times: (TimeView & { past: boolean })[];
    timeZone: string;
    /** When the meeting the host picked is (null: none, or no longer on). */
    booked: string | null;
  };

async function pollOfToken(app: App, token: string) {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  return await findPollByToken(app.kv, await sha256Hex(token));
}

/** What an invitee's link opens (times in the zone they chose, else the host's). */
export async function openPoll(
  app: App,
  token: string,
  q: { timeZone: string | null; locale: string; clock: "12h" | "24h" },
): Promise<OpenPoll> {
  const poll = await pollOfToken(app, token);
  // A closed or suspended account's poll is gone for its invitees (ADR 030, 043).
  const host = poll ? await getActiveUser(app.kv, poll.hostId) : null;
  if (!poll || !host) return { ok: false, reason: "not_found" };
  const timeZone = q.timeZone ?? host.timeZone;
  return {
    ok: true,
    title: poll.title,
    hostName: host.name,
    state: stateOf(poll, app.now()),
    // A time that has begun is shown as passed, not to be answered.
    times: timesOf(poll, timeZone, q.clock, q.locale).map((t, i) => ({
      ...t,
      past: poll.starts[i] <= app.now(),
    })),
    timeZone,
    // The time the host picked (where the meeting is now), for the invitees who open the link.
    booked: (await bookedMeeting(app, poll, timeZone, q.clock, q.locale))?.when ?? null,
  };
}

export type VoteResult =
  | {
    ok: true;
    /** The voter's token: only it changes these answers again (the page's cookie, the link). */
    voterToken: string;
    /** The voter's personal link: the poll's link opening their own answers. */
    voterUrl: string;
  }
  | {
    ok: false;
    reason:
      | "not_found"
      | "closed"
      | "answers"
      | "full"
      /** Someone else answered with this address: only their token changes their answers. */
      | "taken"
      /** This client added many invitees lately (`poll_voter` rate limit). */
      | "limited"
      /** Votes kept landing before this one for seconds (the runner's busy: try again). */
      | "busy";
    retryAfterS?: number;
  };

/** A voter's token as the page and the link carry it. */
const VOTER_TOKEN_RE = /^[A-Za-z0-9_-]{20,64}$/;

/**
 * Rounds of deciding a vote again after a lost race, at the least (see `votePoll`): a crowd of
 * new voters lands one a round, however long the rounds take.
 */
const VOTE_ROUNDS = MAX_VOTES + 3;

/** Looks at a pick holding the votes back, each after `jitter(8)` (≤ 45 ms): a few seconds. */
const HELD_WAITS = 120;

/**
 * An invitee answers (or changes their answers). A vote belongs to whoever cast it: a new vote
 * hands back a fresh token, and changing a vote needs that vote's token — the address alone
 * proves nothing, so a vote under an address someone else answered with is refused ("taken"),
 * never merged or overwritten (ADR 050). The token's holder changes every part of their vote,
 * their address included: the page shows them their vote to change, so a fixed typo is that
 * vote's new address, not a second invitee (which inflated the counts and mailed the typo at
 * the pick). New invitees count against the client's `poll_voter` limit, since the host's pick
 * mails every one of them.
 */
export async function votePoll(
  app: App,
  token: string,
  input: {
    name: string;
    email: string;
    answers: Record<string, string | undefined>;
    /** The token the voter holds (cookie or personal link), if any. */
    voterToken?: string | null;
    /** Who is asking (client IP), for the limit on new invitees. */
    client?: string;
    /** How the page they voted on read (language, zone it named, clock): kept with the vote. */
    reader?: PollVoteRecord["reader"];
  },
): Promise<VoteResult> {
  const poll = await pollOfToken(app, token);
  if (!poll || !(await getActiveUser(app.kv, poll.hostId))) {
    return { ok: false, reason: "not_found" };
  }
  if (stateOf(poll, app.now()) !== "open") return { ok: false, reason: "closed" };
  const answers: PollAnswer[] = [];
  for (let i = 0; i < poll.starts.length; i++) {
    const a = input.answers[`t${i}`] ?? "no";
    if (a !== "yes" && a !== "maybe" && a !== "no") return { ok: false, reason: "answers" };
    answers.push(a);
  }
  const email = input.email.trim().toLowerCase();
  const held = input.voterToken && VOTER_TOKEN_RE.test(input.voterToken) ? input.voterToken : null;
  const heldHash = held ? await sha256Hex(held) : null;
  // A lost race (the same address answered, the voter's own vote changed, or another vote that
  // adds to what the voters fill landed before one that does) is decided again on what is there
  // now. A new voter's lost round is another such vote landed (a poll takes MAX_VOTES voters;
  // changed answers do not order them, store/polls.ts), so VOTE_ROUNDS settle a crowd however
  // long its rounds take; as the runner does for changes that commute (transaction.ts
  // `commutes`), it also goes on for `PATIENT_MS` from the first read, then answers "busy" —
  // true then, never "taken" for an address nobody has.
  const until = performance.now() + PATIENT_MS;
  let waits = 0;
  for (let round = 0; round < VOTE_ROUNDS || performance.now() < until; round++) {
    if (round > 0) await jitter(Math.min(round, 8));
    const { voters, picking, entries: votes } = await readVoteEntries(app.kv, poll.id);
    // The host is booking the votes there are (poll-pick.ts): wait for the pick to end, then
    // decide on what it left (booked: refused as closed; else open again). The wait is bounded
    // whatever the clock says; past it the vote goes on, and the revision check keeps it right.
    if (votesHeld(picking, app.now()) && waits++ < HELD_WAITS) {
      await jitter(8);
      round--;
      continue;
    }
    // The token's own vote, at whatever address it has; the address's vote, if another's, is
    // not to be taken (only its own token changes it).
    const mine = heldHash ? votes.find((e) => e.value.voterHash === heldHash) ?? null : null;
    const same = votes.find((e) => e.value.email === email);
    if (same && same !== mine) return { ok: false, reason: "taken" };
    let voterToken = held;
    if (!mine) {
      if (votes.length >= MAX_VOTES) return { ok: false, reason: "full" };
      if (round === 0) {
        const limited = await checkRateLimit(app, "poll_voter", input.client ?? "unknown");
        if (!limited.ok) {
          return { ok: false, reason: "limited", retryAfterS: limited.retryAfterS };
        }
      }
      voterToken = randomToken(24);
    }
    // A time that has begun is no longer answered: it keeps the answer it had (it cannot be
    // picked any more either).
    const nowMs = app.now();
    const kept = answers.map((a, i) =>
      poll.starts[i] <= nowMs ? (mine?.value.answers[i] ?? "no") : a
    );
    const vote: PollVoteRecord = {
      v: 1,
      pollId: poll.id,
      name: input.name.trim(),
      email,
      answers: kept,
      atMs: app.now(),
      voterHash: mine ? mine.value.voterHash : await sha256Hex(voterToken!),
      ...(input.reader ? { reader: input.reader } : {}),
    };
    const voted = hostEventJob([poll.hostId], "poll.voted", {
      poll: pollResource(poll),
      answer: {
        name: vote.name,
        email: vote.email,
        answers: poll.starts.map((ms, i) => ({ start: isoInstant(ms), answer: vote.answers[i] })),
      },
    }, vote.atMs);
    // A vote that adds to what the voters fill in the meeting's booking (a new voter, a longer
    // address or name) is refused once they would not fit it (domain/poll-voters.ts), and is
    // decided on every such vote landed before it: its write checks the voters revision read
    // before the votes, so votes sent at once cannot add up past the bound. A changed answer
    // adds nothing and is not ordered (nor does it order these).
    const grows = !mine || votersBytes([vote]) > votersBytes([mine.value]);
    if (grows && !votersFit([...votes.filter((e) => e !== mine).map((e) => e.value), vote])) {
      return { ok: false, reason: "full" };
    }
    const after = grows ? voters : undefined;
    // Same address: the vote in place. A new address of the token's vote: moved in one write
    // that also checks the new address is free (never a second vote of one voter).
    const stored = mine && mine.value.email !== email
      ? await moveVote(
        app.kv,
        vote,
        { email: mine.value.email, versionstamp: mine.versionstamp },
        [voted],
        after,
        picking.versionstamp,
      )
      : await putVote(
        app.kv,
        vote,
        mine?.versionstamp ?? null,
        [voted],
        after,
        picking.versionstamp,
      );
    if (stored) {
      app.kickOutbox();
      return {
        ok: true,
        voterToken: voterToken!,
        voterUrl: `${await pollUrl(app, poll)}?voter=${voterToken}`,
      };
    }
    if ((await app.kv.get(keys.pollBooked(poll.id))).value) return { ok: false, reason: "closed" };
  }
  return { ok: false, reason: "busy", retryAfterS: RETRY_AFTER_S };
}

/** The voter a token belongs to on the poll of `token`, for the page to show their answers. */
export async function pollVoter(app: App, token: string, voterToken: string | null) {
  if (!voterToken || !VOTER_TOKEN_RE.test(voterToken)) return null;
  const poll = await pollOfToken(app, token);
  if (!poll) return null;
  const hash = await sha256Hex(voterToken);
  const v = (await listVotes(app.kv, poll.id)).find((x) => x.voterHash === hash);
  return v ? { name: v.name, email: v.email, answers: v.answers, pollId: poll.id } : null;
}
