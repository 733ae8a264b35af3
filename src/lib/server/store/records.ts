/**
 * Stored shapes. Records hold epoch milliseconds and ISO strings (Temporal objects cannot be
 * structured-cloned into KV) and carry a version so that later shapes can be migrated on read.
 */
import type {
  BookingId,
  CalendarAccountId,
  CalendarId,
  EventTypeId,
  JobId,
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
  /** The host's language for the dashboard and their mails, a BCP 47 tag (unset: the browser's). */
  locale?: string;
  image: string | null;
  createdAtMs: number;
  /** Sites allowed to frame this host's widget; undefined = any site. */
  embedOrigins?: string[];
  /** A host who signed up and has not finished or skipped the first-run setup yet. */
  onboarding?: "pending";
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
import type { Language } from "../../shared/i18n.ts";

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
  /** The booking page's language, fixed by the host; unset: the guest's. */
  language?: Language | null;
};

export type EventTypeRecord = EventTypeRules & {
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
  /** What the booking blocks on the host's ledger: the meeting plus the event type's buffers. */
  blockStartMs: number;
  blockEndMs: number;
  status: BookingStatus;
  guestName: string;
  guestEmail: string;
  guestNote: string;
  guestTimeZone: string;
  /** How the guest writes times, as on the page they booked from (older records: 24-hour). */
  guestClock?: "12h" | "24h";
  /** The guest's language as on the page they booked from (BCP 47); their mails and pages use it. */
  guestLocale?: string;
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
  answers?: { questionId: string; label: string; value: string; checked?: boolean }[];
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
};

export type TokenPurpose = "confirm" | "reject" | "guest";
export type BookingTokenRecord = { v: 1; bookingId: BookingId; purpose: TokenPurpose };

/** One live interval on a host's UTC-day ledger. */
export type LedgerEntry = {
  bookingId: BookingId;
  startMs: number;
  endMs: number;
  /** PENDING holds stop blocking at this instant even before the expiry job runs; null = confirmed. */
  holdUntilMs: number | null;
};
export type LedgerRecord = { v: 1; entries: LedgerEntry[] };

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
  | "reminder_guest"
  | "reminder_host"
  | "magic_link";

export type OutboxPayload =
  | { kind: "booking_mail"; mail: MailKind; bookingId: BookingId }
  | { kind: "writeback"; op: "put" | "delete"; bookingId: BookingId }
  /** Sent only if the booking is still CONFIRMED and still starts at `startMs` when due. */
  | {
    kind: "reminder";
    bookingId: BookingId;
    startMs: number;
    minutesBefore: number;
    toHost: boolean;
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

/** A guest's live pending requests with one host, for the per-guest cap. */
export type GuestHoldsRecord = { v: 1; holds: { bookingId: BookingId; untilMs: number }[] };

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

/** Live bookings of one event type on one host-zone day or ISO week (for caps). */
export type CapCounterRecord = {
  v: 1;
  entries: { bookingId: BookingId; holdUntilMs: number | null }[];
};
