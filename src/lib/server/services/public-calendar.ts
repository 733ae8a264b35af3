/**
 * What a guest sees: a host's event types, and for one event type the month grid and the
 * slots of one day, all in the guest's zone. Slots come from the engine with every live booking
 * of the host (across event types) as busy time.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { computeSlots } from "../domain/slots.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { getUserByUsername, getUserByUsernameCached } from "../store/users.ts";
import { getEventTypeBySlugCached, listEventTypes } from "../store/event-types.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import { listBusy } from "../store/bookings.ts";
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
import {
  capPeriods,
  chooseDuration,
  describeLocation,
  eventTypeRules,
} from "../domain/event-rules.ts";
import { countCapEntries } from "../store/bookings.ts";
import { overlaps } from "../domain/interval.ts";
import { type Clock, formatTime, isoDateIn } from "../../shared/format.ts";

export type { PublicEventType, PublicHost, PublicTeam };

const toPublicHost = (u: UserRecord): PublicHost => ({
  name: u.name,
  username: u.username,
  timeZone: u.timeZone,
});
const toPublicEventType = (e: EventTypeRecord): PublicEventType => {
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
      ? "Video call (link after booking)"
      : describeLocation(rules.location),
    questions: rules.questions,
  };
};

export async function getHostPage(app: App, username: string) {
  const host = await getUserByUsername(app.kv, username);
  if (!host) return null;
  const types = (await listEventTypes(app.kv, host.id)).filter((t) => t.active);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  return { host: toPublicHost(host), eventTypes: types.map(toPublicEventType) };
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
  | { ok: false; reason: "bad_date"; message: string }
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
  },
): Promise<SlotPage> {
  const clock = q.clock ?? "24h";
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
  const now = Temporal.Instant.fromEpochMilliseconds(nowMs);
  const today = now.toZonedDateTimeISO(tz).toPlainDate();
  // The last guest-zone date that can hold a slot: the host's last bookable date, seen from the guest.
  const hostToday = now.toZonedDateTimeISO(host.timeZone).toPlainDate();
  const horizonEnd = startOfDay(hostToday.add({ days: et.bookingWindowDays + 1 }), host.timeZone);
  const lastDate = horizonEnd.subtract({ milliseconds: 1 }).toZonedDateTimeISO(tz).toPlainDate();

  let date: Temporal.PlainDate | null = null;
  if (q.date) {
    date = parseDate(q.date);
    if (!date) {
      return {
        ok: false,
        reason: "bad_date",
        message: "That is not a date we understand. Pick a day from the calendar.",
      };
    }
    if (
      Temporal.PlainDate.compare(date, today) < 0 || Temporal.PlainDate.compare(date, lastDate) > 0
    ) {
      return {
        ok: false,
        reason: "bad_date",
        message: "That day is outside the booking window. Pick a day from the calendar.",
      };
    }
  }
  let month: Temporal.PlainYearMonth;
  if (date) month = date.toPlainYearMonth();
  else if (q.month) {
    try {
      if (!MONTH_RE.test(q.month)) throw new RangeError();
      month = Temporal.PlainYearMonth.from(q.month, { overflow: "reject" });
    } catch {
      return {
        ok: false,
        reason: "bad_date",
        message: "That month is not one we understand. Pick a day from the calendar.",
      };
    }
  } else month = today.toPlainYearMonth();
  const firstMonth = today.toPlainYearMonth();
  const lastMonth = lastDate.toPlainYearMonth();
  if (Temporal.PlainYearMonth.compare(month, firstMonth) < 0) month = firstMonth;
  if (Temporal.PlainYearMonth.compare(month, lastMonth) > 0) month = lastMonth;

  const availabilities: AvailabilityRecord[] = await Promise.all(
    schedule.members.map((m) => getAvailabilityCached(app.kv, m.id, nowMs)),
  );
  const notBeforeMs = nowMs;
  const horizonEndMs = horizonEnd.epochMilliseconds;
  const monthView = async (m: Temporal.PlainYearMonth) => {
    const fromDate = m.toPlainDate({ day: 1 });
    const from = startOfDay(fromDate, tz);
    const until = startOfDay(fromDate.add({ months: 1 }), tz);
    // Everything the month's slots depend on, except the exact clock: slots are computed for the
    // minute and filtered by the real `now` on the way out, so a cached month is never stale.
    const minute = Math.floor(nowMs / 60_000) * 60_000;
    const rangeFromMs = from.epochMilliseconds - 86_400_000;
    const rangeToMs = until.epochMilliseconds + 86_400_000;
    const bookable = { startMs: notBeforeMs, endMs: horizonEndMs };
    // Busy time of every member (reused while unchanged, store/busy-cache.ts); a reschedule's
    // own booking does not count, so that page reads its host's afresh.
    const { lists: bookedLists, marks } = q.excludeBookingId
      ? {
        lists: await Promise.all(
          schedule.members.map((member) =>
            listBusy(app.kv, member.id, rangeFromMs, rangeToMs, nowMs, q.excludeBookingId)
          ),
        ),
        marks: null,
      }
      : await listBusyOfMany(
        app.kv,
        schedule.members.map((member) => member.id),
        rangeFromMs,
        rangeToMs,
        nowMs,
      );
    const perMember = await Promise.all(schedule.members.map(async (member, i) => {
      const booked = bookedLists[i];
      // Their external calendars: busy time, and where they cannot vouch, no slots (fail closed).
      const cal = await calendarBusy(app, member.id, rangeFromMs, rangeToMs, nowMs);
      // Unknown time starts "now"; nothing before now is offered anyway, so start it at the range
      // start: the cache key then stays the same from one request to the next.
      const unknown = cal.unknown.map((u) => ({
        startMs: u.startMs <= nowMs ? rangeFromMs : u.startMs,
        endMs: u.endMs,
      }));
      const busy = cal.busy.length || unknown.length
        ? [...booked, ...cal.busy, ...unknown]
        : booked;
      return {
        busy,
        // What the month's slots depend on, cheaply: the busy list's mark (same mark, same list)
        // and the calendars' own windows.
        mark: marks
          ? [marks[i], cal.busy.length || unknown.length ? [cal.busy, unknown] : 0]
          : busy,
        unreadable: cal.unknown.some((u) => overlaps(u, bookable)),
      };
    }));
    // Round robin still offers the members who can be checked; the others need everyone.
    const unavailable = schedule.mode === "union"
      ? perMember.length > 0 && perMember.every((m) => m.unreadable)
      : perMember.some((m) => m.unreadable);
    // Days and weeks already at the event type's cap offer nothing more.
    const full = new Set<string>();
    if (rules.maxPerDay !== null || rules.maxPerWeek !== null) {
      for (
        const [period, limit] of [["day", rules.maxPerDay], ["week", rules.maxPerWeek]] as const
      ) {
        if (limit === null) continue;
        const lo = capPeriods(rangeFromMs, host.timeZone)[period];
        const hi = capPeriods(rangeToMs, host.timeZone)[period];
        for (const [k, live] of await countCapEntries(app.kv, et.id, period, lo, hi, nowMs)) {
          if (live >= limit) full.add(`${period}:${k}`);
        }
      }
    }
    const key = JSON.stringify([
      schedule.mode,
      schedule.members.map((x, i) => [x.id, x.timeZone, availabilities[i].updatedAtMs]),
      host.timeZone,
      et.id,
      et.updatedAtMs,
      tz,
      m.toString(),
      perMember.map((x) => x.mark),
      durationMin,
      [...full],
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
      const slots = schedule.mode === "single"
        ? computeSlots({ ...shared, ...members[0] })
        : computeTeamSlots({ ...shared, members, mode: schedule.mode });
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
        if (full.size) {
          const p = capPeriods(ms, host.timeZone);
          if (full.has(`day:${p.day}`) || full.has(`week:${p.week}`)) continue;
        }
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
    const days: DayView[] = cached.dates.map((d) => ({ date: d, slots: live(d).length }));
    const slotsOn = (d: string): SlotView[] =>
      Array.from(live(d), (ms) => ({
        start: Temporal.Instant.fromEpochMilliseconds(ms).toString(),
        label: formatTime(ms, tz, clock),
      }));
    return { days, slotsOn, unavailable };
  };

  let view = await monthView(month);
  // With nothing chosen, open on the first month that has a free slot (a guest arriving on the 30th).
  if (!date && !q.month) {
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
    eventType: toPublicEventType(et),
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
    team: schedule.team,
  };
}

/** A team's public page: its active event types, each with the members who take part. */
export async function getTeamPage(app: App, slug: string) {
  const team = await getTeamBySlugCached(app.kv, slug);
  if (!team) return null;
  const types = (await listEventTypes(app.kv, team.id)).filter((t) => t.active && t.teamMode);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  const members = new Map(
    (await getUsers(app.kv, team.members.map((m) => m.userId))).map((u) => [u.id, u]),
  );
  return {
    team: { slug: team.slug, name: team.name, timeZone: team.timeZone },
    eventTypes: types.map((t) => ({
      ...toPublicEventType(t),
      team: toPublicTeam(
        team,
        t.teamMode!,
        (t.hostIds ?? []).flatMap((id) => members.get(id) ?? []),
      ),
    })),
  };
}
