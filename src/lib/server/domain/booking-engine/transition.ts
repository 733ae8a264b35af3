/**
 * A booking's status changes: confirm, reject, cancel, expire (docs/decisions/002-booking-engine.md).
 * Confirming firms a hold and guards like an addition; the others only free time.
 */
import type {
  BookingRecord,
  CapEntryRecord,
  CoordinatorRecord,
  FenceRecord,
  OutboxPayload,
} from "../model/records.ts";
import { isHostSideMail } from "../calendar-identity.ts";
import type { KvLimits } from "../kv-budget.ts";
import { nextStep, utcDaysTouched } from "../booking.ts";
import type { Entry } from "../model/entries.ts";
import { sideEffects } from "./effects.ts";
import { RESCHEDULE_REQUESTED } from "./rebook.ts";
import { Draft } from "./draft.ts";
import { planDecline } from "./decline.ts";
import { releaseLink } from "./link-release.ts";
import {
  block,
  capRefs,
  decideOn,
  guestHoldOf,
  personsOf,
  sameStep,
  writeExtras,
  writeUpdatedBooking,
} from "./core.ts";
import { claimTime, fenceOf, listedOn, orClear, writeBusy } from "./busy.ts";
import { capEntryKeys, capsRead, dropHoldings } from "./caps.ts";
import type { Change, EngineRules, PlanResult, Refusal, Snapshot, Versioned } from "./types.ts";

export function nextOf(
  b: BookingRecord,
  change: Extract<Change, { kind: "transition" }>,
  t: { status: BookingRecord["status"]; endReason: string | null },
  nowMs: number,
): BookingRecord {
  const step = nextStep(b, t.status, change.by, nowMs);
  return {
    ...b,
    status: t.status,
    reservedUntilMs: t.status === "PENDING" ? b.reservedUntilMs : null,
    decidedAtMs: step.atMs,
    endReason: t.endReason === "cancelled"
      ? (change.by === "host"
        ? (change.requestNewTime ? RESCHEDULE_REQUESTED : "cancelled_by_host")
        : "cancelled_by_guest")
      : t.endReason,
    cancelReason: change.reason?.trim() ? change.reason.trim().slice(0, 500) : null,
    history: step.history,
  };
}

export function planTransition(
  s: Snapshot,
  change: Extract<Change, { kind: "transition" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const decided = decideOn(s, change, change.action, rules, nowMs);
  if (!decided.ok) return decided;
  const { current: read, t } = decided;
  let current = read;
  const d = new Draft(s.keyOf);
  if (change.decline !== undefined) {
    const declined = planDecline(s, read, change, change.decline, nowMs, limits);
    // Others still come: the decline alone. The last one: the meeting is cancelled with it.
    if (declined.done) return declined.result;
    current = { ...read, value: declined.booking };
    d.job(...declined.jobs);
  }
  const b = current.value;
  const next = nextOf(b, change, t, nowMs);
  writeUpdatedBooking(d, current, next);
  if (next.status === "CONFIRMED") {
    const refused = firm(d, s, b, next, rules, nowMs);
    if (refused) return { ok: false, reason: refused };
  } else {
    dropHoldings(d, b);
    if (b.coordinatorId) d.delete({ kind: "coordinator", id: b.coordinatorId });
  }
  const claims = next.status === "CONFIRMED" && !b.coordinatorId
    ? personsOf(b).map((personId) => ({ personId, iv: block(b) }))
    : [];
  return finishTransition(d, s, current, next, change, claims, nowMs, limits);
}

/** The end every status change shares (a seat's too): extras, mails and jobs, the plan. */
export function finishTransition(
  d: Draft,
  s: Snapshot,
  current: Versioned<BookingRecord>,
  next: BookingRecord,
  change: Extract<Change, { kind: "transition" }>,
  claims: { personId: string; iv: { startMs: number; endMs: number } }[],
  nowMs: number,
  limits: KvLimits,
  /** A seat's guest took its meeting's last seat out: the host's mail says it is empty. */
  emptied = false,
): PlanResult {
  writeExtras(d, change.extra);
  // A one-off link's request turned down or lapsed: the link offers its other times again.
  releaseLink(d, s, current.value!, next, nowMs);
  d.job(
    ...sideEffects(current.value!, next, nowMs).filter((j) =>
      !(change.quiet && j.payload.kind === "booking_mail") &&
      !(change.meeting && isHostSideJob(j.payload))
    ).map((j) =>
      j.payload.kind !== "booking_mail" || j.payload.mail !== "host_cancelled"
        ? j
        : emptied
        ? { ...j, payload: { ...j.payload, emptied: true as const } }
        // Someone else pressed the host's cancel (a team's owner): each member's mail names them.
        : change.pressedBy && change.pressedBy !== next.hostId
        ? { ...j, payload: { ...j.payload, by: change.pressedBy } }
        : j
    ),
  );
  const result = d.finish("transition", {
    booking: next,
    probe: { key: current.key, landed: sameStep(next) },
  }, limits);
  return orClear(result, s, claims, nowMs, limits);
}

/**
 * Confirming turns a hold into firm time. It guards like an addition (fences checked and
 * changed), and refuses as "expired" when the hold is no longer whole: its entries are gone, or
 * someone else's live time overlaps it — another process treated the hold as over.
 */
export function firm(
  d: Draft,
  s: Snapshot,
  before: BookingRecord,
  next: BookingRecord,
  rules: EngineRules,
  nowMs: number,
): Refusal | null {
  if (before.coordinatorId) {
    const c = s.coordinators.find((x) => x.value?.id === before.coordinatorId);
    if (!c?.value || c.value.state !== "committed") return "expired";
    d.check(c);
    d.set(c.key, { ...c.value, holdUntilMs: null } satisfies CoordinatorRecord);
  } else {
    const self = new Set([before.id]);
    for (const personId of personsOf(before)) {
      for (const day of utcDaysTouched(before.blockStartMs, before.blockEndMs)) {
        const mine = s.busy.find((x) => x.personId === personId)?.entries.some((e) =>
          e.value?.bookingId === before.id && listedOn(s, personId, day, e)
        );
        if (!mine) return "expired";
      }
      const refused = claimTime(d, s, personId, block(before), self, nowMs, "expired");
      if (refused) return refused;
    }
  }
  writeBusy(d, next, before.coordinatorId);
  return firmCaps(d, s, before, rules);
}

/** A confirm's cap entries and guest hold: counted firm, the hold released ("expired" if gone). */
export function firmCaps(
  d: Draft,
  s: Snapshot,
  before: BookingRecord,
  rules: EngineRules,
): Refusal | null {
  for (const ref of capRefs(before, rules.eventType, false)) {
    const limit = ref.period === "day" ? rules.eventType!.maxPerDay : rules.eventType!.maxPerWeek;
    const fenceKey: Entry = { kind: "capFence", ...ref };
    if (limit !== null) {
      const read = capsRead(s, ref);
      if (!read.entries.some((e) => e.value?.bookingId === before.id)) return "expired";
      d.check(fenceOf(s, fenceKey));
      // Only a capped period's fence (caps.ts `claimCaps`).
      d.set(fenceKey, { v: 1 } satisfies FenceRecord);
    }
  }
  // The cap entries as they were keyed at booking time (the event type may be gone now).
  for (const k of capEntryKeys(before)) {
    d.set(k, { v: 1, bookingId: before.id, holdUntilMs: null } satisfies CapEntryRecord);
  }
  d.delete(guestHoldOf(before));
  return null;
}

/** A host's mail or calendar write about a booking (a seated meeting's come once: seat.ts). */
function isHostSideJob(p: OutboxPayload): boolean {
  return p.kind === "writeback" || (p.kind === "booking_mail" && isHostSideMail(p.mail));
}
