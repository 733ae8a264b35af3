/**
 * Confirmed bookings into the host's chosen calendar, through the outbox (retried with backoff).
 * PUT goes to a stable address `{calendar}{bookingId}.ics` with the booking's stable UID, so a
 * retry or a crash-and-redo replaces the same event instead of adding a second one; DELETE of an
 * event that is already gone counts as done. A booking is never changed by a failed write.
 */
import ICAL from "ical.js";
import type { App } from "../app.ts";
import type { OutboxRecord } from "../store/records.ts";
import type { BookingRecord, UserRecord } from "../store/records.ts";
import { getBooking } from "../store/bookings.ts";
import { getUser } from "../store/users.ts";
import {
  deleteBookingWriteback,
  getAccountEntry,
  getBookingWriteback,
  getCalendar,
  getWriteback,
  putBookingWriteback,
} from "../store/calendars.ts";
import { buildIcs } from "../integrations/ics.ts";
import { icsUid } from "../integrations/mail-templates/booking.ts";
import {
  icsDescriptionForHost,
  icsSummaryForHost,
} from "../integrations/mail-templates/ics-text.ts";
import { translator } from "../i18n.ts";
import { locationText } from "../../shared/location-text.ts";
import { deleteEvent, describeCaldavError, putEvent } from "../integrations/caldav.ts";
import { openConnection, UNREADABLE_PASSWORD } from "./sync-calendars.ts";

export type WritebackOutcome = { ok: true } | { ok: false; error: string; permanent?: boolean };

/** The VEVENT for the host's calendar: UTC times, host as organizer, guest as attendee. */
export function writebackIcs(
  app: App,
  booking: BookingRecord,
  host: UserRecord,
  nowMs: number,
): string {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  // The host's calendar, the host's words.
  const t = translator(host.locale);
  const ics = buildIcs({
    uid: icsUid(booking.id, base),
    sequence: 0,
    startMs: booking.startMs,
    endMs: booking.endMs,
    stampMs: nowMs,
    summary: icsSummaryForHost(booking, t),
    description: icsDescriptionForHost(booking, `${base}/dashboard/bookings`, t),
    location: locationText(booking.location, t) || undefined,
    status: "CONFIRMED",
    organizer: { name: host.name, email: host.email },
    attendee: { name: booking.guestName, email: booking.guestEmail },
  });
  // Invito mails the guest itself; SCHEDULE-AGENT=CLIENT keeps a scheduling server
  // (Nextcloud, iCloud) from sending a second invitation (RFC 6638).
  const cal = new ICAL.Component(ICAL.parse(ics));
  const ev = cal.getFirstSubcomponent("vevent")!;
  for (const p of [ev.getFirstProperty("attendee"), ev.getFirstProperty("organizer")]) {
    p?.setParameter("schedule-agent", "CLIENT");
  }
  return cal.toString() + "\r\n";
}

const eventHref = (calendarUrl: string, bookingId: string) =>
  `${calendarUrl.endsWith("/") ? calendarUrl : calendarUrl + "/"}${
    encodeURIComponent(bookingId)
  }.ics`;

async function target(app: App, hostId: string) {
  const wb = await getWriteback(app.kv, hostId);
  if (!wb.value) return null;
  const account = await getAccountEntry(app.kv, hostId, wb.value.accountId);
  const calendar = await getCalendar(app.kv, hostId, wb.value.accountId, wb.value.calendarId);
  return account.value && calendar ? { account: account.value, calendar } : null;
}

export async function writeBack(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<WritebackOutcome> {
  const p = job.payload;
  if (p.kind !== "writeback") return { ok: false, error: "not a writeback job", permanent: true };
  const booking = await getBooking(app.kv, p.bookingId);

  if (p.op === "put") {
    // Cancelled (or gone) before the write got through: there is nothing to add.
    if (!booking || booking.status !== "CONFIRMED") return { ok: true };
    const t = await target(app, booking.hostId);
    if (!t) return { ok: true }; // the host writes bookings to no calendar
    const host = await getUser(app.kv, booking.hostId);
    if (!host) return { ok: false, error: "host no longer exists", permanent: true };
    const conn = await openConnection(app, t.account);
    if (!conn) {
      return { ok: false, error: describeCaldavError(UNREADABLE_PASSWORD), permanent: true };
    }
    const href = eventHref(t.calendar.url, booking.id);
    const res = await putEvent(conn, href, writebackIcs(app, booking, host, nowMs));
    if (!res.ok) {
      return {
        ok: false,
        error: describeCaldavError(res.error),
        permanent: res.error.kind === "forbidden_address",
      };
    }
    await putBookingWriteback(app.kv, booking.id, {
      v: 1,
      accountId: t.account.id,
      calendarId: t.calendar.id,
      calendarName: t.calendar.displayName,
      href,
      etag: res.etag,
      writtenAtMs: nowMs,
    });
    return { ok: true };
  }

  // delete: where we wrote it, or (if the record of a successful PUT was lost) where we would have.
  const hostId = booking?.hostId;
  const written = await getBookingWriteback(app.kv, p.bookingId);
  let account = null;
  let href: string | null = null;
  if (written && hostId) {
    account = (await getAccountEntry(app.kv, hostId, written.accountId)).value;
    href = written.href;
  } else if (hostId) {
    const t = await target(app, hostId);
    if (t) {
      account = t.account;
      href = eventHref(t.calendar.url, p.bookingId);
    }
  }
  if (!account || !href) {
    // The account was removed or nothing was ever written: nothing to delete.
    if (written) await deleteBookingWriteback(app.kv, p.bookingId);
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
  if (written) await deleteBookingWriteback(app.kv, p.bookingId);
  return { ok: true };
}
