/**
 * Round-robin fairness, pure: who of a team's free members gets the next booking.
 *
 * Weighted fair share as in weighted fair queueing: the rotation keeps a virtual time `vt` that
 * advances by 1 / (the candidates' total weight) with every booking, and each member a `pass`
 * that advances by 1 / (their weight) with each booking they get. A member's deficit,
 * weight × (vt after this booking − pass), is how many bookings they are behind their weighted
 * share; the free member furthest behind gets it. With members always free and weights fixed
 * this is "the one most below share(n) − count", and every member stays within one booking of
 * their share (weights 2:1:1 over 90 bookings: 45/22/23). Ties go to the higher priority, then
 * to whoever was booked least recently (by the rotation's own sequence number, not a clock, so
 * processes whose clocks differ agree), then to the smaller id: the order is total and every
 * process computes the same one.
 *
 * A member busy for a while falls behind and is preferred when free again; a member new to the
 * rotation (just joined, or newly added to the event type) starts level with the group (pass =
 * vt), so they get their share from now on instead of every booking until they have caught up
 * with the others' history. A member who left — removed from the team or the event type's
 * hosts, or suspended — is forgotten by the first booking made without them, so one who comes
 * back is new again: level, not behind by every booking made while they were away. "Taking
 * part" is wider than "a candidate": a member who does not offer this start by their hours is
 * still in the rotation and keeps their place.
 *
 * The record is read in the booking's snapshot and written, checked at the versionstamp read, in
 * the same commit as the booking (docs/decisions/016-teams.md), so two concurrent bookings can
 * never both be counted from the same state.
 */

export type RotationRecord = {
  v: 1;
  /** Virtual time: Σ over bookings of 1 / (the candidates' total weight at that booking). */
  vt: number;
  /** Per member: the virtual time their bookings so far are worth (1 / weight each). */
  pass: Record<string, number>;
  /** The rotation's sequence number at each member's last assignment (higher: more recent). */
  last: Record<string, number>;
  /** Assignments so far (the sequence). */
  seq: number;
  /** Assignments per member (for people, not for the choice). */
  count: Record<string, number>;
};

export type Candidate = {
  personId: string;
  /** 1–100: relative share of bookings. */
  weight: number;
  /** 0 (lowest) – 4 (highest): breaks ties between members equally far behind. */
  priority: number;
};

export const EMPTY_ROTATION: RotationRecord = {
  v: 1,
  vt: 0,
  pass: {},
  last: {},
  seq: 0,
  count: {},
};

export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 100;
export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 4;
export const DEFAULT_WEIGHT = 1;
export const DEFAULT_PRIORITY = 2;

const weightOf = (x: { weight: number }) =>
  Math.min(WEIGHT_MAX, Math.max(WEIGHT_MIN, Math.round(x.weight) || WEIGHT_MIN));

/** Every candidate's pass as the rotation counts it now (newcomers level with the group). */
export function passesOf(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
): Map<string, number> {
  const r = rot ?? EMPTY_ROTATION;
  return new Map(candidates.map((c) => [c.personId, r.pass[c.personId] ?? r.vt]));
}

/** The virtual time once one more booking is handed out among `candidates`. */
function nextVt(r: RotationRecord, candidates: readonly Candidate[]): number {
  const total = candidates.reduce((n, c) => n + weightOf(c), 0);
  return r.vt + (total > 0 ? 1 / total : 0);
}

/** Float noise in the passes must not decide between members who are level. */
const EPS = 1e-9;

/** Candidates in the order they are offered the booking: the first free one gets it. */
export function rotationOrder(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
): Candidate[] {
  const r = rot ?? EMPTY_ROTATION;
  const pass = passesOf(r, candidates);
  const vt = nextVt(r, candidates);
  const deficit = new Map(
    candidates.map((c) => [c.personId, weightOf(c) * (vt - pass.get(c.personId)!)]),
  );
  return [...candidates].sort((a, b) => {
    const d = deficit.get(b.personId)! - deficit.get(a.personId)!;
    if (Math.abs(d) > EPS) return d;
    return b.priority - a.priority ||
      (r.last[a.personId] ?? -1) - (r.last[b.personId] ?? -1) ||
      (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);
  });
}

/**
 * The rotation without the members who no longer take part in it: their pass, last booking and
 * count go, so on coming back they count as new (level with the group). Also keeps the record
 * to the members taking part (≤ 100), however many have come and gone.
 */
function forgetAbsent(r: RotationRecord, present: ReadonlySet<string>): RotationRecord {
  const kept = <T>(m: Record<string, T>) =>
    Object.fromEntries(Object.entries(m).filter(([id]) => present.has(id)));
  return { ...r, pass: kept(r.pass), last: kept(r.last), count: kept(r.count) };
}

/**
 * The rotation after `chosen` was assigned a booking. Every candidate is written with the pass
 * counted for them now (so "absent" keeps meaning "new since the last booking"); members taking
 * part who are not candidates this time (their hours do not offer the start) keep their
 * entries; anyone else's are forgotten (they left: back, they start level).
 */
export function advanceRotation(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
  chosen: Candidate,
  /** Everyone in the rotation now: the event type's hosts who are members, candidates or not. */
  takingPart: Iterable<string>,
): RotationRecord {
  const present = new Set([...takingPart, ...candidates.map((c) => c.personId), chosen.personId]);
  const r = forgetAbsent(rot ?? EMPTY_ROTATION, present);
  const pass = passesOf(r, candidates);
  const id = chosen.personId;
  const seq = r.seq + 1;
  return {
    v: 1,
    vt: nextVt(r, candidates),
    pass: {
      ...r.pass,
      ...Object.fromEntries(pass),
      [id]: (pass.get(id) ?? r.vt) + 1 / weightOf(chosen),
    },
    last: { ...r.last, [id]: seq },
    seq,
    count: { ...r.count, [id]: (r.count[id] ?? 0) + 1 },
  };
}

/**
 * A booking moved from one member to another (a round-robin reschedule the first member cannot
 * take): the new member is counted, the old one given back their share; no booking is added,
 * so the virtual time stays.
 */
export function transferRotation(
  rot: RotationRecord | null,
  candidates: readonly Candidate[],
  from: { personId: string; weight: number },
  to: Candidate,
  /** As for `advanceRotation`: a first member who left is forgotten, not given back a share. */
  takingPart: Iterable<string>,
): RotationRecord {
  const r = rot ?? EMPTY_ROTATION;
  const next = { ...advanceRotation(r, candidates, to, takingPart), vt: r.vt };
  const p = next.pass[from.personId];
  if (p === undefined) return next;
  return {
    ...next,
    pass: { ...next.pass, [from.personId]: p - 1 / weightOf(from) },
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
