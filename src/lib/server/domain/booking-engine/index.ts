/**
 * The booking engine's decision, pure: from a snapshot of what was read, plan every write,
 * every versionstamp check and every outbox job of one change, with its own budget against
 * remote KV's limits — or refuse with a typed reason. No clock, no IO: `nowMs` is a parameter.
 *
 * The guard (docs/decisions/002-booking-engine.md): a person's blocked time is one KV entry per
 * booking per UTC day it touches, plus a fence per person-day. A write that ADDS or firms busy
 * time checks and changes the fences of the days it touches; two overlapping intervals share a
 * day, so of two such writes one fails its check and re-reads. REMOVING time needs no check (it
 * only frees time; a writer that still saw it merely refused). The store reads the fences
 * before listing the entries, so an addition landing between the two reads changes a fence this
 * plan checks. Caps (per event type and host-zone day or ISO week) and a guest's pending
 * requests with a host follow the same pattern; a multi-person hold is guarded by its
 * coordinator (see team.ts `planHold` and `planTeamCommit`).
 *
 * One module per change kind (create.ts, seat.ts with team-seat.ts and seat-ledger.ts,
 * transition.ts, reschedule.ts, rebook.ts, time-hold.ts, team.ts, series.ts, import.ts),
 * sharing the planner core (core.ts, busy.ts, caps.ts), the draft and its budget (draft.ts) and
 * the side effects (effects.ts). A new kind of change is a new module here.
 */
import { keyBytes, type KvLimits, REMOTE_KV_LIMITS, valueBytes } from "../kv-budget.ts";
import { planAssign, planCreate } from "./create.ts";
import { planTransition } from "./transition.ts";
import { planReschedule } from "./reschedule.ts";
import { planRebook } from "./rebook.ts";
import { planHoldTime, planReleaseTime } from "./time-hold.ts";
import { planHold, planOpen, planRelease, planTeamCommit } from "./team.ts";
import { planImport } from "./import.ts";
import { planSeriesCommit, planSeriesFinish, planSeriesHold, planSeriesRelease } from "./series.ts";
import type { Change, EngineRules, PlannedWrite, PlanResult, Snapshot } from "./types.ts";
import {
  planSeat,
  planSeatImport,
  planSeatRebook,
  planSeatReschedule,
  planSeatTransition,
} from "./seat.ts";
import { expectedOf } from "./scope.ts";
import { seatsOf } from "../seats.ts";
import type { BookingRecord, CoordinatorRecord } from "../model/records.ts";
import { isLiveBooking } from "../booking.ts";

export * from "./types.ts";
export { guestKey, guestOwner, personsOf } from "./core.ts";
export { jobMutations } from "./draft.ts";
export { busyKeys, memberKeys, type Verdict, verdictOf } from "./busy.ts";
export { primaryEntry, scopeOf } from "./scope.ts";
export { awaitsNewTime, RESCHEDULE_REQUESTED } from "./rebook.ts";
export { endsUnmet } from "./link-release.ts";
export { SERIES_COMMIT_MARGIN_MS, SERIES_HOLD_MAX, SERIES_HOLD_MS } from "./series.ts";

/** How long a commit receipt is kept: far longer than any commit's outcome takes to settle. */
export const RECEIPT_TTL_MS = 3_600_000;

/**
 * Plans a change. With `receiptId` (the runner gives each attempt a fresh one), the plan also
 * writes that receipt: the one witness of whether a commit whose answer was lost landed, exact
 * even for two identical changes at the same instant — unless the plan's probe is exact by
 * itself (a new booking's record, `newBookingProbe`). Its room is taken from the limits before
 * planning, so a plan with its receipt fits by construction.
 */
export function planChange(
  snapshot: Snapshot,
  change: Change,
  rules: EngineRules,
  nowMs: number,
  receiptId?: string,
): PlanResult {
  const base = rules.limits ?? REMOTE_KV_LIMITS;
  if (receiptId === undefined) return planWithin(snapshot, change, rules, nowMs, base);
  const receipt = {
    op: "set",
    key: snapshot.keyOf({ kind: "commitReceipt", id: receiptId }),
    value: 1,
    expireInMs: RECEIPT_TTL_MS,
  } satisfies PlannedWrite;
  const kb = keyBytes(receipt.key);
  const room = kb + valueBytes(receipt.value);
  const res = planWithin(snapshot, change, rules, nowMs, {
    ...base,
    mutations: base.mutations - 1,
    bytes: base.bytes - room,
  });
  if (!res.ok) return res;
  const p = res.plan;
  // Nothing to write: nothing to witness (the runner answers such a plan without committing).
  if (p.checks.length === 0 && p.writes.length === 0 && p.jobs.length === 0) return res;
  // A new booking's own record witnesses its write: a receipt beside it was one more key per
  // booking, ~5 % of what the store writes for it (issue 26's audit of the booking write).
  if (p.probe.exact) return res;
  return {
    ok: true,
    plan: {
      ...p,
      writes: [...p.writes, receipt],
      budget: {
        ...p.budget,
        mutations: p.budget.mutations + 1,
        bytes: p.budget.bytes + room,
        largestKeyBytes: Math.max(p.budget.largestKeyBytes, kb),
      },
      receipt: receipt.key,
    },
  };
}

function planWithin(
  snapshot: Snapshot,
  change: Change,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const expected = expectedOf(change);
  if (snapshot.absent.some((x, i) => x.versionstamp !== expected[i].versionstamp)) {
    return { ok: false, reason: "conflict" };
  }
  switch (change.kind) {
    case "create":
      return planCreate(snapshot, change, rules, nowMs, limits);
    case "assign":
      return planAssign(snapshot, change, rules, nowMs, limits);
    case "transition":
      // A seat changes its time's ledger (seat.ts); every other booking its own time.
      return (snapshot.primary?.value as BookingRecord | null)?.seat
        ? planSeatTransition(snapshot, change, rules, nowMs, limits)
        : planTransition(snapshot, change, rules, nowMs, limits);
    case "reschedule":
      return (snapshot.primary?.value as BookingRecord | null)?.seat
        ? planSeatReschedule(snapshot, change, rules, nowMs, limits)
        : planReschedule(snapshot, change, rules, nowMs, limits);
    case "rebook":
      // A seat's guest takes a seat of the new time (seat.ts).
      return seatsOf(change.successor.eventType)
        ? planSeatRebook(snapshot, change, rules, nowMs, limits)
        : planRebook(snapshot, change, rules, nowMs, limits);
    case "hold_time":
      return planHoldTime(snapshot, change, nowMs, limits);
    case "release_time":
      return planReleaseTime(snapshot, change, limits);
    case "open":
      return planOpen(snapshot, change, limits);
    case "hold":
      return planHold(snapshot, change, nowMs, limits);
    case "commit":
      return planTeamCommit(snapshot, change, rules, nowMs, limits);
    case "release":
      // A series' coordinator names every occurrence's time (series.ts).
      return (snapshot.primary?.value as CoordinatorRecord | null)?.series
        ? planSeriesRelease(snapshot, limits)
        : planRelease(snapshot, change, limits);
    case "series_hold":
      return planSeriesHold(snapshot, change, rules, nowMs, limits);
    case "series_commit":
      return planSeriesCommit(snapshot, change, rules, nowMs, limits);
    case "series_finish":
      return planSeriesFinish(snapshot, change, nowMs, limits);
    case "import":
      // A seat that still holds time takes its place in its time's ledger (seat.ts).
      return change.booking.seat && isLiveBooking(change.booking, nowMs)
        ? planSeatImport(snapshot, change, rules, nowMs, limits)
        : planImport(snapshot, change, rules, nowMs, limits);
    case "seat":
      return planSeat(snapshot, change, rules, nowMs, limits);
  }
}
