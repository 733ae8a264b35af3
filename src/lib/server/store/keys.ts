/**
 * The only file that spells Deno KV key tuples. Everything else asks these factories, so a
 * key layout change is one diff and a grep for a prefix finds every reader and writer.
 */
export type {
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
} from "../domain/model/ids.ts";
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
} from "../domain/model/ids.ts";
import type { Entry, Key } from "../domain/model/entries.ts";

export const keys = {
  user: (id: UserId) => ["user", id] as const,
  userPrefix: () => ["user"] as const,
  userByEmail: (email: string) => ["user_by_email", email] as const, // unique
  userByUsername: (username: string) => ["user_by_username", username] as const, // unique
  /** A username its last owner gave up, held for them for a while (domain/username.ts). */
  usernameReleased: (username: string) => ["username_released", username] as const,
  /** The host's photo (domain/photo.ts): one value, ≤ 60 KiB of image bytes. */
  userPhoto: (id: UserId) => ["user_photo", id] as const,

  // Auth.js
  account: (provider: string, providerAccountId: string) =>
    ["account", provider, providerAccountId] as const,
  accountByUser: (userId: UserId, provider: string, providerAccountId: string) =>
    ["account_by_user", userId, provider, providerAccountId] as const,
  accountByUserPrefix: (userId: UserId) => ["account_by_user", userId] as const,
  /** Sessions by the SHA-256 of their token (hex); the token itself is never stored. */
  session: (tokenHash: string) => ["session", tokenHash] as const,
  sessionPrefix: () => ["session"] as const,
  sessionByUser: (userId: UserId, tokenHash: string) =>
    ["session_by_user", userId, tokenHash] as const,
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
  /** A recurring series' occurrences in order (value: the booking id). */
  bookingBySeries: (hostId: UserId, seriesId: string, index: number) =>
    ["booking_by_series", hostId, seriesId, index] as const,
  bookingBySeriesPrefix: (hostId: UserId, seriesId: string) =>
    ["booking_by_series", hostId, seriesId] as const,
  bookingBySeriesHostPrefix: (hostId: UserId) => ["booking_by_series", hostId] as const,
  bookingByHostStartFrom: (hostId: UserId, startMs: number) =>
    ["booking_by_host_start", hostId, startMs] as const,
  /**
   * Link tokens of bookings made before ADR 054, by their SHA-256 only; the value names the
   * booking and the one action it allows. Newer tokens prove themselves and store nothing.
   */
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
  /**
   * A queued (value: its dueMs) or parked (-1) job that carries a webhook body of its own
   * (`host_event`: a poll answer, a form submission), under each person who hears it
   * (`jobPointers`): erasing a guest finds the bodies naming them not fanned out yet (ADR 022).
   */
  outboxByPerson: (personId: PersonId, id: JobId) => ["outbox_by_person", personId, id] as const,
  outboxByPersonPrefix: (personId: PersonId) => ["outbox_by_person", personId] as const,
  /** A queued (value: its dueMs) or parked (-1) job that the drain takes before due order. */
  outboxUrgent: (id: JobId) => ["outbox_urgent", id] as const,
  outboxUrgentPrefix: () => ["outbox_urgent"] as const,

  /** Jobs that ran out of retries, kept for the host to see and retry. */
  outboxFailed: (id: JobId) => ["outbox_failed", id] as const,
  outboxFailedPrefix: () => ["outbox_failed"] as const,

  // CalDAV (see docs/decisions/005-caldav-busy-cache.md)
  calendarAccount: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_account", hostId, accountId] as const,
  calendarAccountPrefix: (hostId: UserId) => ["calendar_account", hostId] as const,
  calendarAccountAll: () => ["calendar_account"] as const,
  /**
   * An account's id by the SHA-256 of its identity (domain/calendar-account-identity.ts), kept
   * after the account is removed: connected again, it is the same account; and every insert
   * checks it, so two presses connecting one account at once make one.
   */
  calendarAccountIdentity: (hostId: UserId, identity: string) =>
    ["calendar_account_identity", hostId, identity] as const,
  calendarAccountIdentityPrefix: (hostId: UserId) => ["calendar_account_identity", hostId] as const,
  /** Sync outcome of an account, apart from its settings so a sync never races an edit. */
  calendarAccountStatus: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_account_status", hostId, accountId] as const,
  calendarAccountStatusPrefix: (hostId: UserId) => ["calendar_account_status", hostId] as const,
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
  calendarBusyHeadAll: () => ["calendar_busy_head"] as const,
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

  // Google and Microsoft calendars (see docs/decisions/027-google-microsoft-calendars.md)
  /** OAuth tokens of a calendar account, apart from the account so a refresh never races a sync. */
  calendarToken: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_token", hostId, accountId] as const,
  /** The provider asked this account (mailbox) to wait (429/503 Retry-After): nothing goes out before. */
  calendarHold: (hostId: UserId, accountId: CalendarAccountId) =>
    ["calendar_hold", hostId, accountId] as const,
  /** A pending OAuth authorization (PKCE verifier), consumed once by the callback. */
  oauthState: (stateHash: string) => ["oauth_state", stateHash] as const,
  /** A host's Zoom connection (its tokens: `calendarToken(hostId, ZOOM_ACCOUNT_ID)`). */
  zoomConnection: (hostId: UserId) => ["zoom_connection", hostId] as const,
  /** The Zoom meeting made for a meeting UID. */
  zoomMeeting: (meetingUid: string) => ["zoom_meeting", meetingUid] as const,
  /** Per-event busy state of one cache generation, for incremental (delta) syncs. */
  calendarEvents: (hostId: UserId, calendarId: CalendarId, gen: string, part: number) =>
    ["calendar_events", hostId, calendarId, gen, part] as const,
  /** Where the event of one meeting (by its iCalendar UID) lives, so a reschedule updates it in place. */
  meetingWriteback: (uid: string) => ["meeting_writeback", uid] as const,

  // Routing forms (issue 30)
  routingForm: (ownerId: UserId, formId: string) => ["routing_form", ownerId, formId] as const,
  routingFormPrefix: (ownerId: UserId) => ["routing_form", ownerId] as const,
  routingFormBySlug: (ownerId: UserId, slug: string) =>
    ["routing_form_by_slug", ownerId, slug] as const, // unique
  /** Responses of one form, in submission (ULID) order. */
  routingResponse: (formId: string, responseId: string) =>
    ["routing_response", formId, responseId] as const,
  routingResponsePrefix: (formId: string) => ["routing_response", formId] as const,
  /** The response a booking followed (set once, when the routed visitor books). */
  routingResponseByBooking: (bookingId: BookingId) =>
    ["routing_response_by_booking", bookingId] as const,
  /** A form's responses by the guest's email (lower case), for erasure (ADR 022). */
  routingResponseByEmail: (ownerId: UserId, email: string, responseId: string) =>
    ["routing_response_by_email", ownerId, email, responseId] as const,
  routingResponseByEmailPrefix: (ownerId: UserId, email: string) =>
    ["routing_response_by_email", ownerId, email] as const,
  /** Funnel counters (Deno.KvU64, changed only by `sum`): per form, route and stage. */
  routingCount: (formId: string, routeId: string, stage: string) =>
    ["routing_count", formId, routeId, stage] as const,
  routingCountPrefix: (formId: string) => ["routing_count", formId] as const,

  lease: (job: string) => ["lease", job] as const,
  /**
   * The last tick of a cron job that some process claimed (store/leases.ts `claimTick`). Not a
   * lease: it is never released (another process would run that tick again), only expires.
   */
  cronTick: (job: string) => ["cron_tick", job] as const,
  leasePrefix: () => ["lease"] as const,
  rateLimit: (group: string, subject: string) => ["rate_limit", group, subject] as const,
  meta: (name: string) => ["meta", name] as const,
  /**
   * A booking change's receipt: written in the change's own atomic write, under an id fresh for
   * each attempt, so a commit whose answer was lost is known to have landed exactly when its
   * receipt exists (store/bookings.ts). Expires after an hour.
   */
  commitReceipt: (id: string) => ["commit_receipt", id] as const,

  // Developer integrations: API keys, Idempotency-Key records, webhooks, the ICS feed
  /** A host's API key (the secret is kept only as its SHA-256, in `apiKeyByHash`). */
  apiKey: (hostId: UserId, keyId: string) => ["api_key", hostId, keyId] as const,
  apiKeyPrefix: (hostId: UserId) => ["api_key", hostId] as const,
  apiKeyByHash: (hash: string) => ["api_key_by_hash", hash] as const, // unique
  /** The answer to a request with an Idempotency-Key (or "running" while it runs). */
  idempotency: (scope: string, key: string) => ["idempotency", scope, key] as const,
  /** Committed in the same write as the change the request made; checked absent by it. */
  idempotencyCommit: (scope: string, key: string) => ["idempotency_commit", scope, key] as const,
  /** Every commit record (kept 25 h): erasing a guest reads them for the bookings they name. */
  idempotencyCommitPrefix: () => ["idempotency_commit"] as const,
  webhookSub: (hostId: UserId, subId: string) => ["webhook_sub", hostId, subId] as const,
  webhookSubPrefix: (hostId: UserId) => ["webhook_sub", hostId] as const,
  webhookSubAll: () => ["webhook_sub"] as const,
  /** One event's signed body, shared by its deliveries; written once (the fan-out's dedupe). */
  webhookMessage: (messageId: string) => ["webhook_message", messageId] as const,
  /**
   * Every message a person heard, by the booking it is about ("" for other events), written
   * with the message and ending with it (value: its `createdAtMs`, so a restore can end it).
   * The log names only messages already tried; erasing a guest needs the ones still queued too,
   * and a team booking's copies in its other members' stores of messages (ADR 022).
   */
  webhookMessageByPerson: (personId: PersonId, bookingId: BookingId | "", messageId: string) =>
    ["webhook_message_by_person", personId, bookingId, messageId] as const,
  webhookMessageByPersonPrefix: (personId: PersonId) =>
    ["webhook_message_by_person", personId] as const,
  webhookMessageByPersonBookingPrefix: (personId: PersonId, bookingId: BookingId) =>
    ["webhook_message_by_person", personId, bookingId] as const,
  /** The delivery log of one subscription, newest last (ids are time-sortable). */
  webhookAttempt: (hostId: UserId, subId: string, attemptId: string) =>
    ["webhook_attempt", hostId, subId, attemptId] as const,
  webhookAttemptPrefix: (hostId: UserId, subId: string) =>
    ["webhook_attempt", hostId, subId] as const,
  /** Every subscription's log of a host (deleted subscriptions' too). */
  webhookAttemptHostPrefix: (hostId: UserId) => ["webhook_attempt", hostId] as const,
  /**
   * A delivery held while its host is suspended (value: the outbox job as it will be queued
   * again); expires with its message. Released in job id order when the host is reactivated.
   */
  webhookHeld: (hostId: UserId, subId: string, jobId: JobId) =>
    ["webhook_held", hostId, subId, jobId] as const,
  webhookHeldPrefix: (hostId: UserId) => ["webhook_held", hostId] as const,
  /** Every host's held deliveries (the count /metrics reports). */
  webhookHeldAll: () => ["webhook_held"] as const,
  webhookHeldSubPrefix: (hostId: UserId, subId: string) => ["webhook_held", hostId, subId] as const,
  /** The salt a host's secret ICS feed URL is derived from; a new salt retires the old URL. */
  icsFeed: (hostId: UserId) => ["ics_feed", hostId] as const,
  icsFeedByHash: (hash: string) => ["ics_feed_by_hash", hash] as const,
  // Single-use links (issue 17)
  singleUseLink: (hostId: UserId, id: string) => ["single_use_link", hostId, id] as const,
  singleUseLinkPrefix: (hostId: UserId) => ["single_use_link", hostId] as const,
  /** SHA-256 of the link's token → { hostId, id } (the token itself is never stored). */
  singleUseLinkByToken: (tokenHash: string) => ["single_use_link_by_token", tokenHash] as const,
  /** Present once the link is spent (used or revoked); checked absent by the booking's commit. */
  singleUseLinkUsed: (id: string) => ["single_use_link_used", id] as const,
  poll: (hostId: UserId, id: string) => ["poll", hostId, id] as const,
  pollPrefix: (hostId: UserId) => ["poll", hostId] as const,
  pollByToken: (tokenHash: string) => ["poll_by_token", tokenHash] as const, // unique
  pollVote: (pollId: string, email: string) => ["poll_vote", pollId, email] as const,
  pollVotePrefix: (pollId: string) => ["poll_vote", pollId] as const,
  /** Written absent-checked in the booking's own commit: a poll books once. */
  pollBooked: (pollId: string) => ["poll_booked", pollId] as const,
  /**
   * Rewritten by every change of a poll's votes: the pick checks it at the versionstamp it read
   * before the votes, so it books exactly the votes there are.
   */
  pollVotesRevision: (pollId: string) => ["poll_votes_rev", pollId] as const,
  /**
   * Rewritten by each vote that adds to what the voters fill (a new voter, a longer address or
   * name): such votes check it at the versionstamp they read before the votes, so they are
   * decided one after another. A changed answer leaves it, and never makes such a vote lose.
   */
  pollVotersRevision: (pollId: string) => ["poll_voters_rev", pollId] as const,
  /**
   * A pick that kept losing to the votes holds them back for a moment (`untilMs`): every vote
   * checks this key at the versionstamp it read, and waits while it is held.
   */
  pollPicking: (pollId: string) => ["poll_picking", pollId] as const,
  /** Accounts their hosts closed, by when: purged of what is left once mails went out. */
  closedAccount: (userId: UserId) => ["closed_account", userId] as const,
  closedAccountPrefix: () => ["closed_account"] as const,
  // Admin area (issue 32): the audit log by time (entries expire; their expiry is also stored).
  audit: (atMs: number, id: string) => ["audit", atMs, id] as const,
  auditPrefix: () => ["audit"] as const,
  auditFrom: (atMs: number) => ["audit", atMs] as const,
  /** Each backup's outcome by time (the admin's list: ok or failed, size, when). */
  backupResult: (atMs: number, id: string) => ["backup_result", atMs, id] as const,
  backupResultPrefix: () => ["backup_result"] as const,
  /** A running server process, renewed while it runs (the CLI refuses a local file in use). */
  process: (instanceId: string) => ["process", instanceId] as const,
  processPrefix: () => ["process"] as const,
  // Insights (see docs/decisions/023-insights.md): Deno.KvU64 counters changed only by `sum`.
  // `ownerId` is a host's id today; a team's counters will live under the team's id.
  insights: (
    ownerId: string,
    family: "ev" | "mt" | "hl",
    day: string,
    eventTypeId: string,
    metric: string,
  ) => ["insights", ownerId, family, day, eventTypeId, metric] as const,
  insightsFrom: (ownerId: string, family: "ev" | "mt" | "hl", day: string) =>
    ["insights", ownerId, family, day] as const,
  /** When counting began (epoch ms): bookings made well before are counted by the backfill. */
  insightsSince: () => ["insights_since"] as const,
  /** When routing forms began to be counted per day (epoch ms): earlier days have none. */
  insightsRoutingSince: () => ["insights_routing_since"] as const,
  /**
   * When requests asked for on a booking page began to be counted apart (epoch ms): earlier
   * days count every booking's requests only.
   */
  insightsPageRequestsSince: () => ["insights_page_requests_since"] as const,
  /** How far the one-off backfill of older bookings got. */
  insightsBackfill: () => ["insights_backfill"] as const,
  /** Bumped (sum) by every write to an old day of the owner: readers' copies of old days end. */
  insightsEpoch: (ownerId: string) => ["insights_epoch", ownerId] as const,
  /** The latest failure of one delivery channel ("mail", "calendar_write", …) of an owner. */
  insightsProblem: (ownerId: string, channel: string) =>
    ["insights_problem", ownerId, channel] as const,
  insightsProblemPrefix: (ownerId: string) => ["insights_problem", ownerId] as const,
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
  /**
   * Changed by every write to what a person's (or a team's) slots depend on besides busy time:
   * the user record, their event types, availability, which calendars count, a team's record
   * (never checked). With `busyRev`, the per-person revision pages are cached by (ADR 039).
   */
  settingsRev: (ownerId: string) => ["settings_rev", ownerId] as const,
  /**
   * Changed by every account's close (never checked): a booking that began before it looks
   * again after its own write whether its host was the one (services/book-slot.ts).
   */
  accountsClosedRev: () => ["accounts_closed_rev"] as const,
  /** Changed by every write that adds (or firms) a busy entry on that day: the guard. */
  busyFence: (personId: PersonId, utcDay: string) => ["busy_fence", personId, utcDay] as const,
  busyFencePrefix: (personId: PersonId) => ["busy_fence", personId] as const,
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
  capEntryPrefix: (eventTypeId: EventTypeId) => ["cap_entry", eventTypeId] as const,
  capFencePrefix: (eventTypeId: EventTypeId) => ["cap_fence", eventTypeId] as const,
  /** One live pending request of a guest email with a host (anti-spam cap). */
  guestHold: (hostId: UserId, email: string, bookingId: BookingId) =>
    ["guest_hold", hostId, email, bookingId] as const,
  guestHoldPrefix: (hostId: UserId, email: string) => ["guest_hold", hostId, email] as const,
  guestHoldFence: (hostId: UserId, email: string) => ["guest_hold_fence", hostId, email] as const,
  guestHoldHostPrefix: (hostId: UserId) => ["guest_hold", hostId] as const,
  guestHoldFenceHostPrefix: (hostId: UserId) => ["guest_hold_fence", hostId] as const,
  /** A multi-person hold: the one record a team booking's final commit checks. */
  coordinator: (id: CoordinatorId) => ["coordinator", id] as const,
  /** The seats of one seated time (domain SeatLedgerRecord). */
  seatLedger: (eventTypeId: EventTypeId, startMs: number) =>
    ["seat_ledger", eventTypeId, startMs] as const,
  seatLedgerPrefix: (eventTypeId: EventTypeId) => ["seat_ledger", eventTypeId] as const,
  /** One browser's post of one time of a team's event type (domain BookerPostRecord; expires). */
  bookerPost: (eventTypeId: EventTypeId, bookerTag: string, startMs: number) =>
    ["booker_post", eventTypeId, bookerTag, startMs] as const,
  coordinatorByUntil: (untilMs: number, id: CoordinatorId) =>
    ["coordinator_by_until", untilMs, id] as const,
  coordinatorByUntilPrefix: () => ["coordinator_by_until"] as const,
  coordinatorByUntilEnd: (untilMs: number) => ["coordinator_by_until", untilMs] as const,
  bookingPrefix: () => ["booking"] as const,

  // Teams (docs/decisions/016-teams.md). A team's event types are stored like a host's, under
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
  /** Where a meeting was written into one member's calendar (not its host's), by UID. */
  meetingWritebackOf: (uid: string, personId: PersonId) =>
    ["meeting_writeback_person", uid, personId] as const,
  // Schema 1 keys, read only by the migration (store/migrate.ts).
  legacyHostDayPrefix: () => ["host_day"] as const,
  legacyEventTypeCapPrefix: () => ["event_type_cap"] as const,
  legacyGuestHoldsPrefix: () => ["guest_holds"] as const,
};

/**
 * The key of an entry the booking engine names (domain/model/entries.ts). The engine gets this
 * function with its snapshot (store/bookings.ts), so these tuples stay spelled only here.
 */
export function keyOf(e: Entry): Key {
  switch (e.kind) {
    case "booking":
      return keys.booking(e.id);
    case "bookingByHostStart":
      return keys.bookingByHostStart(e.hostId, e.startMs, e.id);
    case "bookingBySeries":
      return keys.bookingBySeries(e.hostId, e.seriesId, e.index);
    case "bookingPendingByExpiry":
      return keys.bookingPendingByExpiry(e.untilMs, e.id);
    case "busy":
      return keys.busy(e.personId, e.day, e.startMs, e.bookingId);
    case "busyFence":
      return keys.busyFence(e.personId, e.day);
    case "busyRev":
      return keys.busyRev(e.personId);
    case "commitReceipt":
      return keys.commitReceipt(e.id);
    case "capFence":
      return keys.capFence(e.eventTypeId, e.period, e.periodKey);
    case "capEntry":
      return keys.capEntry(e.eventTypeId, e.period, e.periodKey, e.bookingId);
    case "guestHoldFence":
      return keys.guestHoldFence(e.ownerId, e.email);
    case "guestHold":
      return keys.guestHold(e.ownerId, e.email, e.bookingId);
    case "coordinator":
      return keys.coordinator(e.id);
    case "seatLedger":
      return keys.seatLedger(e.eventTypeId, e.startMs);
    case "bookerPost":
      return keys.bookerPost(e.eventTypeId, e.bookerTag, e.startMs);
    case "coordinatorByUntil":
      return keys.coordinatorByUntil(e.untilMs, e.id);
    case "outbox":
      return keys.outbox(e.dueMs, e.id);
    case "outboxByBooking":
      return keys.outboxByBooking(e.bookingId, e.id);
    case "outboxByPerson":
      return keys.outboxByPerson(e.personId, e.id);
    case "outboxUrgent":
      return keys.outboxUrgent(e.id);
    case "singleUseLink":
      return keys.singleUseLink(e.hostId, e.id);
    case "singleUseLinkUse":
      return keys.singleUseLinkUsed(e.linkId);
  }
}
