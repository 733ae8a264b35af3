/**
 * The only file that spells Deno KV key tuples. Everything else asks these factories, so a
 * key layout change is one diff and a grep for a prefix finds every reader and writer.
 */
export type UserId = string;
export type EventTypeId = string;
export type BookingId = string;
export type JobId = string;
export type CalendarAccountId = string;
/** Derived from the account and the calendar's URL, so rediscovery keeps it stable. */
export type CalendarId = string;
/** Whose time a booking blocks: today a host's user id, later also team members. */
export type PersonId = string;
export type CoordinatorId = string;
export type TeamId = string;
export type TeamInviteId = string;

export const keys = {
  user: (id: UserId) => ["user", id] as const,
  userPrefix: () => ["user"] as const,
  userByEmail: (email: string) => ["user_by_email", email] as const, // unique
  userByUsername: (username: string) => ["user_by_username", username] as const, // unique

  // Auth.js
  account: (provider: string, providerAccountId: string) =>
    ["account", provider, providerAccountId] as const,
  accountByUser: (userId: UserId, provider: string, providerAccountId: string) =>
    ["account_by_user", userId, provider, providerAccountId] as const,
  accountByUserPrefix: (userId: UserId) => ["account_by_user", userId] as const,
  session: (token: string) => ["session", token] as const,
  sessionByUser: (userId: UserId, token: string) => ["session_by_user", userId, token] as const,
  sessionByUserPrefix: (userId: UserId) => ["session_by_user", userId] as const,
  verificationToken: (identifier: string, token: string) =>
    ["verification_token", identifier, token] as const,

  eventType: (userId: UserId, id: EventTypeId) => ["event_type", userId, id] as const,
  eventTypePrefix: (userId: UserId) => ["event_type", userId] as const,
  eventTypeBySlug: (userId: UserId, slug: string) => ["event_type_by_slug", userId, slug] as const, // unique

  availability: (userId: UserId) => ["availability", userId] as const,

  booking: (id: BookingId) => ["booking", id] as const,
  bookingByHostStart: (hostId: UserId, startMs: number, id: BookingId) =>
    ["booking_by_host_start", hostId, startMs, id] as const,
  bookingByHostStartPrefix: (hostId: UserId) => ["booking_by_host_start", hostId] as const,
  bookingByHostStartFrom: (hostId: UserId, startMs: number) =>
    ["booking_by_host_start", hostId, startMs] as const,
  /** Tokens are stored by their SHA-256 only; the value names the booking and the one action it allows. */
  bookingToken: (tokenHash: string) => ["booking_token", tokenHash] as const,
  bookingPendingByExpiry: (reservedUntilMs: number, id: BookingId) =>
    ["booking_pending_by_expiry", reservedUntilMs, id] as const,
  bookingPendingByExpiryPrefix: () => ["booking_pending_by_expiry"] as const,
  bookingPendingByExpiryUntil: (ms: number) => ["booking_pending_by_expiry", ms] as const,

  outbox: (dueMs: number, id: JobId) => ["outbox", dueMs, id] as const,
  outboxPrefix: () => ["outbox"] as const,
  outboxUntil: (dueMs: number) => ["outbox", dueMs] as const,
  /** Marks that a side effect (one email for one booking event) was queued, so it is never queued twice. */
  outboxOnce: (dedupeKey: string) => ["outbox_once", dedupeKey] as const,
  outboxByBooking: (bookingId: BookingId, id: JobId) =>
    ["outbox_by_booking", bookingId, id] as const,
  outboxByBookingPrefix: (bookingId: BookingId) => ["outbox_by_booking", bookingId] as const,

  /** Jobs that ran out of retries, kept for the host to see and retry. */
  outboxFailed: (id: JobId) => ["outbox_failed", id] as const,
  outboxFailedPrefix: () => ["outbox_failed"] as const,

  // CalDAV (see docs/decisions/005-caldav-busy-cache.md)
  calendarAccount: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_account", hostId, accountId] as const,
  calendarAccountPrefix: (hostId: UserId) => ["calendar_account", hostId] as const,
  calendarAccountAll: () => ["calendar_account"] as const,
  /** Sync outcome of an account, apart from its settings so a sync never races an edit. */
  calendarAccountStatus: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_account_status", hostId, accountId] as const,
  calendarOfAccount: (hostId: UserId, accountId: CalendarAccountId, calendarId: CalendarId) =>
    ["calendar", hostId, accountId, calendarId] as const,
  calendarOfAccountPrefix: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar", hostId, accountId] as const,
  calendarPrefix: (hostId: UserId) => ["calendar", hostId] as const,
  /** The one calendar confirmed bookings are written to (absent: none). */
  calendarWriteback: (hostId: UserId) => ["calendar_writeback", hostId] as const,
  /** Present exactly for the calendars checked for conflicts: which cached generation is current. */
  calendarBusyHead: (hostId: UserId, calendarId: CalendarId) =>
    ["calendar_busy_head", hostId, calendarId] as const,
  calendarBusyHeadPrefix: (hostId: UserId) => ["calendar_busy_head", hostId] as const,
  /** Busy windows of one calendar generation on one UTC day (split in parts under 64 KiB). */
  calendarBusy: (
    hostId: UserId,
    utcDay: string,
    calendarId: CalendarId,
    gen: string,
    part: number,
  ) => ["calendar_busy", hostId, utcDay, calendarId, gen, part] as const,
  calendarBusyFrom: (hostId: UserId, utcDay: string) => ["calendar_busy", hostId, utcDay] as const,
  /** The chunk keys of one generation, so it can be deleted without scanning. */
  calendarBusyManifest: (hostId: UserId, calendarId: CalendarId, gen: string) =>
    ["calendar_busy_manifest", hostId, calendarId, gen] as const,
  calendarBusyManifestPrefix: (hostId: UserId) => ["calendar_busy_manifest", hostId] as const,
  /** Where a confirmed booking was written (href), once the PUT succeeded. */
  bookingWriteback: (bookingId: BookingId) => ["booking_writeback", bookingId] as const,

  lease: (job: string) => ["lease", job] as const,
  rateLimit: (group: string, subject: string) => ["rate_limit", group, subject] as const,
  rateLimitCount: (group: string, subject: string, windowStartMs: number) =>
    ["rate_limit_count", group, subject, windowStartMs] as const,
  meta: (name: string) => ["meta", name] as const,

  // The booking engine (docs/decisions/002-booking-engine.md). A person is whoever's time a
  // booking blocks (today a host's user id; team members later).
  /** One live interval a person has blocked, stored on every UTC day it touches. */
  busy: (personId: PersonId, utcDay: string, blockStartMs: number, bookingId: BookingId) =>
    ["busy", personId, utcDay, blockStartMs, bookingId] as const,
  busyFrom: (personId: PersonId, utcDay: string) => ["busy", personId, utcDay] as const,
  busyStartingFrom: (personId: PersonId, utcDay: string, blockStartMs: number) =>
    ["busy", personId, utcDay, blockStartMs] as const,
  busyPrefix: (personId: PersonId) => ["busy", personId] as const,
  /**
   * Changed by every write that adds or removes any busy entry of the person (never checked):
   * booking pages reuse a person's busy list while its versionstamp is the same.
   */
  busyRev: (personId: PersonId) => ["busy_rev", personId] as const,
  /** Changed by every write that adds (or firms) a busy entry on that day: the guard. */
  busyFence: (personId: PersonId, utcDay: string) => ["busy_fence", personId, utcDay] as const,
  /** One booking counted against an event type's cap for a host-zone day or ISO week. */
  capEntry: (
    eventTypeId: EventTypeId,
    period: "day" | "week",
    periodKey: string,
    bookingId: BookingId,
  ) => ["cap_entry", eventTypeId, period, periodKey, bookingId] as const,
  capEntryPeriod: (eventTypeId: EventTypeId, period: "day" | "week", periodKey: string) =>
    ["cap_entry", eventTypeId, period, periodKey] as const,
  capEntryFrom: (eventTypeId: EventTypeId, period: "day" | "week") =>
    ["cap_entry", eventTypeId, period] as const,
  capFence: (eventTypeId: EventTypeId, period: "day" | "week", periodKey: string) =>
    ["cap_fence", eventTypeId, period, periodKey] as const,
  /** One live pending request of a guest email with a host (anti-spam cap). */
  guestHold: (hostId: UserId, email: string, bookingId: BookingId) =>
    ["guest_hold", hostId, email, bookingId] as const,
  guestHoldPrefix: (hostId: UserId, email: string) => ["guest_hold", hostId, email] as const,
  guestHoldFence: (hostId: UserId, email: string) => ["guest_hold_fence", hostId, email] as const,
  /** A multi-person hold: the one record a team booking's final commit checks. */
  coordinator: (id: CoordinatorId) => ["coordinator", id] as const,
  coordinatorByUntil: (untilMs: number, id: CoordinatorId) =>
    ["coordinator_by_until", untilMs, id] as const,
  coordinatorByUntilPrefix: () => ["coordinator_by_until"] as const,
  coordinatorByUntilEnd: (untilMs: number) => ["coordinator_by_until", untilMs] as const,
  bookingPrefix: () => ["booking"] as const,

  // Teams (docs/decisions/009-teams.md). A team's event types are stored like a host's, under
  // `eventType(teamId, id)`; team slugs and usernames share one namespace (/team/x, /calendar/x).
  team: (id: TeamId) => ["team", id] as const,
  teamBySlug: (slug: string) => ["team_by_slug", slug] as const, // unique, and no such username
  /** Index: the teams a user belongs to (the value is the team id). */
  teamByMember: (userId: UserId, teamId: TeamId) => ["team_by_member", userId, teamId] as const,
  teamByMemberPrefix: (userId: UserId) => ["team_by_member", userId] as const,
  teamInvite: (teamId: TeamId, id: TeamInviteId) => ["team_invite", teamId, id] as const,
  teamInvitePrefix: (teamId: TeamId) => ["team_invite", teamId] as const,
  /** One pending invitation per address and team (value: the invitation id). */
  teamInviteByEmail: (email: string, teamId: TeamId) =>
    ["team_invite_by_email", email, teamId] as const,
  teamInviteByEmailPrefix: (email: string) => ["team_invite_by_email", email] as const,
  /** An invitation link's token, by its SHA-256 only. */
  teamInviteToken: (tokenHash: string) => ["team_invite_token", tokenHash] as const,
  /** A round-robin event type's rotation: checked in the commit of every booking it assigns. */
  teamRotation: (eventTypeId: EventTypeId) => ["team_rotation", eventTypeId] as const,
  /** Index: a team's bookings by start (the value is the booking id). */
  teamBooking: (teamId: TeamId, startMs: number, id: BookingId) =>
    ["team_booking", teamId, startMs, id] as const,
  teamBookingPrefix: (teamId: TeamId) => ["team_booking", teamId] as const,
  teamBookingFrom: (teamId: TeamId, startMs: number) => ["team_booking", teamId, startMs] as const,
  /** Where a multi-person booking was written into one member's calendar (not its host's). */
  bookingWritebackOf: (bookingId: BookingId, personId: PersonId) =>
    ["booking_writeback_person", bookingId, personId] as const,
  // Schema 1 keys, read only by the migration (store/migrate.ts).
  legacyHostDayPrefix: () => ["host_day"] as const,
  legacyEventTypeCapPrefix: () => ["event_type_cap"] as const,
  legacyGuestHoldsPrefix: () => ["guest_holds"] as const,
};
