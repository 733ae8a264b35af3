/**
 * The dashboard's first page: what needs the host now (requests waiting, problems that stop or
 * hide bookings) and what comes next (the next meetings). Problems are read from what exists:
 * the calendar accounts' and calendars' status (store/calendars.ts), parked deliveries, and
 * requests that expired unanswered lately.
 */
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import { listHostBookings } from "../store/bookings.ts";
import { listBookingJobs } from "../store/outbox.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { listCalendarAccounts } from "./calendar-accounts.ts";
import { formatDate, formatTimeRange, hostClock } from "../../shared/format.ts";
import type { Translator } from "../../shared/i18n.ts";

export type HomeBooking = {
  id: string;
  title: string;
  guestName: string;
  guestEmail: string;
  /** "Wednesday, November 25, 2026" and "10:00–10:30", in the host's zone, clock and language. */
  date: string;
  time: string;
  /** When a pending request stops holding its time (epoch ms). */
  holdUntilMs: number | null;
  /** A series' request: how many of its dates wait (one Confirm or Reject answers them all). */
  seriesWaiting: number | null;
  /** A seated time: how many guests hold a seat (its seats are one meeting, one row). */
  seated: number | null;
};

export type HomeProblem =
  | { kind: "calendar_error"; account: string; message: string }
  | { kind: "calendar_paused"; calendar: string }
  | { kind: "delivery_failed"; bookingId: string; guestName: string; title: string }
  | {
    kind: "expired_unanswered";
    bookingId: string;
    guestName: string;
    title: string;
    date: string;
  };

export type HostHome = {
  pending: HomeBooking[];
  /** Requests waiting, a series counted once (`pending` lists the first ten). */
  pendingCount: number;
  upcoming: HomeBooking[];
  problems: HomeProblem[];
  /** No calendar account yet: guests can book over the host's real calendar (said on Home). */
  noCalendar: boolean;
};

const WEEK_MS = 7 * 86_400_000;

export async function hostHome(app: App, host: UserRecord, t: Translator): Promise<HostHome> {
  const nowMs = app.now();
  // Bookings from a week back (recently expired requests) onwards, in start order.
  const bookings = await listHostBookings(app.kv, host.id, { fromMs: nowMs - WEEK_MS, limit: 300 });
  const view = (b: BookingRecord): HomeBooking => ({
    id: b.id,
    title: b.eventTitle,
    guestName: b.guestName,
    guestEmail: b.guestEmail,
    date: formatDate(b.startMs, host.timeZone, t.locale),
    time: formatTimeRange(b.startMs, b.endMs, host.timeZone, hostClock(host, t.locale), t.locale),
    holdUntilMs: b.status === "PENDING" ? b.reservedUntilMs : null,
    seriesWaiting: null,
    seated: null,
  });
  const pending = bookings.filter((b) => b.status === "PENDING" && isLiveBooking(b, nowMs));
  const upcoming = bookings.filter((b) => b.status === "CONFIRMED" && b.endMs > nowMs);
  // A series' request is answered whole (series-bookings.ts decideSeries): listing each date
  // with its own Confirm read as that many requests, and the first press answered them all.
  const requests = firstOfEach(pending, (b) => b.series?.id);
  // A seated time is one meeting with its guests, as the bookings list and the calendar show it.
  const meetings = firstOfEach(upcoming, (b) => b.seat?.meetingId).slice(0, 5);

  const problems: HomeProblem[] = [];
  const { accounts } = await listCalendarAccounts(app, host.id, t);
  for (const a of accounts) {
    if (a.error) problems.push({ kind: "calendar_error", account: a.username, message: a.error });
    for (const c of a.calendars) {
      if (c.checkConflicts && c.stale) problems.push({ kind: "calendar_paused", calendar: c.name });
    }
  }
  for (const b of [...pending, ...upcoming.slice(0, 5)]) {
    const jobs = await listBookingJobs(app.kv, b.id);
    if (jobs.some((j) => j.failed)) {
      problems.push({
        kind: "delivery_failed",
        bookingId: b.id,
        guestName: b.guestName,
        title: b.eventTitle,
      });
    }
  }
  for (const b of bookings) {
    if (b.endReason === "expired" && (b.decidedAtMs ?? 0) > nowMs - WEEK_MS) {
      problems.push({
        kind: "expired_unanswered",
        bookingId: b.id,
        guestName: b.guestName,
        title: b.eventTitle,
        date: view(b).date,
      });
    }
  }
  return {
    pending: requests.slice(0, 10).map(({ first, all }) => ({
      ...view(first),
      seriesWaiting: first.series ? all.length : null,
    })),
    pendingCount: requests.length,
    upcoming: meetings.map(({ first, all }) => ({
      ...view(first),
      seated: first.seat ? all.length : null,
    })),
    problems,
    noCalendar: accounts.length === 0,
  };
}

/** `list`'s bookings grouped by `groupOf` (none: alone), each group at its first booking's place. */
function firstOfEach(
  list: BookingRecord[],
  groupOf: (b: BookingRecord) => string | undefined,
): { first: BookingRecord; all: BookingRecord[] }[] {
  const out: { first: BookingRecord; all: BookingRecord[] }[] = [];
  const byGroup = new Map<string, BookingRecord[]>();
  for (const b of list) {
    const group = groupOf(b);
    const known = group === undefined ? undefined : byGroup.get(group);
    if (known) {
      known.push(b);
      continue;
    }
    const all = [b];
    if (group !== undefined) byGroup.set(group, all);
    out.push({ first: b, all });
  }
  return out;
}
