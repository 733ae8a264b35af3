/**
 * The engine's first store step (docs/decisions/002-booking-engine.md): `readSnapshot` reads
 * everything one change is decided on, with each entry's versionstamp.
 */
import { keyOf, keys, type PersonId } from "./keys.ts";
import type {
  BookerPostRecord,
  BookingRecord,
  BusyEntryRecord,
  CapEntryRecord,
  CoordinatorRecord,
  FenceRecord,
  GuestHoldRecord,
} from "../domain/model/records.ts";
import {
  type Change,
  type EngineRules,
  type Key,
  primaryEntry,
  scopeOf,
  type Snapshot,
  type Versioned,
} from "../domain/booking-engine/index.ts";
import { type Interval } from "../domain/interval.ts";
import { MAX_READ_KEYS } from "./kv.ts";

/** What a person's external calendars say about an interval (see services/calendar-busy.ts). */
export type CalendarReader = (
  personId: PersonId,
  iv: Interval,
) => Promise<{ busy: Interval[]; unknown: Interval[] }>;

/**
 * Reads keys ten to a request, the requests side by side (unlike `getEntries`): each one is its
 * own snapshot either way, and every value a plan relies on is checked by its commit.
 */
async function getMany<T>(kv: Deno.Kv, ks: Key[]): Promise<Versioned<T>[]> {
  const chunks: Key[][] = [];
  for (let i = 0; i < ks.length; i += MAX_READ_KEYS) chunks.push(ks.slice(i, i + MAX_READ_KEYS));
  const got = await Promise.all(chunks.map((c) => kv.getMany<T[]>(c as Deno.KvKey[])));
  return got.flat().map((g) => ({
    key: g.key as Key,
    value: g.value,
    versionstamp: g.versionstamp,
  }));
}

/** `getMany` of keys that may repeat: each distinct key read once, answered in order. */
async function getEach<T>(kv: Deno.Kv, ks: Key[]): Promise<Versioned<T>[]> {
  const distinct = [...new Map(ks.map((k) => [JSON.stringify(k), k])).values()];
  const got = new Map(
    (await getMany<T>(kv, distinct)).map((v) => [JSON.stringify(v.key), v] as const),
  );
  return ks.map((k) => got.get(JSON.stringify(k))!);
}

export async function list<T>(kv: Deno.Kv, selector: Deno.KvListSelector): Promise<Versioned<T>[]> {
  const out: Versioned<T>[] = [];
  for await (const e of kv.list<T>(selector)) {
    out.push({ key: e.key as Key, value: e.value, versionstamp: e.versionstamp });
  }
  return out;
}

/**
 * Whether `entry` is still as it was read (same versionstamp). The snapshot's parts are separate
 * reads, and a change committed between them leaves a pair that never existed together: a
 * request still pending whose time is already released. A plan's commit checks what it relied
 * on; a refusal commits nothing, so the runner asks this before it answers one (transaction.ts).
 */
export async function stillCurrent(kv: Deno.Kv, entry: Versioned<unknown>): Promise<boolean> {
  return (await kv.get(entry.key as Deno.KvKey)).versionstamp === entry.versionstamp;
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
  return (await readSnapshots(kv, [change], rules, calendar))[0];
}

/**
 * The snapshots of several changes, read in one pass as `readSnapshot` reads one: their
 * primaries in one round, then all their fences, guards and expected keys together (10 to a
 * request), their lists and calendars side by side, and the coordinators they name in one more
 * round — a collective booking's holds and commit are planned from four rounds of reads instead
 * of three or four per member (docs/decisions/016-teams.md, amendment "reads ahead").
 */
export async function readSnapshots(
  kv: Deno.Kv,
  changes: Change[],
  rules: EngineRules,
  calendar: CalendarReader,
): Promise<Snapshot[]> {
  const entries = changes.map(primaryEntry);
  const primaries = await getEach<BookingRecord | CoordinatorRecord | BookerPostRecord>(
    kv,
    entries.flatMap((e) => e ? [keyOf(e)] : []),
  );
  const reads = changes.map((change, i) => {
    const primary = entries[i] ? primaries.shift()! : null;
    const scope = scopeOf(change, primary?.value ?? null, rules, keyOf);
    const busyFences = scope.busy.map((b) => b.days.map((d) => keys.busyFence(b.personId, d)));
    const capFences = scope.caps.map((c) => keys.capFence(c.eventTypeId, c.period, c.periodKey));
    const guestFence = scope.guest
      ? [keys.guestHoldFence(scope.guest.hostId, scope.guest.email)]
      : [];
    const wanted = [
      ...busyFences.flat(),
      ...capFences,
      ...guestFence,
      ...scope.absent,
      ...scope.guards,
    ];
    return { primary, scope, guestFence, wanted };
  });
  const all = await getEach<unknown>(kv, reads.flatMap((r) => r.wanted));
  // A list several changes need (a crowd on one person's day) is read once in the pass, as
  // `getEach` reads each key once; each snapshot gets its own array of the shared entries.
  const listed = new Map<string, Promise<Versioned<unknown>[]>>();
  const listOnce = async <T>(selector: Deno.KvListSelector): Promise<Versioned<T>[]> => {
    const id = JSON.stringify(selector);
    let read = listed.get(id);
    if (!read) listed.set(id, read = list<unknown>(kv, selector));
    return [...await read] as Versioned<T>[];
  };
  const snapshots = await Promise.all(reads.map(async ({ primary, scope, guestFence, wanted }) => {
    const read = all.splice(0, wanted.length);
    const guards = read.splice(read.length - scope.guards.length);
    const absent = read.splice(read.length - scope.absent.length);
    const fences = read as Versioned<FenceRecord>[];
    const present = new Set(
      fences.filter((f) => f.versionstamp).map((f) => JSON.stringify(f.key)),
    );
    const fenced = (k: Key) => present.has(JSON.stringify(k));

    const [busy, caps, guestHolds, calendars] = await Promise.all([
      Promise.all(scope.busy.map(async ({ personId, days, startMs, endMs }) => {
        // Per day, only entries starting late enough to reach the interval (the fence bounds
        // the day's longest block) and before its end; the whole day when no bound is known yet.
        const lists = await Promise.all(days.map((day) => {
          const fence = fences.find((f) =>
            JSON.stringify(f.key) === JSON.stringify(keys.busyFence(personId, day))
          );
          if (!fence?.versionstamp) return [];
          const longest = fence.value?.maxBlockMs;
          return listOnce<BusyEntryRecord>(
            longest === undefined ? { prefix: keys.busyFrom(personId, day) } : {
              start: keys.busyStartingFrom(personId, day, startMs - longest),
              end: keys.busyStartingFrom(personId, day, endMs),
            },
          );
        }));
        return { personId, entries: lists.flat() };
      })),
      // Listed even without their fence: a period counted before it had a cap has entries but
      // no fence (only writes that count set it, booking-engine/caps.ts).
      Promise.all(scope.caps.map(async (ref) => ({
        ref,
        entries: await listOnce<CapEntryRecord>({
          prefix: keys.capEntryPeriod(ref.eventTypeId, ref.period, ref.periodKey),
        }),
      }))),
      scope.guest && fenced(guestFence[0])
        ? listOnce<GuestHoldRecord>({
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
    return {
      primary,
      fences,
      busy,
      caps,
      guestHolds,
      calendars,
      absent,
      guards,
      coordinatorIds: [...coordinatorIds],
    };
  }));
  const coordinators = await getEach<CoordinatorRecord>(
    kv,
    snapshots.flatMap((s) => s.coordinatorIds.map((id) => keys.coordinator(id))),
  );
  return snapshots.map(({ coordinatorIds, ...s }) => ({
    keyOf,
    ...s,
    coordinators: coordinators.splice(0, coordinatorIds.length),
  }));
}
