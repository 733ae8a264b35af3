/** Stored shapes of calendar accounts, their calendars and caches (see records.ts). */
import type { BookingId, CalendarAccountId, CalendarId, UserId } from "./ids.ts";
import type { Sealed } from "../../util/digest.ts";

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
  provider: "google" | "microsoft" | "zoom";
  codeVerifier: string;
  expiresMs: number;
  /** reconnecting this account (else a new account) */
  accountId: CalendarAccountId | null;
};

/** A provider's Retry-After for one calendar account: no call of the account before `untilMs`. */
export type ProviderHoldRecord = { v: 1; untilMs: number };

/** Per-event busy windows of a generation: [eventId, seriesId | null, start, end, start, end, …]. */
export type CalendarEventsChunkRecord = {
  v: 1;
  e: [string, string | null, ...number[]][];
  /** [event id, attrs]: what later deltas need of events that block nothing (series masters) */
  a?: [string, string][];
};

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
  /**
   * The calendar that received bookings was deleted on the server (found gone by a sync): said on
   * the calendars page until the host saves their calendar settings again.
   */
  lostWriteback?: { name: string; atMs: number } | null;
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

/**
 * A host's Zoom connection (meetings per booking; docs/decisions/045-zoom-meetings.md). Its
 * OAuth tokens are a `CalendarTokenRecord` under the account id `ZOOM_ACCOUNT_ID`, so they are
 * refreshed, shared and revoked by the same machinery as the calendars' (ADR 027).
 */
export type ZoomConnectionRecord = {
  v: 1;
  hostId: UserId;
  /** the Zoom user's address, as Zoom names it (`GET /users/me`) */
  username: string;
  connectedAtMs: number;
};

/**
 * The Zoom meeting of one meeting UID (a reschedule successor keeps the UID, so it moves the same
 * Zoom meeting): made by the first confirmed write, deleted when the meeting ends.
 */
export type ZoomMeetingRecord = {
  v: 1;
  hostId: UserId;
  meetingId: string;
  joinUrl: string;
  bookingId: BookingId;
  createdAtMs: number;
};
