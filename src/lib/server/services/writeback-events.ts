/** What a booking looks like as a calendar event (UID, sequence, ICS, conference), and the small reads and writes of writeback records it needs. */
import type { App } from "../app.ts";
import type { BookingRecord, CalendarProviderKind, UserRecord } from "../domain/model/records.ts";
import { setMeetingLink } from "../store/bookings.ts";
import { listBookingJobs, newOutboxRecord } from "../store/outbox.ts";
import { getUsers } from "../store/teams.ts";
import { getAccountEntry, getCalendar, getWriteback } from "../store/calendars.ts";
import { calendarDoc, meetingUid as uidOf } from "../domain/calendar-identity.ts";
import {
  type ConferenceReadBack,
  describeCalendarError,
  type MeetingEvent,
  type ProviderError,
} from "../integrations/calendar-provider.ts";
import { meetingIcs } from "../integrations/caldav-provider.ts";
import { meetingInvitations } from "../domain/booking-engine/effects.ts";
import { openProvider, providerOf } from "./calendar-providers.ts";
import {
  icsDescriptionForHost,
  icsSummaryForHost,
} from "../integrations/mail-templates/ics-text.ts";
import { translator } from "../i18n.ts";
import { locationText, shownLocation } from "../../shared/location-text.ts";
import { guestAttends } from "../domain/attendees.ts";
import { ownWords } from "./delivery-words.ts";

/** `skipped`: there was nothing to write (insights count it as no write at all). */
export type WritebackOutcome =
  | { ok: true; skipped?: boolean }
  | {
    ok: false;
    error: string;
    permanent?: boolean;
    retryAfterMs?: number;
    /** Not failed: the provider is still making the link (jobs/job-outcome.ts). */
    waiting?: boolean;
  };

/**
 * The meeting's iCalendar UID (`icalUid`, which a reschedule successor keeps; absent: the
 * booking's own `{id}@{host}`), as every provider and every mail carries it.
 */
export function meetingUid(app: App, booking: BookingRecord): string {
  return uidOf(booking, app.config.baseUrl.hostname);
}

/** A booking the host's calendar shows: firm, or a moved meeting waiting for confirmation. */
export function shown(b: BookingRecord | null): b is BookingRecord {
  return !!b &&
    (b.status === "CONFIRMED" || (b.status === "PENDING" && b.calendarIssued === true));
}

/**
 * The SEQUENCE (RFC 5545) of the booking's calendar document as it stands now: counts on from
 * `sequence` across reschedules of the same UID, as the mails do (domain/calendar-identity.ts).
 */
export function meetingSequence(booking: BookingRecord): number {
  return calendarDoc(booking, booking.status === "PENDING" ? "pending" : "confirmed")?.sequence ??
    booking.sequence ?? 0;
}

/**
 * The event as every provider writes it: UTC times, host as organizer, guest as attendee; a team
 * booking's other members (`others`) attend the same meeting.
 */
export function meetingEvent(
  app: App,
  booking: BookingRecord,
  host: UserRecord,
  nowMs: number,
  others: { name: string; email: string }[] = [],
): MeetingEvent {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const t = translator(host.locale);
  return {
    uid: meetingUid(app, booking),
    sequence: meetingSequence(booking),
    status: booking.status === "PENDING" ? "TENTATIVE" : "CONFIRMED",
    startMs: booking.startMs,
    endMs: booking.endMs,
    stampMs: nowMs,
    // The host's calendar, the host's words; the guest's note is quoted when it spans lines, so
    // it cannot forge the "Booked with Invito" line.
    summary: icsSummaryForHost(booking, t),
    description: icsDescriptionForHost(
      booking,
      `${base}/dashboard/bookings`,
      t,
      others.length ? [host, ...others].map((p) => p.name) : [],
    ),
    location: locationText(shownLocation(booking), t) || undefined,
    organizer: { name: host.name, email: host.email },
    attendee: {
      name: booking.guestName,
      email: booking.guestEmail,
      // A poll's first voter who declined stays its guest, no longer coming (attendees.ts).
      ...(guestAttends(booking) ? {} : { partstat: "DECLINED" as const }),
    },
    ...(others.length ? { others } : {}),
    ...(booking.additionalGuests?.length
      ? { guests: booking.additionalGuests, guestNames: booking.additionalGuestNames }
      : {}),
    ...(conferenceKind(booking) ? { conference: conferenceKind(booking)! } : {}),
  };
}

/**
 * The video meeting the booking's own calendar event makes (Google Meet, Teams), if any. Only the
 * booking's host's write asks for it: a round-robin booking's assigned member, a collective
 * booking's organiser (docs/decisions/042-meeting-locations.md).
 */
function conferenceKind(b: BookingRecord): "google_meet" | "teams" | null {
  const kind = b.location?.kind;
  return kind === "google_meet" || kind === "teams" ? kind : null;
}

/**
 * What a write read back about the booking's video meeting: a new link is stored on the booking
 * (one SEQUENCE higher) and, unless the confirmation mails are still queued (they will carry it),
 * the guest and the host get the updated invitation. A link still being made is asked for again
 * through the outbox (the job retries and the next write reads it back).
 */
export async function takeConference(
  app: App,
  booking: BookingRecord,
  read: ConferenceReadBack | undefined,
  nowMs: number,
): Promise<WritebackOutcome> {
  if (!read || !conferenceKind(booking)) return { ok: true };
  if (read.state === "pending") {
    // Google's normal path (create → pending → success), not a failure, while it lasts
    // (calendar-writeback.ts bounds it).
    return {
      ok: false,
      error: ownWords("outbox.video_being_made"),
      retryAfterMs: 10_000,
      waiting: true,
    };
  }
  if (read.state === "failed") return { ok: false, error: read.detail };
  return await storeMeetingLink(app, booking, read.joinUrl, nowMs);
}

/**
 * A provider's new link goes on the booking (one SEQUENCE higher) and everyone the meeting's
 * invitation went to without it — the guest, their additional guests (or a poll's voters), the
 * host and each team member — gets the updated invitation, except where their invitation is
 * still queued (it waits for the link and will carry it). The host's systems hear of it as a
 * `booking.updated` webhook event, queued in the same write (ADR 019).
 */
export async function storeMeetingLink(
  app: App,
  booking: BookingRecord,
  joinUrl: string,
  nowMs: number,
): Promise<WritebackOutcome> {
  if (booking.location?.value === joinUrl) return { ok: true };
  const queued = (await listBookingJobs(app.kv, booking.id)).flatMap(({ job, failed }) =>
    !failed && job.payload.kind === "booking_mail" ? [job.payload] : []
  );
  await setMeetingLink(
    app.kv,
    booking.id,
    joinUrl,
    (b) => [
      ...(b.status !== "CONFIRMED" ? [] : meetingInvitations(b))
        .filter((r) =>
          !queued.some((q) =>
            r.family.includes(q.mail) && q.personId === r.personId && q.readers === r.readers
          )
        )
        .map((r) =>
          newOutboxRecord({
            kind: "booking_mail",
            mail: r.mail,
            bookingId: b.id,
            ...(r.personId ? { personId: r.personId } : {}),
            ...(r.readers ? { readers: r.readers } : {}),
          }, nowMs)
        ),
      // Last in the booking's lane, like every change's event: people's mails go out first.
      newOutboxRecord({
        kind: "webhook_event",
        bookingId: b.id,
        event: "booking.updated",
        seq: b.history.length,
      }, nowMs),
    ],
  );
  return { ok: true };
}

/** The VEVENT a CalDAV calendar receives (kept for callers that show or test it). */
export function writebackIcs(
  app: App,
  booking: BookingRecord,
  host: UserRecord,
  nowMs: number,
  others: { name: string; email: string }[] = [],
): string {
  return meetingIcs(meetingEvent(app, booking, host, nowMs, others));
}

/** A team booking's members besides its host, each an attendee of the one meeting. */
export async function teamAttendees(app: App, b: BookingRecord) {
  if (!b.teamId) return [];
  const people = await getUsers(app.kv, (b.personIds ?? []).filter((p) => p !== b.hostId));
  return people.map((u) => ({ name: u.name, email: u.email }));
}

/**
 * How `person`'s records of `b` are keyed (store/calendars.ts): by booking, the host's alone;
 * by UID, a team booking's always per person (a round-robin reschedule may hand the same UID to
 * another member, whose calendar is not the first one's).
 */
export function recordKeys(b: BookingRecord, person: string) {
  return {
    ...(person !== b.hostId ? { booking: person } : {}),
    ...(b.teamId || person !== b.hostId ? { meeting: person } : {}),
  };
}

/** The provider of the calendar `personId` writes bookings to, or null when none. */
export async function writebackProviderOf(
  app: App,
  personId: string,
): Promise<CalendarProviderKind | null> {
  const t = await target(app, personId);
  return t ? providerOf(t.account) : null;
}

/** The calendar the host writes bookings to, while it exists. */
export async function target(app: App, hostId: string) {
  const wb = await getWriteback(app.kv, hostId);
  return wb.value ? await written(app, hostId, wb.value) : null;
}

/** An account's calendar (where a meeting was written), while both exist. */
export async function written(
  app: App,
  hostId: string,
  where: { accountId: string; calendarId: string },
) {
  const account = await getAccountEntry(app.kv, hostId, where.accountId);
  const calendar = await getCalendar(app.kv, hostId, where.accountId, where.calendarId);
  return account.value && calendar ? { account: account.value, calendar } : null;
}

export function failure(e: ProviderError, provider: Parameters<typeof describeCalendarError>[1]) {
  return {
    ok: false as const,
    error: describeCalendarError(e, provider, undefined, { retrying: true }),
    permanent: e.kind === "forbidden_address",
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

/** Deletes a recorded event at its account; a vanished account or event counts as deleted. */
export async function deleteAt(
  app: App,
  hostId: string,
  where: { accountId: string; calendarId: string; remoteId: string },
): Promise<WritebackOutcome> {
  const account = (await getAccountEntry(app.kv, hostId, where.accountId)).value;
  if (!account) return { ok: true, skipped: true };
  const calendar = await getCalendar(app.kv, hostId, where.accountId, where.calendarId);
  const opened = await openProvider(app, account);
  if (!opened.ok) return failure(opened.error, providerOf(account));
  const res = await opened.provider.deleteEvent(calendar?.url ?? "", where.remoteId);
  if (!res.ok && res.error.kind !== "not_found") return failure(res.error, providerOf(account));
  return { ok: true };
}
