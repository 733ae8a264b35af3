/**
 * Caps (per event type and host-zone day or ISO week) and a guest's pending requests with a host:
 * counted under a fence like busy time, and released with the booking's other holdings.
 */
import type {
  BookingRecord,
  CapEntryRecord,
  FenceRecord,
  GuestHoldRecord,
} from "../model/records.ts";
import { capPeriods } from "../event-rules.ts";
import type { Entry } from "../model/entries.ts";
import { type Draft, keyText } from "./draft.ts";
import { capRefs, guestHoldOf, guestKey, guestOwner } from "./core.ts";
import { dropBusy, fenceOf } from "./busy.ts";
import type { CapRef, EngineRules, EventTypeLimits, Refusal, Snapshot } from "./types.ts";

/** Expired cap entries one write may remove (more: the expiry job has not run for a long time). */
export const MAX_CAP_PRUNE = 200;

// ── caps and guest holds ────────────────────────────────────────────────────────────────────

export function capsRead(s: Snapshot, ref: CapRef) {
  const t = keyText([ref.eventTypeId, ref.period, ref.periodKey]);
  const read = s.caps.find((c) =>
    keyText([c.ref.eventTypeId, c.ref.period, c.ref.periodKey]) === t
  );
  if (!read) throw new Error(`cap entries of ${t} were not read`);
  return read;
}

export const holdOf = (b: BookingRecord) => (b.status === "PENDING" ? b.reservedUntilMs : null);
export const capLive = (e: CapEntryRecord, nowMs: number) =>
  e.holdUntilMs === null || e.holdUntilMs > nowMs;

/** Counts `b` against its event type's caps; refuses when a cap is reached. */
export function claimCaps(
  d: Draft,
  s: Snapshot,
  b: BookingRecord,
  et: EventTypeLimits | null,
  ignore: ReadonlySet<string>,
  nowMs: number,
): Refusal | null {
  for (const ref of capRefs(b, et, false)) {
    const limit = ref.period === "day" ? et!.maxPerDay : et!.maxPerWeek;
    const fenceKey: Entry = { kind: "capFence", ...ref };
    if (limit !== null) {
      const read = capsRead(s, ref);
      const others = read.entries.flatMap((e) =>
        e.value && !ignore.has(e.value.bookingId) ? [e.value] : []
      );
      const live = others.filter((e) => capLive(e, nowMs)).length;
      if (live + 1 > limit) return "cap_reached";
      // Expired entries this count relies on are removed, so a late confirm of one sees it gone.
      const expired = others.filter((e) => !capLive(e, nowMs));
      const need = live + 1 + expired.length - limit;
      if (need > MAX_CAP_PRUNE) return "too_large";
      for (const e of expired.slice(0, Math.max(0, need))) {
        d.delete({ kind: "capEntry", ...ref, bookingId: e.bookingId });
      }
      d.check(fenceOf(s, fenceKey));
      d.set(fenceKey, { v: 1 } satisfies FenceRecord);
    }
    // Without a cap the count is still kept (a cap set later counts these), without its fence:
    // only a write that counts checks it, and every write of a capped period sets it.
    d.set(
      { kind: "capEntry", ...ref, bookingId: b.id },
      { v: 1, bookingId: b.id, holdUntilMs: holdOf(b) } satisfies CapEntryRecord,
    );
  }
  return null;
}

export function capEntryKeys(
  b: Pick<BookingRecord, "id" | "eventTypeId" | "startMs" | "hostTimeZone">,
): Entry[] {
  const p = capPeriods(b.startMs, b.hostTimeZone);
  const entry = (period: "day" | "week", periodKey: string): Entry => ({
    kind: "capEntry",
    eventTypeId: b.eventTypeId,
    period,
    periodKey,
    bookingId: b.id,
  });
  return [entry("day", p.day), entry("week", p.week)];
}

/** A pending request counts against its guest's limit with the host. */
export function claimGuestHold(
  d: Draft,
  s: Snapshot,
  b: BookingRecord,
  ignore: ReadonlySet<string>,
  rules: EngineRules,
  nowMs: number,
): Refusal | null {
  if (b.status !== "PENDING") return null;
  const email = guestKey(b.guestEmail);
  const live = s.guestHolds.filter((h) =>
    h.value && h.value.untilMs > nowMs && !ignore.has(h.value.bookingId)
  );
  if (live.length >= rules.maxPendingPerGuest) return "too_many_pending";
  const fence = fenceOf(s, { kind: "guestHoldFence", ownerId: guestOwner(b), email });
  d.check(fence);
  d.set(fence.key, { v: 1 } satisfies FenceRecord);
  d.set(
    { kind: "guestHold", ownerId: guestOwner(b), email, bookingId: b.id },
    { v: 1, bookingId: b.id, untilMs: b.reservedUntilMs! } satisfies GuestHoldRecord,
  );
  return null;
}

/** Everything a live booking holds besides its record: busy time, cap counts, its guest hold. */
export function dropHoldings(d: Draft, b: BookingRecord) {
  dropBusy(d, b);
  d.deleteAll(capEntryKeys(b));
  if (b.status === "PENDING") d.delete(guestHoldOf(b));
}
