/**
 * A recurring series after it is booked (docs/decisions/048-recurring-series.md): each date is a
 * booking of its own, so cancelling one date is an ordinary cancel. What concerns several dates
 * is decided here, in one place for every door (mail links, the guest's page, the dashboard, the
 * API, the expiry job): a confirm or reject decides every pending date of the series in one press
 * (an expiry every date whose hold is over), and a cancel may take "this and the later dates". Each date's change is its own guarded write, the pressed
 * date first (its refusal is the answer); a later date that cannot change (already cancelled,
 * past its cutoff) is left as it is.
 */
import type { App } from "../app.ts";
import { type BookingAction, decideTransition } from "../domain/booking.ts";
import type { BookingRecord } from "../domain/model/records.ts";
import { listSeriesBookings } from "../store/bookings.ts";
import type { DecideResult } from "./decide-results.ts";

export type SeriesScope = "one" | "rest";

/** Whether a change of one date of a series reaches its other dates. */
export function seriesWide(action: BookingAction, scope: SeriesScope | undefined): boolean {
  if (action === "confirm" || action === "reject" || action === "expire") return true;
  return action === "cancel" && scope === "rest";
}

/** The dates a change of `b` reaches: every pending one (confirm, reject), or `b` and later. */
export function seriesTargets(
  b: BookingRecord,
  all: BookingRecord[],
  action: BookingAction,
): BookingRecord[] {
  const others = all.filter((x) => x.id !== b.id && x.series?.id === b.series?.id);
  const reach = action === "cancel"
    ? others.filter((x) =>
      x.series!.index > b.series!.index && (x.status === "PENDING" || x.status === "CONFIRMED")
    )
    : others.filter((x) => x.status === "PENDING");
  return reach.sort((x, y) => x.series!.index - y.series!.index);
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

/**
 * A change that reaches several dates. A cancel goes from the pressed date on, each date with
 * its own mails (each carries its own CANCEL for calendars). A confirm or reject decides the
 * other pending dates first without mails and the pressed date last: its mails, sent once every
 * date is decided, list the whole series (and carry its dates for calendars).
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
  const others = async (quiet: boolean) => {
    const all = await listSeriesBookings(app.kv, b.hostId, b.series!.id);
    for (const x of seriesTargets(b, all, action)) {
      const r = await decide(app, x.id, action, by, {
        reason,
        hostId,
        enforceCutoff,
        single: true,
        quiet,
      });
      // Each date's change went through the runner, which counted it (after-commit.ts).
      if (r.ok) also.push(r.booking);
    }
  };
  if (action === "cancel") {
    const first = await decide(app, b.id, action, by, { ...opts, single: true });
    if (!first.ok) return first;
    await others(false);
    return { ...first, also };
  }
  // The pressed date must be decidable now, or nothing is decided.
  const t = decideTransition(b, action, app.now());
  if (!t.ok) return { ok: false, reason: t.reason, booking: b };
  await others(true);
  const last = await decide(app, b.id, action, by, { ...opts, single: true });
  return last.ok ? { ...last, also } : last;
}
