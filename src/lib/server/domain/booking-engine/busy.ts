/**
 * Busy time: a person's blocked time as entries per UTC day under a fence per person-day, the
 * verdict on an entry of a multi-person hold, claiming time for a change, and clearing the way
 * when taking expired holds over does not fit one write.
 */
import type {
  BookingRecord,
  BusyEntryRecord,
  CoordinatorRecord,
  FenceRecord,
} from "../model/records.ts";
import { type Interval, overlaps } from "../interval.ts";
import { utcDaysTouched } from "../booking.ts";
import type { KvLimits } from "../kv-budget.ts";
import type { Entry } from "../model/entries.ts";
import { Draft, keyText, sameKey } from "./draft.ts";
import { personsOf } from "./core.ts";
import type { PlanResult, Refusal, Snapshot, Versioned } from "./types.ts";

// ── busy time ───────────────────────────────────────────────────────────────────────────────

/** Every entry a busy entry is stored as (one per UTC day it touches). */
export function busyKeys(
  personId: string,
  e: { startMs: number; endMs: number; bookingId: string },
): Entry[] {
  return utcDaysTouched(e.startMs, e.endMs).map((day) => ({
    kind: "busy",
    personId,
    day,
    startMs: e.startMs,
    bookingId: e.bookingId,
  }));
}

/** Whether a listed busy entry is the one stored under `day` (entries repeat per day touched). */
export function listedOn(
  s: Snapshot,
  personId: string,
  day: string,
  e: Versioned<BusyEntryRecord>,
) {
  if (!e.value) return false;
  const { startMs, bookingId } = e.value;
  return sameKey(e.key, s.keyOf({ kind: "busy", personId, day, startMs, bookingId }));
}

/**
 * Whether a busy entry still blocks. A plain entry blocks while firm or until its hold ends. A
 * coordinated one past its hold is decided by its coordinator: gone, abandoned or released →
 * free; otherwise it may be treated as free only by a write that takes the coordinator over in
 * the same commit (checked, then marked abandoned or released), so a late commit or confirm of
 * that booking fails its coordinator check.
 */
export type Verdict =
  | { kind: "live" }
  /** A multi-person hold still being taken: it ends soon, one way or the other. */
  | { kind: "held" }
  | { kind: "free" }
  | { kind: "take"; coordinator: Versioned<CoordinatorRecord>; next: "abandoned" | "released" };

export function verdictOf(
  e: BusyEntryRecord,
  coordinators: { get(id: string): Versioned<CoordinatorRecord> | undefined },
  nowMs: number,
): Verdict {
  if (e.holdUntilMs === null) return { kind: "live" };
  const c = e.coordinatorId ? coordinators.get(e.coordinatorId) : undefined;
  if (c?.value?.state === "holding" && c.value.untilMs > nowMs) return { kind: "held" };
  // A coordinator that is gone, abandoned or released is final and no commit or confirm of it can
  // land, so its entries block nobody — also one within its hold: read before the coordinator,
  // it was removed by the write that ended it (a release racing this snapshot), or another
  // process's clock ran ahead of this one when it took the hold over.
  const ended = c !== undefined &&
    (!c.value || c.value.state === "abandoned" || c.value.state === "released");
  if (ended) return { kind: "free" };
  if (e.holdUntilMs > nowMs) return { kind: "live" };
  if (!e.coordinatorId) return { kind: "free" };
  if (!c) return { kind: "live" }; // not read: assume it still blocks
  const rec = c.value!;
  if (rec.state === "holding") {
    return rec.untilMs > nowMs ? { kind: "live" } : {
      kind: "take",
      coordinator: c,
      next: "abandoned",
    };
  }
  if (rec.holdUntilMs === null || rec.holdUntilMs > nowMs) return { kind: "live" };
  return { kind: "take", coordinator: c, next: "released" };
}

/** The coordinators read, by id. */
export function coordinatorMap(s: Snapshot) {
  const byKey = new Map(s.coordinators.map((c) => [keyText(c.key), c]));
  return { get: (id: string) => byKey.get(keyText(s.keyOf({ kind: "coordinator", id }))) };
}

export function fenceOf(s: Snapshot, entry: Entry): Versioned<FenceRecord> {
  const t = keyText(s.keyOf(entry));
  const f = s.fences.find((x) => keyText(x.key) === t);
  if (!f) throw new Error(`fence ${t} was not read`);
  return f;
}

export function entriesOf(s: Snapshot, personId: string): BusyEntryRecord[] {
  const seen = new Map<string, BusyEntryRecord>();
  for (const e of s.busy.find((b) => b.personId === personId)?.entries ?? []) {
    if (e.value) seen.set(e.value.bookingId, e.value);
  }
  return [...seen.values()];
}

/** Guard and clear the way for new busy time of `personId` over `iv`; null when it is free. */
export function claimTime(
  d: Draft,
  s: Snapshot,
  personId: string,
  iv: Interval,
  /** Bookings whose time counts as free (the booking itself; a rescheduled predecessor). */
  ignore: ReadonlySet<string>,
  nowMs: number,
  /** "expired" for a confirm: someone else's live time there means its hold was taken. */
  conflict: Refusal,
): Refusal | null {
  const coordinators = coordinatorMap(s);
  const listed = s.busy.find((b) => b.personId === personId)?.entries ?? [];
  for (const day of utcDaysTouched(iv.startMs, iv.endMs)) {
    const fence = fenceOf(s, { kind: "busyFence", personId, day });
    d.check(fence);
    // The fence bounds how long the day's blocks are, so readers list only what can overlap.
    // Without a bound yet, the whole day was read and gives it.
    let longest = fence.value?.maxBlockMs;
    if (longest === undefined) {
      longest = 0;
      for (const e of listed) {
        if (e.value && listedOn(s, personId, day, e)) {
          longest = Math.max(longest, e.value.endMs - e.value.startMs);
        }
      }
    }
    d.set(
      fence.key,
      {
        v: 1,
        maxBlockMs: Math.max(longest, iv.endMs - iv.startMs),
      } satisfies FenceRecord,
    );
  }
  for (const e of entriesOf(s, personId)) {
    if (ignore.has(e.bookingId) || !overlaps(e, iv)) continue;
    const v = verdictOf(e, coordinators, nowMs);
    if (v.kind === "live") return conflict;
    if (v.kind === "held") return conflict === "slot_taken" ? "held" : conflict;
    // Time we rely on being free is removed, so a late confirm of it sees its entry gone.
    d.deleteAll(busyKeys(personId, e));
    if (v.kind === "take") {
      d.check(v.coordinator);
      d.set(v.coordinator.key, { ...v.coordinator.value!, state: v.next });
    }
  }
  const cal = s.calendars.find((c) => c.personId === personId);
  if (cal && conflict === "slot_taken") {
    if (cal.unknown.some((u) => overlaps(u, iv))) return "calendar_unavailable";
    if (cal.busy.some((b) => overlaps(b, iv))) return "slot_taken";
  }
  return null;
}

export function busyEntry(b: BookingRecord, coordinatorId?: string): BusyEntryRecord {
  return {
    v: 1,
    bookingId: b.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: b.status === "PENDING" ? b.reservedUntilMs : null,
    eventTypeId: b.eventTypeId,
    ...(coordinatorId ? { coordinatorId } : {}),
  };
}

export function writeBusy(d: Draft, b: BookingRecord, coordinatorId?: string) {
  const value = busyEntry(b, coordinatorId);
  for (const p of personsOf(b)) for (const k of busyKeys(p, value)) d.set(k, value);
}

export function dropBusy(d: Draft, b: BookingRecord) {
  for (const p of personsOf(b)) d.deleteAll(busyKeys(p, busyEntry(b)));
}

/** Every member's entries of a coordinated hold. */
export function memberKeys(c: CoordinatorRecord): Entry[] {
  return c.personIds.flatMap((p) =>
    busyKeys(p, { startMs: c.startMs, endMs: c.endMs, bookingId: c.bookingId })
  );
}

/**
 * More coordinators to take over than fit into one write with the change itself (many expired
 * multi-person holds under one new interval): a write that only takes some of them over and
 * removes their entries. The runner commits it, then reads and plans the change again.
 */
export function clearTheWay(
  s: Snapshot,
  claims: { personId: string; iv: Interval }[],
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const coordinators = coordinatorMap(s);
  const d = new Draft(s.keyOf);
  const taken = new Set<string>();
  for (const { personId, iv } of claims) {
    for (const e of entriesOf(s, personId)) {
      if (!overlaps(e, iv)) continue;
      const v = verdictOf(e, coordinators, nowMs);
      if (v.kind !== "take") continue;
      const id = v.coordinator.value!.id;
      if (!taken.has(id)) {
        if (taken.size >= limits.checks) continue;
        taken.add(id);
        d.check(v.coordinator);
        d.set(v.coordinator.key, { ...v.coordinator.value!, state: v.next });
      }
      d.deleteAll(busyKeys(personId, e));
    }
  }
  if (taken.size === 0) return { ok: false, reason: "too_large" };
  return d.finish("clear", {
    booking: null,
    partial: true,
    probe: { key: d.key({ kind: "coordinator", id: [...taken][0] }), landed: () => false },
  }, limits);
}

/** A plan that does not fit: clear the way first when taking coordinators over is what overflows. */
export function orClear(
  r: PlanResult,
  s: Snapshot,
  claims: { personId: string; iv: Interval }[],
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  return !r.ok && r.reason === "too_large" ? clearTheWay(s, claims, nowMs, limits) : r;
}
