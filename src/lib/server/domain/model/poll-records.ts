/** Meeting polls (issue 28, ADR 044 and 050): the poll and one invitee's answers. */
import type { BookingId, EventTypeId, UserId } from "./ids.ts";

/** A meeting poll's answer for one proposed time. */
export type PollAnswer = "yes" | "maybe" | "no";

/**
 * A meeting poll (issue 28): the host proposes 2–20 times of one event type; invitees answer
 * per time through the poll's link; the host picks one, booked through the engine.
 */
export type PollRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  eventTypeId: EventTypeId;
  title: string;
  /** The proposed starts (epoch ms, ascending). */
  starts: number[];
  salt: string;
  createdAtMs: number;
  /** Answers are taken until the last proposed time. */
  expiresAtMs: number;
  /** Set once a time was picked and booked (the poll is closed). */
  bookingId: BookingId | null;
  /** Set when the host closed the poll without booking (its held times were released). */
  closedAtMs?: number;
  /**
   * "Reserve times": per proposed time, the id of its hold (busy until the poll expires, then free
   * by itself) — also the id the booking takes when that time is chosen. Absent: nothing held.
   */
  holds?: { id: string; startMs: number; endMs: number }[];
};

/**
 * One invitee's answers (one per address). Only whoever cast them can change them: casting a vote
 * hands its voter a personal token (a cookie and a link), and a change must show it (ADR 050).
 */
export type PollVoteRecord = {
  v: 1;
  pollId: string;
  name: string;
  email: string;
  /** Per proposed time, in the poll's order. */
  answers: PollAnswer[];
  atMs: number;
  /**
   * SHA-256 of the voter's token. Absent on votes cast before tokens existed: nobody can change
   * those (an address alone proves nothing).
   */
  voterHash?: string;
  /**
   * How the voter read the poll's page: its language, and its zone and clock (the zone only when
   * the page's address named one; else they read the host's). For that voter's mails about the
   * meeting picked. Absent on older votes: their mails speak the host's language and zone.
   */
  reader?: { locale: string; timeZone?: string; clock: "12h" | "24h" };
};

/**
 * An invitee of the host's (a meeting poll's voter, `BookingRecord.invitedBy: "host"`) who told
 * us they cannot come (ADR 050, amendment "declining"), in `BookingRecord.declined` in the order
 * they did. An additional guest who declines leaves `additionalGuests` (with their name and
 * reading, kept here); the booking's guest stays its guest (their link opens it) and is listed
 * here. The last attendee declining cancels the booking. Kept by every move of the meeting.
 */
export type DeclinedAttendee = {
  /** As the booking listed them. */
  email: string;
  /** Their name where we had one (else the address). */
  name: string;
  atMs: number;
  /** How they read their mails (an additional guest's; absent: the booking's guest's reading). */
  reader?: { locale: string; timeZone: string; clock: "12h" | "24h" };
};
