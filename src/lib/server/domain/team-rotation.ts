/**
 * Round-robin fairness, pure: who of a team's free members gets the next booking.
 *
 * Weighted fair share by stride scheduling: every member has a `pass`, and an assignment adds
 * `1 / weight` to the assignee's. The member with the smallest pass is furthest behind their
 * weighted share (with weights 2:1:1 the first member is picked twice as often). Ties go to the
 * higher priority, then to whoever was booked least recently (by the rotation's own sequence
 * number, not a clock, so processes whose clocks differ agree), then to the smaller id: the
 * order is total and every process computes the same one.
 *
 * A member new to the rotation (just joined, or newly added to the event type) starts level with
 * the member furthest behind, not at zero: a newcomer gets their share from now on instead of
 * every booking until they have caught up with the others' history.
 *
 * The record is read in the booking's snapshot and written, checked at the versionstamp read, in
 * the same commit as the booking (docs/decisions/009-teams.md), so two concurrent bookings can
 * never both be counted from the same state.
 */

export type RotationRecord = {
  v: 1;
  /** Stride pass per member: assignments weighted by 1 / weight, plus the level they started at. */
  pass: Record<string, number>;
  /** The rotation's sequence number at each member's last assignment (higher: more recent). */
  last: Record<string, number>;
  /** Assignments so far (the sequence). */
  seq: number;
  /** Assignments per member since they entered the rotation (for people, not for the choice). */
  count: Record<string, number>;
};

export type Candidate = {
  personId: string;
  /** 1–100: relative share of bookings. */
  weight: number;
  /** 0 (lowest) – 4 (highest): breaks ties between members equally far behind. */
  priority: number;
};

export const EMPTY_ROTATION: RotationRecord = { v: 1, pass: {}, last: {}, seq: 0, count: {} };

export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 100;
export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 4;
export const DEFAULT_WEIGHT = 1;
export const DEFAULT_PRIORITY = 2;

/** The level a member new to the rotation starts at: the lowest pass among those in it. */
function entryLevel(rot: RotationRecord, candidates: readonly Candidate[]): number {
  let min = Infinity;
  for (const c of candidates) {
    const p = rot.pass[c.personId];
    if (p !== undefined && p < min) min = p;
  }
  return min === Infinity ? 0 : min;
}

/** Every candidate's pass as the rotation would count it now. */
export function passesOf(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
): Map<string, number> {
  const r = rot ?? EMPTY_ROTATION;
  const level = entryLevel(r, candidates);
  return new Map(candidates.map((c) => [c.personId, r.pass[c.personId] ?? level]));
}

/** Candidates in the order they are offered the booking: the first free one gets it. */
export function rotationOrder(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
): Candidate[] {
  const r = rot ?? EMPTY_ROTATION;
  const pass = passesOf(r, candidates);
  return [...candidates].sort((a, b) =>
    pass.get(a.personId)! - pass.get(b.personId)! ||
    b.priority - a.priority ||
    (r.last[a.personId] ?? -1) - (r.last[b.personId] ?? -1) ||
    (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0)
  );
}

const stride = (weight: number) =>
  1 / Math.min(WEIGHT_MAX, Math.max(WEIGHT_MIN, Math.round(weight) || WEIGHT_MIN));

/**
 * The rotation after `chosen` was assigned a booking. Members no longer among the candidates
 * keep their entries (they may come back; a few bytes each).
 */
export function advanceRotation(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
  chosen: Candidate,
): RotationRecord {
  const r = rot ?? EMPTY_ROTATION;
  const pass = passesOf(r, candidates);
  const id = chosen.personId;
  const seq = r.seq + 1;
  return {
    v: 1,
    pass: { ...r.pass, [id]: (pass.get(id) ?? entryLevel(r, candidates)) + stride(chosen.weight) },
    last: { ...r.last, [id]: seq },
    seq,
    count: { ...r.count, [id]: (r.count[id] ?? 0) + 1 },
  };
}

/**
 * A booking moved from one member to another (a round-robin reschedule the first member cannot
 * take): the new member is counted, the old one given back their share.
 */
export function transferRotation(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
  from: { personId: string; weight: number },
  to: Candidate,
): RotationRecord {
  const next = advanceRotation(rot, candidates, to);
  const p = next.pass[from.personId];
  if (p === undefined) return next;
  return {
    ...next,
    pass: { ...next.pass, [from.personId]: p - stride(from.weight) },
    count: { ...next.count, [from.personId]: Math.max(0, (next.count[from.personId] ?? 0) - 1) },
  };
}

/** Each member's weighted share of `total` bookings (for the distribution table). */
export function weightedShares(
  members: readonly { personId: string; weight: number }[],
  total: number,
): Map<string, number> {
  const sum = members.reduce((n, m) => n + Math.max(WEIGHT_MIN, m.weight), 0);
  return new Map(
    members.map((m) => [m.personId, sum ? (total * Math.max(WEIGHT_MIN, m.weight)) / sum : 0]),
  );
}
