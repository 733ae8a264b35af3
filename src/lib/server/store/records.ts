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
  /** The host's language for the dashboard and their mails, a BCP 47 tag (unset: the browser's). */
  locale?: string;
  image: string | null;
  createdAtMs: number;
  /** Sites allowed to frame this host's widget; undefined = any site. */
  embedOrigins?: string[];
  /** Usernames this host gave up that are still held for them (and forward to the current one). */
  previousUsernames?: { username: string; untilMs: number }[];
  /** The host closed their account: nothing is public, nobody signs in as them. */
  closedAtMs?: number;
  /** A host who signed up and has not finished or skipped the first-run setup yet. */
  onboarding?: "pending";
};

/** A released username, held for its last owner until `untilMs`. */
export type UsernameReleasedRecord = { v: 1; userId: UserId; untilMs: number };

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

/** A database session, stored under the SHA-256 of its token (the cookie holds the token). */
export type SessionRecord = { v: 2; tokenHash: string; userId: UserId; expiresMs: number };
/** Before issue 10: keyed by the token itself. Moved on start by `migrateLegacySessions`. */
export type LegacySessionRecord = { v: 1; sessionToken: string; userId: UserId; expiresMs: number };
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
import type { FollowUp, Location, Question, Reminder } from "../../shared/public-types.ts";
import type { Language } from "../../shared/i18n.ts";
export type { FollowUp };

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
  /** Bookable only through its own link: not listed anywhere (see domain/event-visibility.ts). */
  secret?: boolean;
  /** Mails to the guest after a confirmed meeting ends. */
  followUps?: FollowUp[];
  /** The booking page's language, fixed by the host; unset: the guest's. */
  language?: Language | null;
};

/** What makes an event type a team's (docs/decisions/016-teams.md); absent on a host's own. */
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
  /** Follow-up mails after the meeting, as configured when the booking was made. */
  followUps?: FollowUp[];
  /** The single-use link this booking consumed, if it was made through one. */
  singleUseLinkId?: string;
  /**
   * Random salt from which the booking's link tokens are derived with an HMAC keyed by the
   * server secret: mails sent days later can rebuild a link, while the store holds only hashes.
   */
  tokenSalt: string;
  /** Set when the host erased the guest's personal data (name, address, note, answers). */
  guestErasedAtMs?: number;
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
  /** A pending request expired before the host answered (sent once, with the expiry). */
  | "host_expired"
  | "reminder_guest"
  | "reminder_host"
  | "follow_up"
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
  | { kind: "raw_mail"; to: string; subject: string; text: string; html?: string }
  /** Sent only if the booking is still CONFIRMED and still starts at `startMs` when due. */
  | { kind: "follow_up"; bookingId: BookingId; startMs: number; minutesAfter: number }
  /**
   * A booking changed state: the webhook performer fans it out to the host's subscriptions.
   * `seq` is the booking's history length after the change, so receivers can order events.
   */
  | { kind: "webhook_event"; bookingId: BookingId; event: WebhookEvent; seq: number }
  /** One message to one subscription (created once per event and subscription by the fan-out). */
  | { kind: "webhook_delivery"; hostId: UserId; subscriptionId: string; messageId: string };

export type WebhookEvent =
  | "booking.requested"
  | "booking.confirmed"
  | "booking.rejected"
  | "booking.cancelled"
  | "booking.rescheduled"
  | "booking.expired";

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
};

export type LeaseRecord = { owner: string; untilMs: number };

// CalDAV

export type CalendarErrorKind =
  | "auth"
  | "network"
  | "parse"
  | "not_caldav"
  | "forbidden_address"
  /** Google/Microsoft: consent revoked or the refresh token refused; only the host can fix it. */
  | "reconnect"
  /** Google/Microsoft: the calendar or event is not there (404). */
  | "not_found";
export type CalendarError = { kind: CalendarErrorKind; detail: string; atMs: number };

/** Where a calendar account lives; records from before Google/Microsoft have none (CalDAV). */
export type CalendarProviderKind = "caldav" | "google" | "microsoft";

/**
 * A connected calendar account. CalDAV: the password is sealed (AES-256-GCM) and never leaves
 * the server. Google/Microsoft (`provider` set): `serverUrl` is the provider's API base,
 * `username` the account's address, the password field is empty and the OAuth tokens live in
 * `CalendarTokenRecord` (so a token refresh never invalidates a sync that checks the account).
 */
export type CalendarAccountRecord = {
  v: 1;
  id: CalendarAccountId;
  hostId: UserId;
  provider?: CalendarProviderKind;
  serverUrl: string;
  username: string;
  password: Sealed;
  principalUrl: string;
  homeUrl: string;
  createdAtMs: number;
};

/**
 * OAuth tokens of a Google/Microsoft account. `tokenGen` counts stored token sets: a refresh is
 * claimed with `refreshing` (compare-and-swap on this entry) and stored only if `tokenGen` is
 * still the one it started from, so two processes never spend one refresh token twice.
 */
export type CalendarTokenRecord = {
  v: 1;
  /** sealed JSON `{ accessToken, refreshToken }` */
  sealed: Sealed;
  accessExpiresAtMs: number;
  tokenGen: number;
  refreshing: { owner: string; untilMs: number } | null;
  /** set when the provider refused the refresh token (invalid_grant) or the grant: reconnect needed */
  revokedAtMs: number | null;
  revokedReason: string | null;
  updatedAtMs: number;
};

/** A started OAuth authorization, keyed by the SHA-256 of its state; consumed by the callback. */
export type OAuthStateRecord = {
  v: 1;
  hostId: UserId;
  provider: "google" | "microsoft";
  codeVerifier: string;
  expiresMs: number;
  /** reconnecting this account (else a new account) */
  accountId: CalendarAccountId | null;
};

/** Per-event busy windows of a generation: [eventId, seriesId | null, start, end, start, end, …]. */
export type CalendarEventsChunkRecord = { v: 1; e: [string, string | null, ...number[]][] };

/** Where a meeting's event was written, by its UID: a reschedule updates it there in place. */
export type MeetingWritebackRecord = {
  v: 1;
  bookingId: BookingId;
  accountId: CalendarAccountId;
  calendarId: CalendarId;
  calendarName: string;
  /** CalDAV: the event's URL; Google/Microsoft: the event id */
  remoteId: string;
  etag: string | null;
  writtenAtMs: number;
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
  /** CalDAV: the collection's URL; Google/Microsoft: the calendar's id at the provider */
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
  /** The account lost its authorization (Google/Microsoft): nothing cached counts until a read succeeds. */
  failClosed?: boolean;
  events: number;
  skipped: { uid: string | null; reason: string }[];
};

/** Busy windows as flat [start, end, start, end, …] epoch ms. */
export type CalendarBusyChunkRecord = { v: 1; w: number[] };
export type CalendarBusyManifestRecord = {
  v: 1;
  chunks: [string, number][];
  createdAtMs: number;
  /** parts of the per-event state (incremental providers only) */
  eventParts?: number;
};

export type BookingWritebackRecord = {
  v: 1;
  accountId: CalendarAccountId;
  calendarId: CalendarId;
  calendarName: string;
  /** CalDAV: the event's URL; Google/Microsoft: the event id */
  href: string;
  /** the meeting's UID the event carries (absent on records from before reschedules kept UIDs) */
  uid?: string;
  etag: string | null;
  writtenAtMs: number;
};

// Developer integrations

export type ApiScope = "read" | "write";

export type ApiKeyRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  name: string;
  /** The first characters of the secret, to tell keys apart in the list. */
  prefix: string;
  /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
  hash: string;
  scopes: ApiScope[];
  expiresAtMs: number | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
};

export type ApiKeyIndexRecord = { v: 1; hostId: UserId; keyId: string };

export type IdempotencyRecord = {
  v: 1;
  /** SHA-256 of method, path and canonical body: the same key with another request is refused. */
  fingerprint: string;
  state: "running" | "done";
  /** While running: when another request may take over (the first one died). */
  untilMs: number;
  createdAtMs: number;
  status?: number;
  body?: unknown;
};

/** What the committed change was, so a crash between commit and answer can still be answered. */
export type IdempotencyCommitRecord = {
  v: 1;
  fingerprint: string;
  atMs: number;
  target:
    | { kind: "booking"; bookingId: BookingId }
    | { kind: "new_booking"; hostId: UserId; startMs: number; email: string };
};

export type WebhookSecret = { sealed: Sealed; createdAtMs: number; expiresAtMs: number | null };

export type WebhookSubscriptionRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  disabledReason: string | null;
  /** Newest first; an older one is still signed with until it expires (rotation overlap). */
  secrets: WebhookSecret[];
  /** The first failure since the last success; 3 days of failing disables the subscription. */
  failingSinceMs: number | null;
  lastSuccessMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
};

// Teams (docs/decisions/016-teams.md)

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

export type WebhookMessageRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  event: WebhookEvent | "webhook.test";
  /** The exact body sent (and signed) on every attempt. */
  body: string;
  createdAtMs: number;
};

export type WebhookAttemptRecord = {
  v: 1;
  id: string;
  messageId: string;
  event: string;
  attempt: number;
  atMs: number;
  durationMs: number;
  /** HTTP status; null when no answer came (network, timeout, refused address). */
  status: number | null;
  ok: boolean;
  error: string | null;
  responseExcerpt: string;
  /** When the next attempt is due; null when none will follow. */
  nextRetryAtMs: number | null;
};

export type IcsFeedRecord = { v: 1; salt: string; createdAtMs: number };
// Single-use links (see docs/decisions/024-single-use-links.md)

/**
 * A link that books one event type once. The URL's token is an HMAC of `salt` and the id (the
 * store keeps only its SHA-256 in the index), so the dashboard can show the link again.
 */
export type SingleUseLinkRecord = {
  v: 1;
  id: string;
  hostId: UserId;
  eventTypeId: EventTypeId;
  salt: string;
  createdAtMs: number;
  /** The link stops working at this instant; null = never. */
  expiresAtMs: number | null;
  /** Only this guest email may book with it (lowercase); null = anyone with the link. */
  guestEmail: string | null;
  /** The host's own note, e.g. who it was sent to. */
  label: string;
};

/**
 * Present once a link is spent: written absent-checked in the booking's own atomic write (or by
 * a revoke), so of any number of guests racing on one link exactly one books.
 */
export type SingleUseLinkUseRecord =
  | {
    v: 1;
    kind: "used";
    bookingId: BookingId;
    guestName: string;
    guestEmail: string;
    atMs: number;
  }
  | { v: 1; kind: "revoked"; atMs: number };

/** The latest failed delivery on one channel of a host, for the insights health panel. */
export type InsightsProblemRecord = {
  v: 1;
  channel: string;
  atMs: number;
  /** what failed: a mail template, "put"/"delete" for calendar writes, a job kind */
  what: string;
  /** "retrying" (will be tried again) or "failed" (out of retries) */
  outcome: "retrying" | "failed";
  detail: string;
  bookingId: BookingId | null;
};

/** Progress of the backfill of bookings made before counting began (see 007-insights.md). */
export type InsightsBackfillRecord = {
  v: 1;
  /** the last booking id looked at; the next run starts after it */
  after: BookingId | null;
  done: boolean;
  counted: number;
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
