/**
 * A host's own data: the export (JSON of everything that is theirs, without secrets, and an ICS
 * file of their bookings), and erasing one guest's personal data on that guest's request.
 */
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../store/records.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getAvailability } from "../store/availability.ts";
import { getWriteback, listAccounts, listHostCalendars } from "../store/calendars.ts";
import { eraseGuestFromBookings, hostBookingPages } from "../store/host-data.ts";
import { icsCalendarChunks, type IcsEvent } from "../integrations/ics.ts";
import { icsUid } from "../integrations/mail-templates/booking.ts";
import { describeLocation } from "../domain/event-rules.ts";

export const EXPORT_FORMAT = "invito-host-export";
export const EXPORT_VERSION = 1;

/** A booking as exported: everything but the salt its link tokens are derived from. */
function exportedBooking(b: BookingRecord) {
  const { tokenSalt: _secret, ...rest } = b;
  return rest;
}

/**
 * The export as JSON text in pieces: profile, event types, availability, calendars (server,
 * user name and calendars; never the password), then bookings streamed page by page.
 */
export async function* exportHostJson(app: App, user: UserRecord): AsyncGenerator<string> {
  const [eventTypes, availability, accounts, calendars, writeback] = await Promise.all([
    listEventTypes(app.kv, user.id),
    getAvailability(app.kv, user.id, app.now()),
    listAccounts(app.kv, user.id),
    listHostCalendars(app.kv, user.id),
    getWriteback(app.kv, user.id),
  ]);
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(app.now()).toISOString(),
    source: app.config.baseUrl.href,
    profile: {
      username: user.username,
      name: user.name,
      email: user.email,
      timeZone: user.timeZone,
      clock: user.clock ?? "24h",
      embedOrigins: user.embedOrigins ?? null,
      createdAt: new Date(user.createdAtMs).toISOString(),
    },
    eventTypes,
    availability,
    calendars: accounts.map(({ value: a }) => ({
      serverUrl: a.serverUrl,
      username: a.username,
      calendars: calendars.filter((c) => c.value.accountId === a.id).map(({ value: c }) => ({
        url: c.url,
        displayName: c.displayName,
        checkConflicts: c.checkConflicts,
        writeback: writeback.value?.calendarId === c.id,
      })),
    })),
  };
  const text = JSON.stringify(head, null, 2);
  // The object stays open for the bookings array, which may be long.
  yield text.slice(0, -2) + ',\n  "bookings": [';
  let first = true;
  for await (const page of hostBookingPages(app.kv, user.id)) {
    const parts = page.map((b) => "\n    " + JSON.stringify(exportedBooking(b)));
    yield (first ? "" : ",") + parts.join(",");
    if (parts.length) first = false;
  }
  yield "\n  ]\n}\n";
}

/** The host's confirmed and pending bookings as one calendar, page by page. */
export async function* exportHostIcs(app: App, user: UserRecord): AsyncGenerator<string> {
  const [head, tail] = [...icsCalendarChunks([])];
  yield head;
  for await (const page of hostBookingPages(app.kv, user.id)) {
    const events = page.filter((b) => b.status === "CONFIRMED" || b.status === "PENDING")
      .map((b) => icsEventOf(app, user, b));
    yield* [...icsCalendarChunks(events)].slice(1, -1);
  }
  yield tail;
}

function icsEventOf(app: App, user: UserRecord, b: BookingRecord): IcsEvent {
  return {
    uid: icsUid(b.id, app.config.baseUrl.href),
    sequence: b.history.length - 1,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: b.decidedAtMs ?? b.createdAtMs,
    summary: `${b.eventTitle}: ${b.guestName}`,
    description: b.guestNote ? `Note: ${b.guestNote}` : "",
    location: describeLocation(b.location) || undefined,
    status: b.status === "CONFIRMED" ? "CONFIRMED" : "TENTATIVE",
    organizer: { name: user.name, email: user.email },
    attendee: {
      name: b.guestName,
      email: b.guestEmail || "erased@invalid",
      partstat: b.status === "CONFIRMED" ? "ACCEPTED" : "NEEDS-ACTION",
    },
  };
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export type EraseGuestResult =
  | { ok: true; bookings: number }
  | { ok: false; reason: "invalid_email" };

/** Removes a guest's name, address, note and answers from all of this host's bookings. */
export async function eraseGuest(
  app: App,
  host: UserRecord,
  email: string,
): Promise<EraseGuestResult> {
  const e = email.trim();
  if (!EMAIL.test(e)) return { ok: false, reason: "invalid_email" };
  const r = await eraseGuestFromBookings(app.kv, host.id, e, app.now());
  return { ok: true, bookings: r.bookings };
}
