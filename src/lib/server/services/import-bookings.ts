/**
 * Bookings from a host's export (services/host-data.ts) into this instance, through the booking
 * engine's "import" change (domain/booking-engine/import.ts `planImport`): each booking is one guarded
 * atomic write of its own, checked absent by its id. So a second import of the same file finds
 * what is already here and adds the rest (the booking ids are the resumable marker), an
 * interrupted import loses nothing, and no write ever overwrites a booking or overlaps live time.
 *
 * A booking keeps its identity (id, calendar UID and SEQUENCE, so later updates land on the same
 * calendar event; a UID only when a booking of the file makes it, see `ownEnd`), status, history,
 * guest details and answers; it is filed under this host and the event type here with the slug
 * its event type had there. A seated time's meeting gets an id of the importer's. Its link
 * tokens are new: they are
 * derived from a fresh salt (the export leaves the old one out), so links in mails from the other
 * server do not open it here. Nothing is mailed, written to calendars or sent to webhooks.
 *
 * The caller (services/host-import.ts) validates the whole file first and words the result.
 */
import type { App } from "../app.ts";
import { recordAudit } from "./audit.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { seatsOf } from "../domain/seats.ts";
import { isLiveBooking, utcDay } from "../domain/booking.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getBooking, listBusyEntries } from "../store/bookings.ts";
import { hmacTokenNow, randomToken } from "../integrations/crypto.ts";
import { engineRules, runChange } from "./transaction.ts";

/** A booking as the export holds it (validated by host-import.ts): its record without the salt. */
export type ExportedBooking = Omit<BookingRecord, "tokenSalt" | "hostId"> & { hostId?: string };

export type BookingImportOutcome =
  | "imported"
  | "already_here"
  /** Overlaps live time here (a booking, or a pending request still held). */
  | "overlaps"
  /** No event type here has the slug its event type had (or the export lacks its event type). */
  | "unknown_event_type"
  | "cap_reached"
  | "too_many_pending"
  /** Its id belongs to another host's booking here. */
  | "id_in_use"
  /** The store was too contended, or the booking too large for one write: try again. */
  | "failed"
  /** The import's time ran out before this booking (import the same file again). */
  | "not_yet";

export type BookingImportConflict = {
  outcome: Exclude<BookingImportOutcome, "imported" | "already_here" | "not_yet">;
  booking: { startMs: number; endMs: number; eventTitle: string; guestName: string };
  /** For "overlaps": the booking here it meets, when it could be found. */
  other?: { startMs: number; endMs: number; eventTitle: string; guestName: string };
  /** For "unknown_event_type": the slug that is missing here ("" when the export lacks it). */
  slug?: string;
};

export type BookingImportResult = {
  counts: Record<BookingImportOutcome, number>;
  /** The first conflicts, in file order. */
  conflicts: BookingImportConflict[];
};

/** How many conflicts the report describes one by one. */
export const MAX_REPORTED_CONFLICTS = 20;
/** One import request works this long at most; the rest is done by importing the file again. */
export const IMPORT_TIME_BUDGET_MS = 20_000;
/**
 * Bookings in flight at once. The imported bookings are one host's, so writes that take time on
 * the same day check the same fence and would race; live bookings are therefore handed out a
 * whole UTC day at a time (one worker per day, in file order within it), history one by one.
 */
const IN_FLIGHT = 8;

const brief = (b: Pick<BookingRecord, "startMs" | "endMs" | "eventTitle" | "guestName">) => ({
  startMs: b.startMs,
  endMs: b.endMs,
  eventTitle: b.eventTitle,
  guestName: b.guestName,
});

/** The record this instance stores for an exported booking of `host`. */
export function importedRecord(
  b: ExportedBooking,
  host: UserRecord,
  et: EventTypeRecord,
  sourceHostname: string,
): BookingRecord {
  // A team booking's other members are people of the other server: here it blocks the host.
  const { personIds: _p, coordinatorId: _c, hostId: _h, seat, ...rest } = b;
  return {
    ...rest,
    // A seat stays one where its event type still offers seats; elsewhere it is a plain booking.
    ...(seat && seatsOf(et) ? { seat } : {}),
    v: 1,
    hostId: host.id,
    eventTypeId: et.id,
    tokenSalt: randomToken(16),
    // The UID calendars know it by: without a stored one, it was derived from the old host name.
    icalUid: b.icalUid ?? `${b.id}@${sourceHostname}`,
  };
}

export async function importBookings(
  app: App,
  host: UserRecord,
  input: {
    bookings: readonly ExportedBooking[];
    /** The exporting server's event type id → its slug (from the file's event types). */
    slugOf: ReadonlyMap<string, string>;
    /** The host part of the exporting server's URL (calendar UIDs were derived from it). */
    sourceHostname: string;
  },
  opts: { budgetMs?: number } = {},
): Promise<BookingImportResult> {
  const counts: Record<BookingImportOutcome, number> = {
    imported: 0,
    already_here: 0,
    overlaps: 0,
    unknown_event_type: 0,
    cap_reached: 0,
    too_many_pending: 0,
    id_in_use: 0,
    failed: 0,
    not_yet: 0,
  };
  const conflicts: (BookingImportConflict | undefined)[] = [];
  let reported = 0;
  const here = new Map((await listEventTypes(app.kv, host.id)).map((et) => [et.slug, et]));
  const inFile = new Set(input.bookings.map((b) => b.id));
  /**
   * Another booking a booking names, kept only when it is a booking of this file that no other
   * host's booking here already has the id of. A page follows a move's ends (the time a booking
   * was moved from, the booking it became, with that booking's own link), so a file naming
   * another host's booking would read it through the importer's. A meeting's calendar UID is
   * made of a booking's id and keys records of the whole instance (the Zoom meeting made for it,
   * where calendars hold it): a guest reads their meeting's UID in its invitation, and a file
   * carrying it made the importer's booking the host's meeting, so writing it ended the host's
   * Zoom meeting and moved their calendar's record of it.
   */
  const ownEnd = async (id: string | null | undefined): Promise<string | null> => {
    if (!id || !inFile.has(id)) return null;
    const there = await getBooking(app.kv, id);
    return !there || there.hostId === host.id ? id : null;
  };
  const deadline = performance.now() + (opts.budgetMs ?? IMPORT_TIME_BUDGET_MS);

  const one = async (b: ExportedBooking, i: number) => {
    const note = async (c: BookingImportConflict | (() => Promise<BookingImportConflict>)) => {
      counts[typeof c === "function" ? "overlaps" : c.outcome]++;
      // Only the first few are described (finding what a booking overlaps costs a read).
      if (reported >= MAX_REPORTED_CONFLICTS) return;
      reported++;
      conflicts[i] = typeof c === "function" ? await c() : c;
    };
    const slug = input.slugOf.get(b.eventTypeId) ?? "";
    const et = here.get(slug);
    if (!et) return await note({ outcome: "unknown_event_type", booking: brief(b), slug });
    const rec = importedRecord(b, host, et, input.sourceHostname);
    if (rec.rescheduledFromId) rec.rescheduledFromId = await ownEnd(rec.rescheduledFromId);
    if (rec.rescheduledToId) rec.rescheduledToId = await ownEnd(rec.rescheduledToId);
    // Not this file's meeting: the booking is a meeting of its own (as it would be without one).
    // Its own id needs no read: the write refuses an id another host's booking has.
    const uidRoot = rec.icalUid?.split("@")[0];
    if (uidRoot !== rec.id && !(await ownEnd(uidRoot))) {
      rec.icalUid = `${rec.id}@${input.sourceHostname}`;
    }
    // A seated time's meeting id is no booking's: the meeting here is the importer's own, named
    // by the importer and the id it had (its seats, in this file or a later one, stay together).
    if (rec.seat) {
      rec.seat = {
        meetingId: hmacTokenNow(app.linkKey, "imported meeting", host.id, rec.seat.meetingId),
      };
    }
    const seats = seatsOf(et);
    // Outside the host's in-process queue: that queue would take the bookings one at a time
    // (0.28–0.34× the raw commit rate, issue 26). The days they are handed out by keep them from
    // racing each other; a guest booking meanwhile races them like any two writes, guarded.
    const res = await runChange(app, {
      rules: engineRules(app, et),
      change: () => ({
        kind: "import",
        booking: rec,
        ...(seats && rec.seat ? { perTime: seats.perTime } : {}),
      }),
    });
    if (res.ok) {
      counts.imported++;
      return;
    }
    switch (res.reason) {
      case "conflict":
        if ((res.primary as BookingRecord | undefined)?.hostId === host.id) counts.already_here++;
        else await note({ outcome: "id_in_use", booking: brief(b) });
        return;
      case "slot_taken":
      // A seat whose time here is full runs into that time's meeting.
      case "seats_full":
      case "held":
        return await note(async () => ({
          outcome: "overlaps",
          booking: brief(b),
          other: await overlapped(app, rec),
        }));
      case "cap_reached":
      case "too_many_pending":
        return await note({ outcome: res.reason, booking: brief(b) });
      default:
        return await note({ outcome: "failed", booking: brief(b) });
    }
  };

  // A small pool: each worker takes the next group (a day of live bookings, or one booking of
  // history), in the order of the groups' first bookings in the file, until the time is up.
  const groups = importGroups(input.bookings, app.now());
  let next = 0;
  let started = 0;
  const worker = async () => {
    while (next < groups.length) {
      for (const i of groups[next++]) {
        if (started > 0 && performance.now() > deadline) return;
        started++;
        await one(input.bookings[i], i);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  counts.not_yet = input.bookings.length - started;
  if (counts.imported) {
    await recordAudit(app, {
      kind: "bookings_imported",
      actor: host,
      target: host,
      said: { code: "bookings_imported", values: { n: counts.imported } },
    });
  }
  return { counts, conflicts: conflicts.filter((c) => c !== undefined) };
}

/**
 * The bookings' indexes, grouped for the pool: those that take time (live at `nowMs`) by the UTC
 * day their time starts on, the rest alone. Groups are ordered by their first booking.
 */
export function importGroups(bookings: readonly ExportedBooking[], nowMs: number): number[][] {
  const groups: number[][] = [];
  const byDay = new Map<string, number[]>();
  bookings.forEach((b, i) => {
    if (!isLiveBooking(b, nowMs)) return void groups.push([i]);
    // The day of the busy fence its time starts under (the engine's own day, domain/booking.ts).
    const day = utcDay(b.blockStartMs);
    const group = byDay.get(day);
    if (group) return void group.push(i);
    const fresh = [i];
    byDay.set(day, fresh);
    groups.push(fresh);
  });
  return groups;
}

/** The live booking here that an imported one ran into (the first found), for the report. */
async function overlapped(app: App, b: BookingRecord): Promise<BookingImportConflict["other"]> {
  const [hit] = await listBusyEntries(
    app.kv,
    b.hostId,
    b.blockStartMs,
    b.blockEndMs,
    app.now(),
    b.id,
  );
  const other = hit ? await getBooking(app.kv, hit.bookingId) : null;
  return other ? brief(other) : undefined;
}
