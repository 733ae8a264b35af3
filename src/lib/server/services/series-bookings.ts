/**
 * A recurring series after it is booked (docs/decisions/048-recurring-series.md): each date is a
 * booking of its own, so cancelling one date is an ordinary cancel. What concerns several dates
 * is decided here, in one place for every door (mail links, the guest's page, the dashboard, the
 * API, the expiry job): a confirm or reject decides every pending date of the series in one press
 * (an expiry every date whose hold is over), and a cancel may take "this and the later dates".
 * Each date's change is its own guarded write (see `decideSeries` for what happens when some
 * fail); a date that ended meanwhile (cancelled, expired) is left as it is.
 */
import type { App } from "../app.ts";
import { type BookingAction, decideTransition, isLiveBooking } from "../domain/booking.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { listSeriesBookings } from "../store/bookings.ts";
import type { DecideResult, SeriesFailure } from "./decide-results.ts";

export type SeriesScope = "one" | "rest";

/** Whether a change of one date of a series reaches its other dates. */
export function seriesWide(action: BookingAction, scope: SeriesScope | undefined): boolean {
  if (action === "confirm" || action === "reject" || action === "expire") return true;
  return action === "cancel" && scope === "rest";
}

/** The dates a change of `b` reaches: every pending one (confirm, reject), or those after it. */
export function seriesTargets(
  b: BookingRecord,
  all: BookingRecord[],
  action: BookingAction,
): BookingRecord[] {
  const others = all.filter((x) => x.id !== b.id && x.series?.id === b.series?.id);
  // "Later" in time: a date moved past another keeps its number but not its place.
  const reach = action === "cancel"
    ? others.filter((x) =>
      x.startMs > b.startMs && (x.status === "PENDING" || x.status === "CONFIRMED")
    )
    : others.filter((x) => x.status === "PENDING");
  return reach.sort((x, y) => x.startMs - y.startMs);
}

/**
 * The date a host's Confirm or Reject of `b` decides: `b`, or — when `b` ended otherwise (the
 * guest cancelled it) while other dates of its series still wait — the first of those. The
 * request mail links to one date; its links stopped working for the whole series once the guest
 * cancelled that date, and the rest expired unanswered.
 */
export async function waitingDateOf(app: App, b: BookingRecord): Promise<BookingRecord> {
  if (!b.series || b.status !== "CANCELLED" || b.rescheduledToId || b.endReason === "expired") {
    return b;
  }
  const nowMs = app.now();
  const all = await listSeriesBookings(app.kv, b.hostId, b.series.id);
  return all.find((x) => x.status === "PENDING" && isLiveBooking(x, nowMs)) ?? b;
}

type Decide = (
  app: App,
  bookingId: string,
  action: BookingAction,
  by: "guest" | "host" | "system",
  opts: {
    reason?: string;
    hostId?: string;
    enforceCutoff?: boolean;
    single?: boolean;
    quiet?: boolean;
  },
) => Promise<DecideResult>;

/** Whether a date a change could not reach still needs it (one that ended meanwhile does not). */
function stillTargeted(b: BookingRecord | undefined, action: BookingAction): boolean {
  if (!b) return true;
  return action === "cancel"
    ? b.status === "PENDING" || b.status === "CONFIRMED"
    : b.status === "PENDING";
}

/**
 * A change that reaches several dates, each date its own guarded write (a series of 52 dates
 * cannot be decided in one write within remote KV's limits; ADR 048). What is not all or nothing
 * is made explicit and safe instead:
 *
 * - a date whose write fails for a passing reason (the store busy or unreachable: "busy") is
 *   tried once more at the end; an error thrown by one date's write is that date's "busy", never
 *   the press's 500 — the other dates are still decided;
 * - a confirm or reject (or expiry) decides the other pending dates first without mails and the
 *   pressed date last: its mails, sent once every date is decided, list the whole series (and
 *   carry its dates for calendars). While a date is still "busy", the pressed date is left
 *   pending and nothing is mailed: the answer (`series_partial`) names the dates and why, and
 *   pressing again decides only what is still pending, then the pressed date with its mails — so
 *   the guest never reads a series as decided while one of its dates waits;
 * - a date that cannot take the change for good (its hold ran out, it is past its cutoff) is
 *   named in `failed` and the press goes on without it;
 * - a cancel goes from the pressed date on, each date with its own mails (each carries its own
 *   CANCEL for calendars).
 */
export async function decideSeries(
  app: App,
  b: BookingRecord,
  action: BookingAction,
  by: "guest" | "host" | "system",
  opts: { reason?: string; hostId?: string; enforceCutoff?: boolean },
  decide: Decide,
): Promise<DecideResult> {
  // Writes riding with the press (an Idempotency-Key) ride with the pressed date alone.
  const { reason, hostId, enforceCutoff } = opts;
  const also: BookingRecord[] = [];
  const failed: SeriesFailure[] = [];
  const one = async (x: BookingRecord, quiet: boolean): Promise<DecideResult> => {
    try {
      return await decide(app, x.id, action, by, {
        reason,
        hostId,
        enforceCutoff,
        single: true,
        quiet,
      });
    } catch (err) {
      console.warn(
        `[series] ${action} of ${x.id} failed:`,
        err instanceof Error ? err.message : err,
      );
      return { ok: false, reason: "busy" };
    }
  };
  const others = async (quiet: boolean) => {
    const all = await listSeriesBookings(app.kv, b.hostId, b.series!.id);
    let todo = seriesTargets(b, all, action);
    for (let round = 0; round < 2 && todo.length > 0; round++) {
      const again: BookingRecord[] = [];
      for (const x of todo) {
        const r = await one(x, quiet);
        // Each date's change went through the runner, which counted it (after-commit.ts).
        if (r.ok) also.push(r.booking);
        else if (!stillTargeted(r.booking, action)) continue;
        else if (round === 0 && r.reason === "busy") again.push(x);
        else failed.push({ bookingId: x.id, startMs: x.startMs, reason: r.reason });
      }
      todo = again;
    }
  };
  const reported = () => (failed.length ? { failed } : {});
  if (action === "cancel") {
    const first = await decide(app, b.id, action, by, { ...opts, single: true });
    if (!first.ok) return first;
    await others(false);
    return { ...first, also, ...reported() };
  }
  // The pressed date must be decidable now, or nothing is decided — unless the guest cancelled
  // it while others wait: the press is for them.
  const t = decideTransition(b, action, app.now());
  if (!t.ok) {
    const waiting = await waitingDateOf(app, b);
    if (waiting.id !== b.id) return await decideSeries(app, waiting, action, by, opts, decide);
    return { ok: false, reason: t.reason, booking: b };
  }
  await others(true);
  if (failed.some((f) => f.reason === "busy")) {
    return { ok: false, reason: "series_partial", booking: b, also, failed };
  }
  const last = await decide(app, b.id, action, by, { ...opts, single: true });
  return { ...last, also, ...reported() };
}
