/** One event type's month grid and one day's slots for a guest, in the guest's zone. */
import type { App } from "../app.ts";
import { computeColumnDays, parseLayout, type SlotLayout } from "../domain/slot-layout.ts";
import { Temporal } from "../domain/temporal.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { isListed } from "../domain/event-visibility.ts";
import type { PublicEventType, PublicHost, PublicTeam } from "../../shared/public-types.ts";
import { chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import { type Clock, formatTime, isoDateIn, isoInstant, zoneOffset } from "../../shared/format.ts";
import { translator } from "../i18n.ts";
import {
  availabilitiesOf,
  bookingHorizon,
  hostSchedule,
  teamSchedule,
  toPublicEventType,
} from "./public-calendar.ts";
import {
  computeMonth,
  type DayView,
  MONTH_RE,
  type MonthContext,
  parseDate,
  type SlotView,
} from "./slot-month.ts";

export type SlotPage =
  | { ok: false; reason: "not_found" }
  | {
    ok: true;
    host: PublicHost;
    eventType: PublicEventType;
    timeZone: string;
    today: string;
    lastDate: string;
    month: string;
    days: DayView[];
    date: string | null;
    slots: SlotView[];
    durationMin: number;
    /** A conflict calendar could not be read for too long: no slots where it cannot vouch (fail closed). */
    unavailable: boolean;
    clock: Clock;
    /** Listed on the host's page; a secret event type's page asks not to be indexed. */
    listed: boolean;
    /** The locale of the page's words and slot labels. */
    locale: string;
    /** The host fixed the page's language (no language choice on the page). */
    languageFixed: boolean;
    /** A team's page: who takes part, and how. */
    team: PublicTeam | null;
    /** How the times are laid out; for week and column, the days shown side by side. */
    layout: SlotLayout;
    columns: SlotColumns | null;
    /**
     * When a hold behind the shown times ends (Infinity: none): the page changes then with no
     * write, so a rendering is reused until then at most (http/page-cache.ts).
     */
    changesAtMs: number;
  };

/** The days a week or column view shows, each with its free times, and its previous/next days. */
export type SlotColumns = {
  days: { date: string; slots: SlotView[] }[];
  prev: string | null;
  next: string | null;
};

/**
 * A month's slot starts per guest-zone date, as bare epoch milliseconds: a host open around the
 * clock has ~3,000 slots a month, and strings for each (ISO start, label) made a cached month
 * ~400 KB; labels are only ever needed for the one day shown.
 */

/**
 * A day's times as the guest reads them, each one once: on the day their clocks go back the hour
 * that comes twice ("2:00 AM" and "2:00 AM") is told apart by its offset from UTC.
 */
function withDistinctLabels(slots: SlotView[], tz: string): SlotView[] {
  const seen = new Map<string, number>();
  for (const s of slots) seen.set(s.label, (seen.get(s.label) ?? 0) + 1);
  if (seen.size === slots.length) return slots;
  return slots.map((s) =>
    seen.get(s.label)! > 1
      ? { ...s, label: `${s.label} (${zoneOffset(Date.parse(s.start), tz)})` }
      : s
  );
}

export async function getSlotPage(
  app: App,
  q: {
    username: string;
    /** A team's event type (`username` is then ignored): its slug. */
    team?: string;
    /** A routing form's signed response reference (a route may name a round robin's member). */
    routing?: string | null;
    slug: string;
    timeZone?: string | null;
    month?: string | null;
    date?: string | null;
    duration?: string | null;
    /** Rescheduling: this booking's own time counts as free. */
    excludeBookingId?: string;
    /**
     * The guest's reschedule page: the booking's own time stands in its day's list, marked
     * `current` (the host's picker, radios that would all be choices, leaves it out).
     */
    showOwnTime?: boolean;
    /** Rescheduling keeps the booked length whatever lengths are offered now. */
    fixedDurationMin?: number;
    /**
     * Only these starts (epoch ms) are offered, those of them that are free: a booking made
     * through a one-off link moves among its host's offered times (domain/guest-moves.ts).
     */
    onlyStarts?: readonly number[] | null;
    /**
     * With no date or month asked, open on this instant's day (in the page's zone) when the
     * window shows it: a reschedule page opens on the booking's own day.
     */
    openOnMs?: number | null;
    /** The host's own picker: seats left are shown even when hidden from guests. */
    forHost?: boolean;
    /** A team booking's member moving it (public-calendar.ts `moveHosts`): whose times. */
    mover?: string;
    /** How the guest writes times (labels only; default 24-hour). */
    clock?: Clock;
    /** The guest's locale (labels and words; default English). */
    locale?: string;
    /** `layout=` from the link (month, week, column); else the event type's (domain/slot-layout.ts). */
    layout?: string | null;
  },
): Promise<SlotPage> {
  const clock = q.clock ?? "24h";
  const t = translator(q.locale);
  const schedule = q.team !== undefined
    ? await teamSchedule(app, q.team, q.slug, q.routing, q.mover ?? null)
    : await hostSchedule(app, q.username, q.slug);
  if (!schedule) return { ok: false, reason: "not_found" };
  const { et } = schedule;
  // The zone of the booking window and caps: the host's, or the team's.
  const host = { timeZone: schedule.timeZone };
  const rules = eventTypeRules(et);
  const askedDuration = q.duration && /^\d{1,3}$/.test(q.duration) ? Number(q.duration) : null;
  const durationMin = q.fixedDurationMin ?? chooseDuration(et, askedDuration) ?? et.durationMin;
  const tz = (q.timeZone && canonicalTimeZone(q.timeZone)) || host.timeZone;
  const nowMs = app.now();
  const { today, horizonEnd, lastDate } = bookingHorizon(nowMs, host, et, tz);

  // A date or month the page cannot show — a link someone else wrote (a site's prefill, an old
  // bookmark): not a date, a day gone by, beyond the window — is ignored without a word (issue
  // 29): the guest did not choose it and can do nothing about it, and the page opens as if it
  // had not been asked for, on the first free day. The page's own links only name days it shows.
  let date = q.date
    ? parseDate(q.date)
    : !q.month && q.openOnMs != null
    ? Temporal.PlainDate.from(isoDateIn(q.openOnMs, tz))
    : null;
  if (
    date &&
    (Temporal.PlainDate.compare(date, today) < 0 || Temporal.PlainDate.compare(date, lastDate) > 0)
  ) date = null;
  const firstMonth = today.toPlainYearMonth();
  const lastMonth = lastDate.toPlainYearMonth();
  let askedMonth: Temporal.PlainYearMonth | null = null;
  if (!date && q.month && MONTH_RE.test(q.month)) {
    try {
      askedMonth = Temporal.PlainYearMonth.from(q.month, { overflow: "reject" });
    } catch {
      askedMonth = null;
    }
    if (
      askedMonth && (Temporal.PlainYearMonth.compare(askedMonth, firstMonth) < 0 ||
        Temporal.PlainYearMonth.compare(askedMonth, lastMonth) > 0)
    ) askedMonth = null;
  }
  let month: Temporal.PlainYearMonth = date?.toPlainYearMonth() ?? askedMonth ?? firstMonth;

  const ctx: MonthContext = {
    app,
    schedule,
    et,
    rules,
    durationMin,
    tz,
    nowMs,
    horizonEndMs: horizonEnd.epochMilliseconds,
    availabilities: await availabilitiesOf(app, schedule, nowMs),
    excludeBookingId: q.excludeBookingId,
    forHost: q.forHost,
  };
  let changesAtMs = Infinity;
  const only = q.onlyStarts ? new Set(q.onlyStarts) : null;
  const monthView = async (m: Temporal.PlainYearMonth) => {
    const view = await computeMonth(ctx, m);
    // Cut to the offered starts, for the days' counts and lists alike.
    const live = only ? (d: string) => view.live(d).filter((ms) => only.has(ms)) : view.live;
    const freeDays = only
      ? view.days.map((d) => ({ date: d.date, slots: live(d.date).length }))
      : view.days;
    const slotOf = (ms: number) => ({
      start: isoInstant(ms),
      label: formatTime(ms, tz, clock, t.locale),
    });
    // A guest looking at their day saw a gap where their meeting is and could not tell which
    // time was theirs: it stands in its place, not offered (they hold a seat there already, so
    // no count either). Added to the day's list only: the month's days count free times, and a
    // day with none but theirs stays a day without free times.
    const own = q.showOwnTime ? view.ownStartMs : null;
    const slotsOn = (d: string): SlotView[] => {
      const free: SlotView[] = Array.from(live(d), (ms) => ({
        ...slotOf(ms),
        ...(view.seatsLeft ? { seatsLeft: view.seatsLeft(ms) } : {}),
      }));
      if (own !== null && isoDateIn(own, tz) === d) {
        const at = free.findIndex((s) => Date.parse(s.start) > own);
        free.splice(at === -1 ? free.length : at, 0, { ...slotOf(own), current: true });
      }
      return withDistinctLabels(free, tz);
    };
    changesAtMs = Math.min(changesAtMs, view.changesAtMs);
    // The guest's own day is a day to open even with no other free time: their time is there.
    const ownDate = own !== null ? isoDateIn(own, tz) : null;
    const days: DayView[] = ownDate === null
      ? freeDays
      : freeDays.map((d) => d.date === ownDate ? { ...d, own: true as const } : d);
    return { days, slotsOn, unavailable: view.unavailable };
  };

  let view = await monthView(month);
  // With nothing chosen, open on the first month that has a free slot (a guest arriving on the 30th).
  if (!date && !askedMonth) {
    while (
      !view.unavailable && !view.days.some((d) => d.slots > 0) &&
      Temporal.PlainYearMonth.compare(month, lastMonth) < 0
    ) {
      month = month.add({ months: 1 });
      view = await monthView(month);
    }
  }
  const selected = date ? date.toString() : view.days.find((d) => d.slots > 0)?.date ?? null;
  const layout = parseLayout(q.layout) ?? et.layout ?? "month";
  let columns: SlotColumns | null = null;
  if (layout !== "month") {
    const from = selected ? Temporal.PlainDate.from(selected) : today;
    const span = computeColumnDays(layout, from, today, lastDate);
    const views = new Map([[month.toString(), view]]);
    const days: SlotColumns["days"] = [];
    for (const d of span.dates) {
      const m = d.toPlainYearMonth().toString();
      const outside = Temporal.PlainDate.compare(d, today) < 0 ||
        Temporal.PlainDate.compare(d, lastDate) > 0;
      if (!outside && !views.has(m)) views.set(m, await monthView(d.toPlainYearMonth()));
      days.push({ date: d.toString(), slots: outside ? [] : views.get(m)!.slotsOn(d.toString()) });
    }
    columns = {
      days,
      prev: span.prev?.toString() ?? null,
      next: span.next?.toString() ?? null,
    };
  }
  return {
    layout,
    columns,
    ok: true,
    host: schedule.publicHost,
    eventType: toPublicEventType(et, t),
    timeZone: tz,
    today: today.toString(),
    lastDate: lastDate.toString(),
    month: month.toString(),
    days: view.days,
    date: selected,
    slots: selected ? view.slotsOn(selected) : [],
    durationMin,
    unavailable: view.unavailable,
    clock,
    listed: isListed(et),
    locale: t.locale,
    languageFixed: !!et.language,
    team: schedule.team,
    changesAtMs,
  };
}

/** A team's public page: its listed event types, each with the members who take part. */
