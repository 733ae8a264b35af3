/**
 * The engine's vocabulary: a change, the rules it is planned under, what the store read for it
 * (the snapshot), and the plan or typed refusal that comes back.
 */
import type {
  BookerPostRecord,
  BookingRecord,
  BusyEntryRecord,
  CapEntryRecord,
  CoordinatorRecord,
  FenceRecord,
  GuestHoldRecord,
  OutboxRecord,
} from "../model/records.ts";
import type { Interval } from "../interval.ts";
import type { BookingAction, NewBookingInput } from "../booking.ts";
import type { Candidate } from "../team-rotation.ts";
import type { Budget, KvLimits } from "../kv-budget.ts";
import type { Key, KeyOf } from "../model/entries.ts";
import type { PlannedJob } from "./effects.ts";

export type { PlannedJob } from "./effects.ts";
export type { Entry, Key, KeyOf } from "../model/entries.ts";
/** A read entry: its value (null: absent) and the versionstamp a commit checks. */
export type Versioned<T> = { key: Key; value: T | null; versionstamp: string | null };

/** A write that rides in the same atomic commit (an Idempotency-Key record, a single-use link). */
export type ExtraWrite = {
  key: Key;
  value: unknown;
  /** Checked absent in the same commit (counts as a check). */
  expectAbsent?: boolean;
  /**
   * With `expectAbsent`: only read in the snapshot the change is planned from (present: a
   * conflict), neither checked in the commit nor written (`value` is ignored).
   */
  readOnly?: boolean;
  /**
   * Instead of `expectAbsent`: a record the caller read (at this versionstamp, null: absent)
   * before what it planned the change from — a poll's votes revision, read before its votes.
   * Read in the snapshot (another versionstamp: a conflict) and checked in the commit (counts as
   * a check), so the change lands only on what its caller saw; never written (`value` is ignored).
   */
  expectVersionstamp?: string | null;
  expireInMs?: number;
};
/** A record checked at the versionstamp read and replaced in the same commit (a round-robin pick). */
export type GuardedWrite = { key: Key; versionstamp: string | null; value: unknown };
export type Actor = "guest" | "host" | "system";

/**
 * A round-robin booking's member is chosen when the change is planned, from the snapshot
 * (docs/decisions/016-teams.md): the rotation orders the candidates, the first whose time is
 * free gets it, and the commit checks the rotation and the team record it relied on.
 */
export type Assignment = {
  candidates: Candidate[];
  /**
   * Everyone in the rotation now — the event type's hosts who are members, offering this start
   * or not — so that a member who left is forgotten by it and starts level when back.
   */
  takingPart: string[];
  /** The event type's rotation record (checked, and replaced when it changes). */
  rotationKey: Key;
  /** The team record: only its current members are assigned (checked). */
  rosterKey: Key;
  /** Offered first when free (a reschedule keeps the guest's member), without counting again. */
  prefer?: string;
  /**
   * The only one assigned, member or not (a member moving their own meeting keeps it:
   * reschedule.ts): free then, or refused.
   */
  only?: string;
};

/** A successor's settings, as the event type and host are now. */
export type SuccessorDraft = Omit<
  NewBookingInput,
  | "name"
  | "email"
  | "note"
  | "guestTimeZone"
  | "clock"
  | "answers"
  | "by"
  | "singleUseLinkId"
  | "offeredStarts"
>;

export type Change =
  | {
    kind: "create";
    booking: BookingRecord;
    extra?: ExtraWrite[];
    rotation?: GuardedWrite;
    /**
     * The booking takes the id of a hold made for it (a poll's reserved time): every request
     * that picks that time plans under that one id, so its record is no witness of which
     * request's write landed (`newBookingProbe`): the attempt writes a receipt of its own.
     */
    heldId?: true;
  }
  /** A round-robin booking: `booking` is created for the member the assignment picks. */
  | {
    kind: "assign";
    booking: BookingRecord;
    assign: Assignment;
    extra?: ExtraWrite[];
  }
  | {
    kind: "transition";
    bookingId: string;
    action: BookingAction;
    by: Actor;
    reason?: string;
    /** Guests may not cancel within the event type's cutoff. */
    enforceCutoff?: boolean;
    /** A host's cancel that asks the guest to pick another time (rebook.ts). */
    requestNewTime?: boolean;
    /**
     * One of several dates of a series decided by one press (services/series-bookings.ts): no
     * mails to people — the press's last date sends them, listing every date.
     */
    quiet?: boolean;
    /**
     * One seat of a seated meeting its host cancels whole (services/cancel-meeting.ts): the guest
     * hears of it as of any host's cancel; the host's mail and calendar write come once, from the
     * write that ends the meeting (seat.ts).
     */
    meeting?: true;
    /**
     * Who pressed a host's change when it is not the host (a team's owner): the host-side mails
     * of a cancel name them (a whole meeting's once, at its end: seat.ts; a booking's: here).
     */
    pressedBy?: string;
    /** The acting host: a booking of someone else is "not_found". */
    hostId?: string;
    extra?: ExtraWrite[];
    /**
     * With action "cancel" by "guest": the invitee (address as listed) leaves the meeting the
     * host invited them to (decline.ts); the last one leaving cancels it.
     */
    decline?: string;
  }
  | {
    kind: "reschedule";
    bookingId: string;
    by: "guest" | "host";
    successor: SuccessorDraft;
    /** The zone the guest moved it in (`successorRecord`: a guest's move only). */
    guestTimeZone?: string;
    /** What the person moving it wrote to the other side (kept on the retired booking). */
    reason?: string;
    enforceCutoff: boolean;
    hostId?: string;
    extra?: ExtraWrite[];
    /** A round-robin booking may move to another member: the successor's is picked like a new one. */
    assign?: Assignment;
    /**
     * A collective time's seat moving to a time with a meeting (seat.ts): that meeting's
     * coordinator, as its ledger named it when read, and the members the successor attends with.
     * Its move to an empty time is a team `commit` whose `retire` names the seat.
     */
    join?: { coordinatorId: string; personIds: string[] };
  }
  /** A seat of a seated time (seat.ts): `meetingId` names the meeting if this seat starts it. */
  | {
    kind: "seat";
    booking: BookingRecord;
    perTime: number;
    meetingId: string;
    extra?: ExtraWrite[];
    /**
     * A collective seated time's later seat (`booking.personIds`): the meeting's coordinator, as
     * its ledger named it when read. The first seat of such a time is a team `commit` with `seat`.
     */
    coordinatorId?: string;
  }
  /**
   * The guest picks a new time after the host asked them to (rebook.ts): a successor of a
   * booking cancelled as "reschedule_requested", made once.
   */
  | {
    kind: "rebook";
    bookingId: string;
    by: "guest";
    successor: SuccessorDraft;
    /** The zone the guest picked the new time in, as `reschedule`'s. */
    guestTimeZone?: string;
    hostId?: string;
    extra?: ExtraWrite[];
    /**
     * A collective time's seat picking a time with a meeting (seat.ts), as `reschedule`'s
     * `join`. Its pick of an empty time is a team `commit` whose `retire` says `rebook`.
     */
    join?: { coordinatorId: string; personIds: string[] };
  }
  /** One person's time held until `untilMs` for a booking that may follow (time-hold.ts). */
  | {
    kind: "hold_time";
    /** The id the booking will have if this time is chosen. */
    holdId: string;
    personId: string;
    startMs: number;
    endMs: number;
    untilMs: number;
    eventTypeId: string;
  }
  /** The hold removed (a poll closed, or another of its times chosen). */
  | { kind: "release_time"; holdId: string; personId: string; startMs: number; endMs: number }
  /** Multi-person booking, step 1: the coordinator record, written first. */
  | { kind: "open"; coordinator: CoordinatorRecord }
  /** Step 2, once per person in canonical order: that person's hold entries. */
  | { kind: "hold"; coordinatorId: string; personId: string }
  /** Step 3: the booking, checking the coordinator alone. */
  | {
    kind: "commit";
    coordinatorId: string;
    booking: BookingRecord;
    extra?: ExtraWrite[];
    rotation?: GuardedWrite;
    /** A team booking: every person must still be a member of this team record (checked). */
    rosterKey?: Key;
    /** A collective reschedule: the booking this one replaces, retired in the same write. */
    retire?: {
      bookingId: string;
      by: "guest" | "host";
      enforceCutoff: boolean;
      hostId?: string;
      /** What the person moving it wrote to the other side (kept on the retired booking). */
      reason?: string;
      /**
       * A collective time's seat, as the service read it (team.ts `planTeamCommit`): its time
       * and its meeting's coordinator, so the commit reads that ledger and coordinator too.
       */
      seat?: { startMs: number; coordinatorId: string };
      /**
       * A collective time's seat whose guest the host asked for a new time (it left its meeting
       * then): the commit links it (checked) instead of retiring it.
       */
      rebook?: true;
    };
    /** The first seat of a collective seated time: the time's ledger is written with it. */
    seat?: { perTime: number };
  }
  /**
   * A recurring series (series.ts), step 2, repeated: the occurrences not yet held, in order
   * (the plan holds as many as fit one write).
   */
  | { kind: "series_hold"; coordinatorId: string; bookings: BookingRecord[] }
  /** Step 3: every occurrence held, the series decided (`first`: its first occurrence). */
  | {
    kind: "series_commit";
    coordinatorId: string;
    first: BookingRecord;
    /** Writes riding with the decision (an Idempotency-Key record, a single-use link). */
    extra?: ExtraWrite[];
  }
  /** Step 4, repeated: the occurrences not yet finished, in order. */
  | {
    kind: "series_finish";
    coordinatorId: string;
    bookings: BookingRecord[];
    /** The series' first date: its people's mails invite to the whole series. */
    first: BookingRecord;
  }
  /** On failure (or by the cleanup job after a crash): the holds go, the coordinator is abandoned. */
  | { kind: "release"; coordinatorId: string }
  /**
   * A booking moved from another Invito (services/import-bookings.ts), written as it was there
   * under its own id (checked absent: a second import of it is a "conflict"). Live time is
   * guarded like a create's; history is only recorded. Nothing is queued: its mails, calendar
   * writes and webhooks happened where it was made.
   */
  | {
    kind: "import";
    booking: BookingRecord;
    /** A seat (`booking.seat`): the seats per time of its event type here. */
    perTime?: number;
  };

export type EventTypeLimits = {
  id: string;
  maxPerDay: number | null;
  maxPerWeek: number | null;
  cancelCutoffHours: number | null;
};

export type EngineRules = {
  bookingTtlMs: number;
  maxPendingPerGuest: number;
  /** The event type of the booking the change concerns (null: deleted since). */
  eventType: EventTypeLimits | null;
  /** The host part of calendar UIDs (`{bookingId}@{calendarHost}`). */
  calendarHost: string;
  limits?: KvLimits;
};

export type Refusal =
  | "not_found"
  | "slot_taken"
  | "calendar_unavailable"
  | "cap_reached"
  | "too_many_pending"
  | "too_late"
  | "expired"
  | "already_confirmed"
  | "already_rejected"
  | "cancelled"
  | "moved"
  | "not_pending"
  | "not_supported"
  | "too_large"
  /**
   * The time is held by a multi-person booking still in progress: it becomes taken or free
   * within moments (the runner waits a little, then answers "slot_taken").
   */
  | "held"
  /** The guest already holds a seat at that time (seat.ts). */
  | "already_seated"
  /** Every seat of that seated time is taken (seat.ts). */
  | "seats_full"
  /** A move to the time the booking already has (domain/booking.ts `isOwnTime`). */
  | "same_time"
  /**
   * The same browser's identical post made this booking already (domain/repeat-post.ts): the
   * post is answered with that booking (services/repeat-posts.ts), nothing is booked again.
   * Never shown as itself (so no row in shared/refusals.ts): a booking service answers it with
   * that booking, or — gone meanwhile — as "slot_taken" (book-basics.ts `bookRefusal`).
   */
  | "repeated"
  /**
   * An `extra` write expected absent is there (a repeated Idempotency-Key, a used link), or one
   * expected at a versionstamp changed since its caller read it (a poll's votes).
   */
  | "conflict";

export type CapRef = { eventTypeId: string; period: "day" | "week"; periodKey: string };

/** What a change must read, derived from the change and its primary record. */
export type Scope = {
  /** Whose busy time is read, on which UTC days, around which interval. */
  busy: { personId: string; days: string[]; startMs: number; endMs: number }[];
  caps: CapRef[];
  guest: { hostId: string; email: string } | null;
  calendars: { personId: string; startMs: number; endMs: number }[];
  /** Coordinators read besides those the busy entries name (a team booking's own). */
  coordinatorIds: string[];
  /** Keys of `extra` writes expected absent or at a versionstamp (`expectedOf`, in order). */
  absent: Key[];
  /** Records a plan relies on and checks (a team's roster and rotation, a retired booking). */
  guards: Key[];
};

export type Snapshot = {
  /** How the store names the entries a plan writes (store/keys.ts `keyOf`). */
  keyOf: KeyOf;
  /**
   * The booking (transition, reschedule) or coordinator (hold, commit, release) acted on; for a
   * round-robin booking posted with a booker tag, that post's guard (domain/repeat-post.ts).
   */
  primary: Versioned<BookingRecord | CoordinatorRecord | BookerPostRecord> | null;
  fences: Versioned<FenceRecord>[];
  busy: { personId: string; entries: Versioned<BusyEntryRecord>[] }[];
  caps: { ref: CapRef; entries: Versioned<CapEntryRecord>[] }[];
  guestHolds: Versioned<GuestHoldRecord>[];
  /** Coordinators named by coordinated entries that are not firm. */
  coordinators: Versioned<CoordinatorRecord>[];
  /** External calendars per person: busy time, and time they cannot vouch for (fail closed). */
  calendars: { personId: string; busy: Interval[]; unknown: Interval[] }[];
  /** The `extra` keys expected absent or at a versionstamp, as read. */
  absent: Versioned<unknown>[];
  /** The scope's `guards`, as read (in order). */
  guards: Versioned<unknown>[];
};

export type PlannedWrite =
  | { op: "set"; key: Key; value: unknown; expireInMs?: number }
  | { op: "delete"; key: Key };

export type Plan = {
  /** "clear": a write that only clears the way for the change (see `clearTheWay`). */
  kind: Change["kind"] | "clear";
  checks: { key: Key; versionstamp: string | null }[];
  writes: PlannedWrite[];
  jobs: PlannedJob[];
  budget: Budget;
  /** The booking as this change leaves it (the successor, for a reschedule). */
  booking: BookingRecord | null;
  /** The booking a reschedule retired. */
  retired?: BookingRecord;
  /** Every booking this write made, when it made several (a series' finish write). */
  made?: BookingRecord[];
  coordinator?: CoordinatorRecord;
  /**
   * For a commit whose outcome is unknown (a network error on remote KV): the key to re-read,
   * and whether what it holds shows that this plan landed. `exact`: the key is a record only this
   * write makes (a new booking under the id its request drew), so it exists iff the write landed
   * and the plan needs no receipt.
   */
  probe: { key: Key; landed: (value: unknown) => boolean; exact?: true };
  /** The receipt this plan writes (planChange with a receipt id): exists iff the write landed. */
  receipt?: Key;
  /**
   * This write only clears the way (coordinators taken over after their time, more than fit
   * into one write with the change itself): commit it, then read and plan again.
   */
  partial?: true;
  /**
   * A seat taken with seats of its time still free: no one asking for the same time is refused
   * by this write (services/transaction.ts wakes no waiter to look again).
   */
  roomLeft?: true;
};

/**
 * A change that landed, as the one runner (services/transaction.ts) hands it to its after-commit
 * effects: the change, the plan it committed, and the outbox jobs that write queued.
 */
export type Committed = { change: Change; plan: Plan; jobs: OutboxRecord[] };

export type PlanResult = { ok: true; plan: Plan } | { ok: false; reason: Refusal };

/**
 * How long a change waits for a multi-person hold in its way to be committed or released
 * (services/transaction.ts), and a post sent again for the series its first post is booking
 * (services/repeat-posts.ts).
 */
export const HOLD_WAIT_MS = 3_000;
/** How long a multi-person hold lasts without its final commit. */
export const TEAM_HOLD_MS = 60_000;
/** The most people one multi-person booking may hold (its commit rewrites every member's entries). */
export const MAX_TEAM = 100;
