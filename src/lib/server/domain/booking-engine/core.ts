/**
 * The planner core: who a booking concerns, what it blocks, and the writes of a booking record
 * and its indexes, shared by every change kind.
 */
import type { BookingRecord } from "../model/records.ts";
import type { Interval } from "../interval.ts";
import { capPeriods, withinCutoff } from "../event-rules.ts";
import { type BookingAction, decideTransition } from "../booking.ts";
import type { Entry, Key } from "../model/entries.ts";
import { type Draft, isEntry, keyText } from "./draft.ts";
import type {
  CapRef,
  EngineRules,
  EventTypeLimits,
  ExtraWrite,
  GuardedWrite,
  Refusal,
  Snapshot,
  Versioned,
} from "./types.ts";

export function personsOf(b: Pick<BookingRecord, "hostId" | "personIds">): string[] {
  return b.personIds ?? [b.hostId];
}

/** Whose guests' pending requests are counted together: a team's, or the host's. */
export const guestOwner = (b: Pick<BookingRecord, "hostId" | "teamId">) => b.teamId ?? b.hostId;

export const block = (b: Pick<BookingRecord, "blockStartMs" | "blockEndMs">): Interval => ({
  startMs: b.blockStartMs,
  endMs: b.blockEndMs,
});

export function capRefs(
  b: BookingRecord,
  et: EventTypeLimits | null,
  limitedOnly: boolean,
): CapRef[] {
  if (!et || et.id !== b.eventTypeId) return [];
  const p = capPeriods(b.startMs, b.hostTimeZone);
  const refs: CapRef[] = [];
  if (!limitedOnly || et.maxPerDay !== null) {
    refs.push({ eventTypeId: et.id, period: "day", periodKey: p.day });
  }
  if (!limitedOnly || et.maxPerWeek !== null) {
    refs.push({ eventTypeId: et.id, period: "week", periodKey: p.week });
  }
  return refs;
}

/** Guest emails are compared case-insensitively. */
export const guestKey = (email: string) => email.toLowerCase();

/** The guest hold a pending booking counts under. */
export const guestHoldOf = (b: BookingRecord): Entry => ({
  kind: "guestHold",
  ownerId: guestOwner(b),
  email: guestKey(b.guestEmail),
  bookingId: b.id,
});

// ── bookings and their indexes ──────────────────────────────────────────────────────────────

export function writeNewBooking(d: Draft, b: BookingRecord) {
  d.set({ kind: "booking", id: b.id }, b);
  d.set({ kind: "bookingByHostStart", hostId: b.hostId, startMs: b.startMs, id: b.id }, b.id);
  // A series' date, at its place in the series (a moved date's successor takes its place).
  if (b.series) {
    d.set({
      kind: "bookingBySeries",
      hostId: b.hostId,
      seriesId: b.series.id,
      index: b.series.index,
      id: b.id,
    }, b.id);
  }
  if (b.status === "PENDING" && b.reservedUntilMs !== null) {
    d.set({ kind: "bookingPendingByExpiry", untilMs: b.reservedUntilMs, id: b.id }, b.id);
  }
}

export function writeUpdatedBooking(
  d: Draft,
  current: Versioned<BookingRecord>,
  next: BookingRecord,
) {
  const cur = current.value!;
  d.check(current);
  d.set(current.key, next);
  if (cur.status === "PENDING" && cur.reservedUntilMs !== null && next.status !== "PENDING") {
    d.delete({ kind: "bookingPendingByExpiry", untilMs: cur.reservedUntilMs, id: cur.id });
  }
}

export function writeExtras(d: Draft, extra: ExtraWrite[] | undefined, rotation?: GuardedWrite) {
  for (const x of extra ?? []) {
    if (x.expectVersionstamp !== undefined) {
      d.check({ key: x.key, versionstamp: x.expectVersionstamp });
      continue;
    }
    if (x.readOnly) continue;
    if (x.expectAbsent) d.check({ key: x.key, versionstamp: null });
    d.set(x.key, x.value, x.expireInMs);
  }
  if (rotation) {
    d.check(rotation);
    d.set(rotation.key, rotation.value);
  }
}

export const bookingExists = (id: string) => (v: unknown) => (v as BookingRecord | null)?.id === id;
/**
 * The probe of a write that makes a new booking under the id its request drew (a fresh ULID,
 * kept by every attempt of that request): no other write puts a record there — the engine
 * already relies on that, as a new booking's write does not check its key — so the record
 * exists exactly when this request's write landed, and is the receipt itself (ADR 038,
 * amended). Not for imports: their ids come from a file and may be in the store already; nor
 * for a booking taking a hold's id, which every request for that held time plans under.
 */
export const newBookingProbe = (d: Draft, b: BookingRecord) => ({
  key: d.key({ kind: "booking", id: b.id }),
  landed: bookingExists(b.id),
  exact: true as const,
});
/**
 * Whether the booking's history holds this step. History only grows, and the step may already
 * be followed by another (a cancel that landed between our commit and the re-read): comparing
 * the current state would call a landed step lost and answer a done change as refused.
 */
export const sameStep = (next: BookingRecord) => (v: unknown) => {
  const b = v as BookingRecord | null;
  const i = next.history.length - 1;
  return !!b && b.history.length > i &&
    JSON.stringify(b.history[i]) === JSON.stringify(next.history[i]);
};

/** A guarded record as the snapshot read it. */
export function guardOf<T>(s: Snapshot, target: Key | Entry): Versioned<T> {
  const t = keyText(isEntry(target) ? s.keyOf(target) : target);
  const g = s.guards.find((x) => keyText(x.key) === t);
  if (!g) throw new Error(`guard ${t} was not read`);
  return g as Versioned<T>;
}

/**
 * The booking a change acts on, if it exists and (when the change names a host) is that host's:
 * another host's booking is "not found", never "not yours", so ids reveal nothing.
 */
export function bookingOf(
  s: Snapshot,
  hostId: string | undefined,
): Versioned<BookingRecord> & { value: BookingRecord } | null {
  const current = s.primary as Versioned<BookingRecord> | null;
  const value = current?.value;
  if (!current || !value) return null;
  return hostId !== undefined && value.hostId !== hostId ? null : { ...current, value };
}

/** The state machine's answer to an action it allows. */
type Decided = Extract<ReturnType<typeof decideTransition>, { ok: true }>;

/**
 * The start every status change and every move shares (a seat's too): the booking as read, the
 * state machine's decision on `action`, and the guest's cancel cutoff.
 */
export function decideOn(
  s: Snapshot,
  change: { hostId?: string; enforceCutoff?: boolean },
  action: BookingAction,
  rules: EngineRules,
  nowMs: number,
):
  | { ok: true; current: Versioned<BookingRecord> & { value: BookingRecord }; t: Decided }
  | { ok: false; reason: Refusal } {
  const current = bookingOf(s, change.hostId);
  if (!current) return { ok: false, reason: "not_found" };
  const t = decideTransition(current.value, action, nowMs);
  if (!t.ok) return { ok: false, reason: t.reason };
  if (
    change.enforceCutoff && rules.eventType &&
    withinCutoff(current.value.startMs, rules.eventType.cancelCutoffHours, nowMs)
  ) return { ok: false, reason: "too_late" };
  return { ok: true, current, t };
}
