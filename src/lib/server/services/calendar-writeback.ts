/**
 * Bookings into the host's chosen calendar, through the outbox (retried with backoff), whatever
 * the provider. A meeting is one calendar event for its whole life, keyed by its UID
 * (`meetingUid`), which a reschedule successor keeps (docs/decisions/013-meeting-identity-in-calendars.md):
 * the first write creates the event (CalDAV: PUT at an address derived from the UID; Google: an
 * event id derived from it; Microsoft: a POST carrying it as transactionId, which Graph
 * de-duplicates), and where it was written is recorded by UID, so a retry, a crash-and-redo or a
 * reschedule updates the same event in place (a higher SEQUENCE), never delete-then-create. A
 * moved meeting waiting for the host's confirmation is shown as tentative. Ending it deletes
 * it; one already gone counts as deleted. A booking is never changed by a failed write.
 *
 * A team booking is one meeting in every attending member's own calendar (a job per member,
 * carrying `personId`; docs/decisions/016-teams.md), each recorded per member.
 */
import type { App } from "../app.ts";
import type { BookingRecord, OutboxRecord, UserRecord } from "../store/records.ts";
import { getBooking } from "../store/bookings.ts";
import { getUser } from "../store/users.ts";
import { getUsers } from "../store/teams.ts";
import {
  deleteWrittenEvent,
  getAccountEntry,
  getBookingWriteback,
  getCalendar,
  getMeetingWriteback,
  getWriteback,
  putWrittenEvent,
} from "../store/calendars.ts";
import { calendarDoc, meetingUid as uidOf } from "../domain/calendar-identity.ts";
import {
  describeCalendarError,
  type MeetingEvent,
  type ProviderError,
} from "../integrations/calendar-provider.ts";
import { meetingIcs } from "../integrations/caldav-provider.ts";
import { openProvider, providerOf } from "./calendar-providers.ts";
import {
  icsDescriptionForHost,
  icsSummaryForHost,
} from "../integrations/mail-templates/ics-text.ts";
import { translator } from "../i18n.ts";
import { locationText } from "../../shared/location-text.ts";

/** `skipped`: there was nothing to write (insights count it as no write at all). */
export type WritebackOutcome =
  | { ok: true; skipped?: boolean }
  | { ok: false; error: string; permanent?: boolean; retryAfterMs?: number };

/**
 * The meeting's iCalendar UID (`icalUid`, which a reschedule successor keeps; absent: the
 * booking's own `{id}@{host}`), as every provider and every mail carries it.
 */
export function meetingUid(app: App, booking: BookingRecord): string {
  return uidOf(booking, app.config.baseUrl.hostname);
}

/** A booking the host's calendar shows: firm, or a moved meeting waiting for confirmation. */
function shown(b: BookingRecord | null): b is BookingRecord {
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
    location: locationText(booking.location, t) || undefined,
    organizer: { name: host.name, email: host.email },
    attendee: { name: booking.guestName, email: booking.guestEmail },
    ...(others.length ? { others } : {}),
  };
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
async function teamAttendees(app: App, b: BookingRecord) {
  if (!b.teamId) return [];
  const people = await getUsers(app.kv, (b.personIds ?? []).filter((p) => p !== b.hostId));
  return people.map((u) => ({ name: u.name, email: u.email }));
}

/**
 * How `person`'s records of `b` are keyed (store/calendars.ts): by booking, the host's alone;
 * by UID, a team booking's always per person (a round-robin reschedule may hand the same UID to
 * another member, whose calendar is not the first one's).
 */
function recordKeys(b: BookingRecord, person: string) {
  return {
    ...(person !== b.hostId ? { booking: person } : {}),
    ...(b.teamId || person !== b.hostId ? { meeting: person } : {}),
  };
}

/** The calendar the host writes bookings to, while it exists. */
async function target(app: App, hostId: string) {
  const wb = await getWriteback(app.kv, hostId);
  return wb.value ? await written(app, hostId, wb.value) : null;
}

/** An account's calendar (where a meeting was written), while both exist. */
async function written(
  app: App,
  hostId: string,
  where: { accountId: string; calendarId: string },
) {
  const account = await getAccountEntry(app.kv, hostId, where.accountId);
  const calendar = await getCalendar(app.kv, hostId, where.accountId, where.calendarId);
  return account.value && calendar ? { account: account.value, calendar } : null;
}

function failure(e: ProviderError, provider: Parameters<typeof describeCalendarError>[1]) {
  return {
    ok: false as const,
    error: describeCalendarError(e, provider),
    permanent: e.kind === "forbidden_address",
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

/** Deletes a recorded event at its account; a vanished account or event counts as deleted. */
async function deleteAt(
  app: App,
  hostId: string,
  where: { accountId: string; calendarId: string; remoteId: string },
): Promise<WritebackOutcome> {
  const account = (await getAccountEntry(app.kv, hostId, where.accountId)).value;
  if (!account) return { ok: true };
  const calendar = await getCalendar(app.kv, hostId, where.accountId, where.calendarId);
  const opened = await openProvider(app, account);
  if (!opened.ok) return failure(opened.error, providerOf(account));
  const res = await opened.provider.deleteEvent(calendar?.url ?? "", where.remoteId);
  if (!res.ok && res.error.kind !== "not_found") return failure(res.error, providerOf(account));
  return { ok: true };
}

export async function writeBack(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<WritebackOutcome> {
  const p = job.payload;
  if (p.kind !== "writeback") return { ok: false, error: "not a writeback job", permanent: true };
  const booking = await getBooking(app.kv, p.bookingId);

  // The calendar the job writes: a team member it names, or the booking's host.
  const person = p.personId ?? booking?.hostId;
  if (p.op === "put") {
    // Ended (or gone) before the write got through: there is nothing to add.
    if (!shown(booking) || !person) return { ok: true, skipped: true };
    let current: BookingRecord | null = booking;
    for (let i = 0; i < 20 && shown(current); i++) {
      // Moved to a meeting this member no longer attends: the handover job removes it.
      if (!(current.personIds ?? [current.hostId]).includes(person)) return { ok: true };
      const res = await putMeeting(app, current, nowMs, person);
      if (!res.ok || res.skipped) return res;
      // Moved while this was written (the successor's own job may have written the new time
      // first, to the same event): the latest state of the meeting wins.
      const now = await getBooking(app.kv, current.id);
      if (!now?.rescheduledToId) return res;
      current = await getBooking(app.kv, now.rescheduledToId);
    }
    return { ok: true };
  }
  return await deleteMeeting(app, booking, person);
}

/**
 * Writes the meeting as `booking` has it into `person`'s calendar (the host's, or a team
 * booking's member's), in place where it is.
 */
async function putMeeting(
  app: App,
  booking: BookingRecord,
  nowMs: number,
  person: string,
): Promise<WritebackOutcome> {
  const uid = meetingUid(app, booking);
  const rk = recordKeys(booking, person);
  const recorded = await getMeetingWriteback(app.kv, uid, rk.meeting);
  let prev = recorded;
  // The chosen calendar; without one, a meeting already written moves where it is.
  const t = await target(app, person) ?? (prev ? await written(app, person, prev) : null);
  if (!t) return { ok: true, skipped: true }; // this person writes bookings to no calendar
  const host = await getUser(app.kv, booking.hostId);
  if (!host) return { ok: false, error: "host no longer exists", permanent: true };
  if (prev && (prev.accountId !== t.account.id || prev.calendarId !== t.calendar.id)) {
    // The person now writes to another calendar: move the meeting there.
    const moved = await deleteAt(app, person, prev);
    if (!moved.ok) return moved;
    prev = null;
  }
  const opened = await openProvider(app, t.account);
  if (!opened.ok) return failure(opened.error, providerOf(t.account));
  const others = await teamAttendees(app, booking);
  const res = await opened.provider.putEvent(
    t.calendar.url,
    meetingEvent(app, booking, host, nowMs, others),
    prev?.remoteId ?? null,
  );
  if (!res.ok) return failure(res.error, providerOf(t.account));
  const where = {
    accountId: t.account.id,
    calendarId: t.calendar.id,
    calendarName: t.calendar.displayName,
    etag: res.etag,
    writtenAtMs: nowMs,
  };
  await putWrittenEvent(
    app.kv,
    uid,
    { v: 1, ...where, href: res.remoteId, uid },
    { v: 1, ...where, remoteId: res.remoteId, bookingId: booking.id },
    recorded?.bookingId ?? null,
    rk,
  );
  return { ok: true };
}

/**
 * Removes the meeting from `person`'s calendar: where it was written, or (if the record of a
 * successful write was lost) where it would have been.
 */
async function deleteMeeting(
  app: App,
  booking: BookingRecord | null,
  person: string | undefined,
): Promise<WritebackOutcome> {
  const hostId = person;
  if (!booking || !hostId) return { ok: true };
  const uid = meetingUid(app, booking);
  const rk = recordKeys(booking, hostId);
  // A reschedule that kept the UID and this person: the successor's write moves the same event.
  if (booking.rescheduledToId) {
    const successor = await getBooking(app.kv, booking.rescheduledToId);
    if (
      shown(successor) && meetingUid(app, successor) === uid &&
      (successor.personIds ?? [successor.hostId]).includes(hostId)
    ) {
      await deleteWrittenEvent(app.kv, booking.id, null, rk);
      return { ok: true };
    }
  }
  const meeting = await getMeetingWriteback(app.kv, uid, rk.meeting);
  const written = await getBookingWriteback(app.kv, booking.id, rk.booking);
  if (meeting) {
    const res = await deleteAt(app, hostId, meeting);
    if (!res.ok) return res;
  } else if (written) {
    const res = await deleteAt(app, hostId, { ...written, remoteId: written.href });
    if (!res.ok) return res;
  } else {
    const t = await target(app, hostId);
    // Nothing was ever written and no calendar receives bookings: nothing to delete.
    if (!t) return { ok: true, skipped: true };
    {
      const opened = await openProvider(app, t.account);
      if (!opened.ok) return failure(opened.error, providerOf(t.account));
      const id = await opened.provider.derivedEventId(t.calendar.url, uid);
      if (id) {
        const res = await opened.provider.deleteEvent(t.calendar.url, id);
        if (!res.ok && res.error.kind !== "not_found") {
          return failure(res.error, providerOf(t.account));
        }
      }
    }
  }
  await deleteWrittenEvent(app.kv, booking.id, uid, rk);
  return { ok: true };
}
