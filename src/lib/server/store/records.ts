/**
 * Stored shapes. Records hold epoch milliseconds and ISO strings (Temporal objects cannot be
 * structured-cloned into KV) and carry a version so that later shapes can be migrated on read.
 */
import type {
  BookingId,
  CalendarAccountId,
  CalendarId,
  CoordinatorId,
  EventTypeId,
  JobId,
  PersonId,
  TeamId,
  TeamInviteId,
  UserId,
} from "./keys.ts";
import type { Sealed } from "../integrations/crypto.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../domain/availability.ts";

export type UserRecord = {
  v: 1;
  id: UserId;
  email: string;
  emailVerifiedMs: number | null;
  name: string;
  username: string;
  timeZone: string;
  /** How the host reads times in the dashboard and their mails (unset: 24-hour). */
  clock?: "12h" | "24h";
  image: string | null;
  createdAtMs: number;
  /** Sites allowed to frame this host's widget; undefined = any site. */
  embedOrigins?: string[];
};

export type AccountRecord = {
  v: 1;
  userId: UserId;
  type: string;
  provider: string;
  providerAccountId: string;
  // Tokens from the IdP are kept only because Auth.js hands them over; Invito never uses them.
  refresh_token?: string;
  access_token?: string;
  expires_at?: number;
  token_type?: string;
  scope?: string;
  id_token?: string;
  session_state?: string;
};

export type SessionRecord = { v: 1; sessionToken: string; userId: UserId; expiresMs: number };
export type VerificationTokenRecord = {
  v: 1;
  identifier: string;
  token: string;
  expiresMs: number;
};

export type {
  Location,
  LocationKind,
  Question,
  QuestionType,
  Reminder,
} from "../../shared/public-types.ts";
import type { Location, Question, Reminder } from "../../shared/public-types.ts";

/**
 * Scheduling rules added after the first release; optional in storage, filled in by
 * `eventTypeRules()` so old records read the same as "no rule".
 */
export type EventTypeRules = {
  bufferBeforeMin?: number;
  bufferAfterMin?: number;
  minNoticeMin?: number;
  notSameDay?: boolean;
  /** Step between slot starts; null/undefined = the duration. */
  intervalMin?: number | null;
  maxPerDay?: number | null;
  maxPerWeek?: number | null;
  /** Durations a guest may choose; includes durationMin (the default). */
  durations?: number[];
  location?: Location;
  questions?: Question[];
  /** Guests cannot cancel or reschedule within this many hours of the start. */
  cancelCutoffHours?: number | null;
  reminders?: Reminder[];
};

/** What makes an event type a team's (docs/decisions/009-teams.md); absent on a host's own. */
export type TeamEventTypeFields = {
  /** The team; the record's `userId` is the same id (team event types live under the team). */
  teamId?: TeamId;
  /** "round_robin": one member per booking; "collective": every member in `hostIds` attends. */
  teamMode?: "round_robin" | "collective";
  /** The members taking part: round-robin candidates, or the collective's required attendees. */
  hostIds?: UserId[];
  /** Collective: the member who organises (decides requests besides owners); null: an owner. */
  organiserId?: UserId | null;
};

export type EventTypeRecord = EventTypeRules & TeamEventTypeFields & {
  v: 1;
  id: EventTypeId;
  userId: UserId;
  slug: string;
  title: string;
  description: string;
  durationMin: number;
  requiresConfirmation: boolean;
  bookingWindowDays: number;
  color: string;
  active: boolean;
  confirmedMessage: string;
  rejectedMessage: string;
  createdAtMs: number;
  updatedAtMs: number;
};

export type AvailabilityRecord = {
  v: 1;
  userId: UserId;
  weekly: WeeklyRules;
  overrides: DateOverride[];
  timeOff: TimeOff[];
  updatedAtMs: number;
};

export type BookingStatus = "PENDING" | "CONFIRMED" | "REJECTED" | "CANCELLED";

export type BookingRecord = {
  v: 1;
  id: BookingId;
  hostId: UserId;
  eventTypeId: EventTypeId;
  /** Snapshot: the booking shows what was booked even if the event type is edited or deleted. */
  eventTitle: string;
  durationMin: number;
  startMs: number;
  endMs: number;
  /** What the booking blocks in its people's busy time: the meeting plus the event type's buffers. */
  blockStartMs: number;
  blockEndMs: number;
  status: BookingStatus;
  guestName: string;
  guestEmail: string;
  guestNote: string;
  guestTimeZone: string;
  /** How the guest writes times, as on the page they booked from (older records: 24-hour). */
  guestClock?: "12h" | "24h";
  hostTimeZone: string;
  createdAtMs: number;
  /** PENDING holds expire at this instant; null once decided. */
  reservedUntilMs: number | null;
  decidedAtMs: number | null;
  /** Why a booking ended: "rejected", "expired", "cancelled_by_guest", "cancelled_by_host". */
  endReason: string | null;
  /** What the person who cancelled wrote, shown to the other side. */
  cancelReason?: string | null;
  history: { status: BookingStatus; atMs: number; by: "guest" | "host" | "system" }[];
  /** Answers to the event type's questions, with the label as asked at booking time. */
  answers?: { questionId: string; label: string; value: string }[];
  /** Where the meeting happens, as it was when booked. */
  location?: Location;
  /** Reschedule links: the booking this one replaced, and the one that replaced it. */
  rescheduledFromId?: BookingId | null;
  rescheduledToId?: BookingId | null;
  /** Reminders to send, as configured when the booking was made. */
  reminders?: Reminder[];
  /**
   * Random salt from which the booking's link tokens are derived with an HMAC keyed by the
   * server secret: mails sent days later can rebuild a link, while the store holds only hashes.
   */
  tokenSalt: string;
  /**
   * The meeting's identity in calendars. Absent: `${id}@{host}`; a reschedule successor keeps its
   * predecessor's, so calendars move the one meeting instead of keeping two.
   */
  icalUid?: string;
  /** The base SEQUENCE of this booking's calendar documents (absent = 0); see domain/calendar-identity.ts. */
  sequence?: number;
  /** A calendar may already hold this meeting (a predecessor was confirmed). */
  calendarIssued?: boolean;
  /** Whose time it blocks (absent = the host alone). */
  personIds?: PersonId[];
  /** Set for a multi-person booking: its coordinator guards the members' busy entries. */
  coordinatorId?: CoordinatorId;
  /**
   * A team's booking: its event type lives under the team (`eventType(teamId, …)`), its host is
   * the assigned member (round robin) or the organiser (collective), and `hostTimeZone` is the
   * team's zone, in which its caps count days and weeks.
   */
  teamId?: TeamId;
};

export type TokenPurpose = "confirm" | "reject" | "guest";
export type BookingTokenRecord = { v: 1; bookingId: BookingId; purpose: TokenPurpose };

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
};
/**
 * Its versionstamp is the guard: every write that adds time under it changes it. A busy fence
 * also bounds the longest block on its day (absent: unknown), so a reader of an interval lists
 * only the entries that start late enough to reach it.
 */
export type FenceRecord = { v: 1; maxBlockMs?: number };
/** One booking counted against an event type's cap for one period. */
export type CapEntryRecord = { v: 1; bookingId: BookingId; holdUntilMs: number | null };
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
  | "reminder_guest"
  | "reminder_host"
  | "magic_link"
  /** A team booking, to a member who attends but does not decide it (collective). */
  | "member_request";

export type OutboxPayload =
  // `personId`: the member of a team booking the mail or calendar write is for (absent: the host).
  | { kind: "booking_mail"; mail: MailKind; bookingId: BookingId; personId?: PersonId }
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
  | { kind: "raw_mail"; to: string; subject: string; text: string; html?: string };

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
};

export type LeaseRecord = { owner: string; untilMs: number };

// CalDAV

export type CalendarErrorKind = "auth" | "network" | "parse" | "not_caldav" | "forbidden_address";
export type CalendarError = { kind: CalendarErrorKind; detail: string; atMs: number };

/** A connected CalDAV account. The password is sealed (AES-256-GCM) and never leaves the server. */
export type CalendarAccountRecord = {
  v: 1;
  id: CalendarAccountId;
  hostId: UserId;
  serverUrl: string;
  username: string;
  password: Sealed;
  principalUrl: string;
  homeUrl: string;
  createdAtMs: number;
};

export type CalendarAccountStatusRecord = {
  v: 1;
  lastAttemptMs: number | null;
  lastSuccessMs: number | null;
  lastError: CalendarError | null;
};

export type CalendarRecord = {
  v: 1;
  id: CalendarId;
  hostId: UserId;
  accountId: CalendarAccountId;
  url: string;
  displayName: string;
  color: string | null;
  writable: boolean;
  checkConflicts: boolean;
  createdAtMs: number;
};

export type CalendarWritebackRecord = {
  v: 1;
  accountId: CalendarAccountId;
  calendarId: CalendarId;
};

/**
 * The cache state of one conflict calendar. `gen` names the current set of busy chunks (null:
 * never synced); `syncedAtMs` is the last time the server was read successfully (or confirmed
 * unchanged), and decides fail-closed: older than 2 × the sync interval → unknown, not free.
 */
export type CalendarBusyHeadRecord = {
  v: 1;
  calendarId: CalendarId;
  accountId: CalendarAccountId;
  gen: string | null;
  /** The range the cached windows are complete for. */
  fromMs: number;
  toMs: number;
  syncedAtMs: number | null;
  attemptedAtMs: number | null;
  error: CalendarError | null;
  /** Change markers from the last full read; equal markers skip the next read. */
  ctag: string | null;
  syncToken: string | null;
  etagDigest: string | null;
  /** The zone all-day events were placed in; a host zone change forces a re-read. */
  hostTimeZone: string | null;
  events: number;
  skipped: { uid: string | null; reason: string }[];
};

/** Busy windows as flat [start, end, start, end, …] epoch ms. */
export type CalendarBusyChunkRecord = { v: 1; w: number[] };
export type CalendarBusyManifestRecord = { v: 1; chunks: [string, number][]; createdAtMs: number };

export type BookingWritebackRecord = {
  v: 1;
  accountId: CalendarAccountId;
  calendarId: CalendarId;
  calendarName: string;
  href: string;
  etag: string | null;
  writtenAtMs: number;
};

// Teams (docs/decisions/009-teams.md)

export type TeamRole = "owner" | "member";
export type TeamMembership = {
  userId: UserId;
  role: TeamRole;
  /** Round robin: relative share of bookings (1–100). */
  weight: number;
  /** Round robin: breaks ties between members equally far behind (0 lowest – 4 highest). */
  priority: number;
  joinedAtMs: number;
};

/**
 * A team. Its members live in the record itself, so every membership change is one write that
 * checks this record (at least one owner always remains), and a booking that relies on who the
 * members are checks it too (a removed member is never assigned after the removal landed).
 */
export type TeamRecord = {
  v: 1;
  id: TeamId;
  slug: string;
  name: string;
  /** The team's days for caps, and the zone its pages open in. A team has no hours of its own. */
  timeZone: string;
  members: TeamMembership[];
  createdAtMs: number;
  updatedAtMs: number;
};

export type TeamInviteRecord = {
  v: 1;
  id: TeamInviteId;
  teamId: TeamId;
  /** Lowercase; only a user signed in with this address can accept. */
  email: string;
  role: TeamRole;
  /** The link token is an HMAC of this salt (like booking links): the store keeps its hash only. */
  tokenSalt: string;
  invitedById: UserId;
  createdAtMs: number;
  expiresAtMs: number;
  lastSentMs: number;
  sends: number;
};

export type TeamInviteTokenRecord = { v: 1; teamId: TeamId; inviteId: TeamInviteId };
