/**
 * Bookings and the entries that guard them (docs/decisions/002-booking-engine.md). The engine's
 * two store steps live here: `readSnapshot` reads everything one change is decided on, and
 * `commitPlan` writes a plan in one atomic operation that checks exactly what was read.
 */
import { type BookingId, keys, type PersonId, type UserId } from "./keys.ts";
import type {
  BookingRecord,
  BookingTokenRecord,
  BusyEntryRecord,
  CapEntryRecord,
  CoordinatorRecord,
  FenceRecord,
  GuestHoldRecord,
  OutboxRecord,
} from "./records.ts";
import { enqueue, newOutboxRecord } from "./outbox.ts";
import { commitOrReread } from "./kv.ts";
import { utcDay } from "../domain/booking.ts";
import {
  type Change,
  type EngineRules,
  guestKey,
  type Key,
  type Plan,
  primaryKey,
  scopeOf,
  type Snapshot,
  type Versioned,
} from "../domain/booking-engine.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";

/** What a person's external calendars say about an interval (see services/calendar-busy.ts). */
export type CalendarReader = (
  personId: PersonId,
  iv: Interval,
) => Promise<{ busy: Interval[]; unknown: Interval[] }>;

async function getMany<T>(kv: Deno.Kv, ks: Key[]): Promise<Versioned<T>[]> {
  const out: Versioned<T>[] = [];
  for (let i = 0; i < ks.length; i += 10) {
    const got = await kv.getMany<T[]>(ks.slice(i, i + 10) as Deno.KvKey[]);
    for (const g of got) {
      out.push({ key: g.key as Key, value: g.value, versionstamp: g.versionstamp });
    }
  }
  return out;
}

async function list<T>(kv: Deno.Kv, selector: Deno.KvListSelector): Promise<Versioned<T>[]> {
  const out: Versioned<T>[] = [];
  for await (const e of kv.list<T>(selector)) {
    out.push({ key: e.key as Key, value: e.value, versionstamp: e.versionstamp });
  }
  return out;
}

/**
 * Everything `change` is decided on. The fences are read before the entries they guard: an
 * addition committed after this fence read changes a fence the plan checks, and one committed
 * before it is in the lists. An entry exists only under a fence that exists (every writer sets
 * both), so a day, period or guest without a fence has nothing to list.
 */
export async function readSnapshot(
  kv: Deno.Kv,
  change: Change,
  rules: EngineRules,
  calendar: CalendarReader,
): Promise<Snapshot> {
  const pk = primaryKey(change);
  const primary = pk ? (await getMany<BookingRecord | CoordinatorRecord>(kv, [pk]))[0] : null;
  const scope = scopeOf(change, primary?.value ?? null, rules);
  const busyFences = scope.busy.map((b) => b.days.map((d) => keys.busyFence(b.personId, d)));
  const capFences = scope.caps.map((c) => keys.capFence(c.eventTypeId, c.period, c.periodKey));
  const guestFence = scope.guest
    ? [keys.guestHoldFence(scope.guest.hostId, scope.guest.email)]
    : [];
  const read = await getMany<unknown>(kv, [
    ...busyFences.flat(),
    ...capFences,
    ...guestFence,
    ...scope.absent,
    ...scope.guards,
  ]);
  const guards = read.splice(read.length - scope.guards.length);
  const absent = read.splice(read.length - scope.absent.length);
  const fences = read as Versioned<FenceRecord>[];
  const present = new Set(fences.filter((f) => f.versionstamp).map((f) => JSON.stringify(f.key)));
  const fenced = (k: Key) => present.has(JSON.stringify(k));

  const [busy, caps, guestHolds, calendars] = await Promise.all([
    Promise.all(scope.busy.map(async ({ personId, days, startMs, endMs }) => {
      // Per day, only entries starting late enough to reach the interval (the fence bounds the
      // day's longest block) and before its end; the whole day when no bound is known yet.
      const lists = await Promise.all(days.map((day) => {
        const fence = fences.find((f) =>
          JSON.stringify(f.key) === JSON.stringify(keys.busyFence(personId, day))
        );
        if (!fence?.versionstamp) return [];
        const longest = fence.value?.maxBlockMs;
        return list<BusyEntryRecord>(
          kv,
          longest === undefined ? { prefix: keys.busyFrom(personId, day) } : {
            start: keys.busyStartingFrom(personId, day, startMs - longest),
            end: keys.busyStartingFrom(personId, day, endMs),
          },
        );
      }));
      return { personId, entries: lists.flat() };
    })),
    Promise.all(scope.caps.map(async (ref, i) => ({
      ref,
      entries: fenced(capFences[i])
        ? await list<CapEntryRecord>(kv, {
          prefix: keys.capEntryPeriod(ref.eventTypeId, ref.period, ref.periodKey),
        })
        : [],
    }))),
    scope.guest && fenced(guestFence[0])
      ? list<GuestHoldRecord>(kv, {
        prefix: keys.guestHoldPrefix(scope.guest.hostId, scope.guest.email),
      })
      : Promise.resolve([]),
    Promise.all(
      scope.calendars.map(async (c) => ({
        personId: c.personId,
        ...await calendar(c.personId, c),
      })),
    ),
  ]);
  const coordinatorIds = new Set(scope.coordinatorIds);
  for (const b of busy) {
    for (const e of b.entries) {
      if (e.value?.coordinatorId && e.value.holdUntilMs !== null) {
        coordinatorIds.add(e.value.coordinatorId);
      }
    }
  }
  const coordinators = await getMany<CoordinatorRecord>(
    kv,
    [...coordinatorIds].map((id) => keys.coordinator(id)),
  );
  return { primary, fences, busy, caps, guestHolds, coordinators, calendars, absent, guards };
}

export type CommitOutcome = { ok: true; jobs: OutboxRecord[] } | { ok: false };

/** Adds a plan's checks, writes and outbox jobs to an atomic operation; returns the jobs. */
function addPlan(op: Deno.AtomicOperation, plan: Plan, nowMs: number): OutboxRecord[] {
  for (const c of plan.checks) {
    op.check({ key: c.key as Deno.KvKey, versionstamp: c.versionstamp });
  }
  for (const w of plan.writes) {
    if (w.op === "delete") op.delete(w.key as Deno.KvKey);
    else {
      op.set(
        w.key as Deno.KvKey,
        w.value,
        w.expireInMs === undefined ? undefined : { expireIn: w.expireInMs },
      );
    }
  }
  const jobs = plan.jobs.map((j) => newOutboxRecord(j.payload, nowMs, j.dueMs));
  for (const job of jobs) enqueue(op, job);
  return jobs;
}

const landed = (kv: Deno.Kv, plan: Plan) => async () =>
  plan.probe.landed((await kv.get(plan.probe.key as Deno.KvKey)).value);

/** One plan in its own atomic operation. */
async function commitOne(kv: Deno.Kv, plan: Plan, nowMs: number): Promise<CommitOutcome> {
  const op = kv.atomic();
  const jobs = addPlan(op, plan, nowMs);
  return (await commitOrReread(op, landed(kv, plan))).ok ? { ok: true, jobs } : { ok: false };
}

type Waiting = {
  plan: Plan;
  nowMs: number;
  keys: Set<string>;
  done: (o: CommitOutcome) => void;
  fail: (e: unknown) => void;
};

/**
 * Group commit: while a commit is on its way, plans that arrive wait and then go together in
 * one atomic operation, as long as their keys are disjoint (so no plan's checks or writes touch
 * another's) and the sum of their budgets stays within remote KV's limits — by construction,
 * like every write. All land or none: if the group's checks fail, each plan is committed alone,
 * so every plan gets exactly the answer it would have had by itself. This saves the store one
 * transaction per booking under load and costs nothing when idle (a lone plan goes at once).
 */
class GroupCommitter {
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;
  constructor(readonly kv: Deno.Kv) {}

  submit(plan: Plan, nowMs: number): Promise<CommitOutcome> {
    const keys = new Set<string>();
    for (const c of plan.checks) keys.add(JSON.stringify(c.key));
    for (const w of plan.writes) keys.add(JSON.stringify(w.key));
    return new Promise((done, fail) => {
      this.#waiting.push({ plan, nowMs, keys, done, fail });
      this.#pump();
    });
  }

  #pump() {
    while (this.#inFlight < IN_FLIGHT && this.#waiting.length > 0) {
      const group = this.#take();
      this.#inFlight++;
      this.#run(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** The first waiting plan and every later one that fits beside it. */
  #take(): Waiting[] {
    const group = [this.#waiting.shift()!];
    const used = new Set(group[0].keys);
    const sum = { ...group[0].plan.budget };
    for (let i = 0; i < this.#waiting.length && group.length < GROUP_MAX;) {
      const w = this.#waiting[i];
      const b = w.plan.budget;
      const fits = sum.checks + b.checks <= REMOTE_KV_LIMITS.checks &&
        sum.mutations + b.mutations <= REMOTE_KV_LIMITS.mutations &&
        sum.bytes + b.bytes <= REMOTE_KV_LIMITS.bytes &&
        ![...w.keys].some((k) => used.has(k));
      if (!fits) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      group.push(w);
      for (const k of w.keys) used.add(k);
      sum.checks += b.checks;
      sum.mutations += b.mutations;
      sum.bytes += b.bytes;
    }
    return group;
  }

  async #run(group: Waiting[]) {
    try {
      if (group.length === 1) {
        group[0].done(await commitOne(this.kv, group[0].plan, group[0].nowMs));
        return;
      }
      const op = this.kv.atomic();
      const jobs = group.map((w) => addPlan(op, w.plan, w.nowMs));
      // All or none landed: one plan's probe tells for the group.
      const probe = group.find((w) => !w.plan.partial) ?? group[0];
      if ((await commitOrReread(op, landed(this.kv, probe.plan))).ok) {
        group.forEach((w, i) => w.done({ ok: true, jobs: jobs[i] }));
        return;
      }
      const alone = await Promise.all(group.map((w) => commitOne(this.kv, w.plan, w.nowMs)));
      group.forEach((w, i) => w.done(alone[i]));
    } catch (err) {
      for (const w of group) w.fail(err);
    }
  }
}

/** Commits on their way at once per KV handle; more wait and go as a group. */
const IN_FLIGHT = 2;
/** Plans in one group (each checks at least one key, so remote KV's 10 checks bound it too). */
const GROUP_MAX = 10;
const committers = new WeakMap<Deno.Kv, GroupCommitter>();

/**
 * Commits a plan: its checks, writes and outbox jobs in one atomic operation (possibly with
 * other plans, see GroupCommitter). A commit whose outcome is unknown (a network error on
 * remote KV) is settled by re-reading the plan's probe key, never by sending it again; if it did
 * not land, the caller reads and plans anew.
 */
export function commitPlan(kv: Deno.Kv, plan: Plan, nowMs: number): Promise<CommitOutcome> {
  let c = committers.get(kv);
  if (!c) committers.set(kv, c = new GroupCommitter(kv));
  return c.submit(plan, nowMs);
}

/**
 * Busy entries of a person that meet [fromMs, toMs), each booking once: firm entries and holds
 * that have not ended (a coordinated hold past its time counts as free here; booking decides).
 */
export async function listBusyEntries(
  kv: Deno.Kv,
  personId: PersonId,
  fromMs: number,
  toMs: number,
  nowMs: number,
  /** A booking being rescheduled does not block its own new time. */
  excludeBookingId?: string,
): Promise<BusyEntryRecord[]> {
  const out: BusyEntryRecord[] = [];
  if (toMs <= fromMs) return out;
  const seen = new Set<string>(excludeBookingId ? [excludeBookingId] : []);
  const range = { startMs: fromMs, endMs: toMs };
  for await (
    const e of kv.list<BusyEntryRecord>({
      start: keys.busyFrom(personId, utcDay(fromMs)),
      end: keys.busyFrom(personId, utcDay(toMs - 1) + "\uffff"),
    })
  ) {
    const x = e.value;
    if (seen.has(x.bookingId) || !overlaps(x, range)) continue;
    if (x.holdUntilMs !== null && x.holdUntilMs <= nowMs) continue;
    seen.add(x.bookingId);
    out.push(x);
  }
  return out;
}

/** The busy intervals of `listBusyEntries`, for showing slots. */
export async function listBusy(
  kv: Deno.Kv,
  personId: PersonId,
  fromMs: number,
  toMs: number,
  nowMs: number,
  excludeBookingId?: string,
): Promise<Interval[]> {
  return (await listBusyEntries(kv, personId, fromMs, toMs, nowMs, excludeBookingId)).map((x) => ({
    startMs: x.startMs,
    endMs: x.endMs,
  }));
}

/**
 * Removes a guest's pending-request entries with a host and their fence (their keys carry the
 * address: erasing the guest removes them). One write that checks the fence, so an entry added
 * meanwhile is never left without its fence. Removing them only frees the guest's count.
 */
export async function dropGuestHolds(kv: Deno.Kv, hostId: UserId, email: string): Promise<void> {
  const key = guestKey(email);
  for (let attempt = 0; attempt < 5; attempt++) {
    const fence = await kv.get<FenceRecord>(keys.guestHoldFence(hostId, key));
    const entries = await list<GuestHoldRecord>(kv, { prefix: keys.guestHoldPrefix(hostId, key) });
    if (!fence.versionstamp && entries.length === 0) return;
    // A guest holds a handful of live requests; stale ones go with their decisions.
    const op = kv.atomic().check(fence).delete(fence.key);
    for (const e of entries.slice(0, 900)) op.delete(e.key as Deno.KvKey);
    if ((await op.commit()).ok && entries.length <= 900) return;
  }
}

/**
 * Removes everything the booking engine keeps for a host nobody can book any more (a purged
 * account): their busy entries and fences, the cap entries and fences of their event types, and
 * their guests' pending-request entries and fences. Blind deletes in batches well within remote
 * KV's limits; a booking that was still live would lose its guard, so only closed accounts
 * (whose meetings ahead were cancelled through the engine) come here. Returns the keys deleted.
 */
export async function purgeHostEngineKeys(
  kv: Deno.Kv,
  hostId: UserId,
  eventTypeIds: Iterable<string>,
): Promise<number> {
  const prefixes: Key[] = [
    keys.busyPrefix(hostId),
    keys.busyFencePrefix(hostId),
    keys.guestHoldHostPrefix(hostId),
    keys.guestHoldFenceHostPrefix(hostId),
  ];
  for (const id of new Set(eventTypeIds)) {
    prefixes.push(keys.capEntryPrefix(id), keys.capFencePrefix(id));
  }
  let deleted = 0;
  for (const prefix of prefixes) {
    let batch: Deno.KvKey[] = [];
    const flush = async () => {
      const op = kv.atomic();
      for (const k of batch) op.delete(k);
      await op.commit();
      deleted += batch.length;
      batch = [];
    };
    for await (const e of kv.list({ prefix: prefix as Deno.KvKey })) {
      batch.push(e.key);
      if (batch.length === 500) await flush();
    }
    if (batch.length) await flush();
  }
  return deleted;
}

/** Live bookings of an event type per period key in [fromKey, toKey] (host-zone dates / ISO weeks). */
export async function countCapEntries(
  kv: Deno.Kv,
  eventTypeId: string,
  period: "day" | "week",
  fromKey: string,
  toKey: string,
  nowMs: number,
  excludeBookingId?: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (
    const e of kv.list<CapEntryRecord>({
      start: keys.capEntryPeriod(eventTypeId, period, fromKey),
      end: keys.capEntryPeriod(eventTypeId, period, toKey + "\uffff"),
    })
  ) {
    if (e.value.holdUntilMs !== null && e.value.holdUntilMs <= nowMs) continue;
    if (e.value.bookingId === excludeBookingId) continue;
    const k = String(e.key[3]);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

export async function getBookingEntry(
  kv: Deno.Kv,
  id: BookingId,
): Promise<Deno.KvEntryMaybe<BookingRecord>> {
  return await kv.get<BookingRecord>(keys.booking(id));
}

export async function getBooking(kv: Deno.Kv, id: BookingId): Promise<BookingRecord | null> {
  return (await kv.get<BookingRecord>(keys.booking(id))).value;
}

/** Bookings by id (missing ones left out), ten per read. */
export async function getBookings(
  kv: Deno.Kv,
  ids: readonly BookingId[],
): Promise<BookingRecord[]> {
  const out: BookingRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const g of got) if (g.value) out.push(g.value);
  }
  return out;
}

export async function getTokenRecord(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<BookingTokenRecord | null> {
  return (await kv.get<BookingTokenRecord>(keys.bookingToken(tokenHash))).value;
}

/** A host's bookings by start time, optionally from an instant on. */
export async function listHostBookings(
  kv: Deno.Kv,
  hostId: UserId,
  opts: { fromMs?: number; limit?: number; reverse?: boolean } = {},
): Promise<BookingRecord[]> {
  const selector = opts.fromMs === undefined ? { prefix: keys.bookingByHostStartPrefix(hostId) } : {
    prefix: keys.bookingByHostStartPrefix(hostId),
    start: keys.bookingByHostStartFrom(hostId, opts.fromMs),
  };
  const ids: string[] = [];
  for await (const e of kv.list<string>(selector, { limit: opts.limit, reverse: opts.reverse })) {
    ids.push(e.value);
  }
  const out: BookingRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany<BookingRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const g of got) if (g.value) out.push(g.value);
  }
  return out;
}

/** PENDING bookings whose hold ended at or before `nowMs`, oldest first. */
export async function listExpiredHolds(
  kv: Deno.Kv,
  nowMs: number,
  limit: number,
): Promise<BookingId[]> {
  const ids: BookingId[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.bookingPendingByExpiryPrefix(),
      end: keys.bookingPendingByExpiryUntil(nowMs + 1),
    }, { limit })
  ) ids.push(e.value);
  return ids;
}

/** Removes index entries for a booking that is no longer pending (stale entries only). */
export async function dropExpiryIndex(kv: Deno.Kv, upToMs: number, id: BookingId): Promise<void> {
  for await (
    const e of kv.list<string>({
      start: keys.bookingPendingByExpiryPrefix(),
      end: keys.bookingPendingByExpiryUntil(upToMs + 1),
    })
  ) {
    if (e.value === id) await kv.delete(e.key);
  }
}

/** Coordinators whose deadline passed at or before `untilMs`, oldest first. */
export async function listStaleCoordinators(
  kv: Deno.Kv,
  untilMs: number,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.coordinatorByUntilPrefix(),
      end: keys.coordinatorByUntilEnd(untilMs + 1),
    }, { limit })
  ) ids.push(e.value);
  return ids;
}
