/**
 * What a guest sees: a host's (or a team's) event types, and for one event type the month grid
 * and the slots of one day, all in the guest's zone. Slots come from the engine with every live
 * booking of the host (across event types) as busy time; a team's from its members' combined.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { isListed } from "../domain/event-visibility.ts";
import { getUserByUsername, getUserByUsernameCached } from "../store/users.ts";
import { getEventTypeBySlugCached, listEventTypes } from "../store/event-types.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import { countCapEntries, listBusy } from "../store/bookings.ts";
import { listBusyOfMany } from "../store/busy-cache.ts";
import { calendarBusy } from "./calendar-busy.ts";
import type {
  AvailabilityRecord,
  EventTypeRecord,
  TeamRecord,
  UserRecord,
} from "../store/records.ts";
import type { PublicEventType, PublicHost, PublicTeam } from "../../shared/public-types.ts";
import { computeTeamSlots } from "../domain/team.ts";
import { getTeamBySlugCached, getUsers } from "../store/teams.ts";
import { initialsOf } from "../domain/team-membership.ts";
import { capPeriods, chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import { overlaps } from "../domain/interval.ts";
import { type Clock, formatTime, isoDateIn } from "../../shared/format.ts";
import { type MessageRef, messageRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { locationText } from "../../shared/location-text.ts";

export type { PublicEventType, PublicHost, PublicTeam };

const toPublicHost = (u: UserRecord): PublicHost => ({
  name: u.name,
  username: u.username,
  timeZone: u.timeZone,
});
/** `t`: the reader's language; programs (the JSON API) read English. */
const toPublicEventType = (
  e: EventTypeRecord,
  t: Translator = translator(null),
): PublicEventType => {
  const rules = eventTypeRules(e);
  return {
    slug: e.slug,
    title: e.title,
    description: e.description,
    durationMin: e.durationMin,
    durations: rules.durations,
    color: e.color,
    requiresConfirmation: e.requiresConfirmation,
    // A video link is only for people who booked; the page names the kind of meeting.
    location: rules.location.kind === "video"
      ? t.t("location.video_after_booking")
      : locationText(rules.location, t),
    questions: rules.questions,
  };
};

export async function getHostPage(app: App, username: string, locale?: string) {
  const host = await getUserByUsername(app.kv, username);
  if (!host) return null;
  const t = translator(locale);
  const types = (await listEventTypes(app.kv, host.id)).filter(isListed);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  return { host: toPublicHost(host), eventTypes: types.map((e) => toPublicEventType(e, t)) };
}

/**
 * Whose hours and busy time a booking page offers: one host, or a team's members combined
 * (round robin: any member free; collective: every member free).
 */
type Schedule = {
  publicHost: PublicHost;
  team: PublicTeam | null;
  /** The zone whose dates bound the booking window and count caps (the host's, or the team's). */
  timeZone: string;
  et: EventTypeRecord;
  members: { id: string; timeZone: string }[];
  mode: "single" | "union" | "intersection";
};

async function hostSchedule(app: App, username: string, slug: string): Promise<Schedule | null> {
  const host = await getUserByUsernameCached(app.kv, username);
  if (!host) return null;
  const et = await getEventTypeBySlugCached(app.kv, host.id, slug);
  if (!et || !et.active || et.teamId) return null;
  return {
    publicHost: toPublicHost(host),
    team: null,
    timeZone: host.timeZone,
    et,
    members: [{ id: host.id, timeZone: host.timeZone }],
    mode: "single",
  };
}

/** A team's members who take part in an event type, as they are now (removed ones never). */
export async function teamHosts(
  app: App,
  team: TeamRecord,
  et: EventTypeRecord,
): Promise<UserRecord[]> {
  const current = new Set(team.members.map((m) => m.userId));
  const ids = (et.hostIds ?? []).filter((id) => current.has(id));
  return await getUsers(app.kv, ids);
}

export const toPublicTeam = (
  team: TeamRecord,
  mode: PublicTeam["mode"],
  people: UserRecord[],
): PublicTeam => ({
  slug: team.slug,
  name: team.name,
  mode,
  members: people.map((u) => ({ name: u.name, initials: initialsOf(u.name) })),
});

async function teamSchedule(app: App, teamSlug: string, slug: string): Promise<Schedule | null> {
  const team = await getTeamBySlugCached(app.kv, teamSlug);
  if (!team) return null;
  const et = await getEventTypeBySlugCached(app.kv, team.id, slug);
  if (!et || !et.active || et.teamId !== team.id || !et.teamMode) return null;
  const people = await teamHosts(app, team, et);
  const mode = et.teamMode === "collective" ? "intersection" : "union";
  return {
    publicHost: { name: team.name, username: team.slug, timeZone: team.timeZone },
    team: toPublicTeam(team, et.teamMode, people),
    timeZone: team.timeZone,
    et,
    members: people.map((u) => ({ id: u.id, timeZone: u.timeZone })),
    mode,
  };
}

export type SlotView = { start: string; label: string };
export type DayView = { date: string; slots: number };

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
    /**
     * The date or month asked for could not be shown (not a date, past, beyond the window): the
     * page shows the first free day instead and says why (a message reference).
     */
    notice: MessageRef | null;
    /** A team's page: who takes part, and how. */
    team: PublicTeam | null;
  };

/**
 * A month's slot starts per guest-zone date, as bare epoch milliseconds: a host open around the
 * clock has ~3,000 slots a month, and strings for each (ISO start, label) made a cached month
 * ~400 KB; labels are only ever needed for the one day shown.
 */
type CachedMonth = { dates: string[]; byDate: Map<string, Float64Array>; minute: number };

/** Per-process cache of computed months, keyed by everything they depend on (bounded, FIFO). */
const monthCache = new Map<string, CachedMonth>();
const MONTH_CACHE_MAX = 300;
function remember(key: string, value: CachedMonth) {
  // One entry per page input; a newer minute replaces it (so old minutes never pile up).
  monthCache.delete(key);
  if (monthCache.size >= MONTH_CACHE_MAX) monthCache.delete(monthCache.keys().next().value!);
  monthCache.set(key, value);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_RE = /^\d{4}-\d{2}$/;

function parseDate(s: string): Temporal.PlainDate | null {
  if (!DATE_RE.test(s)) return null;
  try {
    return Temporal.PlainDate.from(s, { overflow: "reject" });
  } catch {
    return null;
  }
}

function startOfDay(date: Temporal.PlainDate, timeZone: string): Temporal.Instant {
  return date.toZonedDateTime({ timeZone }).toInstant();
}

export async function getSlotPage(
  app: App,
  q: {
    username: string;
    /** A team's event type (`username` is then ignored): its slug. */
    team?: string;
    slug: string;
    timeZone?: string | null;
    month?: string | null;
    date?: string | null;
    duration?: string | null;
    /** Rescheduling: this booking's own time counts as free. */
    excludeBookingId?: string;
    /** Rescheduling keeps the booked length whatever lengths are offered now. */
    fixedDurationMin?: number;
    /** How the guest writes times (labels only; default 24-hour). */
    clock?: Clock;
    /** The guest's locale (labels and words; default English). */
    locale?: string;
  },
): Promise<SlotPage> {
  const clock = q.clock ?? "24h";
  const t = translator(q.locale);
  const schedule = q.team !== undefined
    ? await teamSchedule(app, q.team, q.slug)
    : await hostSchedule(app, q.username, q.slug);
  if (!schedule) return { ok: false, reason: "not_found" };
  const { et } = schedule;
  // The zone of the booking window and caps: the host's, or the team's.
  const host = { timeZone: schedule.timeZone };
  const rules = eventTypeRules(et);
  const askedDuration = q.duration && /^\d{1,3}$/.test(q.duration) ? Number(q.duration) : null;
  const durationMin = q.fixedDurationMin ?? chooseDuration(et, askedDuration) ?? et.durationMin;
  const tz = q.timeZone && isValidTimeZone(q.timeZone) ? q.timeZone : host.timeZone;
  const nowMs = app.now();
  const { today, horizonEnd, lastDate } = bookingHorizon(nowMs, host, et, tz);

  // A date or month that cannot be shown (an old link, a typo) opens the page as if none was
  // asked for, with a note: never a dead end.
  let notice: MessageRef | null = null;
  let date: Temporal.PlainDate | null = null;
  let askedMonth = q.month ?? null;
  if (q.date) {
    date = parseDate(q.date);
    if (!date) notice = messageRef("errors.bad_date");
    else if (Temporal.PlainDate.compare(date, today) < 0) {
      notice = messageRef("errors.date_past");
      date = null;
    } else if (Temporal.PlainDate.compare(date, lastDate) > 0) {
      notice = messageRef("errors.date_outside");
      date = null;
    }
    if (notice) askedMonth = null;
  }
  let month: Temporal.PlainYearMonth = today.toPlainYearMonth();
  if (date) month = date.toPlainYearMonth();
  else if (askedMonth) {
    try {
      if (!MONTH_RE.test(askedMonth)) throw new RangeError();
      month = Temporal.PlainYearMonth.from(askedMonth, { overflow: "reject" });
    } catch {
      notice = messageRef("errors.bad_month");
      askedMonth = null;
    }
  }
  const firstMonth = today.toPlainYearMonth();
  const lastMonth = lastDate.toPlainYearMonth();
  if (Temporal.PlainYearMonth.compare(month, firstMonth) < 0) month = firstMonth;
  if (Temporal.PlainYearMonth.compare(month, lastMonth) > 0) month = lastMonth;

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
  };
  const monthView = async (m: Temporal.PlainYearMonth) => {
    const view = await computeMonth(ctx, m);
    const slotsOn = (d: string): SlotView[] =>
      Array.from(view.live(d), (ms) => ({
        start: Temporal.Instant.fromEpochMilliseconds(ms).toString(),
        label: formatTime(ms, tz, clock, t.locale),
      }));
    return { days: view.days, slotsOn, unavailable: view.unavailable };
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
  return {
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
    notice,
    team: schedule.team,
  };
}

/** A team's public page: its listed event types, each with the members who take part. */
export async function getTeamPage(app: App, slug: string, locale?: string) {
  const team = await getTeamBySlugCached(app.kv, slug);
  if (!team) return null;
  const tr = translator(locale);
  const types = (await listEventTypes(app.kv, team.id)).filter((t) => isListed(t) && t.teamMode);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  const members = new Map(
    (await getUsers(app.kv, team.members.map((m) => m.userId))).map((u) => [u.id, u]),
  );
  return {
    team: { slug: team.slug, name: team.name, timeZone: team.timeZone },
    eventTypes: types.map((t) => ({
      ...toPublicEventType(t, tr),
      team: toPublicTeam(
        team,
        t.teamMode!,
        (t.hostIds ?? []).flatMap((id) => members.get(id) ?? []),
      ),
    })),
  };
}

function availabilitiesOf(app: App, schedule: Schedule, nowMs: number) {
  return Promise.all(schedule.members.map((m) => getAvailabilityCached(app.kv, m.id, nowMs)));
}

/** Today and the last date that can hold a slot, both in the guest's zone `tz`. */
function bookingHorizon(
  nowMs: number,
  host: { timeZone: string },
  et: EventTypeRecord,
  tz: string,
) {
  const now = Temporal.Instant.fromEpochMilliseconds(nowMs);
  const today = now.toZonedDateTimeISO(tz).toPlainDate();
  // The last guest-zone date that can hold a slot: the host's last bookable date, seen from the guest.
  const hostToday = now.toZonedDateTimeISO(host.timeZone).toPlainDate();
  const horizonEnd = startOfDay(hostToday.add({ days: et.bookingWindowDays + 1 }), host.timeZone);
  const lastDate = horizonEnd.subtract({ milliseconds: 1 }).toZonedDateTimeISO(tz).toPlainDate();
  return { today, horizonEnd, lastDate };
}

/** The longest date range one slots request may cover. */
export const MAX_RANGE_DAYS = 62;

export type SlotRange =
  | { ok: false; reason: "not_found" | "bad_duration" }
  | { ok: false; reason: "bad_date"; message: string }
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
  if (!first || !last) {
    return { ok: false, reason: "bad_date", message: "Dates are written YYYY-MM-DD." };
  }
  const span = first.until(last, { largestUnit: "days" }).days;
  if (span < 0) return { ok: false, reason: "bad_date", message: "`end` is before `start`." };
  if (span >= MAX_RANGE_DAYS) {
    return {
      ok: false,
      reason: "bad_date",
      message: `Ask for at most ${MAX_RANGE_DAYS} days at a time.`,
    };
  }
  const tz = q.timeZone;
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
  };
}

const EMPTY = new Float64Array();

type MonthContext = {
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
};

/**
 * Every member's live bookings and external-calendar state over a range. Bookings come through
 * the busy cache (reused while a person's busy revision is unchanged: ten team members with a
 * thousand bookings each), except on a reschedule page, whose own booking must not count.
 */
async function readBusy(ctx: MonthContext, fromMs: number, toMs: number): Promise<BusyRead> {
  const { app, schedule, nowMs } = ctx;
  const ids = schedule.members.map((m) => m.id);
  const cached = !ctx.excludeBookingId;
  const [bookedRead, cal] = await Promise.all([
    cached ? listBusyOfMany(app.kv, ids, fromMs, toMs, nowMs) : Promise.all(
      ids.map((id) => listBusy(app.kv, id, fromMs, toMs, nowMs, ctx.excludeBookingId)),
    ).then((lists) => ({ lists, marks: null })),
    Promise.all(ids.map((id) => calendarBusy(app, id, fromMs, toMs, nowMs))),
  ]);
  return { fromMs, toMs, booked: bookedRead.lists, cal, marks: bookedRead.marks };
}

type MonthView = {
  /** Every date of the month with its number of free slots (computed when asked). */
  readonly days: DayView[];
  /** Slot starts (epoch ms) on a guest-zone date of this month, from now to the horizon. */
  live: (date: string) => Float64Array;
  unavailable: boolean;
  /** The same object for as long as the month's slots are the same (for caches above). */
  revision: object;
};

/**
 * The slots of one guest-zone month: the one computation behind the booking page, the reschedule
 * page, team pages and the JSON API. Busy entries, calendar state and cap entries are read fresh
 * (a team's bookings through the busy cache); the computed month is reused while everything it
 * depends on is unchanged.
 */
async function computeMonth(ctx: MonthContext, m: Temporal.PlainYearMonth): Promise<MonthView> {
  const { app, schedule, et, rules, durationMin, tz, nowMs, horizonEndMs, availabilities } = ctx;
  const capZone = schedule.timeZone;
  const notBeforeMs = nowMs;
  const q = { excludeBookingId: ctx.excludeBookingId };
  const fromDate = m.toPlainDate({ day: 1 });
  const from = startOfDay(fromDate, tz);
  const until = startOfDay(fromDate.add({ months: 1 }), tz);
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
  const perMember = schedule.members.map((_, i) => {
    const booked = read.booked[i];
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
    schedule.members.map((x, i) => [x.id, x.timeZone, availabilities[i].updatedAtMs]),
    capZone,
    et.id,
    et.updatedAtMs,
    tz,
    m.toString(),
    perMember.map((x) => x.mark),
    durationMin,
    full,
    q.excludeBookingId ?? null,
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
    const slots = schedule.mode === "single"
      ? computeSlots({ ...shared, ...members[0], fullDays: full.days, fullWeeks: full.weeks })
      : computeTeamSlots({ ...shared, members, mode: schedule.mode }).filter((s) => {
        if (!fullDays.size && !fullWeeks.size) return true;
        const p = capPeriods(s.start.epochMilliseconds, capZone);
        return !fullDays.has(p.day) && !fullWeeks.has(p.week);
      });
    const dates: string[] = [];
    // Where each guest-zone date starts: slots (sorted) are bucketed by walking these once
    // instead of formatting every start (a team's month can hold thousands).
    const bounds: number[] = [];
    for (let d = fromDate; d.month === fromDate.month; d = d.add({ days: 1 })) {
      dates.push(d.toString());
      bounds.push(startOfDay(d, tz).epochMilliseconds);
    }
    bounds.push(until.epochMilliseconds);
    const lists = new Map<string, number[]>();
    let day = 0;
    for (const s of slots) {
      const ms = s.start.epochMilliseconds;
      while (day < dates.length - 1 && ms >= bounds[day + 1]) day++;
      const d = ms >= bounds[0] && ms < bounds[dates.length] ? dates[day] : isoDateIn(ms, tz);
      let list = lists.get(d);
      if (!list) lists.set(d, list = []);
      list.push(ms);
    }
    const byDate = new Map<string, Float64Array>();
    for (const [d, list] of lists) byDate.set(d, Float64Array.from(list));
    cached = { dates, byDate, minute };
    remember(key, cached);
  }
  const live = (d: string) =>
    (cached!.byDate.get(d) ?? new Float64Array()).filter((ms) =>
      ms >= notBeforeMs && ms < horizonEndMs
    );
  const month = cached;
  return {
    get days(): DayView[] {
      return month.dates.map((d) => ({ date: d, slots: live(d).length }));
    },
    live,
    unavailable,
    revision: month,
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
