/**
 * A guest books a recurring series (issue 25, docs/decisions/048-recurring-series.md): every
 * date of the series, or — when the host allows it — the free dates only, all or nothing,
 * through the engine's series protocol (domain/booking-engine/series.ts): the coordinator, holds
 * in chunks that each fit one write, the one deciding commit, then the occurrences finished as
 * ordinary bookings. Any refusal releases what was held at once; a crash leaves holds that stop
 * blocking at the deadline (jobs/release-holds.ts tidies them, or finishes a committed series).
 */
import { thankYouOf } from "../domain/embed.ts";
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { computeSlots } from "../domain/slots.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { seriesOf, seriesStarts } from "../domain/series.ts";
import { SERIES_HOLD_MS } from "../domain/booking-engine/index.ts";
import type {
  BookingRecord,
  CoordinatorRecord,
  EventTypeRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import { getBooking, listBusy } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookingToken } from "./booking-links.ts";
import { calendarBusy } from "./calendar-busy.ts";
import { fullPeriods } from "./slot-month.ts";
import {
  type BookInput,
  bookRefusal,
  type BookResult,
  extraOf,
  type GuestChecked,
  isOffered,
  parseStart,
  type SeriesStep,
} from "./book-basics.ts";
import { getUserByUsernameCached, newId } from "../store/users.ts";
import { getEventTypeBySlugCached } from "../store/event-types.ts";
import { engineRules, runChange } from "./transaction.ts";
import { refusedUnlessRepeated } from "./repeat-posts.ts";
import { isoInstant } from "../../shared/format.ts";

export type SeriesDate = { startMs: number; free: boolean };

/**
 * Every date of the series starting at `startMs` and whether it is free now: offered by the
 * host's hours, overrides and time off (the first also by the notice and booking window; the
 * later ones may lie beyond the window), not busy in Invito or the host's calendars, and not in
 * a day or week whose cap is reached.
 */
export async function seriesDates(
  app: App,
  host: UserRecord,
  et: EventTypeRecord,
  startMs: number,
  durationMin: number,
): Promise<SeriesDate[]> {
  const rule = seriesOf(et);
  if (!rule) return [];
  const nowMs = app.now();
  const availability = await getAvailabilityCached(app.kv, host.id, nowMs);
  const rules = eventTypeRules(et);
  const starts = seriesStarts(startMs, host.timeZone, rule);
  const spanEnd = starts[starts.length - 1] + (durationMin + 24 * 60) * 60_000;
  const from = starts[0] - 24 * 3_600_000;
  const [busy, cal, full] = await Promise.all([
    listBusy(app.kv, host.id, from, spanEnd, nowMs),
    calendarBusy(app, host.id, from, spanEnd, nowMs),
    // Days and weeks whose cap is reached: their dates are not free either.
    fullPeriods(app, et, host.timeZone, from, spanEnd, nowMs),
  ]);
  const all = [...busy, ...cal.busy, ...cal.unknown];
  return starts.map((ms, i) => {
    const at = Temporal.Instant.fromEpochMilliseconds(ms);
    const slots = computeSlots({
      timeZone: host.timeZone,
      weekly: availability.weekly,
      overrides: availability.overrides,
      timeOff: availability.timeOff,
      from: at,
      until: at.add({ milliseconds: 1 }),
      durationMin,
      intervalMin: rules.intervalMin ?? undefined,
      bufferBeforeMin: rules.bufferBeforeMin,
      bufferAfterMin: rules.bufferAfterMin,
      busy: all,
      now: Temporal.Instant.fromEpochMilliseconds(nowMs),
      minNoticeMin: i === 0 ? rules.minNoticeMin : 0,
      notSameDay: i === 0 ? rules.notSameDay : false,
      horizonDays: i === 0 ? et.bookingWindowDays : undefined,
      fullDays: full.days,
      fullWeeks: full.weeks,
    });
    return { startMs: ms, free: slots.length === 1 && slots[0].start.epochMilliseconds === ms };
  });
}

/** The dates a guest asked to skip (`skip`: their indices in the series, comma separated). */
export function parseSkip(text: string | undefined, count: number): Set<number> | null {
  const out = new Set<number>();
  if (!text?.trim()) return out;
  for (const part of text.split(",")) {
    if (!/^\d{1,2}$/.test(part.trim())) return null;
    const i = Number(part.trim());
    if (i >= count) return null;
    out.add(i);
  }
  return out;
}

/** With the guest's checked input, which every date carries whole (it once dropped the guests). */
export type SeriesInput = GuestChecked & {
  host: UserRecord;
  et: EventTypeRecord;
  start: Temporal.Instant;
  durationMin: number;
  input: BookInput;
  /** The routing form response the guest came from: carried by the first date, linked once. */
  routing?: BookingRecord["routing"] | null;
  /** Tests stop the protocol midway here (a crash). */
  onStep?: SeriesStep;
};

export type { SeriesStep };

/**
 * Books the series. The guest's dates: every date, less the ones in `input.skip` (allowed only
 * when the host lets guests book the free dates only). Every booked date must be free; any that
 * is not refuses the series as `slot_unavailable` (by the host's hours) or `slot_taken`.
 */
export async function bookSeries(app: App, s: SeriesInput): Promise<BookResult> {
  const { host, et, start, durationMin, input } = s;
  const rule = seriesOf(et)!;
  const dates = await seriesDates(app, host, et, start.epochMilliseconds, durationMin);
  const skip = parseSkip(input.skip, dates.length);
  if (!skip || (skip.size > 0 && !rule.freeOnly) || skip.size >= dates.length || skip.has(0)) {
    return { ok: false, reason: "slot_unavailable" };
  }
  const chosen = dates.filter((_, i) => !skip.has(i));
  const skipped = dates.filter((_, i) => skip.has(i)).map((d) => d.startMs);
  // The first date by the host's rules as any booking (notice, window); every date free now.
  if (!(await isOffered(app, host, et, start, durationMin))) {
    return { ok: false, reason: "slot_unavailable" };
  }
  // A refusal may be this browser's identical post before this one, which booked the series:
  // answered with its first date, as that post was (services/repeat-posts.ts).
  const refuse = (reason: Parameters<typeof bookRefusal>[0]) =>
    refusedUnlessRepeated(app, {
      list: { hostId: host.id },
      eventType: et,
      startMs: start.epochMilliseconds,
      email: input.email,
      bookerTag: input.bookerTag,
    }, reason);
  // Which dates are not free goes with the refusal: an API client cannot see the page's marks,
  // and needs their indices to book the free dates only (`skip`).
  const notFree = dates.flatMap((d, index) =>
    !d.free && !skip.has(index) ? [{ index, startMs: d.startMs }] : []
  );
  if (notFree.length) {
    const res = await refuse("slot_taken");
    return res.ok || res.reason === "invalid_answers" ? res : { ...res, notFree };
  }
  // "Free dates only" leaves out the dates not free and no other: a free one left out would be
  // a gap the host did not allow, and every mail would call it "not free". (After the check
  // above: a repeated post finds its own series' dates taken there and is answered with it.)
  if ([...skip].some((i) => dates[i].free)) return { ok: false, reason: "series_skip_free" };
  const nowMs = app.now();
  const seriesId = newId(nowMs);
  const coordinatorId = newId(nowMs);
  const rules = engineRules(app, et);
  const status = et.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const bookings: BookingRecord[] = [];
  for (const [index, d] of chosen.entries()) {
    const identity = { id: newId(nowMs), tokenSalt: randomToken(16) };
    bookings.push({
      ...newBookingRecord(
        {
          ...identity,
          host,
          eventType: et,
          startMs: d.startMs,
          durationMin,
          name: input.name,
          email: input.email,
          note: input.note,
          guestTimeZone: canonicalTimeZone(input.timeZone) ?? host.timeZone,
          clock: input.clock,
          locale: input.locale,
          answers: s.answers,
          location: s.location,
          additionalGuests: s.additionalGuests,
          source: s.source,
          by: "guest",
          singleUseLinkId: input.singleUseLinkId,
          ...(input.origin ? { origin: input.origin } : {}),
          offeredStarts: input.offeredStarts,
          routing: index === 0 ? s.routing : null,
          // The series is answered by its first date: only that one is looked up.
          bookerTag: index === 0 ? input.bookerTag : undefined,
        },
        nowMs,
        rules.bookingTtlMs,
      ),
      series: {
        id: seriesId,
        index,
        count: chosen.length,
        ...(skipped.length ? { skipped } : {}),
      },
    });
  }
  const guestToken = await bookingToken(app, bookings[0], "guest");
  const coordinator: CoordinatorRecord = {
    v: 1,
    id: coordinatorId,
    bookingId: bookings[0].id,
    state: "holding",
    untilMs: nowMs + SERIES_HOLD_MS,
    personIds: [host.id],
    eventTypeId: et.id,
    startMs: bookings[0].blockStartMs,
    endMs: bookings[0].blockEndMs,
    holdUntilMs: null,
    series: {
      bookingIds: bookings.map((b) => b.id),
      starts: bookings.map((b) => b.startMs),
      blocks: bookings.map((b) => ({ startMs: b.blockStartMs, endMs: b.blockEndMs })),
      timeZone: host.timeZone,
      held: 0,
      done: 0,
      ...(input.bookerTag ? { bookerTag: input.bookerTag } : {}),
    },
  };
  const opened = await runChange(app, { rules, change: () => ({ kind: "open", coordinator }) });
  if (!opened.ok) return { ok: false, reason: bookRefusal(opened.reason) };
  await s.onStep?.("open");
  const release = () =>
    runChange(app, { rules, change: () => ({ kind: "release", coordinatorId }) });
  let held = 0;
  while (held < bookings.length) {
    const from = held;
    const res = await runChange(app, {
      lane: host.id,
      rules,
      change: () => ({ kind: "series_hold", coordinatorId, bookings: bookings.slice(from) }),
    });
    if (!res.ok) {
      await release();
      return await refuse(res.reason);
    }
    held = res.plan.coordinator?.series?.held ?? bookings.length;
    await s.onStep?.("hold", held);
  }
  const committed = await runChange(app, {
    rules,
    change: () => ({
      kind: "series_commit",
      coordinatorId,
      first: bookings[0],
      extra: extraOf(input.extra, null),
    }),
  });
  if (!committed.ok) {
    await release();
    return { ok: false, reason: bookRefusal(committed.reason) };
  }
  await s.onStep?.("commit");
  // Each finish write's dates are counted by the runner (insights-count.ts `COUNTED_AS`), as
  // when the cleanup job finishes a series whose process died after its commit.
  await finishSeries(app, coordinatorId, bookings);
  return {
    ok: true,
    bookingId: bookings[0].id,
    guestToken,
    status,
    thankYou: thankYouOf(s.et, bookings[0]),
  };
}

/**
 * Step 4 of the protocol: the occurrences become ordinary bookings, a write at a time. Run by the
 * service after its commit, and by the cleanup job for a series whose process died after it.
 */
export async function finishSeries(
  app: App,
  coordinatorId: string,
  bookings: BookingRecord[],
): Promise<boolean> {
  const rules = engineRules(app, null);
  for (let round = 0; round < bookings.length + 2; round++) {
    const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(coordinatorId))).value;
    const done = c?.series?.done ?? 0;
    if (!c?.series || c.state !== "committed") return false;
    if (done >= bookings.length) return true;
    const res = await runChange(app, {
      rules,
      change: () => ({
        kind: "series_finish",
        coordinatorId,
        bookings: bookings.slice(done),
        first: bookings[0],
      }),
    });
    if (!res.ok) return false;
  }
  return false;
}

/** The cleanup job's roll forward: a committed series left unfinished by a crash. */
export async function finishLeftSeries(app: App, c: CoordinatorRecord): Promise<boolean> {
  if (!c.series || c.state !== "committed") return false;
  const bookings: BookingRecord[] = [];
  for (const id of c.series.bookingIds) {
    const b = await getBooking(app.kv, id);
    if (!b) return false;
    bookings.push(b);
  }
  return await finishSeries(app, c.id, bookings);
}

/** What the booking page shows once a start is chosen on a repeating event type. */
export type SeriesPreview = {
  everyWeeks: number;
  count: number;
  freeOnly: boolean;
  /** The host's zone: the series keeps its wall time there across DST changes. */
  hostZone: string;
  dates: { start: string; free: boolean }[];
};

/** The series a start on a host's booking page would book: every date and whether it is free. */
export async function seriesPreview(
  app: App,
  q: { username: string; slug: string; start: string; durationMin: number },
): Promise<SeriesPreview | null> {
  const host = await getUserByUsernameCached(app.kv, q.username);
  if (!host) return null;
  const et = await getEventTypeBySlugCached(app.kv, host.id, q.slug);
  const rule = et ? seriesOf(et) : null;
  const start = parseStart(q.start);
  if (!et || !rule || !start) return null;
  const dates = await seriesDates(app, host, et, start.epochMilliseconds, q.durationMin);
  return {
    everyWeeks: rule.everyWeeks,
    count: rule.count,
    freeOnly: rule.freeOnly,
    hostZone: host.timeZone,
    dates: dates.map((d) => ({
      start: isoInstant(d.startMs),
      free: d.free,
    })),
  };
}
