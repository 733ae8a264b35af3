/** One month of one schedule: busy time read once, the slot engine run per day (with a small month cache), full cap periods. */
import { setBounded } from "../../shared/bounded-map.ts";
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlotStartsMs } from "../domain/slots.ts";
import { countCapEntries, getBooking, listBusyEntries } from "../store/bookings.ts";
import { blockedInterval, isLiveBooking, isOwnTime } from "../domain/booking.ts";
import { listBusyOfMany } from "../store/busy-cache.ts";
import { calendarBusy } from "./calendar-busy.ts";
import type { AvailabilityRecord, EventTypeRecord } from "../domain/model/records.ts";
import type { PublicHost, PublicTeam } from "../../shared/public-types.ts";
import { computeTeamSlots } from "../domain/team.ts";
import { capPeriods, eventTypeRules } from "../domain/event-rules.ts";
import { overlaps } from "../domain/interval.ts";
import { isoDateIn } from "../../shared/format.ts";
import { listSeatLedgers } from "../store/seats.ts";
import { recordMark } from "../store/settings-cache.ts";
import { joinsMeeting, liveSeats, seatsOf } from "../domain/seats.ts";

/**
 * Whose hours and busy time a booking page offers: one host, or a team's members combined
 * (round robin: any member free; collective: every member free).
 */
export type Schedule = {
  publicHost: PublicHost;
  team: PublicTeam | null;
  /** The zone whose dates bound the booking window and count caps (the host's, or the team's). */
  timeZone: string;
  et: EventTypeRecord;
  members: { id: string; timeZone: string }[];
  mode: "single" | "union" | "intersection";
};

export type SlotView = {
  start: string;
  label: string;
  /** A seated event type's seats still free at this time (absent: not seated, or count hidden). */
  seatsLeft?: number;
  /**
   * The time of the booking being moved, shown where it is among the free ones (a reschedule
   * page): not a choice, since a move there changes nothing (domain/booking.ts `isOwnTime`).
   */
  current?: true;
};
/**
 * A date and its number of free times; `own`: the day of the booking a reschedule page moves
 * (a link in the calendar even with no other free time: the guest's time is shown there).
 */
export type DayView = { date: string; slots: number; own?: true };

/**
 * A month's slot starts per guest-zone date, as bare epoch milliseconds: a host open around the
 * clock has ~3,000 slots a month, and strings for each (ISO start, label) made a cached month
 * ~400 KB; labels are only ever needed for the one day shown.
 */
type CachedMonth = { dates: readonly string[]; byDate: Map<string, Float64Array>; minute: number };

/** Per-process cache of computed months, keyed by everything they depend on (bounded, FIFO). */
const monthCache = new Map<string, CachedMonth>();
const MONTH_CACHE_MAX = 300;
function remember(key: string, value: CachedMonth) {
  // One entry per page input; a newer minute replaces it (so old minutes never pile up).
  setBounded(monthCache, key, value, MONTH_CACHE_MAX);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const MONTH_RE = /^\d{4}-\d{2}$/;

export function parseDate(s: string): Temporal.PlainDate | null {
  if (!DATE_RE.test(s)) return null;
  try {
    return Temporal.PlainDate.from(s, { overflow: "reject" });
  } catch {
    return null;
  }
}

export function startOfDay(date: Temporal.PlainDate, timeZone: string): Temporal.Instant {
  return date.toZonedDateTime({ timeZone }).toInstant();
}

/**
 * A guest-zone month: where it starts and ends, its dates and where each starts (the last bound
 * is the next month's start). The same for every schedule shown in that month and zone, so made
 * once for them: made per render, its thirty-odd Temporal days were about a seventh of a cold
 * booking page's garbage (issue 26's RSS row). Read-only: cached months share `dates`.
 */
type MonthFrame = {
  from: Temporal.Instant;
  until: Temporal.Instant;
  dates: readonly string[];
  bounds: readonly number[];
};
const frames = new Map<string, MonthFrame>();
/** Months × zones a process shows at once: a few months in the guests' few zones. */
const FRAMES_MAX = 64;

function monthFrame(m: Temporal.PlainYearMonth, tz: string): MonthFrame {
  const key = `${m.year}-${m.month}|${tz}`;
  const known = frames.get(key);
  if (known) return known;
  const first = m.toPlainDate({ day: 1 });
  const dates: string[] = [];
  const bounds: number[] = [];
  for (let d = first; d.month === first.month; d = d.add({ days: 1 })) {
    dates.push(d.toString());
    bounds.push(startOfDay(d, tz).epochMilliseconds);
  }
  const until = startOfDay(first.add({ months: 1 }), tz);
  bounds.push(until.epochMilliseconds);
  const frame = { from: startOfDay(first, tz), until, dates, bounds };
  setBounded(frames, key, frame, FRAMES_MAX);
  return frame;
}

/**
 * Slot starts (sorted here if they come unsorted) bucketed by guest-zone date, walking the
 * dates' bounds once instead of formatting every start (a team's month can hold thousands).
 * Each date's starts are a view of one array of the month's, not a copy: a month of ~3,000
 * starts made ~100 KiB of lists and copies per cold render. A start outside the month's dates
 * (none from the slot engine, which is given the month's bounds) gets a date of its own.
 */
function byDateOf(
  starts: readonly number[],
  dates: readonly string[],
  bounds: readonly number[],
  tz: string,
): Map<string, Float64Array> {
  const all = Float64Array.from(starts);
  for (let k = 1; k < all.length; k++) {
    if (all[k] < all[k - 1]) {
      all.sort();
      break;
    }
  }
  const byDate = new Map<string, Float64Array>();
  const last = dates.length;
  let day = 0;
  let i = 0;
  while (i < all.length) {
    const ms = all[i];
    if (ms < bounds[0] || ms >= bounds[last]) {
      const d = isoDateIn(ms, tz);
      const had = byDate.get(d);
      byDate.set(d, had ? Float64Array.of(...had, ms) : Float64Array.of(ms));
      i++;
      continue;
    }
    while (day < last - 1 && ms >= bounds[day + 1]) day++;
    let j = i + 1;
    while (j < all.length && all[j] < bounds[day + 1]) j++;
    byDate.set(dates[day], all.subarray(i, j));
    i = j;
  }
  return byDate;
}

export const EMPTY = new Float64Array();

export type MonthContext = {
  app: App;
  schedule: Schedule;
  et: EventTypeRecord;
  rules: ReturnType<typeof eventTypeRules>;
  durationMin: number;
  /** The guest's zone: months and dates are theirs. */
  tz: string;
  nowMs: number;
  /** The end of the host's (or team's) booking window. */
  horizonEndMs: number;
  /** Each member's hours, in `schedule.members` order. */
  availabilities: AvailabilityRecord[];
  excludeBookingId?: string;
  /** The host's own picker (book for a guest, move): a seated time's count is shown even when
   * the host hides it from guests. */
  forHost?: boolean;
  /** Busy time read once for several months (a range request); used when it covers the month. */
  busyRead?: BusyRead;
};

type BusyRead = {
  fromMs: number;
  toMs: number;
  /** Per member: live bookings, and external-calendar state. */
  booked: { startMs: number; endMs: number }[][];
  cal: Awaited<ReturnType<typeof calendarBusy>>[];
  /**
   * Per member, equal exactly when the booked list is (store/busy-cache.ts); null when the lists
   * were read fresh and are themselves the mark.
   */
  marks: string[] | null;
  /** When a hold in `booked` ends (the earliest; Infinity: none): the lists change then. */
  changesAtMs: number;
};

/**
 * Every member's live bookings and external-calendar state over a range. Bookings come through
 * the busy cache (reused while a person's busy revision is unchanged: ten team members with a
 * thousand bookings each), except on a reschedule page, whose own booking must not count.
 */
export async function readBusy(ctx: MonthContext, fromMs: number, toMs: number): Promise<BusyRead> {
  const { app, schedule, nowMs } = ctx;
  const ids = schedule.members.map((m) => m.id);
  const cached = !ctx.excludeBookingId;
  const [bookedRead, cal] = await Promise.all([
    cached ? listBusyOfMany(app.kv, ids, fromMs, toMs, nowMs) : Promise.all(
      ids.map((id) => listBusyEntries(app.kv, id, fromMs, toMs, nowMs, ctx.excludeBookingId)),
    ).then((entries) => ({
      lists: entries.map((l) => l.map((x) => ({ startMs: x.startMs, endMs: x.endMs }))),
      marks: null,
      changesAtMs: entries.flat().reduce(
        (m, x) => Math.min(m, x.holdUntilMs ?? Infinity),
        Infinity,
      ),
    })),
    Promise.all(ids.map((id) => calendarBusy(app, id, fromMs, toMs, nowMs))),
  ]);
  return {
    fromMs,
    toMs,
    booked: bookedRead.lists,
    cal,
    marks: bookedRead.marks,
    changesAtMs: bookedRead.changesAtMs,
  };
}

export type MonthView = {
  /** Every date of the month with its number of free slots (computed when asked). */
  readonly days: DayView[];
  /** Slot starts (epoch ms) on a guest-zone date of this month, from now to the horizon. */
  live: (date: string) => Float64Array;
  unavailable: boolean;
  /** The same object for as long as the month's slots are the same (for caches above). */
  revision: object;
  /**
   * When a hold these slots were computed around ends (Infinity: none): the slots change then
   * with no write, so caches above keep them until then at most.
   */
  changesAtMs: number;
  /** A seated event type whose count is shown: the seats left at a slot's start. */
  seatsLeft?: (startMs: number) => number;
  /** The start of the booking being moved, while it holds its time (null: none, or released). */
  ownStartMs: number | null;
};

/**
 * The slots of one guest-zone month: the one computation behind the booking page, the reschedule
 * page, team pages and the JSON API. Busy entries, calendar state and cap entries are read fresh
 * (a team's bookings through the busy cache); the computed month is reused while everything it
 * depends on is unchanged.
 */
export async function computeMonth(
  ctx: MonthContext,
  m: Temporal.PlainYearMonth,
): Promise<MonthView> {
  const { app, schedule, et, rules, durationMin, tz, nowMs, horizonEndMs, availabilities } = ctx;
  const capZone = schedule.timeZone;
  const notBeforeMs = nowMs;
  const q = { excludeBookingId: ctx.excludeBookingId };
  const { from, until, dates, bounds } = monthFrame(m, tz);
  // Everything the month's slots depend on, except the exact clock: slots are computed for the
  // minute and filtered by the real `now` on the way out, so a cached month is never stale.
  const minute = Math.floor(nowMs / 60_000) * 60_000;
  const rangeFromMs = from.epochMilliseconds - 86_400_000;
  const rangeToMs = until.epochMilliseconds + 86_400_000;
  // The members' bookings, and their external calendars: busy time, and where they cannot
  // vouch, no slots (fail closed).
  const pre = ctx.busyRead;
  const read = pre && pre.fromMs <= rangeFromMs && pre.toMs >= rangeToMs
    ? pre
    : await readBusy(ctx, rangeFromMs, rangeToMs);
  const bookable = { startMs: notBeforeMs, endMs: horizonEndMs };
  // A seated time with seats left is offered at its own start while its meeting blocks the
  // host's time around it (docs/decisions/040-seats.md); a full one is busy like any booking.
  // A collective one's meeting blocks every member alike (ADR 040); round robin has no seats.
  const seats = schedule.mode !== "union" ? seatsOf(et) : null;
  // A seat being moved (a reschedule page) does not count: a meeting whose only guest it is goes
  // with it, and its own time is not offered to it (it holds a seat there), as the engine decides.
  const moving = q.excludeBookingId;
  // The booking being moved, while it holds its time: that time is where it is, not a choice
  // (domain/booking.ts `isOwnTime`; the engine refuses a move there).
  const movingBooking = moving ? await getBooking(app.kv, moving) : null;
  const ownTime = movingBooking && isLiveBooking(movingBooking, nowMs) ? movingBooking : null;
  const ledgers = seats ? await listSeatLedgers(app.kv, et.id, rangeFromMs, rangeToMs) : [];
  const own = moving ? ledgers.find((l) => liveSeats(l, nowMs).some((x) => x.id === moving)) : null;
  const seated = seats
    ? ledgers.flatMap((l) => {
      const taken = liveSeats(l, nowMs).length - (l === own ? 1 : 0);
      // A meeting its host is cancelling takes no seat (ADR 040): full until its seats are gone.
      const left = l.closed ? 0 : Math.max(0, seats.perTime - taken);
      return taken > 0 ? [{ ...l, left }] : [];
    })
    : [];
  // A meeting of another length or buffers than this page's takes none of its seats (ADR 040).
  const seatBlock = (ms: number) =>
    blockedInterval(ms, durationMin, rules.bufferBeforeMin, rules.bufferAfterMin);
  const open = seated.filter((x) =>
    x.left > 0 && x.meetingId !== own?.meetingId && joinsMeeting(x, seatBlock(x.startMs))
  );
  const vacated = own && !seated.some((x) => x.meetingId === own.meetingId) ? own : null;
  const perMember = schedule.members.map((_, i) => {
    const booked = open.length || vacated
      ? read.booked[i].filter((b) =>
        ![...open, ...(vacated ? [vacated] : [])].some((o) =>
          o.blockStartMs === b.startMs && o.blockEndMs === b.endMs
        )
      )
      : read.booked[i];
    const cal = read.cal[i];
    // Unknown time starts "now"; nothing before now is offered anyway, so start it at the range
    // start: the cache key then stays the same from one request to the next.
    const unknown = cal.unknown.map((u) => ({
      startMs: u.startMs <= nowMs ? rangeFromMs : u.startMs,
      endMs: u.endMs,
    }));
    const external = cal.busy.length || unknown.length;
    const busy = external ? [...booked, ...cal.busy, ...unknown] : booked;
    return {
      busy,
      // What the month's slots depend on, cheaply: the busy list's mark (same mark, same list)
      // and the calendars' own windows.
      mark: read.marks ? [read.marks[i], external ? [cal.busy, unknown] : 0] : busy,
      unreadable: cal.unknown.some((u) => overlaps(u, bookable)),
    };
  });
  // Round robin still offers the members who can be checked; the others need everyone.
  const unavailable = schedule.mode === "union"
    ? perMember.length > 0 && perMember.every((x) => x.unreadable)
    : perMember.some((x) => x.unreadable);
  // Days and weeks already at the event type's cap offer nothing more (the booking being moved
  // does not count: its own day stays open to it, as the engine decides).
  const full = await fullPeriods(
    app,
    et,
    capZone,
    rangeFromMs,
    rangeToMs,
    nowMs,
    q.excludeBookingId,
  );
  const key = JSON.stringify([
    schedule.mode,
    schedule.members.map((x, i) => [x.id, x.timeZone, recordMark(availabilities[i])]),
    capZone,
    et.id,
    recordMark(et),
    tz,
    m.toString(),
    perMember.map((x) => x.mark),
    durationMin,
    full,
    q.excludeBookingId ?? null,
    ownTime ? [ownTime.startMs, ownTime.endMs] : null,
    open.map((o) => [o.startMs, o.blockStartMs, o.blockEndMs]),
  ]);
  let cached = monthCache.get(key);
  if (!cached || cached.minute !== minute) {
    const shared = {
      from,
      until,
      durationMin,
      intervalMin: rules.intervalMin ?? undefined,
      bufferBeforeMin: rules.bufferBeforeMin,
      bufferAfterMin: rules.bufferAfterMin,
      now: Temporal.Instant.fromEpochMilliseconds(minute),
      minNoticeMin: rules.minNoticeMin,
      notSameDay: rules.notSameDay,
      horizonDays: et.bookingWindowDays,
    };
    const members = schedule.members.map((x, i) => ({
      timeZone: x.timeZone,
      weekly: availabilities[i].weekly,
      overrides: availabilities[i].overrides,
      timeOff: availabilities[i].timeOff,
      busy: perMember[i].busy,
    }));
    // One host's caps count in their own zone, as the slot engine reads them; a team's count in
    // the team's zone, which its members' zones may not share, so they are cut out afterwards.
    const fullDays = new Set(full.days);
    const fullWeeks = new Set(full.weeks);
    let starts = schedule.mode === "single"
      ? computeSlotStartsMs({
        ...shared,
        ...members[0],
        fullDays: full.days,
        fullWeeks: full.weeks,
      })
      : computeTeamSlots({ ...shared, members, mode: schedule.mode }).map((s) =>
        s.start.epochMilliseconds
      ).filter((ms) => {
        if (!fullDays.size && !fullWeeks.size) return true;
        const p = capPeriods(ms, capZone);
        return !fullDays.has(p.day) && !fullWeeks.has(p.week);
      });
    if (open.length) {
      // Only the open meeting's own start: other starts overlapping it stay taken.
      const before = (rules.bufferBeforeMin ?? 0) * 60_000;
      const after = (durationMin + (rules.bufferAfterMin ?? 0)) * 60_000;
      starts = starts.filter((ms) => {
        const iv = { startMs: ms - before, endMs: ms + after };
        return !open.some((o) =>
          o.startMs !== ms && overlaps(iv, { startMs: o.blockStartMs, endMs: o.blockEndMs })
        );
      });
    }
    // The moving booking's own time (a seat's too: it holds a seat there already).
    if (ownTime) {
      const at = (ms: number) => ({ ...ownTime, startMs: ms, endMs: ms + durationMin * 60_000 });
      starts = starts.filter((ms) => !isOwnTime(ownTime, at(ms)));
    }
    cached = { dates, byDate: byDateOf(starts, dates, bounds, tz), minute };
    remember(key, cached);
  }
  const offered = (ms: number) => ms >= bookable.startMs && ms < bookable.endMs;
  const live = (d: string) => (cached!.byDate.get(d) ?? new Float64Array()).filter(offered);
  // A month's day counts are asked for on every cold render: counted in place, as a copy of
  // every day's starts was ~130 KiB of garbage per render (issue 26's RSS row).
  const count = (d: string) => {
    const all = cached!.byDate.get(d);
    let n = 0;
    for (let i = 0; all && i < all.length; i++) if (offered(all[i])) n++;
    return n;
  };
  const month = cached;
  return {
    get days(): DayView[] {
      return month.dates.map((d) => ({ date: d, slots: count(d) }));
    },
    live,
    unavailable,
    revision: month,
    changesAtMs: read.changesAtMs,
    ownStartMs: ownTime?.startMs ?? null,
    ...(seats && (!seats.hideCount || ctx.forHost)
      ? {
        seatsLeft: (ms: number) => seated.find((o) => o.startMs === ms)?.left ?? seats.perTime,
      }
      : {}),
  };
}

/**
 * The host-zone days and ISO weeks in [fromMs, toMs] where the event type's cap is reached
 * (live cap entries only, as the booking engine counts them): the slot engine offers nothing in
 * them.
 */
export async function fullPeriods(
  app: App,
  et: EventTypeRecord,
  timeZone: string,
  fromMs: number,
  toMs: number,
  nowMs: number,
  excludeBookingId?: string,
): Promise<{ days: string[]; weeks: string[] }> {
  const rules = eventTypeRules(et);
  const out = { days: [] as string[], weeks: [] as string[] };
  for (const [period, limit] of [["day", rules.maxPerDay], ["week", rules.maxPerWeek]] as const) {
    if (limit === null) continue;
    const lo = capPeriods(fromMs, timeZone)[period];
    const hi = capPeriods(toMs, timeZone)[period];
    const counts = await countCapEntries(app.kv, et.id, period, lo, hi, nowMs, excludeBookingId);
    for (const [k, live] of counts) {
      if (live >= limit) {
        (period === "day" ? out.days : out.weeks).push(k);
      }
    }
  }
  return out;
}
