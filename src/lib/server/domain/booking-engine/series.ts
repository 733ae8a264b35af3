/**
 * A recurring series (issue 25, docs/decisions/048-recurring-series.md): one guest, one host,
 * the same time every 1–4 weeks, 2–52 occurrences — taken all or nothing with the multi-person
 * hold protocol's pattern across days (team.ts), so that no single write exceeds remote KV's
 * budget whatever the series' length:
 *
 * 1. `open` (team.ts `planOpen`): the series' coordinator, `holding` until a short deadline,
 *    naming every occurrence's booking id and blocked interval;
 * 2. `series_hold`, repeated: the next occurrences in order, as many as fit one write — each
 *    one's time claimed like a booking's (fences checked), written as a hold entry that names the
 *    coordinator and stops blocking at its deadline; its cap counts likewise; its booking record
 *    written unindexed (no link, no list shows it);
 * 3. `series_commit`: the one decision — checks the coordinator alone (every occurrence held,
 *    the deadline not near) and marks it `committed`. From this write every hold blocks for good
 *    (busy.ts `verdictOf`: a committed coordinator's entries stay live), and every cap count
 *    takes its booking's own hold (so a finish delayed by a crash never passes a cap);
 * 4. `series_finish`, repeated: the occurrences become ordinary bookings — indexed, their links,
 *    firm (or pending) busy entries without the coordinator, cap counts, side effects. Each write
 *    checks and advances the coordinator's `done`, so two finishers (the service and, after a
 *    crash, the cleanup job) never queue an occurrence's mails twice.
 *
 * On a refusal the service releases at once (`planSeriesRelease`); after a crash in steps 1–2
 * the holds stop blocking at the deadline by themselves, and the cleanup job removes them and
 * the unindexed records. A crash after step 3 is rolled forward by the cleanup job (step 4).
 */
import type { BookingRecord, CapEntryRecord, CoordinatorRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import { Draft } from "./draft.ts";
import { block, writeExtras, writeNewBooking } from "./core.ts";
import { busyKeys, claimTime, orClear, writeBusy } from "./busy.ts";
import { capEntryKeys, claimCaps, claimGuestHold, holdOf } from "./caps.ts";
import { sideEffects } from "./effects.ts";
import { ABANDONED_KEEP_MS } from "./team.ts";
import type { Change, EngineRules, PlanResult, Snapshot, Versioned } from "./types.ts";

/** How long a series' holds last without its commit (a 52-week series takes several writes). */
export const SERIES_HOLD_MS = 60_000;
/** The commit needs this much of the deadline left, so that the finish lands well within it. */
export const SERIES_COMMIT_MARGIN_MS = 10_000;
/** The most occurrences one hold write reads and considers (each costs at least one check). */
export const SERIES_HOLD_MAX = 9;
/** The most occurrences one finish write considers (each costs about twenty mutations). */
export const SERIES_FINISH_MAX = 26;

type SeriesCoordinator = Versioned<CoordinatorRecord> & {
  value: CoordinatorRecord & { series: NonNullable<CoordinatorRecord["series"]> };
};

function seriesCoordinator(s: Snapshot): SeriesCoordinator | null {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  return cv?.value?.series ? cv as SeriesCoordinator : null;
}

/** Whether `bookings` are the series' occurrences from `from` on, in order, as it names them. */
function inOrder(c: CoordinatorRecord, bookings: BookingRecord[], from: number): boolean {
  const sh = c.series!;
  return bookings.every((b, i) =>
    b.id === sh.bookingIds[from + i] && b.series?.index === from + i &&
    b.series.count === sh.bookingIds.length && b.blockStartMs === sh.blocks[from + i].startMs &&
    b.blockEndMs === sh.blocks[from + i].endMs && b.hostId === c.personIds[0]
  );
}

/**
 * Step 2: the largest prefix of `change.bookings` (the occurrences not yet held, in order) that
 * fits one write, held. A conflict on any of them refuses the series.
 */
export function planSeriesHold(
  s: Snapshot,
  change: Extract<Change, { kind: "series_hold" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = seriesCoordinator(s);
  const c = cv?.value;
  if (!cv || !c || c.state !== "holding" || c.untilMs <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  const from = c.series.held;
  const todo = change.bookings.slice(0, SERIES_HOLD_MAX);
  if (todo.length === 0 || !inOrder(c, todo, from)) return { ok: false, reason: "not_found" };
  let n = todo.length;
  while (true) {
    const r = holdWrite(s, cv, todo.slice(0, n), rules, nowMs, limits);
    if (r.ok || r.reason !== "too_large" || n === 1) {
      if (!r.ok && r.reason === "too_large") {
        const claims = [{ personId: c.personIds[0], iv: block(todo[0]) }];
        return orClear(r, s, claims, nowMs, limits);
      }
      return r;
    }
    n = Math.ceil(n / 2);
  }
}

function holdWrite(
  s: Snapshot,
  cv: SeriesCoordinator,
  bookings: BookingRecord[],
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const c = cv.value;
  const personId = c.personIds[0];
  const d = new Draft(s.keyOf);
  d.check(cv);
  const self = new Set(c.series.bookingIds);
  for (const b of bookings) {
    const refused = claimTime(d, s, personId, block(b), self, nowMs, "slot_taken") ??
      // Counted as held until the deadline: an abandoned series' counts lapse with its holds.
      claimCaps(
        d,
        s,
        { ...b, status: "PENDING", reservedUntilMs: c.untilMs },
        rules.eventType,
        self,
        nowMs,
      );
    if (refused) return { ok: false, reason: refused };
    const entry = {
      v: 1 as const,
      bookingId: b.id,
      startMs: b.blockStartMs,
      endMs: b.blockEndMs,
      holdUntilMs: c.untilMs,
      eventTypeId: b.eventTypeId,
      coordinatorId: c.id,
    };
    for (const k of busyKeys(personId, entry)) d.set(k, entry);
    // Unindexed until the finish: no list shows it and no link reaches it.
    d.set({ kind: "booking", id: b.id }, b);
  }
  const held = c.series.held + bookings.length;
  const next: CoordinatorRecord = { ...c, series: { ...c.series, held } };
  d.set(cv.key, next);
  return d.finish("series_hold", {
    booking: null,
    coordinator: next,
    probe: {
      key: cv.key,
      landed: (v) => ((v as CoordinatorRecord | null)?.series?.held ?? 0) >= held,
    },
  }, limits);
}

/**
 * Step 3: every occurrence is held; the series is decided in this one write. A pending series
 * counts as one request against the guest's limit (its first occurrence carries the hold).
 */
export function planSeriesCommit(
  s: Snapshot,
  change: Extract<Change, { kind: "series_commit" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = seriesCoordinator(s);
  const c = cv?.value;
  if (!cv || !c || c.state !== "holding" || c.untilMs - SERIES_COMMIT_MARGIN_MS <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  const first = change.first;
  if (c.series.held !== c.series.bookingIds.length || !inOrder(c, [first], 0)) {
    return { ok: false, reason: "not_found" };
  }
  const d = new Draft(s.keyOf);
  d.check(cv);
  const refused = claimGuestHold(d, s, first, new Set(c.series.bookingIds), rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  const committed: CoordinatorRecord = { ...c, state: "committed", holdUntilMs: holdOf(first) };
  d.set(cv.key, committed);
  // Every date's cap counts take the booking's own hold now (firm, or the pending request's), not
  // the deadline: the series is decided, and a finish that a crash delays past the deadline must
  // not find them lapsed — another booking would have counted on them being free, and the finish
  // writes them back unchecked. No check needed: each count is live (held until the deadline,
  // which the margin above keeps ahead), so extending it takes no count anyone relied on.
  for (const [i, id] of c.series.bookingIds.entries()) {
    const ref = {
      id,
      eventTypeId: c.eventTypeId,
      startMs: c.series.starts[i],
      hostTimeZone: c.series.timeZone,
    };
    for (const k of capEntryKeys(ref)) {
      d.set(k, { v: 1, bookingId: id, holdUntilMs: holdOf(first) } satisfies CapEntryRecord);
    }
  }
  writeExtras(d, change.extra);
  return d.finish("series_commit", {
    booking: null,
    coordinator: committed,
    probe: {
      key: cv.key,
      landed: (v) => (v as CoordinatorRecord | null)?.state === "committed",
    },
  }, limits);
}

/**
 * Step 4: the largest prefix of `change.bookings` (the occurrences not yet finished, in order)
 * that fits one write becomes ordinary bookings. Only the first occurrence sends the people's
 * mails (one invitation for the series, listing its dates), queued by the write that finishes the
 * last date; every occurrence has its own calendar write, reminders and webhook event.
 */
export function planSeriesFinish(
  s: Snapshot,
  change: Extract<Change, { kind: "series_finish" }>,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = seriesCoordinator(s);
  const c = cv?.value;
  if (!cv || !c || c.state !== "committed") return { ok: false, reason: "expired" };
  const from = c.series.done;
  const todo = change.bookings.slice(0, SERIES_FINISH_MAX);
  if (from >= c.series.bookingIds.length) {
    // Finished already (by another finisher): nothing to write.
    return new Draft(s.keyOf).finish("series_finish", {
      booking: null,
      coordinator: c,
      probe: { key: cv.key, landed: () => true },
    }, limits);
  }
  if (
    todo.length === 0 || !inOrder(c, todo, from) || !inOrder(c, [change.first], 0)
  ) return { ok: false, reason: "not_found" };
  let n = todo.length;
  while (true) {
    const r = finishWrite(s, cv, todo.slice(0, n), change.first, nowMs, limits);
    if (r.ok || r.reason !== "too_large" || n === 1) return r;
    n = Math.ceil(n / 2);
  }
}

function finishWrite(
  s: Snapshot,
  cv: SeriesCoordinator,
  bookings: BookingRecord[],
  first: BookingRecord,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const c = cv.value;
  const d = new Draft(s.keyOf);
  d.check(cv);
  for (const b of bookings) {
    writeNewBooking(d, b);
    // Its own entries from now on, as any booking's (the coordinator no longer decides them).
    writeBusy(d, b);
    for (const k of capEntryKeys(b)) {
      d.set(k, { v: 1, bookingId: b.id, holdUntilMs: holdOf(b) });
    }
    d.job(...sideEffects(null, b, nowMs).filter((j) => j.payload.kind !== "booking_mail"));
  }
  const done = c.series.done + bookings.length;
  const finished = done === c.series.bookingIds.length;
  // The people's mails go once, with the first date, when every date is a booking (they list
  // every date and carry them all for calendars).
  if (finished) {
    d.job(...sideEffects(null, first, nowMs).filter((j) => j.payload.kind === "booking_mail"));
  }
  const next: CoordinatorRecord = { ...c, series: { ...c.series, done } };
  // Kept a while as the series' record of how it was taken; off the cleanup job's list.
  d.set(cv.key, next, finished ? ABANDONED_KEEP_MS : undefined);
  if (finished) d.delete({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id });
  return d.finish("series_finish", {
    booking: bookings[0],
    made: bookings,
    coordinator: next,
    probe: {
      key: cv.key,
      landed: (v) => ((v as CoordinatorRecord | null)?.series?.done ?? 0) >= done,
    },
  }, limits);
}

/**
 * A series that failed or was left behind: the holds, cap counts and unindexed records of the
 * occurrences held go, the coordinator is abandoned. A committed series is not released (the
 * cleanup job finishes it instead): this answers with nothing to write.
 */
export function planSeriesRelease(s: Snapshot, limits: KvLimits): PlanResult {
  const cv = seriesCoordinator(s);
  const c = cv!.value;
  const d = new Draft(s.keyOf);
  if (c.state !== "holding" && c.state !== "abandoned") {
    return d.finish(
      "release",
      { booking: null, probe: { key: cv!.key, landed: () => true } },
      limits,
    );
  }
  if (c.state === "holding") d.check(cv!);
  d.set(cv!.key, { ...c, state: "abandoned" } satisfies CoordinatorRecord, ABANDONED_KEEP_MS);
  const personId = c.personIds[0];
  for (let i = 0; i < c.series.held; i++) {
    const id = c.series.bookingIds[i];
    const { startMs, endMs } = c.series.blocks[i];
    d.deleteAll(busyKeys(personId, { startMs, endMs, bookingId: id }));
    d.delete({ kind: "booking", id });
    d.deleteAll(capEntryKeys({
      id,
      eventTypeId: c.eventTypeId,
      startMs: c.series.starts[i],
      hostTimeZone: c.series.timeZone,
    }));
  }
  d.delete({ kind: "coordinatorByUntil", untilMs: c.untilMs, id: c.id });
  return d.finish("release", {
    booking: null,
    coordinator: { ...c, state: "abandoned" },
    probe: {
      key: cv!.key,
      landed: (v) => (v as CoordinatorRecord | null)?.state === "abandoned",
    },
  }, limits);
}
