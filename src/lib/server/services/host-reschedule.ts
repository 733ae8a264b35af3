/**
 * The host moves one of their bookings from the dashboard (issue 28): the page offers the
 * host's own free times (as their booking page computes them, the booking's own time counted
 * free), and a time of their choosing, which outside their hours needs their explicit "outside
 * my hours". The move itself is `rescheduleByHost`: the engine decides, never over another live
 * booking.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { Temporal } from "../domain/temporal.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { getBooking } from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import { getTeam } from "../store/teams.ts";
import { type BookingView, viewBooking } from "./booking-view.ts";
import { getSlotPage, type SlotPage } from "./slot-page.ts";
import { rescheduleByHost, type RescheduleResult } from "./decide-booking.ts";
import { hostClock } from "../../shared/format.ts";

export type HostMoveView =
  | { ok: false; reason: "not_found" }
  | {
    ok: true;
    view: BookingView;
    /** Whether it can still be moved (a live booking of theirs or of their team). */
    movable: boolean;
    /** A team's booking: its new time must suit the team (no "outside my hours"). */
    team: boolean;
    /** The host's free times for it (null: its event type is gone). */
    page: Extract<SlotPage, { ok: true }> | null;
    timeZone: string;
  };

export async function hostMoveView(
  app: App,
  host: UserRecord,
  bookingId: string,
  q: { date: string | null; month: string | null; locale: string },
): Promise<HostMoveView> {
  const b = await getBooking(app.kv, bookingId);
  if (!b || b.hostId !== host.id) return { ok: false, reason: "not_found" };
  const clock = hostClock(host, q.locale);
  const view = await viewBooking(app, b, q.locale, { timeZone: host.timeZone, clock }, "host_list");
  const movable = isLiveBooking(b, app.now()) && b.endMs > app.now();
  // A team's booking moves through the team's protocol: a collective one to times every member
  // has free, a round robin's to the moving member's own (public-calendar.ts `moveHosts`).
  const team = b.teamId ? await getTeam(app.kv, b.teamId) : null;
  const et = await getEventType(app.kv, team?.id ?? b.hostId, b.eventTypeId);
  const page = movable && et && et.active && (!b.teamId || team)
    ? await getSlotPage(app, {
      username: host.username,
      ...(team ? { team: team.slug } : {}),
      slug: et.slug,
      timeZone: host.timeZone,
      month: q.month,
      date: q.date,
      excludeBookingId: b.id,
      fixedDurationMin: b.durationMin,
      clock,
      locale: q.locale,
      forHost: true,
      ...(team ? { mover: host.id } : {}),
    })
    : null;
  return {
    ok: true,
    view,
    movable,
    team: !!b.teamId,
    page: page && page.ok ? page : null,
    timeZone: host.timeZone,
  };
}

export type HostMoveInput = {
  /** A free time offered on the page (an instant)… */
  start?: string;
  /** …or a date and wall time of the host's choosing, in the host's zone. */
  date?: string;
  time?: string;
  reason?: string;
  outsideHours?: boolean;
};

/** The instant a wall time in `timeZone` names (the earlier one in a DST fold); null if invalid. */
export function wallTimeInstant(date: string, time: string, timeZone: string): string | null {
  try {
    const d = Temporal.PlainDate.from(date, { overflow: "reject" });
    const t = Temporal.PlainTime.from(time, { overflow: "reject" });
    return d.toZonedDateTime({ timeZone, plainTime: t }).toInstant().toString();
  } catch {
    return null;
  }
}

export async function moveBookingByHost(
  app: App,
  host: UserRecord,
  bookingId: string,
  input: HostMoveInput,
): Promise<RescheduleResult> {
  const start = input.start ??
    (input.date && input.time ? wallTimeInstant(input.date, input.time, host.timeZone) : null);
  if (!start) return { ok: false, reason: "slot_unavailable" };
  const res = await rescheduleByHost(app, host.id, bookingId, start, {
    reason: input.reason,
    outsideHours: input.outsideHours,
  });
  return res;
}
