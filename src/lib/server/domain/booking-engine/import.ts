/**
 * A booking moved from another Invito (services/import-bookings.ts), written as it was there.
 */
import type { KvLimits } from "../kv-budget.ts";
import { isLiveBooking } from "../booking.ts";
import { Draft } from "./draft.ts";
import { block, bookingExists, personsOf, writeNewBooking } from "./core.ts";
import { claimTime, orClear, writeBusy } from "./busy.ts";
import { claimCaps, claimGuestHold } from "./caps.ts";
import type { Change, EngineRules, PlanResult, Snapshot } from "./types.ts";

/**
 * An imported booking keeps what it was (id, status, history, calendar identity, answers). One
 * that still holds time — confirmed (past ones included, so that no two confirmed meetings of a
 * person overlap) or pending with its hold ahead — takes it with the same guarded write as a
 * create: overlapping live time refuses ("slot_taken"), never overwrites; caps count it while
 * the meeting is ahead (a cap never concerned the past), a pending one counts against its
 * guest's requests. History (cancelled, rejected, a pending hold already over) takes no time;
 * the expiry job settles such a pending hold as it would have there.
 */
export function planImport(
  s: Snapshot,
  change: Extract<Change, { kind: "import" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const b = change.booking;
  if (personsOf(b).length !== 1 || b.coordinatorId) return { ok: false, reason: "not_supported" };
  if (s.primary?.value) return { ok: false, reason: "conflict" };
  const d = new Draft(s.keyOf);
  d.check({ key: d.key({ kind: "booking", id: b.id }), versionstamp: null });
  const live = isLiveBooking(b, nowMs);
  if (live) {
    const self = new Set([b.id]);
    const et = rules.eventType && b.endMs <= nowMs
      ? { ...rules.eventType, maxPerDay: null, maxPerWeek: null }
      : rules.eventType;
    const refused = claimTime(d, s, personsOf(b)[0], block(b), self, nowMs, "slot_taken") ??
      claimCaps(d, s, b, et, self, nowMs) ??
      claimGuestHold(d, s, b, self, rules, nowMs);
    if (refused) return { ok: false, reason: refused };
    writeBusy(d, b);
  }
  writeNewBooking(d, b);
  const result = d.finish("import", {
    booking: b,
    probe: { key: d.key({ kind: "booking", id: b.id }), landed: bookingExists(b.id) },
  }, limits);
  return live
    ? orClear(result, s, [{ personId: personsOf(b)[0], iv: block(b) }], nowMs, limits)
    : result;
}
