/**
 * The availability troubleshooter: for one host-zone date and event type, every start the host
 * could ask about and why it is or is not offered. The answer comes from the slot engine's own
 * `explainDay` over the same inputs the booking page reads (rules, busy entries, calendar cache, caps),
 * so "offered" here means exactly what guests see; the words for each reason live in the page.
 */
import type { App } from "../app.ts";
import type { EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { Temporal } from "../domain/temporal.ts";
import { type BusyInterval, explainDay, firstDateWithHours } from "../domain/slots.ts";
import type {
  BusySource,
  Exclusion,
  Troubleshoot,
  TroubleshootStart,
} from "../../shared/slot-reasons.ts";
import { chooseDuration, eventTypeRules } from "../domain/event-rules.ts";
import { decideCalendarBusy } from "../domain/calendar-busy.ts";
import { isIsoDate } from "../domain/availability.ts";
import { getAvailability } from "../store/availability.ts";
import { getBookings, listBusyEntries } from "../store/bookings.ts";
import { readBusyCache } from "../store/calendar-busy.ts";
import { listHostCalendars } from "../store/calendars.ts";
import { getEventType, listEventTypes } from "../store/event-types.ts";
import { isEventTypeIdShape } from "./event-types.ts";
import { STALE_AFTER_INTERVALS } from "./calendar-busy.ts";
import { fullPeriods } from "./slot-month.ts";
import { calendarTitles } from "./troubleshoot-titles.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { storedWordsIn } from "../integrations/calendar-provider.ts";
import type { SeatLedgerRecord } from "../domain/model/records.ts";
import { joinsMeeting, liveSeats, seatsOf } from "../domain/seats.ts";
import { blockedInterval } from "../domain/booking.ts";
import { listSeatLedgersOfHost } from "../store/seats.ts";
import { seriesDates } from "./book-series.ts";
import { seriesOf } from "../domain/series.ts";

const MS_DAY = 86_400_000;

export type { BusySource, Troubleshoot, TroubleshootStart };

/**
 * The date the troubleshooter opens on: today while it has hours left, else the next date with
 * hours (within two months), else today.
 */
export async function troubleshootOpeningDate(app: App, host: UserRecord): Promise<string> {
  const nowMs = app.now();
  const today = Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(host.timeZone)
    .toPlainDate();
  const availability = await getAvailability(app.kv, host.id, nowMs);
  const first = firstDateWithHours(
    {
      timeZone: host.timeZone,
      weekly: availability.weekly,
      overrides: availability.overrides,
      timeOff: availability.timeOff,
    },
    today,
    nowMs,
  );
  return (first ?? today).toString();
}

/** The starts looked at besides each window's grid: every `resolutionMin` minutes of the day. */
const RESOLUTION_MIN = 15;
/**
 * The last date explained: it reads a day either side of the date, in any zone, and the store's
 * day keys ("9999-12-31") end with year 9999 (a range into year 10000 cannot be listed).
 */
const LAST_DATE = "9999-12-29";

export async function troubleshootDay(
  app: App,
  host: UserRecord,
  q: {
    eventTypeId: string;
    date: string;
    durationMin?: number | null;
    /** Also read event titles from the connected calendars (live, bounded). */
    titles?: boolean;
    /** An exact time to explain too ("HH:MM" in the host's zone). */
    at?: string | null;
    /** The host's language, for event titles read live ("Private event"). */
    t?: Translator;
  },
): Promise<Troubleshoot> {
  if (!isEventTypeIdShape(q.eventTypeId)) return { ok: false, reason: "not_found" };
  const et = await getEventType(app.kv, host.id, q.eventTypeId);
  if (!et) return { ok: false, reason: "not_found" };
  if (!isIsoDate(q.date) || q.date > LAST_DATE) return { ok: false, reason: "bad_date" };
  const date = Temporal.PlainDate.from(q.date);
  const nowMs = app.now();
  const tz = host.timeZone;
  const dayStartMs = date.toZonedDateTime({ timeZone: tz }).epochMilliseconds;
  const dayEndMs = date.add({ days: 1 }).toZonedDateTime({ timeZone: tz }).epochMilliseconds;
  // Buffers reach at most a few hours past the date; a day either side covers them.
  const fromMs = dayStartMs - MS_DAY;
  const toMs = dayEndMs + MS_DAY;
  const inputs = await readInputs(app, host, et, fromMs, toMs, nowMs, q.t ?? translator(null));
  // Why a calendar cannot be read, kept in English, in the host's words.
  for (const src of inputs.sources) {
    if (src.kind === "calendar_unknown" && src.error) {
      src.error = storedWordsIn(src.error, q.t ?? translator(null));
    }
  }
  const rules = eventTypeRules(et);
  const durationMin = chooseDuration(et, q.durationMin) ?? et.durationMin;
  const extra: number[] = [];
  for (let ms = dayStartMs; ms < dayEndMs; ms += RESOLUTION_MIN * 60_000) extra.push(ms);
  const at = q.at ? atInstant(date, q.at, tz) : null;
  if (at !== null) extra.push(at);
  const explained = explainDay(
    {
      timeZone: tz,
      weekly: inputs.availability.weekly,
      overrides: inputs.availability.overrides,
      timeOff: inputs.availability.timeOff,
      durationMin,
      intervalMin: rules.intervalMin ?? undefined,
      bufferBeforeMin: rules.bufferBeforeMin,
      bufferAfterMin: rules.bufferAfterMin,
      busy: inputs.busy,
      now: Temporal.Instant.fromEpochMilliseconds(nowMs),
      minNoticeMin: rules.minNoticeMin,
      notSameDay: rules.notSameDay,
      horizonDays: et.bookingWindowDays,
      fullDays: inputs.full.days,
      fullWeeks: inputs.full.weeks,
    },
    date,
    extra,
  );
  const byLabel = new Map(inputs.sources.map((s) => [labelOf(s), s]));
  const usedLabels = new Set<string>();
  const seats = seatsOf(et);
  const starts = explained.starts.map((s): TroubleshootStart => {
    const sources: BusySource[] = [];
    // A seated time is offered at its own start while seats are left, its meeting's busy time
    // aside (as the booking page offers it, docs/decisions/040-seats.md); full, it says so.
    const seated = seats ? seatedAt(inputs.ledgers, et.id, s.startMs, nowMs) : null;
    // A meeting of another length or buffers takes no seat of this length: its time stays busy.
    const joins = seated &&
      joinsMeeting(
        seated.ledger,
        blockedInterval(s.startMs, durationMin, rules.bufferBeforeMin, rules.bufferAfterMin),
      );
    if (seats && seated && joins) {
      const taken = Math.min(seats.perTime, seated.taken);
      s.exclusions = s.exclusions.flatMap((r): Exclusion[] => {
        if (r.kind !== "busy") return [r];
        const rest = r.with.filter((b) => b.label !== `booking:${seated.meetingId}`);
        return rest.length ? [{ ...r, with: rest }] : [];
      });
      if (taken >= seats.perTime) {
        s.exclusions.push({ kind: "seats_full", taken, capacity: seats.perTime });
      }
    }
    for (const r of s.exclusions) {
      if (r.kind !== "busy") continue;
      for (const b of r.with) {
        const src = b.label ? byLabel.get(b.label) : undefined;
        if (src && !sources.includes(src)) sources.push(src), usedLabels.add(b.label!);
      }
    }
    return {
      startMs: s.startMs,
      offered: s.exclusions.length === 0,
      reasons: s.exclusions,
      sources,
      ...(seats
        ? {
          seats: {
            left: Math.max(0, seats.perTime - (seated?.taken ?? 0)),
            capacity: seats.perTime,
          },
        }
        : {}),
    };
  });
  // A repeating event type: the asked start's series, each date free or not, by the same rule
  // the booking page's series preview uses (docs/decisions/048-recurring-series.md).
  const repeat = seriesOf(et);
  const series = at !== null && repeat
    ? { freeOnly: repeat.freeOnly, dates: await seriesDates(app, host, et, at, durationMin) }
    : null;
  // Everything busy that touches the date, for the timeline.
  const onDay = inputs.sources.filter((s) => {
    const [a, b] = s.kind === "booking" ? [s.blockStartMs, s.blockEndMs] : [s.startMs, s.endMs];
    return a < dayEndMs && b > dayStartMs;
  });
  if (q.titles) {
    const wanted = onDay.filter((s): s is Extract<BusySource, { kind: "calendar" }> =>
      s.kind === "calendar"
    );
    if (wanted.length) {
      const found = await calendarTitles(app, host, wanted.map((w) => w.calendarId), {
        fromMs: dayStartMs,
        toMs: dayEndMs,
      }, q.t);
      for (const w of wanted) {
        w.titles = (found.get(w.calendarId) ?? [])
          .filter((t) => t.startMs < w.endMs && t.endMs > w.startMs)
          .map((t) => t.title);
      }
    }
  }
  return {
    ok: true,
    eventType: { id: et.id, title: et.title, slug: et.slug, secret: et.secret === true },
    date: q.date,
    timeZone: tz,
    durationMin,
    stepMin: rules.intervalMin ?? durationMin,
    bufferBeforeMin: rules.bufferBeforeMin,
    bufferAfterMin: rules.bufferAfterMin,
    nowMs,
    dayStartMs,
    dayEndMs,
    source: explained.source,
    windows: explained.windows,
    sources: onDay,
    starts,
    series,
    titles: q.titles === true,
    hourMarks: [0, 3, 6, 9, 12, 15, 18, 21].map((h) =>
      date.toZonedDateTime({ timeZone: tz, plainTime: new Temporal.PlainTime(h) }).epochMilliseconds
    ),
  };
}

function atInstant(date: Temporal.PlainDate, text: string, timeZone: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  return date.toZonedDateTime({
    timeZone,
    plainTime: new Temporal.PlainTime(Number(m[1]), Number(m[2])),
  }).epochMilliseconds;
}

/** The live meeting of an event type's seated time starting at `startMs`, if any. */
function seatedAt(
  ledgers: SeatLedgerRecord[],
  eventTypeId: string,
  startMs: number,
  nowMs: number,
): { meetingId: string; taken: number; ledger: SeatLedgerRecord } | null {
  const l = ledgers.find((x) => x.eventTypeId === eventTypeId && x.startMs === startMs);
  const taken = l ? liveSeats(l, nowMs).length : 0;
  return l && taken > 0 ? { meetingId: l.meetingId, taken, ledger: l } : null;
}

const labelOf = (s: BusySource) =>
  s.kind === "booking" ? `booking:${s.bookingId}` : `${s.kind}:${s.calendarId}:${s.startMs}`;

/**
 * The engine's inputs for [fromMs, toMs) as the booking page reads them (see `getSlotPage`),
 * each busy interval labelled with where it comes from.
 */
async function readInputs(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  fromMs: number,
  toMs: number,
  nowMs: number,
  t: Translator,
) {
  const [availability, entries, cache, calendars, full, ledgers, types] = await Promise.all([
    getAvailability(app.kv, host.id, nowMs),
    listBusyEntries(app.kv, host.id, fromMs, toMs, nowMs),
    readBusyCache(app.kv, host.id, fromMs, toMs),
    listHostCalendars(app.kv, host.id),
    fullPeriods(app, et, host.timeZone, fromMs, toMs, nowMs),
    listSeatLedgersOfHost(app.kv, host.id, fromMs, toMs),
    listEventTypes(app.kv, host.id),
  ]);
  // A seated time's busy entry is its meeting's (its id the meeting's, not a booking's).
  const meetings = new Map(ledgers.map((l) => [l.meetingId, l]));
  const seatsPer = new Map(types.map((x) => [x.id, seatsOf(x)?.perTime ?? null]));
  const sources: BusySource[] = [];
  const firstSeats = ledgers.flatMap((l) => liveSeats(l, nowMs).slice(0, 1).map((x) => x.id));
  const bookings = new Map(
    (await getBookings(app.kv, [...entries.map((e) => e.bookingId), ...firstSeats])).map((
      b,
    ) => [b.id, b]),
  );
  for (const e of entries) {
    const b = bookings.get(e.bookingId);
    const meeting = meetings.get(e.bookingId);
    if (!b && meeting) {
      sources.push({
        kind: "booking",
        bookingId: e.bookingId,
        title: types.find((x) => x.id === meeting.eventTypeId)?.title ?? t.t("ts.unnamed_booking"),
        guestName: "",
        status: e.holdUntilMs === null ? "CONFIRMED" : "PENDING",
        startMs: meeting.startMs,
        // The meeting's own end is its seats' (the ledger keeps its start and what it blocks).
        endMs: bookings.get(liveSeats(meeting, nowMs)[0]?.id ?? "")?.endMs ?? e.endMs,
        blockStartMs: e.startMs,
        blockEndMs: e.endMs,
        seats: {
          taken: liveSeats(meeting, nowMs).length,
          capacity: seatsPer.get(meeting.eventTypeId) ?? null,
        },
      });
      continue;
    }
    sources.push({
      kind: "booking",
      bookingId: e.bookingId,
      title: b?.eventTitle ?? t.t("ts.unnamed_booking"),
      guestName: b?.guestName ?? "",
      status: e.holdUntilMs === null ? "CONFIRMED" : "PENDING",
      startMs: b?.startMs ?? e.startMs,
      endMs: b?.endMs ?? e.endMs,
      blockStartMs: e.startMs,
      blockEndMs: e.endMs,
    });
  }
  const names = new Map(calendars.map((c) => [c.value.id, c.value.displayName]));
  // Each calendar on its own through the same decision the booking page takes for all together.
  for (const head of cache.heads) {
    const decision = decideCalendarBusy(
      [head],
      cache.windows.filter((w) => w.calendarId === head.calendarId),
      { fromMs, toMs, nowMs, staleAfterMs: STALE_AFTER_INTERVALS * app.config.syncIntervalMs },
    );
    const calendarName = names.get(head.calendarId) ?? t.t("ts.unnamed_calendar");
    for (const w of decision.busy) {
      sources.push({
        kind: "calendar",
        calendarId: head.calendarId,
        calendarName,
        startMs: w.startMs,
        endMs: w.endMs,
        titles: [],
      });
    }
    for (const u of decision.unknown) {
      sources.push({
        kind: "calendar_unknown",
        calendarId: head.calendarId,
        calendarName,
        startMs: u.startMs,
        endMs: u.endMs,
        syncedAtMs: head.syncedAtMs,
        error: head.error?.detail ?? null,
      });
    }
  }
  const busy: BusyInterval[] = sources.map((s) =>
    s.kind === "booking"
      ? { startMs: s.blockStartMs, endMs: s.blockEndMs, label: labelOf(s) }
      : { startMs: s.startMs, endMs: s.endMs, label: labelOf(s) }
  );
  return { availability, busy, sources, full, ledgers };
}
