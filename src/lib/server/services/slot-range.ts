/** The slots of a date range (the API and the embed): at most MAX_RANGE_DAYS, in the guest's zone. */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import type { PublicEventType, PublicHost } from "../../shared/public-types.ts";
import { chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import {
  availabilitiesOf,
  bookingHorizon,
  hostSchedule,
  toPublicEventType,
} from "./public-calendar.ts";
import {
  computeMonth,
  EMPTY,
  type MonthContext,
  type MonthView,
  parseDate,
  readBusy,
  startOfDay,
} from "./slot-month.ts";

/** The most dates one slots request may cover (`end` at most this minus one after `start`). */
export const MAX_RANGE_DAYS = 62;

export type SlotRange =
  | { ok: false; reason: "not_found" | "bad_duration" }
  | { ok: false; reason: "bad_date"; field: "start" | "end"; message: string }
  | {
    ok: true;
    host: PublicHost;
    eventType: PublicEventType;
    timeZone: string;
    durationMin: number;
    /** A conflict calendar could not be read: no slots where it cannot vouch (fail closed). */
    unavailable: boolean;
    /** Every date of the range (guest zone) with its slot starts as epoch ms, earliest first. */
    days: { date: string; starts: Float64Array }[];
    /**
     * Identical (===, element by element) between two calls exactly when the slots are, apart
     * from slots that `now` has passed since: a cache of a rendering of these slots may be reused.
     */
    revision: object[];
    /** When a hold behind these slots ends (Infinity: none): they change then, with no write. */
    changesAtMs: number;
  };

/**
 * Free slots of an event type on the guest-zone dates `start`…`end` (inclusive): the months the
 * booking page shows, cut to the range, so a program sees exactly the slots a person does.
 */
export async function getSlotRange(
  app: App,
  q: {
    username: string;
    slug: string;
    start: string;
    end: string;
    timeZone: string;
    durationMin?: number | null;
  },
): Promise<SlotRange> {
  // A host's event types only: the JSON API does not offer teams' (README).
  const schedule = await hostSchedule(app, q.username, q.slug);
  if (!schedule) return { ok: false, reason: "not_found" };
  const { et } = schedule;
  const host = { timeZone: schedule.timeZone };
  const durationMin = chooseDuration(et, q.durationMin);
  if (durationMin === null) return { ok: false, reason: "bad_duration" };
  const first = parseDate(q.start);
  const last = parseDate(q.end);
  // Each date is blamed on its own field: 30 February as `start` is not a mistake of `end`.
  const notADate = "Not a date: write a real date as YYYY-MM-DD.";
  if (!first) return { ok: false, reason: "bad_date", field: "start", message: notADate };
  if (!last) return { ok: false, reason: "bad_date", field: "end", message: notADate };
  const span = first.until(last, { largestUnit: "days" }).days;
  if (span < 0) {
    return { ok: false, reason: "bad_date", field: "end", message: "`end` is before `start`." };
  }
  if (span >= MAX_RANGE_DAYS) {
    return {
      ok: false,
      reason: "bad_date",
      field: "end",
      message: `Ask for at most ${MAX_RANGE_DAYS} days at a time: \`end\` at most ${
        MAX_RANGE_DAYS - 1
      } days after \`start\`.`,
    };
  }
  // Answered under its current IANA name (ADR 033), however it was spelt ("europe/berlin").
  const tz = canonicalTimeZone(q.timeZone) ?? q.timeZone;
  const nowMs = app.now();
  const { today, horizonEnd, lastDate } = bookingHorizon(nowMs, host, et, tz);
  const ctx: MonthContext = {
    app,
    schedule,
    et,
    rules: eventTypeRules(et),
    durationMin,
    tz,
    nowMs,
    horizonEndMs: horizonEnd.epochMilliseconds,
    availabilities: await availabilitiesOf(app, schedule, nowMs),
  };
  // Only months that can hold a slot are computed: the rest of the range is empty by rule.
  const from = Temporal.PlainDate.compare(first, today) < 0 ? today : first;
  const to = Temporal.PlainDate.compare(last, lastDate) > 0 ? lastDate : last;
  const views = new Map<string, MonthView>();
  let unavailable = false;
  if (Temporal.PlainDate.compare(from, to) <= 0) {
    // One read of busy time for every month the range touches (each month reads a day beyond).
    const firstMonth = from.toPlainYearMonth().toPlainDate({ day: 1 });
    const afterLast = to.toPlainYearMonth().toPlainDate({ day: 1 }).add({ months: 1 });
    ctx.busyRead = await readBusy(
      ctx,
      startOfDay(firstMonth, tz).epochMilliseconds - 86_400_000,
      startOfDay(afterLast, tz).epochMilliseconds + 86_400_000,
    );
    for (
      let m = from.toPlainYearMonth();
      Temporal.PlainYearMonth.compare(m, to.toPlainYearMonth()) <= 0;
      m = m.add({ months: 1 })
    ) {
      const view = await computeMonth(ctx, m);
      views.set(m.toString(), view);
      unavailable ||= view.unavailable;
    }
  }
  const days: { date: string; starts: Float64Array }[] = [];
  // Civil dates by epoch-day arithmetic: the range's days without a Temporal object per day.
  const firstDay = Date.UTC(first.year, first.month - 1, first.day) / 86_400_000;
  for (let i = 0; i <= span; i++) {
    const date = new Date((firstDay + i) * 86_400_000).toISOString().slice(0, 10);
    const view = views.get(date.slice(0, 7));
    days.push({ date, starts: view ? view.live(date) : EMPTY });
  }
  return {
    ok: true,
    host: schedule.publicHost,
    eventType: toPublicEventType(et),
    timeZone: tz,
    durationMin,
    unavailable,
    days,
    revision: [...views.values()].map((x) => x.revision),
    changesAtMs: Math.min(Infinity, ...[...views.values()].map((x) => x.changesAtMs)),
  };
}
