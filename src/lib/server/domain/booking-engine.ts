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
 * coordinator (see `planHold` and `planTeamCommit`).
 */
import { keys } from "../store/keys.ts";
import type {
  BookingRecord,
  BusyEntryRecord,
  CapEntryRecord,
  CoordinatorRecord,
  FenceRecord,
  GuestHoldRecord,
  OutboxPayload,
  TeamRecord,
  TokenPurpose,
} from "../store/records.ts";
import { type Interval, overlaps } from "./interval.ts";
import {
  type BookingAction,
  decideTransition,
  isLiveBooking,
  type NewBookingInput,
  newBookingRecord,
  utcDaysTouched,
} from "./booking.ts";
import { capPeriods, withinCutoff } from "./event-rules.ts";
import { handoverEffects, type PlannedJob, sideEffects } from "./booking-effects.ts";
import {
  advanceRotation,
  type Candidate,
  rotationOrder,
  type RotationRecord,
  transferRotation,
} from "./team-rotation.ts";
import { successorIdentity } from "./calendar-identity.ts";
import {
  type Budget,
  exceeds,
  keyBytes,
  type KeyPart,
  type KvLimits,
  REMOTE_KV_LIMITS,
  valueBytes,
} from "./kv-budget.ts";

export type { PlannedJob } from "./booking-effects.ts";

export type Key = readonly KeyPart[];
/** A read entry: its value (null: absent) and the versionstamp a commit checks. */
export type Versioned<T> = { key: Key; value: T | null; versionstamp: string | null };

/** A write that rides in the same atomic commit (an Idempotency-Key record, a single-use link). */
export type ExtraWrite = {
  key: Key;
  value: unknown;
  /** Checked absent in the same commit (counts as a check). */
  expectAbsent?: boolean;
  expireInMs?: number;
};
/** A record checked at the versionstamp read and replaced in the same commit (a round-robin pick). */
export type GuardedWrite = { key: Key; versionstamp: string | null; value: unknown };
export type TokenWrite = { hash: string; purpose: TokenPurpose };
type Actor = "guest" | "host" | "system";

/**
 * A round-robin booking's member is chosen when the change is planned, from the snapshot
 * (docs/decisions/016-teams.md): the rotation orders the candidates, the first whose time is
 * free gets it, and the commit checks the rotation and the team record it relied on.
 */
export type Assignment = {
  candidates: Candidate[];
  /** The event type's rotation record (checked, and replaced when it changes). */
  rotationKey: Key;
  /** The team record: only its current members are assigned (checked). */
  rosterKey: Key;
  /** Offered first when free (a reschedule keeps the guest's member), without counting again. */
  prefer?: string;
};

/** A successor's settings, as the event type and host are now. */
export type SuccessorDraft = Omit<
  NewBookingInput,
  "name" | "email" | "note" | "guestTimeZone" | "clock" | "answers" | "by" | "singleUseLinkId"
>;

export type Change =
  | {
    kind: "create";
    booking: BookingRecord;
    tokens: TokenWrite[];
    extra?: ExtraWrite[];
    rotation?: GuardedWrite;
  }
  /** A round-robin booking: `booking` is created for the member the assignment picks. */
  | {
    kind: "assign";
    booking: BookingRecord;
    assign: Assignment;
    tokens: TokenWrite[];
    extra?: ExtraWrite[];
  }
  | {
    kind: "transition";
    bookingId: string;
    action: BookingAction;
    by: Actor;
    reason?: string;
    /** Guests may not cancel within the event type's cutoff. */
    enforceCutoff?: boolean;
    /** The acting host: a booking of someone else is "not_found". */
    hostId?: string;
    extra?: ExtraWrite[];
  }
  | {
    kind: "reschedule";
    bookingId: string;
    by: "guest" | "host";
    successor: SuccessorDraft;
    tokens: TokenWrite[];
    enforceCutoff: boolean;
    hostId?: string;
    extra?: ExtraWrite[];
    /** A round-robin booking may move to another member: the successor's is picked like a new one. */
    assign?: Assignment;
  }
  /** Multi-person booking, step 1: the coordinator record, written first. */
  | { kind: "open"; coordinator: CoordinatorRecord }
  /** Step 2, once per person in canonical order: that person's hold entries. */
  | { kind: "hold"; coordinatorId: string; personId: string }
  /** Step 3: the booking, checking the coordinator alone. */
  | {
    kind: "commit";
    coordinatorId: string;
    booking: BookingRecord;
    tokens: TokenWrite[];
    extra?: ExtraWrite[];
    rotation?: GuardedWrite;
    /** A team booking: every person must still be a member of this team record (checked). */
    rosterKey?: Key;
    /** A collective reschedule: the booking this one replaces, retired in the same write. */
    retire?: { bookingId: string; by: "guest" | "host"; enforceCutoff: boolean; hostId?: string };
  }
  /** On failure (or by the cleanup job after a crash): the holds go, the coordinator is abandoned. */
  | { kind: "release"; coordinatorId: string }
  /**
   * A booking moved from another Invito (services/import-bookings.ts), written as it was there
   * under its own id (checked absent: a second import of it is a "conflict"). Live time is
   * guarded like a create's; history is only recorded. Nothing is queued: its mails, calendar
   * writes and webhooks happened where it was made.
   */
  | { kind: "import"; booking: BookingRecord; tokens: TokenWrite[] };

export type EventTypeLimits = {
  id: string;
  maxPerDay: number | null;
  maxPerWeek: number | null;
  cancelCutoffHours: number | null;
};

export type EngineRules = {
  bookingTtlMs: number;
  maxPendingPerGuest: number;
  /** The event type of the booking the change concerns (null: deleted since). */
  eventType: EventTypeLimits | null;
  /** The host part of calendar UIDs (`{bookingId}@{calendarHost}`). */
  calendarHost: string;
  limits?: KvLimits;
};

export type Refusal =
  | "not_found"
  | "slot_taken"
  | "calendar_unavailable"
  | "cap_reached"
  | "too_many_pending"
  | "too_late"
  | "expired"
  | "already_confirmed"
  | "already_rejected"
  | "cancelled"
  | "not_pending"
  | "not_supported"
  | "too_large"
  /**
   * The time is held by a multi-person booking still in progress: it becomes taken or free
   * within moments (the runner waits a little, then answers "slot_taken").
   */
  | "held"
  /** An `extra` write expected absent is there (a repeated Idempotency-Key, a used link). */
  | "conflict";

export type CapRef = { eventTypeId: string; period: "day" | "week"; periodKey: string };

/** What a change must read, derived from the change and its primary record. */
export type Scope = {
  /** Whose busy time is read, on which UTC days, around which interval. */
  busy: { personId: string; days: string[]; startMs: number; endMs: number }[];
  caps: CapRef[];
  guest: { hostId: string; email: string } | null;
  calendars: { personId: string; startMs: number; endMs: number }[];
  /** Coordinators read besides those the busy entries name (a team booking's own). */
  coordinatorIds: string[];
  /** Keys of `extra` writes expected absent. */
  absent: Key[];
  /** Records a plan relies on and checks (a team's roster and rotation, a retired booking). */
  guards: Key[];
};

export type Snapshot = {
  /** The booking (transition, reschedule) or coordinator (hold, commit, release) acted on. */
  primary: Versioned<BookingRecord | CoordinatorRecord> | null;
  fences: Versioned<FenceRecord>[];
  busy: { personId: string; entries: Versioned<BusyEntryRecord>[] }[];
  caps: { ref: CapRef; entries: Versioned<CapEntryRecord>[] }[];
  guestHolds: Versioned<GuestHoldRecord>[];
  /** Coordinators named by coordinated entries that are not firm. */
  coordinators: Versioned<CoordinatorRecord>[];
  /** External calendars per person: busy time, and time they cannot vouch for (fail closed). */
  calendars: { personId: string; busy: Interval[]; unknown: Interval[] }[];
  /** The `extra` keys expected absent, as read. */
  absent: Versioned<unknown>[];
  /** The scope's `guards`, as read (in order). */
  guards: Versioned<unknown>[];
};

export type PlannedWrite =
  | { op: "set"; key: Key; value: unknown; expireInMs?: number }
  | { op: "delete"; key: Key };

export type Plan = {
  /** "clear": a write that only clears the way for the change (see `clearTheWay`). */
  kind: Change["kind"] | "clear";
  checks: { key: Key; versionstamp: string | null }[];
  writes: PlannedWrite[];
  jobs: PlannedJob[];
  budget: Budget;
  /** The booking as this change leaves it (the successor, for a reschedule). */
  booking: BookingRecord | null;
  /** The booking a reschedule retired. */
  retired?: BookingRecord;
  coordinator?: CoordinatorRecord;
  /**
   * For a commit whose outcome is unknown (a network error on remote KV): the key to re-read,
   * and whether what it holds shows that this plan landed.
   */
  probe: { key: Key; landed: (value: unknown) => boolean };
  /**
   * This write only clears the way (coordinators taken over after their time, more than fit
   * into one write with the change itself): commit it, then read and plan again.
   */
  partial?: true;
};

export type PlanResult = { ok: true; plan: Plan } | { ok: false; reason: Refusal };

/** How long a multi-person hold lasts without its final commit. */
export const TEAM_HOLD_MS = 60_000;
/** The most people one multi-person booking may hold (its commit rewrites every member's entries). */
export const MAX_TEAM = 100;
/** Expired cap entries one write may remove (more: the expiry job has not run for a long time). */
const MAX_CAP_PRUNE = 200;

// ── reading ─────────────────────────────────────────────────────────────────────────────────

/** The record a change acts on, read before everything else (it decides the scope). */
export function primaryKey(change: Change): Key | null {
  switch (change.kind) {
    case "transition":
    case "reschedule":
      return keys.booking(change.bookingId);
    case "assign":
      return null;
    case "hold":
    case "commit":
    case "release":
      return keys.coordinator(change.coordinatorId);
    case "import":
      return keys.booking(change.booking.id);
    default:
      return null;
  }
}

export function personsOf(b: Pick<BookingRecord, "hostId" | "personIds">): string[] {
  return b.personIds ?? [b.hostId];
}

/** Whose guests' pending requests are counted together: a team's, or the host's. */
export const guestOwner = (b: Pick<BookingRecord, "hostId" | "teamId">) => b.teamId ?? b.hostId;

const block = (b: Pick<BookingRecord, "blockStartMs" | "blockEndMs">): Interval => ({
  startMs: b.blockStartMs,
  endMs: b.blockEndMs,
});

function capRefs(b: BookingRecord, et: EventTypeLimits | null, limitedOnly: boolean): CapRef[] {
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

function addScope(
  b: BookingRecord,
  et: EventTypeLimits | null,
  assign?: Assignment,
): Scope {
  const days = utcDaysTouched(b.blockStartMs, b.blockEndMs);
  // A round-robin booking reads every candidate's time: the plan picks among them.
  const persons = assign ? assign.candidates.map((c) => c.personId) : personsOf(b);
  return {
    busy: persons.map((personId) => ({ personId, days, ...block(b) })),
    caps: capRefs(b, et, true),
    guest: guestScope(b),
    calendars: persons.map((personId) => ({ personId, ...block(b) })),
    coordinatorIds: [],
    absent: [],
    guards: assign ? [assign.rosterKey, assign.rotationKey] : [],
  };
}

const guestScope = (b: BookingRecord) =>
  b.status === "PENDING" ? { hostId: guestOwner(b), email: guestKey(b.guestEmail) } : null;

const EMPTY_SCOPE: Scope = {
  busy: [],
  caps: [],
  guest: null,
  calendars: [],
  coordinatorIds: [],
  absent: [],
  guards: [],
};

/** The `extra` keys a change expects absent. */
function absentKeys(change: Change): Key[] {
  const extra = "extra" in change ? change.extra ?? [] : [];
  return extra.filter((x) => x.expectAbsent).map((x) => x.key);
}

/** What the change needs read, once its primary record (if any) is known. */
export function scopeOf(
  change: Change,
  primary: BookingRecord | CoordinatorRecord | null,
  rules: EngineRules,
): Scope {
  return { ...changeScope(change, primary, rules), absent: absentKeys(change) };
}

function changeScope(
  change: Change,
  primary: BookingRecord | CoordinatorRecord | null,
  rules: EngineRules,
): Scope {
  switch (change.kind) {
    case "create":
      return addScope(change.booking, rules.eventType);
    case "assign":
      return addScope(change.booking, rules.eventType, change.assign);
    case "transition": {
      const b = primary as BookingRecord | null;
      // Only a confirm adds (firms) time; a coordinated booking's confirm checks its coordinator.
      if (!b || change.action !== "confirm") return EMPTY_SCOPE;
      if (b.coordinatorId) {
        return {
          ...EMPTY_SCOPE,
          caps: capRefs(b, rules.eventType, true),
          coordinatorIds: [b.coordinatorId],
        };
      }
      const days = utcDaysTouched(b.blockStartMs, b.blockEndMs);
      return {
        ...EMPTY_SCOPE,
        busy: personsOf(b).map((personId) => ({ personId, days, ...block(b) })),
        caps: capRefs(b, rules.eventType, true),
      };
    }
    case "reschedule": {
      const b = primary as BookingRecord | null;
      if (!b) return EMPTY_SCOPE;
      // The successor's block decides; settings come from the draft.
      const draft = successorRecord(b, change, rules, 0);
      return addScope(draft, rules.eventType, change.assign);
    }
    case "hold": {
      const c = primary as CoordinatorRecord | null;
      if (!c) return EMPTY_SCOPE;
      return {
        ...EMPTY_SCOPE,
        busy: [{
          personId: change.personId,
          days: utcDaysTouched(c.startMs, c.endMs),
          startMs: c.startMs,
          endMs: c.endMs,
        }],
        calendars: [{ personId: change.personId, startMs: c.startMs, endMs: c.endMs }],
      };
    }
    case "import": {
      const b = change.booking;
      if (b.status !== "PENDING" && b.status !== "CONFIRMED") return EMPTY_SCOPE;
      // External calendars are not consulted: the host's calendar most likely holds this very
      // meeting (the old server wrote it there), and it would refuse its own import.
      return { ...addScope(b, rules.eventType), calendars: [] };
    }
    case "commit": {
      const b = change.booking;
      return {
        ...EMPTY_SCOPE,
        caps: capRefs(b, rules.eventType, true),
        guest: guestScope(b),
        guards: [
          ...(change.rosterKey ? [change.rosterKey] : []),
          ...(change.retire ? [keys.booking(change.retire.bookingId)] : []),
        ],
      };
    }
    default:
      return EMPTY_SCOPE;
  }
}

/** Guest emails are compared case-insensitively. */
export const guestKey = (email: string) => email.toLowerCase();

// ── the plan being built ────────────────────────────────────────────────────────────────────

const keyText = (k: Key) => JSON.stringify(k, (_, v) => typeof v === "bigint" ? `${v}n` : v);

/** A job's mutations: the outbox entry, plus a pointer by booking for mails and calendar writes. */
export function jobMutations(p: OutboxPayload): number {
  return p.kind === "booking_mail" || p.kind === "writeback" ? 2 : 1;
}

const JOB_ID = "0".repeat(26);

function jobBytes(j: PlannedJob): number {
  const record = {
    v: 1,
    id: JOB_ID,
    dueMs: j.dueMs,
    payload: j.payload,
    attempts: 0,
    createdAtMs: j.dueMs,
    lastError: null,
    claimedBy: null,
    // The request that queued it, when there is one (ops/context.ts: at most 64 characters).
    requestId: "x".repeat(64),
  };
  let n = keyBytes(keys.outbox(j.dueMs, JOB_ID)) + valueBytes(record);
  if (jobMutations(j.payload) === 2) n += keyBytes(keys.outboxByBooking(JOB_ID, JOB_ID)) + 9;
  return n;
}

const BUSY_PREFIX = keys.busy("p", "d", 0, "b")[0];

class Draft {
  readonly #checks = new Map<string, { key: Key; versionstamp: string | null }>();
  readonly #writes = new Map<string, PlannedWrite>();
  readonly jobs: PlannedJob[] = [];

  check(e: { key: Key; versionstamp: string | null }) {
    const t = keyText(e.key);
    const had = this.#checks.get(t);
    if (had && had.versionstamp !== e.versionstamp) {
      throw new Error(`two versionstamps checked for ${t}`);
    }
    this.#checks.set(t, { key: e.key, versionstamp: e.versionstamp });
  }
  set(key: Key, value: unknown, expireInMs?: number) {
    this.#writes.set(keyText(key), { op: "set", key, value, expireInMs });
  }
  delete(key: Key) {
    const t = keyText(key);
    // A key this change writes is never also deleted by it (e.g. a pruned copy of our own entry).
    if (this.#writes.get(t)?.op !== "set") this.#writes.set(t, { op: "delete", key });
  }
  deleteAll(ks: Key[]) {
    for (const k of ks) this.delete(k);
  }
  job(...js: PlannedJob[]) {
    this.jobs.push(...js);
  }

  finish(
    kind: Plan["kind"],
    rest: Pick<Plan, "booking" | "retired" | "coordinator" | "probe" | "partial">,
    limits: KvLimits,
  ): PlanResult {
    // Whoever's busy entries this write adds or removes gets a new busy revision, so a page's
    // copy of their busy time is read again (store/busy-cache.ts). Set blindly, never checked.
    const touched = new Set<string>();
    for (const w of this.#writes.values()) {
      if (w.key[0] === BUSY_PREFIX) touched.add(String(w.key[1]));
    }
    for (const p of touched) this.set(keys.busyRev(p), { v: 1 });
    const checks = [...this.#checks.values()];
    const writes = [...this.#writes.values()];
    const budget: Budget = {
      checks: checks.length,
      mutations: writes.length,
      bytes: 0,
      largestValueBytes: 0,
      largestKeyBytes: 0,
    };
    for (const w of writes) {
      const kb = keyBytes(w.key);
      budget.largestKeyBytes = Math.max(budget.largestKeyBytes, kb);
      budget.bytes += kb;
      if (w.op === "set") {
        const vb = valueBytes(w.value);
        budget.largestValueBytes = Math.max(budget.largestValueBytes, vb);
        budget.bytes += vb;
      }
    }
    for (const j of this.jobs) {
      budget.mutations += jobMutations(j.payload);
      budget.bytes += jobBytes(j);
    }
    if (exceeds(budget, limits)) return { ok: false, reason: "too_large" };
    return { ok: true, plan: { kind, checks, writes, jobs: this.jobs, budget, ...rest } };
  }
}

// ── busy time ───────────────────────────────────────────────────────────────────────────────

/** Every key a busy entry is stored under. */
export function busyKeys(
  personId: string,
  e: { startMs: number; endMs: number; bookingId: string },
) {
  return utcDaysTouched(e.startMs, e.endMs).map((d) =>
    keys.busy(personId, d, e.startMs, e.bookingId)
  );
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
  coordinators: ReadonlyMap<string, Versioned<CoordinatorRecord>>,
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

function coordinatorMap(s: Snapshot) {
  return new Map(s.coordinators.map((c) => [c.value?.id ?? String(c.key[1]), c]));
}

function fenceOf(s: Snapshot, key: Key): Versioned<FenceRecord> {
  const t = keyText(key);
  const f = s.fences.find((x) => keyText(x.key) === t);
  if (!f) throw new Error(`fence ${t} was not read`);
  return f;
}

function entriesOf(s: Snapshot, personId: string): BusyEntryRecord[] {
  const seen = new Map<string, BusyEntryRecord>();
  for (const e of s.busy.find((b) => b.personId === personId)?.entries ?? []) {
    if (e.value) seen.set(e.value.bookingId, e.value);
  }
  return [...seen.values()];
}

/** Guard and clear the way for new busy time of `personId` over `iv`; null when it is free. */
function claimTime(
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
    const fence = fenceOf(s, keys.busyFence(personId, day));
    d.check(fence);
    // The fence bounds how long the day's blocks are, so readers list only what can overlap.
    // Without a bound yet, the whole day was read and gives it.
    let longest = fence.value?.maxBlockMs;
    if (longest === undefined) {
      longest = 0;
      for (const e of listed) {
        if (e.key[2] === day && e.value) {
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

function busyEntry(b: BookingRecord, coordinatorId?: string): BusyEntryRecord {
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

function writeBusy(d: Draft, b: BookingRecord, coordinatorId?: string) {
  const value = busyEntry(b, coordinatorId);
  for (const p of personsOf(b)) for (const k of busyKeys(p, value)) d.set(k, value);
}

function dropBusy(d: Draft, b: BookingRecord) {
  for (const p of personsOf(b)) d.deleteAll(busyKeys(p, busyEntry(b)));
}

// ── caps and guest holds ────────────────────────────────────────────────────────────────────

function capsRead(s: Snapshot, ref: CapRef) {
  const t = keyText([ref.eventTypeId, ref.period, ref.periodKey]);
  const read = s.caps.find((c) =>
    keyText([c.ref.eventTypeId, c.ref.period, c.ref.periodKey]) === t
  );
  if (!read) throw new Error(`cap entries of ${t} were not read`);
  return read;
}

const holdOf = (b: BookingRecord) => (b.status === "PENDING" ? b.reservedUntilMs : null);
const capLive = (e: CapEntryRecord, nowMs: number) =>
  e.holdUntilMs === null || e.holdUntilMs > nowMs;

/** Counts `b` against its event type's caps; refuses when a cap is reached. */
function claimCaps(
  d: Draft,
  s: Snapshot,
  b: BookingRecord,
  et: EventTypeLimits | null,
  ignore: ReadonlySet<string>,
  nowMs: number,
): Refusal | null {
  for (const ref of capRefs(b, et, false)) {
    const limit = ref.period === "day" ? et!.maxPerDay : et!.maxPerWeek;
    const fenceKey = keys.capFence(ref.eventTypeId, ref.period, ref.periodKey);
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
        d.delete(keys.capEntry(ref.eventTypeId, ref.period, ref.periodKey, e.bookingId));
      }
      d.check(fenceOf(s, fenceKey));
    }
    // Without a cap the count is still kept (a cap set later counts these), unguarded.
    d.set(fenceKey, { v: 1 } satisfies FenceRecord);
    d.set(
      keys.capEntry(ref.eventTypeId, ref.period, ref.periodKey, b.id),
      { v: 1, bookingId: b.id, holdUntilMs: holdOf(b) } satisfies CapEntryRecord,
    );
  }
  return null;
}

function capEntryKeys(b: BookingRecord): Key[] {
  const p = capPeriods(b.startMs, b.hostTimeZone);
  return [
    keys.capEntry(b.eventTypeId, "day", p.day, b.id),
    keys.capEntry(b.eventTypeId, "week", p.week, b.id),
  ];
}

/** A pending request counts against its guest's limit with the host. */
function claimGuestHold(
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
  const fence = fenceOf(s, keys.guestHoldFence(guestOwner(b), email));
  d.check(fence);
  d.set(fence.key, { v: 1 } satisfies FenceRecord);
  d.set(
    keys.guestHold(guestOwner(b), email, b.id),
    { v: 1, bookingId: b.id, untilMs: b.reservedUntilMs! } satisfies GuestHoldRecord,
  );
  return null;
}

// ── bookings and their indexes ──────────────────────────────────────────────────────────────

function writeNewBooking(d: Draft, b: BookingRecord, tokens: TokenWrite[]) {
  d.set(keys.booking(b.id), b);
  d.set(keys.bookingByHostStart(b.hostId, b.startMs, b.id), b.id);
  if (b.status === "PENDING" && b.reservedUntilMs !== null) {
    d.set(keys.bookingPendingByExpiry(b.reservedUntilMs, b.id), b.id);
  }
  for (const t of tokens) {
    d.set(keys.bookingToken(t.hash), { v: 1, bookingId: b.id, purpose: t.purpose });
  }
}

function writeUpdatedBooking(d: Draft, current: Versioned<BookingRecord>, next: BookingRecord) {
  const cur = current.value!;
  d.check(current);
  d.set(current.key, next);
  if (cur.status === "PENDING" && cur.reservedUntilMs !== null && next.status !== "PENDING") {
    d.delete(keys.bookingPendingByExpiry(cur.reservedUntilMs, cur.id));
  }
}

/** Everything a live booking holds besides its record: busy time, cap counts, its guest hold. */
function dropHoldings(d: Draft, b: BookingRecord) {
  dropBusy(d, b);
  d.deleteAll(capEntryKeys(b));
  if (b.status === "PENDING") d.delete(keys.guestHold(guestOwner(b), guestKey(b.guestEmail), b.id));
}

function writeExtras(d: Draft, extra: ExtraWrite[] | undefined, rotation?: GuardedWrite) {
  for (const x of extra ?? []) {
    if (x.expectAbsent) d.check({ key: x.key, versionstamp: null });
    d.set(x.key, x.value, x.expireInMs);
  }
  if (rotation) {
    d.check(rotation);
    d.set(rotation.key, rotation.value);
  }
}

const bookingExists = (id: string) => (v: unknown) => (v as BookingRecord | null)?.id === id;
const sameStep = (next: BookingRecord) => (v: unknown) => {
  const b = v as BookingRecord | null;
  return !!b && b.status === next.status && b.history.length === next.history.length &&
    JSON.stringify(b.history.at(-1)) === JSON.stringify(next.history.at(-1));
};

// ── the changes ─────────────────────────────────────────────────────────────────────────────

export function planChange(
  snapshot: Snapshot,
  change: Change,
  rules: EngineRules,
  nowMs: number,
): PlanResult {
  const limits = rules.limits ?? REMOTE_KV_LIMITS;
  if (snapshot.absent.some((x) => x.versionstamp !== null)) {
    return { ok: false, reason: "conflict" };
  }
  switch (change.kind) {
    case "create":
      return planCreate(snapshot, change, rules, nowMs, limits);
    case "assign":
      return planAssign(snapshot, change, rules, nowMs, limits);
    case "transition":
      return planTransition(snapshot, change, rules, nowMs, limits);
    case "reschedule":
      return planReschedule(snapshot, change, rules, nowMs, limits);
    case "open": {
      const d = new Draft();
      const c = change.coordinator;
      d.set(keys.coordinator(c.id), c);
      d.set(keys.coordinatorByUntil(c.untilMs, c.id), c.id);
      return d.finish("open", {
        booking: null,
        coordinator: c,
        probe: { key: keys.coordinator(c.id), landed: (v) => v !== null },
      }, limits);
    }
    case "hold":
      return planHold(snapshot, change, nowMs, limits);
    case "commit":
      return planTeamCommit(snapshot, change, rules, nowMs, limits);
    case "release":
      return planRelease(snapshot, change, limits);
    case "import":
      return planImport(snapshot, change, rules, nowMs, limits);
  }
}

/**
 * An imported booking keeps what it was (id, status, history, calendar identity, answers). One
 * that still holds time — confirmed (past ones included, so that no two confirmed meetings of a
 * person overlap) or pending with its hold ahead — takes it with the same guarded write as a
 * create: overlapping live time refuses ("slot_taken"), never overwrites; caps count it while
 * the meeting is ahead (a cap never concerned the past), a pending one counts against its
 * guest's requests. History (cancelled, rejected, a pending hold already over) takes no time;
 * the expiry job settles such a pending hold as it would have there.
 */
function planImport(
  s: Snapshot,
  change: Extract<Change, { kind: "import" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const b = change.booking;
  if (personsOf(b).length !== 1 || b.coordinatorId) return { ok: false, reason: "not_supported" };
  if (s.primary?.value) return { ok: false, reason: "conflict" };
  const d = new Draft();
  d.check({ key: keys.booking(b.id), versionstamp: null });
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
  writeNewBooking(d, b, change.tokens);
  const result = d.finish("import", {
    booking: b,
    probe: { key: keys.booking(b.id), landed: bookingExists(b.id) },
  }, limits);
  return live
    ? orClear(result, s, [{ personId: personsOf(b)[0], iv: block(b) }], nowMs, limits)
    : result;
}

function planCreate(
  s: Snapshot,
  change: Extract<Change, { kind: "create" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const b = change.booking;
  // Several people's time cannot be guarded in one write: the coordinator protocol does that.
  if (personsOf(b).length !== 1 || b.coordinatorId) return { ok: false, reason: "not_supported" };
  const d = new Draft();
  const self = new Set([b.id]);
  const refused = claimTime(d, s, personsOf(b)[0], block(b), self, nowMs, "slot_taken") ??
    claimCaps(d, s, b, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, b, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  // The id is a fresh ULID: no check; an unknown outcome is settled by reading it back.
  writeNewBooking(d, b, change.tokens);
  writeBusy(d, b);
  writeExtras(d, change.extra, change.rotation);
  d.job(...sideEffects(null, b, nowMs));
  const result = d.finish("create", {
    booking: b,
    probe: { key: keys.booking(b.id), landed: bookingExists(b.id) },
  }, limits);
  return orClear(result, s, [{ personId: personsOf(b)[0], iv: block(b) }], nowMs, limits);
}

/** A guarded record as the snapshot read it. */
function guardOf<T>(s: Snapshot, key: Key): Versioned<T> {
  const t = keyText(key);
  const g = s.guards.find((x) => keyText(x.key) === t);
  if (!g) throw new Error(`guard ${t} was not read`);
  return g as Versioned<T>;
}

type Chosen = { d: Draft; booking: BookingRecord; candidate: Candidate };

/**
 * Picks the member of a round-robin booking: current members among the candidates, in rotation
 * order (`prefer` first), the first whose time is free. The draft returned has claimed that
 * member's time and checks the team record; the rotation is written by `writeRotation`. A
 * member whose calendar cannot be read is not free (fail closed). With nobody free: "held" when
 * someone's time is being taken by a multi-person booking right now (the runner waits for it),
 * "calendar_unavailable" when nobody's calendar could be read, else "slot_taken".
 */
function chooseMember(
  s: Snapshot,
  a: Assignment,
  template: BookingRecord,
  ignore: ReadonlySet<string>,
  nowMs: number,
): { ok: true; chosen: Chosen } | { ok: false; reason: Refusal } {
  const roster = guardOf<TeamRecord>(s, a.rosterKey);
  const members = new Set((roster.value?.members ?? []).map((m) => m.userId));
  const candidates = a.candidates.filter((c) => members.has(c.personId));
  const rotation = guardOf<RotationRecord>(s, a.rotationKey);
  const order = rotationOrder(rotation.value, candidates);
  const preferred = order.findIndex((c) => c.personId === a.prefer);
  if (preferred > 0) order.unshift(...order.splice(preferred, 1));
  let held = false;
  let unreadable = 0;
  for (const candidate of order) {
    const booking = { ...template, hostId: candidate.personId, personIds: [candidate.personId] };
    const d = new Draft();
    d.check(roster);
    const refused = claimTime(
      d,
      s,
      candidate.personId,
      block(booking),
      ignore,
      nowMs,
      "slot_taken",
    );
    if (!refused) return { ok: true, chosen: { d, booking, candidate } };
    if (refused === "held") held = true;
    if (refused === "calendar_unavailable") unreadable++;
  }
  if (held) return { ok: false, reason: "held" };
  if (order.length > 0 && unreadable === order.length) {
    return { ok: false, reason: "calendar_unavailable" };
  }
  return { ok: false, reason: "slot_taken" };
}

/** The rotation after the pick, checked at the versionstamp read (unchanged: nothing written). */
function writeRotation(
  d: Draft,
  s: Snapshot,
  a: Assignment,
  chosen: Candidate,
  /** A reschedule: the member the booking had (given back their share when it moves). */
  from?: Candidate,
) {
  if (chosen.personId === a.prefer) return;
  const rotation = guardOf<RotationRecord>(s, a.rotationKey);
  const next = from
    ? transferRotation(rotation.value, a.candidates, from, chosen)
    : advanceRotation(rotation.value, a.candidates, chosen);
  d.check(rotation);
  d.set(rotation.key, next satisfies RotationRecord);
}

function planAssign(
  s: Snapshot,
  change: Extract<Change, { kind: "assign" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const self = new Set([change.booking.id]);
  const picked = chooseMember(s, change.assign, change.booking, self, nowMs);
  if (!picked.ok) return picked;
  const { d, booking: b, candidate } = picked.chosen;
  const refused = claimCaps(d, s, b, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, b, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  writeRotation(d, s, change.assign, candidate);
  writeNewBooking(d, b, change.tokens);
  writeBusy(d, b);
  writeExtras(d, change.extra);
  d.job(...sideEffects(null, b, nowMs));
  const result = d.finish("assign", {
    booking: b,
    probe: { key: keys.booking(b.id), landed: bookingExists(b.id) },
  }, limits);
  return orClear(result, s, [{ personId: b.hostId, iv: block(b) }], nowMs, limits);
}

function nextOf(
  b: BookingRecord,
  change: Extract<Change, { kind: "transition" }>,
  t: { status: BookingRecord["status"]; endReason: string | null },
  nowMs: number,
): BookingRecord {
  return {
    ...b,
    status: t.status,
    reservedUntilMs: t.status === "PENDING" ? b.reservedUntilMs : null,
    decidedAtMs: nowMs,
    endReason: t.endReason === "cancelled"
      ? (change.by === "host" ? "cancelled_by_host" : "cancelled_by_guest")
      : t.endReason,
    cancelReason: change.reason?.trim() ? change.reason.trim().slice(0, 500) : null,
    history: [...b.history, { status: t.status, atMs: nowMs, by: change.by }],
  };
}

/**
 * The booking a change acts on, if it exists and (when the change names a host) is that host's:
 * another host's booking is "not found", never "not yours", so ids reveal nothing.
 */
function bookingOf(
  s: Snapshot,
  hostId: string | undefined,
): Versioned<BookingRecord> & { value: BookingRecord } | null {
  const current = s.primary as Versioned<BookingRecord> | null;
  const value = current?.value;
  if (!current || !value) return null;
  return hostId !== undefined && value.hostId !== hostId ? null : { ...current, value };
}

function planTransition(
  s: Snapshot,
  change: Extract<Change, { kind: "transition" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const current = bookingOf(s, change.hostId);
  if (!current) return { ok: false, reason: "not_found" };
  const b = current.value;
  const t = decideTransition(b, change.action, nowMs);
  if (!t.ok) return { ok: false, reason: t.reason };
  if (
    change.enforceCutoff && rules.eventType &&
    withinCutoff(b.startMs, rules.eventType.cancelCutoffHours, nowMs)
  ) return { ok: false, reason: "too_late" };
  const next = nextOf(b, change, t, nowMs);
  const d = new Draft();
  writeUpdatedBooking(d, current, next);
  if (next.status === "CONFIRMED") {
    const refused = firm(d, s, b, next, rules, nowMs);
    if (refused) return { ok: false, reason: refused };
  } else {
    dropHoldings(d, b);
    if (b.coordinatorId) d.delete(keys.coordinator(b.coordinatorId));
  }
  writeExtras(d, change.extra);
  d.job(...sideEffects(b, next, nowMs));
  const result = d.finish("transition", {
    booking: next,
    probe: { key: current.key, landed: sameStep(next) },
  }, limits);
  const claims = next.status === "CONFIRMED" && !b.coordinatorId
    ? personsOf(b).map((personId) => ({ personId, iv: block(b) }))
    : [];
  return orClear(result, s, claims, nowMs, limits);
}

/**
 * Confirming turns a hold into firm time. It guards like an addition (fences checked and
 * changed), and refuses as "expired" when the hold is no longer whole: its entries are gone, or
 * someone else's live time overlaps it — another process treated the hold as over.
 */
function firm(
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
          e.value?.bookingId === before.id && e.key[2] === day
        );
        if (!mine) return "expired";
      }
      const refused = claimTime(d, s, personId, block(before), self, nowMs, "expired");
      if (refused) return refused;
    }
  }
  writeBusy(d, next, before.coordinatorId);
  for (const ref of capRefs(before, rules.eventType, false)) {
    const limit = ref.period === "day" ? rules.eventType!.maxPerDay : rules.eventType!.maxPerWeek;
    const fenceKey = keys.capFence(ref.eventTypeId, ref.period, ref.periodKey);
    if (limit !== null) {
      const read = capsRead(s, ref);
      if (!read.entries.some((e) => e.value?.bookingId === before.id)) return "expired";
      d.check(fenceOf(s, fenceKey));
    }
    d.set(fenceKey, { v: 1 } satisfies FenceRecord);
  }
  // The cap entries as they were keyed at booking time (the event type may be gone now).
  for (const k of capEntryKeys(before)) {
    d.set(k, { v: 1, bookingId: before.id, holdUntilMs: null } satisfies CapEntryRecord);
  }
  d.delete(keys.guestHold(guestOwner(before), guestKey(before.guestEmail), before.id));
  return null;
}

/** The successor a reschedule would create from `old` at `nowMs`. */
function successorRecord(
  old: BookingRecord,
  change: Extract<Change, { kind: "reschedule" }>,
  rules: EngineRules,
  nowMs: number,
): BookingRecord {
  return {
    ...newBookingRecord(
      {
        ...change.successor,
        name: old.guestName,
        email: old.guestEmail,
        note: old.guestNote,
        guestTimeZone: old.guestTimeZone,
        clock: old.guestClock,
        locale: old.guestLocale,
        answers: old.answers,
        by: change.by,
        // A meeting booked through a single-use link stays one: its moves never reveal the type.
        singleUseLinkId: old.singleUseLinkId,
      },
      nowMs,
      rules.bookingTtlMs,
    ),
    rescheduledFromId: old.id,
    ...successorIdentity(old, rules.calendarHost),
  };
}

function planReschedule(
  s: Snapshot,
  change: Extract<Change, { kind: "reschedule" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const current = bookingOf(s, change.hostId);
  if (!current) return { ok: false, reason: "not_found" };
  const old = current.value;
  const t = decideTransition(old, "cancel", nowMs);
  if (!t.ok) return { ok: false, reason: old.endReason === "rescheduled" ? "cancelled" : t.reason };
  // A multi-person booking moves through the coordinator protocol (a commit with `retire`).
  if (old.coordinatorId) return { ok: false, reason: "not_supported" };
  if (
    change.enforceCutoff && rules.eventType &&
    withinCutoff(old.startMs, rules.eventType.cancelCutoffHours, nowMs)
  ) return { ok: false, reason: "too_late" };

  let successor = successorRecord(old, change, rules, nowMs);
  const retired: BookingRecord = {
    ...old,
    status: "CANCELLED",
    reservedUntilMs: null,
    decidedAtMs: nowMs,
    endReason: "rescheduled",
    rescheduledToId: successor.id,
    history: [...old.history, { status: "CANCELLED", atMs: nowMs, by: change.by }],
  };
  // The old booking's time, counts and hold are freed in this same write.
  const ignore = new Set([old.id, successor.id]);
  let d = new Draft();
  let refused: Refusal | null;
  if (change.assign) {
    const a = { ...change.assign, prefer: old.hostId };
    const picked = chooseMember(s, a, successor, ignore, nowMs);
    if (!picked.ok) return picked;
    ({ d, booking: successor } = picked.chosen);
    const from = a.candidates.find((c) => c.personId === old.hostId) ??
      { personId: old.hostId, weight: 1, priority: 0 };
    writeRotation(d, s, a, picked.chosen.candidate, from);
    refused = null;
  } else {
    refused = claimTime(
      d,
      s,
      personsOf(successor)[0],
      block(successor),
      ignore,
      nowMs,
      "slot_taken",
    );
  }
  refused ??= claimCaps(d, s, successor, rules.eventType, ignore, nowMs) ??
    claimGuestHold(d, s, successor, ignore, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  writeUpdatedBooking(d, current, retired);
  dropHoldings(d, old);
  writeNewBooking(d, successor, change.tokens);
  writeBusy(d, successor);
  writeExtras(d, change.extra);
  d.job(
    ...sideEffects(old, retired, nowMs),
    ...handoverEffects(old, successor, nowMs),
    ...sideEffects(null, successor, nowMs),
  );
  const result = d.finish("reschedule", {
    booking: successor,
    retired,
    probe: { key: keys.booking(successor.id), landed: bookingExists(successor.id) },
  }, limits);
  const claims = [{ personId: personsOf(successor)[0], iv: block(successor) }];
  return orClear(result, s, claims, nowMs, limits);
}

// ── multi-person holds ──────────────────────────────────────────────────────────────────────

/** The keys of every member's entries of a coordinated hold. */
export function memberKeys(c: CoordinatorRecord): Key[] {
  return c.personIds.flatMap((p) =>
    busyKeys(p, { startMs: c.startMs, endMs: c.endMs, bookingId: c.bookingId })
  );
}

function planHold(
  s: Snapshot,
  change: Extract<Change, { kind: "hold" }>,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  if (!cv || !c || c.state !== "holding" || c.untilMs <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  if (!c.personIds.includes(change.personId)) return { ok: false, reason: "not_found" };
  const d = new Draft();
  // Unchanged, but it must still be holding when this lands (the cleanup job may abandon it).
  d.check(cv);
  const iv = { startMs: c.startMs, endMs: c.endMs };
  // A collective reschedule: the booking being moved does not block its own new time (it is
  // retired in the final commit, which checks it is still live).
  const ignore = new Set(c.replaces ? [c.bookingId, c.replaces] : [c.bookingId]);
  const refused = claimTime(d, s, change.personId, iv, ignore, nowMs, "slot_taken");
  if (refused) return { ok: false, reason: refused };
  const entry: BusyEntryRecord = {
    v: 1,
    bookingId: c.bookingId,
    startMs: c.startMs,
    endMs: c.endMs,
    holdUntilMs: c.untilMs,
    eventTypeId: c.eventTypeId,
    coordinatorId: c.id,
  };
  for (const k of busyKeys(change.personId, entry)) d.set(k, entry);
  const probeKey = busyKeys(change.personId, entry)[0];
  const result = d.finish("hold", {
    booking: null,
    coordinator: c,
    probe: {
      key: probeKey,
      landed: (v) => (v as BusyEntryRecord | null)?.coordinatorId === c.id,
    },
  }, limits);
  return orClear(result, s, [{ personId: change.personId, iv }], nowMs, limits);
}

/**
 * More coordinators to take over than fit into one write with the change itself (many expired
 * multi-person holds under one new interval): a write that only takes some of them over and
 * removes their entries. The runner commits it, then reads and plans the change again.
 */
function clearTheWay(
  s: Snapshot,
  claims: { personId: string; iv: Interval }[],
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const coordinators = coordinatorMap(s);
  const d = new Draft();
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
    probe: { key: keys.coordinator([...taken][0]), landed: () => false },
  }, limits);
}

/** A plan that does not fit: clear the way first when taking coordinators over is what overflows. */
function orClear(
  r: PlanResult,
  s: Snapshot,
  claims: { personId: string; iv: Interval }[],
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  return !r.ok && r.reason === "too_large" ? clearTheWay(s, claims, nowMs, limits) : r;
}

function planTeamCommit(
  s: Snapshot,
  change: Extract<Change, { kind: "commit" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  const b = change.booking;
  if (!cv || !c || c.state !== "holding" || c.untilMs <= nowMs) {
    return { ok: false, reason: "expired" };
  }
  if (
    c.bookingId !== b.id || c.startMs !== b.blockStartMs || c.endMs !== b.blockEndMs ||
    JSON.stringify(c.personIds) !== JSON.stringify(personsOf(b)) || b.coordinatorId !== c.id
  ) return { ok: false, reason: "not_found" };
  if (c.personIds.length > MAX_TEAM) return { ok: false, reason: "too_large" };
  if ((c.replaces ?? null) !== (change.retire?.bookingId ?? null)) {
    return { ok: false, reason: "not_found" };
  }
  const d = new Draft();
  if (change.rosterKey) {
    // Every person must still be a member: a removal that landed first stops the booking.
    const roster = guardOf<TeamRecord>(s, change.rosterKey);
    const members = new Set((roster.value?.members ?? []).map((m) => m.userId));
    if (!c.personIds.every((p) => members.has(p))) return { ok: false, reason: "slot_taken" };
    d.check(roster);
  }
  const self = new Set([b.id]);
  let retired: BookingRecord | null = null;
  let old: BookingRecord | null = null;
  if (change.retire) {
    const r = change.retire;
    const current = guardOf<BookingRecord>(s, keys.booking(r.bookingId));
    old = current.value;
    if (!old || (r.hostId !== undefined && old.hostId !== r.hostId)) {
      return { ok: false, reason: "not_found" };
    }
    const t = decideTransition(old, "cancel", nowMs);
    if (!t.ok) {
      return { ok: false, reason: old.endReason === "rescheduled" ? "cancelled" : t.reason };
    }
    if (
      r.enforceCutoff && rules.eventType &&
      withinCutoff(old.startMs, rules.eventType.cancelCutoffHours, nowMs)
    ) return { ok: false, reason: "too_late" };
    retired = {
      ...old,
      status: "CANCELLED",
      reservedUntilMs: null,
      decidedAtMs: nowMs,
      endReason: "rescheduled",
      rescheduledToId: b.id,
      history: [...old.history, { status: "CANCELLED", atMs: nowMs, by: r.by }],
    };
    self.add(old.id);
    writeUpdatedBooking(d, current as Versioned<BookingRecord>, retired);
    dropHoldings(d, old);
    if (old.coordinatorId) d.delete(keys.coordinator(old.coordinatorId));
  }
  const refused = claimCaps(d, s, b, rules.eventType, self, nowMs) ??
    claimGuestHold(d, s, b, self, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  const committed: CoordinatorRecord = { ...c, state: "committed", holdUntilMs: holdOf(b) };
  d.check(cv);
  d.set(cv.key, committed);
  d.delete(keys.coordinatorByUntil(c.untilMs, c.id));
  // Every member's hold becomes the booking's own (no fence: the coordinator guards them).
  writeBusy(d, b, c.id);
  writeNewBooking(d, b, change.tokens);
  writeExtras(d, change.extra, change.rotation);
  if (old && retired) {
    d.job(...sideEffects(old, retired, nowMs), ...handoverEffects(old, b, nowMs));
  }
  d.job(...sideEffects(null, b, nowMs));
  return d.finish("commit", {
    booking: b,
    ...(retired ? { retired } : {}),
    coordinator: committed,
    probe: { key: keys.booking(b.id), landed: bookingExists(b.id) },
  }, limits);
}

/** How long an abandoned coordinator is kept (readers treat a missing one as abandoned). */
const ABANDONED_KEEP_MS = 24 * 3_600_000;

function planRelease(
  s: Snapshot,
  change: Extract<Change, { kind: "release" }>,
  limits: KvLimits,
): PlanResult {
  const cv = s.primary as Versioned<CoordinatorRecord> | null;
  const c = cv?.value;
  const d = new Draft();
  if (!cv || !c || c.state === "committed" || c.state === "released") {
    // Nothing held: a committed booking's time is released by its own transitions.
    if (c && (c.state === "committed" || c.state === "released")) {
      d.delete(keys.coordinatorByUntil(c.untilMs, c.id));
    }
    return d.finish("release", {
      booking: null,
      probe: { key: keys.coordinator(change.coordinatorId), landed: () => true },
    }, limits);
  }
  if (c.state === "holding") {
    d.check(cv);
    d.set(cv.key, { ...c, state: "abandoned" } satisfies CoordinatorRecord, ABANDONED_KEEP_MS);
  }
  d.deleteAll(memberKeys(c));
  d.delete(keys.coordinatorByUntil(c.untilMs, c.id));
  return d.finish("release", {
    booking: null,
    coordinator: { ...c, state: "abandoned" },
    probe: {
      key: cv.key,
      landed: (v) => (v as CoordinatorRecord | null)?.state !== "holding",
    },
  }, limits);
}
