/**
 * A meeting poll's voters as its picked meeting holds them (ADR 050), and how much of the
 * meeting's booking record they fill.
 *
 * The pick books one meeting in one commit: every voter is an attendee, so the booking record —
 * one KV value, at most 64 KiB on remote KV — lists every voter's address, name and way of
 * reading. A count of voters alone does not bound that: 100 voters with addresses of 254
 * characters and names of 100 non-Latin characters fill 190 KiB, and the pick could never fit
 * (it was answered "busy" for ever). So the voters a poll takes are bounded by the bytes they
 * fill, `VOTERS_BYTES`, decided when a vote grows them (store/polls.ts orders those votes by the
 * votes revision, so concurrent ones cannot add up past it), and the pick fits by construction.
 */
import type { GuestReader, PollVoteRecord } from "./model/records.ts";
import { valueBytes } from "./kv-budget.ts";

/**
 * Upper bound of the bytes the voters' part of the meeting's booking takes (its additional
 * guests, their names and their readings, as `valueBytes` bounds them: two bytes a character).
 * 100 voters with addresses of 40 characters and names of 22 take 44 KiB of it; voters with
 * the longest addresses (254) and names of 100 non-Latin characters, 2 KiB each (25 voters).
 * The rest of a booking — a note of 2,000 characters, a title, a place, its history — leaves
 * the record under remote KV's 64 KiB per value (tests/scale/remote-polls.test.ts fills a poll
 * to this bound with the longest addresses and names and picks it over KV Connect).
 */
export const VOTERS_BYTES = 48 * 1024;

/** A zone name longer than any IANA name, for a voter who reads the host's (not known here). */
const ANY_ZONE = "Z".repeat(40);

export type PollMeeting = {
  guest: PollVoteRecord;
  guestReading: GuestReader;
  /** Every other voter's address, their names and their readings (the booking's fields). */
  additionalGuests: string[];
  additionalGuestNames: Record<string, string>;
  additionalGuestReaders: Record<string, GuestReader>;
};

/** How a voter reads their mails: as the page they answered on did, else as the host does. */
export function readingOf(v: PollVoteRecord, host: GuestReader): GuestReader {
  return v.reader
    ? {
      locale: v.reader.locale,
      timeZone: v.reader.timeZone ?? host.timeZone,
      clock: v.reader.clock,
    }
    : host;
}

/**
 * The meeting of time `i` for `votes`: the first who said yes to it (else maybe, else the first
 * voter) is the booking's guest, every other voter an additional guest with their name and
 * their way of reading.
 */
export function pollMeeting(votes: PollVoteRecord[], i: number, host: GuestReader): PollMeeting {
  const guest = votes.find((v) => v.answers[i] === "yes") ??
    votes.find((v) => v.answers[i] === "maybe") ?? votes[0];
  return { guest, guestReading: readingOf(guest, host), ...othersOf(votes, guest.email, host) };
}

function othersOf(votes: PollVoteRecord[], guestEmail: string | null, host: GuestReader) {
  const others = votes.filter((v) => v.email !== guestEmail);
  return {
    additionalGuests: others.map((v) => v.email),
    // Their names, which calendars show for them (CN) and the meeting's SUMMARY lists.
    additionalGuestNames: Object.fromEntries(others.map((v) => [v.email, v.name])),
    // Every other voter gets an entry, the host's reading included, since without one they
    // would read as the booking's guest — another voter.
    additionalGuestReaders: Object.fromEntries(others.map((v) => [v.email, readingOf(v, host)])),
  };
}

/**
 * Upper bound of the bytes `votes` fill in any meeting the pick may book for them: all of them
 * as additional guests (whoever becomes the guest takes less), a voter reading as the host with
 * a zone longer than any.
 */
export function votersBytes(votes: PollVoteRecord[]): number {
  return valueBytes(othersOf(votes, null, { locale: "xx-XXXX", timeZone: ANY_ZONE, clock: "24h" }));
}

/** Whether the voters of a poll still fit the meeting the pick books. */
export function votersFit(votes: PollVoteRecord[]): boolean {
  return votersBytes(votes) <= VOTERS_BYTES;
}

/**
 * How long a pick may hold the answers back (ADR 050, 2026-11-27): far longer than a pick's
 * rounds take, short enough that a pick whose process died delays answers only briefly (the
 * "picking" key says until when).
 */
export const PICK_HOLD_MS = 5_000;

/** Whether a pick holds the votes back at `nowMs` (the "picking" key as read; past its time: not). */
export const votesHeld = (picking: { untilMs: number | null }, nowMs: number) =>
  picking.untilMs !== null && picking.untilMs > nowMs;
