/**
 * The entries the booking engine reads and writes, named as domain vocabulary: which booking,
 * whose busy time on which UTC day, which cap period. `store/keys.ts` (`keyOf`) alone turns an
 * entry into its Deno KV key tuple; the engine receives that naming with its snapshot, so its
 * plans carry exact keys and an exact budget without the domain spelling a tuple.
 */
import type { KeyPart } from "../kv-budget.ts";

/** A key as the store spells it; opaque to the domain (compared, measured, never built). */
export type Key = readonly KeyPart[];

export type Entry =
  | { kind: "booking"; id: string }
  | { kind: "bookingByHostStart"; hostId: string; startMs: number; id: string }
  | { kind: "bookingPendingByExpiry"; untilMs: number; id: string }
  /** A recurring series' occurrences, by their place in it (booking-engine/series.ts). */
  | { kind: "bookingBySeries"; hostId: string; seriesId: string; index: number; id: string }
  /** One booking's (or hold's) blocked time of a person, under each UTC day it touches. */
  | { kind: "busy"; personId: string; day: string; startMs: number; bookingId: string }
  /** A person-day's guard: changed by every write that adds or firms time on that day. */
  | { kind: "busyFence"; personId: string; day: string }
  /** A person's busy revision: a page's cached copy of their busy time is read again. */
  | { kind: "busyRev"; personId: string }
  | { kind: "capFence"; eventTypeId: string; period: "day" | "week"; periodKey: string }
  | {
    kind: "capEntry";
    eventTypeId: string;
    period: "day" | "week";
    periodKey: string;
    bookingId: string;
  }
  /** `ownerId`: the team or host whose guests' pending requests are counted together. */
  | { kind: "guestHoldFence"; ownerId: string; email: string }
  | { kind: "guestHold"; ownerId: string; email: string; bookingId: string }
  | { kind: "coordinator"; id: string }
  /** The seats of one seated time of an event type (a guard record). */
  | { kind: "seatLedger"; eventTypeId: string; startMs: number }
  | { kind: "coordinatorByUntil"; untilMs: number; id: string }
  | { kind: "outbox"; dueMs: number; id: string }
  | { kind: "outboxByBooking"; bookingId: string; id: string }
  | { kind: "outboxByPerson"; personId: string; id: string }
  /** A queued job somebody is looking at a screen for (`jobPointers`): the drain takes it first. */
  | { kind: "outboxUrgent"; id: string }
  /**
   * One browser's post of one time of a team's event type (domain/repeat-post.ts, ADR 060): names
   * the booking it made, so that the same post sent again is answered with it, not booked again.
   */
  | { kind: "bookerPost"; eventTypeId: string; bookerTag: string; startMs: number }
  /** A change's commit receipt: exists iff that write landed (see `planChange`). */
  | { kind: "commitReceipt"; id: string }
  /** A host's single-use link (a one-off link with its offered times: booking-engine/link-release.ts). */
  | { kind: "singleUseLink"; hostId: string; id: string }
  /** A single-use link's "used" (or "revoked") marker: present while the link is spent. */
  | { kind: "singleUseLinkUse"; linkId: string };

/** How the store names entries (store/keys.ts `keyOf`). */
export type KeyOf = (entry: Entry) => Key;
