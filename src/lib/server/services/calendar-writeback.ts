/**
 * Bookings into the host's chosen calendar, through the outbox (retried with backoff). A meeting
 * is one calendar resource for its whole life: its address comes from the meeting's UID, which
 * a reschedule successor keeps, so moving a booking rewrites the same event in place (same
 * resource, same UID, a higher SEQUENCE) instead of deleting one and creating another. A retry
 * or a crash-and-redo replaces the same event; DELETE of an event that is already gone counts as
 * done. A booking is never changed by a failed write.
 */
import ICAL from "ical.js";
import type { App } from "../app.ts";
import type { OutboxRecord } from "../store/records.ts";
import type { BookingRecord, BookingWritebackRecord, UserRecord } from "../store/records.ts";
import { getBooking } from "../store/bookings.ts";
import { getUser } from "../store/users.ts";
import { getUsers } from "../store/teams.ts";
import {
  deleteBookingWriteback,
  getAccountEntry,
  getBookingWriteback,
  getCalendar,
  getWriteback,
  putBookingWriteback,
} from "../store/calendars.ts";
import { buildIcs } from "../integrations/ics.ts";
import { calendarDoc, meetingUid } from "../domain/calendar-identity.ts";
import { deleteEvent, describeCaldavError, putEvent } from "../integrations/caldav.ts";
import { openConnection, UNREADABLE_PASSWORD } from "./sync-calendars.ts";

export type WritebackOutcome = { ok: true } | { ok: false; error: string; permanent?: boolean };

/**
 * The VEVENT for the host's calendar: UTC times, host as organizer, guest as attendee. A team
 * booking's members' calendars get the same meeting (one UID), its other members as attendees.
 */
export function writebackIcs(
  app: App,
  booking: BookingRecord,
  host: UserRecord,
  nowMs: number,
  others: { name: string; email: string }[] = [],
): string {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  // A moved meeting waiting for confirmation shows as tentative at its new time.
  const doc = calendarDoc(booking, booking.status === "PENDING" ? "pending" : "confirmed")!;
  const ics = buildIcs({
    uid: meetingUid(booking, app.config.baseUrl.hostname),
    sequence: doc.sequence,
    startMs: booking.startMs,
    endMs: booking.endMs,
    stampMs: nowMs,
    summary: `${booking.eventTitle} with ${booking.guestName}`,
    description: [
      booking.guestNote ? `Note from ${booking.guestName}: ${booking.guestNote}` : "",
      `Booked with Invito: ${base}/dashboard/bookings`,
    ].filter(Boolean).join("\n\n"),
    status: doc.status === "TENTATIVE" ? "TENTATIVE" : "CONFIRMED",
    organizer: { name: host.name, email: host.email },
    attendee: { name: booking.guestName, email: booking.guestEmail },
    others,
  });
  // Invito mails the guest itself; SCHEDULE-AGENT=CLIENT keeps a scheduling server
  // (Nextcloud, iCloud) from sending a second invitation (RFC 6638).
  const cal = new ICAL.Component(ICAL.parse(ics));
  const ev = cal.getFirstSubcomponent("vevent")!;
  for (const p of [...ev.getAllProperties("attendee"), ev.getFirstProperty("organizer")]) {
    p?.setParameter("schedule-agent", "CLIENT");
  }
  return cal.toString() + "\r\n";
}

/** The meeting's resource in a calendar, named after its UID (a booking's first id). */
function eventHref(calendarUrl: string, b: BookingRecord, hostname: string): string {
  const uid = meetingUid(b, hostname);
  const name = uid.slice(0, uid.lastIndexOf("@"));
  return `${calendarUrl.endsWith("/") ? calendarUrl : calendarUrl + "/"}${
    encodeURIComponent(name)
  }.ics`;
}

/** The person whose calendar a job writes: a team member it names, or the booking's host. */
const personOf = (b: BookingRecord, personId?: string) => personId ?? b.hostId;
/** How that person's writeback record is keyed for `b` (see store/calendars.ts). */
const recordPerson = (b: BookingRecord, person: string) => person === b.hostId ? undefined : person;

async function target(app: App, hostId: string) {
  const wb = await getWriteback(app.kv, hostId);
  if (!wb.value) return null;
  const account = await getAccountEntry(app.kv, hostId, wb.value.accountId);
  const calendar = await getCalendar(app.kv, hostId, wb.value.accountId, wb.value.calendarId);
  return account.value && calendar ? { account: account.value, calendar } : null;
}

/**
 * Where this meeting was written into `person`'s calendar: by this booking, or by one it
 * replaced (bounded walk).
 */
async function writtenFor(
  app: App,
  b: BookingRecord,
  person: string,
): Promise<{ bookingId: string; personKey?: string; record: BookingWritebackRecord } | null> {
  let cur: BookingRecord | null = b;
  for (let i = 0; cur && i < 50; i++) {
    const personKey = recordPerson(cur, person);
    const record = await getBookingWriteback(app.kv, cur.id, personKey);
    if (record) return { bookingId: cur.id, personKey, record };
    cur = cur.rescheduledFromId ? await getBooking(app.kv, cur.rescheduledFromId) : null;
  }
  return null;
}

/** A booking in the calendar: firm, or a moved meeting waiting for confirmation. */
const shown = (b: BookingRecord | null) =>
  !!b && (b.status === "CONFIRMED" || (b.status === "PENDING" && b.calendarIssued === true));

export async function writeBack(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<WritebackOutcome> {
  const p = job.payload;
  if (p.kind !== "writeback") return { ok: false, error: "not a writeback job", permanent: true };
  let booking = await getBooking(app.kv, p.bookingId);
  if (p.op === "put") {
    // Moved or ended before the write got through: the successor's own job, or none, writes.
    for (let i = 0; i < 20 && shown(booking); i++) {
      const res = await putMeeting(app, booking!, nowMs, personOf(booking!, p.personId));
      if (!res.ok) return res;
      // Moved while this was written (another job may have written the new time first): the
      // latest state of the meeting wins.
      const now = await getBooking(app.kv, booking!.id);
      if (!now?.rescheduledToId) return { ok: true };
      booking = await getBooking(app.kv, now.rescheduledToId);
    }
    return { ok: true };
  }
  return await deleteMeeting(
    app,
    p.bookingId,
    booking,
    booking ? personOf(booking, p.personId) : p.personId,
  );
}

async function putMeeting(
  app: App,
  booking: BookingRecord,
  nowMs: number,
  person: string,
): Promise<WritebackOutcome> {
  const t = await target(app, person);
  const prior = await writtenFor(app, booking, person);
  const priorAccount = prior
    ? (await getAccountEntry(app.kv, person, prior.record.accountId)).value
    : null;
  // In place where it was written while that account exists; otherwise the chosen calendar.
  const account = priorAccount ?? t?.account;
  if (!account) return { ok: true }; // the host writes bookings to no calendar
  const host = await getUser(app.kv, booking.hostId);
  if (!host) return { ok: false, error: "host no longer exists", permanent: true };
  const others = booking.teamId ? await teamAttendees(app, booking) : [];
  const conn = await openConnection(app, account);
  if (!conn) {
    return { ok: false, error: describeCaldavError(UNREADABLE_PASSWORD), permanent: true };
  }
  const href = priorAccount && prior
    ? prior.record.href
    : eventHref(t!.calendar.url, booking, app.config.baseUrl.hostname);
  const res = await putEvent(conn, href, writebackIcs(app, booking, host, nowMs, others));
  if (!res.ok) {
    return {
      ok: false,
      error: describeCaldavError(res.error),
      permanent: res.error.kind === "forbidden_address",
    };
  }
  const personKey = recordPerson(booking, person);
  await putBookingWriteback(app.kv, booking.id, {
    v: 1,
    accountId: account.id,
    calendarId: priorAccount && prior ? prior.record.calendarId : t!.calendar.id,
    calendarName: priorAccount && prior ? prior.record.calendarName : t!.calendar.displayName,
    href,
    etag: res.etag,
    writtenAtMs: nowMs,
  }, personKey);
  // The record moves with the meeting to its newest booking.
  if (prior && (prior.bookingId !== booking.id || prior.personKey !== personKey)) {
    await deleteBookingWriteback(app.kv, prior.bookingId, prior.personKey);
  }
  return { ok: true };
}

/** A team booking's members, each an attendee of the one meeting in every member's calendar. */
async function teamAttendees(app: App, b: BookingRecord) {
  const people = await getUsers(app.kv, (b.personIds ?? []).filter((p) => p !== b.hostId));
  return people.map((u) => ({ name: u.name, email: u.email }));
}

async function deleteMeeting(
  app: App,
  bookingId: string,
  booking: BookingRecord | null,
  person: string | undefined,
): Promise<WritebackOutcome> {
  // Where it was written, or (if the record of a successful PUT was lost) where it would be.
  const prior = booking && person ? await writtenFor(app, booking, person) : null;
  let account = null;
  let href: string | null = null;
  if (prior && booking && person) {
    account = (await getAccountEntry(app.kv, person, prior.record.accountId)).value;
    href = prior.record.href;
  } else if (booking && person) {
    const t = await target(app, person);
    if (t) {
      account = t.account;
      href = eventHref(t.calendar.url, booking, app.config.baseUrl.hostname);
    }
  }
  if (!account || !href) {
    // The account was removed or nothing was ever written: nothing to delete.
    if (prior) await deleteBookingWriteback(app.kv, prior.bookingId, prior.personKey);
    return { ok: true };
  }
  const conn = await openConnection(app, account);
  if (!conn) return { ok: false, error: describeCaldavError(UNREADABLE_PASSWORD), permanent: true };
  const res = await deleteEvent(conn, href);
  if (!res.ok) {
    return {
      ok: false,
      error: describeCaldavError(res.error),
      permanent: res.error.kind === "forbidden_address",
    };
  }
  if (prior) await deleteBookingWriteback(app.kv, prior.bookingId, prior.personKey);
  else {
    await deleteBookingWriteback(
      app.kv,
      bookingId,
      booking && person ? recordPerson(booking, person) : undefined,
    );
  }
  return { ok: true };
}
