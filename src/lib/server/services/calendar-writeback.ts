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
import type { BookingRecord, OutboxRecord } from "../domain/model/records.ts";
import { getBooking, getBookings } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { liveSeats } from "../domain/seats.ts";
import { seatedMeetingUid } from "../domain/calendar-identity.ts";
import { getUser } from "../store/users.ts";
import {
  deleteWrittenEvent,
  getBookingWriteback,
  getMeetingWriteback,
  putWrittenEvent,
} from "../store/writebacks.ts";
import { openProvider, providerOf } from "./calendar-providers.ts";
import { icsSummaryForHost } from "../integrations/mail-templates/ics-text.ts";
import { translator } from "../i18n.ts";
import { endZoomMeeting, putZoomMeeting, zoomUsable } from "./zoom-meetings.ts";
import { LINK_WAIT_MS } from "../domain/locations.ts";
import {
  deleteAt,
  failure,
  meetingEvent,
  meetingUid,
  recordKeys,
  shown,
  storeMeetingLink,
  takeConference,
  target,
  teamAttendees,
  type WritebackOutcome,
  writebackProviderOf,
  written,
} from "./writeback-events.ts";
import { ownWords } from "./delivery-words.ts";

export async function writeBack(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<WritebackOutcome> {
  const res = await writeBackOnce(app, job, nowMs);
  // A link still being made is waited for, not reported — until it should have come long ago:
  // then it is a failure the host sees (docs/decisions/042-meeting-locations.md).
  if (!res.ok && res.waiting && nowMs - job.createdAtMs >= LINK_WAIT_MS) {
    return { ok: false, error: res.error, retryAfterMs: res.retryAfterMs };
  }
  return res;
}

async function writeBackOnce(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<WritebackOutcome> {
  const p = job.payload;
  if (p.kind !== "writeback") return { ok: false, error: "not a writeback job", permanent: true };
  const booking = await getBooking(app.kv, p.bookingId);
  // A seat writes its meeting: the host's, or the member's a collective time's job names.
  if (booking?.seat) {
    return await writeSeatMeeting(app, booking, nowMs, p.personId ?? booking.hostId);
  }

  // The calendar the job writes: a team member it names, or the booking's host.
  const person = p.personId ?? booking?.hostId;
  if (p.op === "put") {
    // Ended (or gone) before the write got through: there is nothing to add.
    if (!shown(booking) || !person) return { ok: true, skipped: true };
    let current: BookingRecord | null = booking;
    // The host's job makes (or moves) the Zoom meeting first, so the calendar event carries it.
    // A Zoom failure does not hold the calendar back: the event is written, and the job is
    // retried for Zoom (the retry updates the same event with the link).
    let zoomFailed: WritebackOutcome | null = null;
    if (person === booking.hostId && booking.location?.kind === "zoom") {
      const host = await getUser(app.kv, booking.hostId);
      const topic = icsSummaryForHost(booking, translator(host?.locale));
      const zoom = await putZoomMeeting(app, booking, meetingUid(app, booking), topic, nowMs);
      if (!zoom.ok) zoomFailed = zoom;
      else if (zoom.joinUrl) {
        const stored = await storeMeetingLink(app, booking, zoom.joinUrl, nowMs);
        if (!stored.ok) return stored;
        current = await getBooking(app.kv, booking.id);
      }
    }
    const written = await putLatest(app, current, nowMs, person);
    // A Google Meet or Teams meeting is made with the host's calendar event: without a
    // calendar that takes bookings the link never comes, and the host must see it.
    if (
      written.ok && written.skipped && person === booking.hostId && current?.status ===
        "CONFIRMED" &&
      (current.location?.kind === "google_meet" ||
        current.location?.kind === "teams") &&
      !current.location.value
    ) {
      return {
        ok: false,
        error: ownWords("outbox.room_no_calendar", {
          room: current.location.kind === "teams" ? "Microsoft Teams" : "Google Meet",
        }),
      };
    }
    return zoomFailed && written.ok ? zoomFailed : written;
  }
  let zoomFailed: WritebackOutcome | null = null;
  if (booking && person === booking.hostId && booking.location?.kind === "zoom") {
    const zoom = await endZoom(app, booking);
    if (!zoom.ok) zoomFailed = zoom;
  }
  const deleted = await deleteMeeting(app, booking, person);
  return zoomFailed && deleted.ok ? zoomFailed : deleted;
}

/** Writes `current` (or, if it moved meanwhile, its latest successor) into `person`'s calendar. */
async function putLatest(
  app: App,
  current: BookingRecord | null,
  nowMs: number,
  person: string,
): Promise<WritebackOutcome> {
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

/**
 * A Zoom meeting ends with its booking, unless a reschedule handed it (the UID) on to a
 * successor with the same host. A successor with another host (round robin, a hand-over) gets a
 * meeting from its own host's account; this host's ends (only this host's: never the new one).
 */
async function endZoom(app: App, booking: BookingRecord): Promise<WritebackOutcome> {
  const uid = meetingUid(app, booking);
  if (booking.rescheduledToId) {
    const successor = await getBooking(app.kv, booking.rescheduledToId);
    if (
      successor && isLive(successor) && meetingUid(app, successor) === uid &&
      successor.hostId === booking.hostId
    ) return { ok: true };
  }
  return await endZoomMeeting(app, booking.hostId, uid, booking.hostId);
}

function isLive(b: BookingRecord): boolean {
  return b.status === "CONFIRMED" || b.status === "PENDING";
}

/**
 * Who makes the booking's video room, for the confirmation's wait (domain/locations.ts): "zoom"
 * while the host's Zoom works, else the calendar provider the host writes bookings to.
 */
export async function roomProviderOf(app: App, booking: BookingRecord): Promise<string | null> {
  if (booking.location?.kind === "zoom") {
    return (await zoomUsable(app, booking.hostId)) ? "zoom" : null;
  }
  return await writebackProviderOf(app, booking.hostId);
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
  /** A seated meeting's confirmed seats: its attendees. */
  seats?: BookingRecord[],
): Promise<WritebackOutcome> {
  const uid = meetingUid(app, booking);
  const rk = recordKeys(booking, person);
  const recorded = await getMeetingWriteback(app.kv, uid, rk.meeting);
  let prev = recorded;
  // The chosen calendar; without one, a meeting already written moves where it is.
  const t = await target(app, person) ?? (prev ? await written(app, person, prev) : null);
  if (!t) return { ok: true, skipped: true }; // this person writes bookings to no calendar
  const host = await getUser(app.kv, booking.hostId);
  if (!host) return { ok: false, error: ownWords("outbox.host_gone"), permanent: true };
  if (prev && (prev.accountId !== t.account.id || prev.calendarId !== t.calendar.id)) {
    // The person now writes to another calendar: move the meeting there.
    const moved = await deleteAt(app, person, prev);
    if (!moved.ok) return moved;
    prev = null;
  }
  const opened = await openProvider(app, t.account);
  if (!opened.ok) return failure(opened.error, providerOf(t.account));
  const others = await teamAttendees(app, booking);
  const event = meetingEvent(app, booking, host, nowMs, others);
  if (seats) {
    const [first, ...rest] = seats.map((b) => ({ name: b.guestName, email: b.guestEmail }));
    const guests = seats.flatMap((b) => b.additionalGuests ?? []);
    Object.assign(event, { attendee: first, others: rest, guests });
  }
  // A member's copy of a team meeting makes no meeting of its own: the host's write does. Nor
  // does a seated time's (no seat could read its link back; ADR 042 refuses them for seats).
  if (person !== booking.hostId || seats) delete event.conference;
  const res = await opened.provider.putEvent(t.calendar.url, event, prev?.remoteId ?? null);
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
  return event.conference
    ? await takeConference(app, booking, res.conference, nowMs)
    : { ok: true };
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
      const found = await opened.provider.derivedEventId(t.calendar.url, uid);
      if (!found.ok) return failure(found.error, providerOf(t.account));
      if (found.id) {
        const res = await opened.provider.deleteEvent(t.calendar.url, found.id);
        if (!res.ok && res.error.kind !== "not_found") {
          return failure(res.error, providerOf(t.account));
        }
      }
    }
  }
  await deleteWrittenEvent(app.kv, booking.id, uid, rk);
  return { ok: true };
}

/**
 * A seat's host side is its meeting (docs/decisions/040-seats.md): one event per seated time
 * under the meeting's UID, its confirmed seats as attendees, SEQUENCE the ledger's count of
 * changes. Every seat's put or delete writes the meeting as it stands now (removed once no seat
 * is confirmed), and writes again if the seats changed meanwhile, so the latest state wins.
 */
async function writeSeatMeeting(
  app: App,
  seat: BookingRecord,
  nowMs: number,
  /** Whose calendar: the host's, or a member's of a collective seated time. */
  person: string,
): Promise<WritebackOutcome> {
  for (let i = 0; i < 20; i++) {
    const ledger = await getSeatLedger(app.kv, seat.eventTypeId, seat.startMs);
    const meetingId = seat.seat!.meetingId;
    const current = ledger?.meetingId === meetingId ? ledger : null;
    const ids = liveSeats(current, nowMs).map((x) => x.id);
    const confirmed = (await getBookings(app.kv, ids)).filter((b) => b.status === "CONFIRMED");
    const t = translator((await getUser(app.kv, person))?.locale);
    const meeting: BookingRecord = {
      ...(confirmed[0] ?? seat),
      id: meetingId,
      icalUid: seatedMeetingUid(meetingId, app.config.baseUrl.hostname),
      sequence: current?.seq ?? 0,
      calendarIssued: false,
      history: [{ status: "CONFIRMED", atMs: seat.createdAtMs, by: "system" }],
      status: "CONFIRMED",
      guestName: t.t("ics.seats_guests", { count: confirmed.length }),
      guestNote: "",
      answers: [],
      rescheduledToId: null,
      seat: undefined,
    };
    const res = confirmed.length
      ? await putMeeting(app, meeting, nowMs, person, confirmed)
      : await deleteMeeting(app, meeting, person);
    if (!res.ok || res.skipped) return res;
    const after = await getSeatLedger(app.kv, seat.eventTypeId, seat.startMs);
    if ((after?.seq ?? -1) === (current?.seq ?? -1) && (after === null) === (current === null)) {
      return res;
    }
  }
  return { ok: true };
}
