/**
 * Stored shapes. Records hold epoch milliseconds and ISO strings (Temporal objects cannot be
 * structured-cloned into KV) and carry a version so that later shapes can be migrated on read.
 */
import type { BookingId, CoordinatorId, EventTypeId, PersonId, TeamId, UserId } from "./ids.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../availability.ts";

// Calendar accounts and their caches, the developer integrations (API keys, idempotency,
// webhooks), routing forms and the booking engine's guard records are described beside this file; their shapes are part of this vocabulary.
export type * from "./calendar-records.ts";
export type * from "./developer-records.ts";
export type * from "./routing-records.ts";
export type * from "./engine-records.ts";
export type * from "./poll-records.ts";
export type * from "./team-records.ts";
import type { DeclinedAttendee } from "./poll-records.ts";
import type { BookingSource } from "../../../shared/booking-extras.ts";
export type { BookingSource };

/**
 * How someone reads a mail: its language, the zone its times are in and their clock (a poll's
 * voter as the page they answered on read; see `BookingRecord.additionalGuestReaders`).
 */
export type GuestReader = { locale: string; timeZone: string; clock: "12h" | "24h" };

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
  /**
   * `clock` follows the host's language (Profile's "Automatic"): written again when the language
   * changes. Unset on accounts from before 2026-11-27: their clock stays as it was.
   */
  clockAuto?: boolean;
  /** The first day of the host's week in the dashboard (1 Monday, 6 Saturday, 7 Sunday; unset: their locale's). */
  weekStart?: 1 | 6 | 7;
  /** The host's language for the dashboard and their mails, a BCP 47 tag (unset: the browser's). */
  locale?: string;
  image: string | null;
  createdAtMs: number;
  /** Sites allowed to frame this host's widget; undefined = any site. */
  embedOrigins?: string[];
  /** `invito:booked` may carry the guest's name and email to listed sites (never to "*"). */
  embedShareGuestData?: boolean;
  /** After booking in the widget, a thank-you page replaces the embedding page (ADR 046). */
  embedNavigateParent?: boolean;
  /** Usernames this host gave up that are still held for them (and forward to the current one). */
  previousUsernames?: { username: string; untilMs: number }[];
  /** The host closed their account: nothing is public, nobody signs in as them. */
  closedAtMs?: number;
  /**
   * An admin suspended the account: every credential refuses it (sessions, API keys and the feed
   * are also removed), its pages say "not taking bookings", its bookings ahead are kept.
   */
  suspendedAtMs?: number;
  /** The last completed sign-in (shown to admins). */
  lastSignInMs?: number;
  /** When the host's photo was last set (its URL carries it, so a new photo is fetched anew). */
  photoMs?: number;
  /** A host who signed up and has not finished or skipped the first-run setup yet. */
  onboarding?: "pending";
  /**
   * How guests book the host's new event types: the setup's "I confirm each request" presets the
   * new event type form to requests (unset: instant booking, as for accounts before 2026-11-28).
   */
  confirmByDefault?: boolean;
};

/** A host's photo: sniffed PNG, JPEG or WebP bytes (domain/photo.ts). */
export type UserPhotoRecord = {
  v: 1;
  type: "image/png" | "image/jpeg" | "image/webp";
  bytes: Uint8Array;
  updatedAtMs: number;
};

/** A released username, held for its last owner until `untilMs`. */
/**
 * A released name held for whoever gave it up: a user (renamed, or closed their account), or
 * with `team` a team whose slug it was (`userId` is then the team's id; ids never clash).
 */
export type UsernameReleasedRecord = { v: 1; userId: UserId; untilMs: number; team?: true };

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
} from "../../../shared/public-types.ts";
import type { FollowUp, Location, Question, Reminder } from "../../../shared/public-types.ts";
import type { Language } from "../../../shared/i18n.ts";
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
  /** Before issue 27: the one location offered (read as a list of one when `locations` is absent). */
  location?: Location;
  /** The locations offered; with more than one the guest picks (domain/locations.ts). */
  locations?: Location[];
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
  /** After booking, guests go to this page (https, or the host's own site; domain/embed.ts). */
  thankYouUrl?: string | null;
  /** The thank-you address gets the booking's parameters appended (domain/embed.ts `REDIRECT_PARAMS`). */
  thankYouParams?: boolean;
  /** Name and email filled in from the link (prefill) cannot be changed by the guest. */
  lockPrefill?: boolean;
  /** How the booking page lays out free times (domain/slot-layout.ts); unset: month. */
  layout?: "month" | "week" | "column";
  /** Seats per time (docs/decisions/040-seats.md): several guests share one meeting. */
  seats?: SeatSettings | null;
  /** Extra attendees a guest may add (0–10; absent: 5, `GUESTS_DEFAULT`). */
  maxGuests?: number;
  /** A recurring series (issue 25, domain/series.ts): the guest books every date at once. */
  series?: SeriesSettings | null;
};

/** Repeats every 1–4 weeks, 2–52 occurrences (domain/series.ts `seriesRuleOf`). */
export type SeriesSettings = {
  everyWeeks: number;
  count: number;
  /** The guest may book the free dates only (the others listed as skipped). */
  freeOnly: boolean;
};

/** A seated event type: up to `perTime` guests per time, each with a booking of their own. */
export type SeatSettings = {
  /** 2–500 (domain/seats.ts `SEATS_MIN`/`SEATS_MAX`). */
  perTime: number;
  /** Guests see each other's names on their booking page (off: only the host and themselves). */
  showAttendees: boolean;
  /** The booking page does not show how many seats are left. */
  hideCount: boolean;
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
  /**
   * A hand-over's copy (ADR 043): the departing host's event type this one was copied from, so
   * the meetings handed over are of an event type of their new host, and a later hand-over of
   * the same kind reuses it.
   */
  handedOverFrom?: EventTypeId;
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
   * Made through a one-off link: the times its host offered (epoch ms, 1–10), copied from the
   * link so that the host taking the link off their list changes nothing. The guest moves the
   * booking only to one of them still free (domain/guest-moves.ts); every move keeps them.
   */
  offeredStarts?: number[];
  /**
   * Random salt from which the booking's link tokens are derived with an HMAC keyed by the
   * server secret: mails sent days later can rebuild a link, while the store holds only hashes.
   */
  tokenSalt: string;
  /** Set when the host erased the guest's personal data (name, address, note, answers). */
  guestErasedAtMs?: number;
  /**
   * The browser that booked it from the booking page: a short hash of the random cookie that
   * browser got with the page (http/booker-cookie.ts). A second, identical post from the same
   * browser is answered with this booking instead of "taken" (domain/repeat-post.ts, ADR 060).
   * Not exported, dropped when the guest is erased.
   */
  bookerTag?: string;
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
  /**
   * A seat of a seated meeting: the meeting's id (its ledger's), which names the host's one busy
   * entry of that time and the meeting in calendars.
   */
  seat?: { meetingId: string };
  /**
   * Extra attendees the guest invited (issue 29): invited with the meeting, told of its end;
   * never shown to another booking's guest (a seat's neighbours included).
   */
  additionalGuests?: string[];
  /**
   * The additional guests' names where they gave them (a meeting poll's voters), by address as
   * in `additionalGuests`: their ATTENDEE lines carry them (CN) and the meeting's SUMMARY names
   * them. Kept by every move of the meeting; an erased guest's name goes with their address.
   */
  additionalGuestNames?: Record<string, string>;
  /**
   * How each additional guest reads their mails, by address as in `additionalGuests`, where they
   * told us (a meeting poll's voters: the page they answered on; ADR 050, amendment of
   * 2026-11-27): their mails about the meeting go in that language, zone and clock, one mail per
   * way of reading (domain/guest-readers.ts). Absent for an address: the guest's own reading.
   * Kept by every move of the meeting; an erased guest's entry goes with their address.
   */
  additionalGuestReaders?: Record<string, GuestReader>;
  /**
   * The host invited the additional guests (a meeting poll's other invitees), not the guest:
   * their mails name the host and take replies to the host. Kept by every move of the meeting.
   */
  invitedBy?: "host";
  /** The host's invitees who cannot come (poll-records.ts `DeclinedAttendee`; ADR 050). */
  declined?: DeclinedAttendee[];
  /** Where the guest came from: UTM parameters and `ref` of the booking page's URL. */
  source?: BookingSource;
  routing?: import("./routing-records.ts").RoutedFrom; // the form response it came from
  /**
   * An occurrence of a recurring series (docs/decisions/048-recurring-series.md): the series'
   * id, this occurrence's place (0-based) and how many the guest booked.
   */
  series?: BookingSeries;
  /**
   * How the booking came, where its other fields cannot tell (a poll's pick, a guest's new time
   * after the host asked). Absent: read from them (domain/booking-origin.ts `originOf`).
   */
  origin?: BookingOrigin;
};

/** How a booking came, as insights tell bookings apart (domain/insights-origin.ts). */
export type BookingOrigin =
  | "guest"
  | "link"
  | "poll"
  | "for_guest"
  | "host_move"
  | "guest_move"
  | "rebook"
  /** A guest booking through the JSON API (an integrator's app, or an assistant over MCP). */
  | "api"
  /** Handed over to this host by an admin (services/hand-over.ts). */
  | "handover";

export type BookingSeries = {
  id: string;
  index: number;
  count: number;
  /**
   * The series' dates the guest did not book because they were not free ("free dates only"):
   * their starts (epoch ms), so every mail and page can say which dates the series leaves out.
   * `count` counts the booked dates only.
   */
  skipped?: number[];
};
export type TokenPurpose = "confirm" | "reject" | "guest";
export type BookingTokenRecord = { v: 1; bookingId: BookingId; purpose: TokenPurpose };

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
  /**
   * A one-off link with hand-picked times (issue 28): only these starts (epoch ms, 1–10) are
   * offered, those still free; absent = every time the event type offers.
   */
  offeredStarts?: number[];
  /** The host's note to the guest, shown on the link's page (one-off links). */
  note?: string;
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
