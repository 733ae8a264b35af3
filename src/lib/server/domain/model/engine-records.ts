/** Stored shapes of the booking engine's guard records (docs/decisions/002-booking-engine.md), the outbox and leases. */
import type { Sealed } from "../../util/digest.ts";
import type { WebhookEvent } from "./developer-records.ts";
import type { BookingId, CoordinatorId, EventTypeId, JobId, PersonId, UserId } from "./ids.ts";

// The booking engine's guard records (docs/decisions/002-booking-engine.md).

/** One interval a person has blocked, under `keys.busy` on each UTC day it touches. */
export type BusyEntryRecord = {
  v: 1;
  bookingId: BookingId;
  /** The blocked interval: the meeting plus its buffers. */
  startMs: number;
  endMs: number;
  /** Stops blocking at this instant (a pending request, or a team hold); null = firm. */
  holdUntilMs: number | null;
  eventTypeId: EventTypeId;
  /** A multi-person hold: past `holdUntilMs`, its coordinator says whether it still blocks. */
  coordinatorId?: CoordinatorId;
  /** A seated meeting's time (`bookingId` is the meeting's id): its seats are in its ledger. */
  seated?: true;
};
/**
 * The seats of one seated time (`keys.seatLedger(eventTypeId, startMs)`): the guard of every
 * seat write, checked by versionstamp — one check whatever the number of seats. Lists the live
 * seats only (a pending seat past its hold is dropped by the next write).
 */
export type SeatTuple = [id: BookingId, guestTag: string, holdUntilMs: number | null];
export type SeatLedgerRecord = {
  v: 1;
  meetingId: string;
  eventTypeId: EventTypeId;
  hostId: UserId;
  startMs: number;
  blockStartMs: number;
  blockEndMs: number;
  /**
   * Per seat `[booking id, guest tag (domain/seats.ts), hold end (null = firm)]`: tuples, so that
   * 500 seats stay well under a 64 KiB value by the budget's own bound.
   */
  seats: SeatTuple[];
  /** Counts every change of the seats: the meeting's SEQUENCE in the host's calendar. */
  seq?: number;
  /**
   * A collective seated time: every member whose time the meeting blocks (absent: the host
   * alone), and the coordinator that took it (ADR 040) — every later seat checks it and writes
   * the meeting's hold into it, so a writer taking an expired hold over never races a joining
   * guest.
   */
  personIds?: PersonId[];
  coordinatorId?: CoordinatorId;
  /**
   * The meeting's Jitsi room (ADR 042): a seated time is one meeting, so the room its first
   * Jitsi seat brought (drawn fresh for it) is every later Jitsi seat's. Absent: no Jitsi seat
   * yet (or a ledger written before rooms were kept here).
   */
  room?: string;
  /**
   * The host is cancelling the whole meeting (ADR 040, amended 2026-11-27): no seat joins it any
   * more; its seats are cancelled one write each, and the last one's removes this ledger, which
   * frees the time (a guest then starts a new meeting there).
   */
  /** `seats`: how many were live when it closed (the guests the cancel tells). */
  closed?: { atMs: number; seats?: number };
};
/**
 * Its versionstamp is the guard: every write that adds time under it changes it. A busy fence
 * also bounds the longest block on its day (absent: unknown), so a reader of an interval lists
 * only the entries that start late enough to reach it.
 */
export type FenceRecord = { v: 1; maxBlockMs?: number };
/** One booking counted against an event type's cap for one period. */
export type CapEntryRecord = { v: 1; bookingId: BookingId; holdUntilMs: number | null };
/**
 * The booking one browser's post made of one time of a team's event type (domain/repeat-post.ts):
 * kept for a form's lifetime, so that the same post sent again finds it (ADR 060).
 */
export type BookerPostRecord = { v: 1; bookingId: BookingId };
/** One live pending request of a guest with a host. */
export type GuestHoldRecord = { v: 1; bookingId: BookingId; untilMs: number };
/**
 * A multi-person hold. "holding" until `untilMs`: its members' hold entries block; the final
 * commit checks this record alone and makes it "committed" (then `holdUntilMs` is the booking's
 * own hold, null once firm). "abandoned" (given up, or taken over after `untilMs`) and
 * "released" (its pending booking's hold ran out and the time was taken) are final.
 */
export type CoordinatorRecord = {
  v: 1;
  id: CoordinatorId;
  bookingId: BookingId;
  state: "holding" | "committed" | "abandoned" | "released";
  untilMs: number;
  personIds: PersonId[];
  eventTypeId: EventTypeId;
  /** The blocked interval every member holds. */
  startMs: number;
  endMs: number;
  holdUntilMs: number | null;
  /** A collective reschedule: the booking the held time replaces (its own time counts as free). */
  replaces?: BookingId;
  /**
   * A collective time's seat moving (ADR 040; set, possibly null, for every such move): when it
   * is its meeting's last seat, that meeting, whose time the held time may overlap — the commit
   * retires the seat and frees that time, or is refused. Null: nothing counts as free (the seat's
   * own id, `replaces`, may be its meeting's, which stays with the other seats).
   */
  frees?: BookingId | null;
  /**
   * A recurring series (domain/booking-engine/series.ts): every occurrence's booking and blocked
   * interval, how many are held so far (in order) and how many are finished after the commit.
   */
  series?: SeriesHold;
};

export type SeriesHold = {
  bookingIds: BookingId[];
  /** Each occurrence's meeting start, and the interval it blocks (buffers included). */
  starts: number[];
  blocks: { startMs: number; endMs: number }[];
  /** The host's zone, in which caps count days and weeks. */
  timeZone: string;
  held: number;
  done: number;
  /**
   * The booker tag of the post booking it (its first date will carry it): the same browser's
   * post sent again while this series is being booked waits for it (services/repeat-posts.ts).
   */
  bookerTag?: string;
};

export type MailKind =
  | "host_request"
  | "host_confirmed_copy"
  | "host_booked"
  | "guest_pending"
  | "guest_confirmed"
  | "guest_rejected"
  | "guest_expired"
  | "guest_cancelled"
  | "host_cancelled"
  /** A pending request expired before the host answered (sent once, with the expiry). */
  | "host_expired"
  /**
   * A confirmed seat moved to another time, to its host, about the seated meeting it left (sent
   * on the retired booking): that meeting as it now stands, without the guest (ADR 040).
   */
  | "host_seat_moved"
  /**
   * The host cancelled a whole seated meeting, to the host, once (sent on its last seat): the
   * meeting's CANCEL for a host without a writeback calendar (ADR 040).
   */
  | "host_meeting_cancelled"
  | "reminder_guest"
  | "reminder_host"
  | "follow_up"
  | "magic_link"
  /** A team booking, to a member who attends but does not decide it (collective). */
  | "member_request"
  /** The meeting's invitation (or its update) to the guest's additional guests, one mail To: all. */
  | "guests_invited"
  /** The meeting's end (CANCEL) to the guest's additional guests. */
  | "guests_cancelled"
  /** An invitee declined: their own copy's CANCEL (`attendee` on the job names them). */
  | "attendee_declined"
  /** An invitee declined: the host hears who, and who still comes. */
  | "host_declined";

export type OutboxPayload =
  // `personId`: the member of a team booking the mail or calendar write is for (absent: the host).
  // `readers`: additional guests' mails, the way of reading the mail is for (guest-readers.ts
  // `readerGroups`: one mail per language, zone and clock; absent: those who read as the guest).
  | {
    kind: "booking_mail";
    mail: MailKind;
    bookingId: BookingId;
    personId?: PersonId;
    readers?: string;
    /** `attendee_declined`: the invitee who declined (their address as the booking listed it). */
    attendee?: string;
    /** `host_cancelled` of a seat whose guest's own cancel took its meeting's last seat out. */
    emptied?: true;
    /**
     * `host_meeting_cancelled`, `host_cancelled`: who pressed the host's cancel, when not the
     * organiser (a team's owner).
     */
    by?: UserId;
  }
  | { kind: "writeback"; op: "put" | "delete"; bookingId: BookingId; personId?: PersonId }
  /** Sent only if the booking is still CONFIRMED and still starts at `startMs` when due. */
  | {
    kind: "reminder";
    bookingId: BookingId;
    startMs: number;
    minutesBefore: number;
    toHost: boolean;
    personId?: PersonId;
  }
  | { kind: "raw_mail"; to: string; subject: string; text: string; html?: string }
  /**
   * A mail that carries a credential (a sign-in link): its subject, text and HTML are sealed
   * (AES-GCM, like calendar passwords) and it is dropped unsent once `expiresAtMs` has passed.
   */
  | { kind: "sealed_mail"; to: string; sealed: Sealed; expiresAtMs: number }
  /** Sent only if the booking is still CONFIRMED and still starts at `startMs` when due. */
  | { kind: "follow_up"; bookingId: BookingId; startMs: number; minutesAfter: number }
  /**
   * A booking changed state: the webhook performer fans it out to the host's subscriptions.
   * `seq` is the booking's history length after the change, so receivers can order events.
   */
  | {
    kind: "webhook_event";
    bookingId: BookingId;
    event: WebhookEvent;
    seq: number;
    /** Who made a change its history does not show (an invitee's decline: "guest"). */
    by?: "guest";
  }
  /** One message to one subscription (created once per event and subscription by the fan-out). */
  | { kind: "webhook_delivery"; hostId: UserId; subscriptionId: string; messageId: string }
  /**
   * A host was reactivated (queued by that write): the webhook deliveries held while they were
   * suspended, since `suspendedAtMs`, are queued again (store/webhooks.ts).
   */
  | { kind: "webhook_release"; hostId: UserId; suspendedAtMs: number }
  /**
   * An event that is not a booking's (a poll changed, a form was submitted), queued in the same
   * commit as the change with its body as it was then; the fan-out writes the message
   * (`msg_{ref}`, or `msg_{ref}_{person}` when several people hear it) and one delivery per
   * subscription, once.
   */
  /**
   * The host cancels a seated meeting (services/cancel-meeting.ts): its ledger is closed and
   * this job, queued by that same write, cancels every seat left (resumable: each seat is a
   * guarded write of its own; the job is done once the meeting's ledger is gone).
   */
  | {
    kind: "cancel_meeting";
    hostId: UserId;
    eventTypeId: EventTypeId;
    startMs: number;
    meetingId: string;
    reason: string;
    /** Who pressed it, when not `hostId` (a team's owner): the members' mails name them. */
    by?: UserId;
  }
  | {
    kind: "host_event";
    personIds: UserId[];
    event: WebhookEvent;
    ref: string;
    body: string;
  };

export type OutboxRecord = {
  v: 1;
  id: JobId;
  dueMs: number;
  payload: OutboxPayload;
  attempts: number;
  createdAtMs: number;
  lastError: string | null;
  /** Set while a worker holds the job: the job is due again at dueMs if the worker died. */
  claimedBy: string | null;
  /** The request that queued it (logs join a job to its request); absent for cron-made jobs. */
  requestId?: string;
  /**
   * Jobs of one lane run one after another in due order (jobs/outbox-lanes.ts; calendar writes
   * of different bookings excepted: a few at once); absent: the lane of the job's booking. A series' dates share one (`series:{id}`), so "cancel this and
   * the later dates" reaches each reader date by date, not in whatever order the hand-offs end.
   */
  lane?: string;
};

/** A job's lease; `tick` marks a claimed tick of a periodic job (leases.ts claimTick). */
export type LeaseRecord = { owner: string; untilMs: number; tick?: number };
