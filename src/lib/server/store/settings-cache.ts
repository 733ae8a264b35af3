/**
 * A short-lived per-process copy of host settings that every guest page view and booking reads
 * first (user by username, event type by slug, availability).
 *
 * Those records change a few times a month, yet were read on every request; on one KV file the
 * reads queue behind a single SQLite thread and capped page views and bookings. Writes through
 * this module's callers drop the copy at once, so a host always sees their own change; another
 * process sharing a remote KV sees it within TTL_MS. Nothing that guards the no-overlap invariant
 * (busy time, holds, caps) is ever cached; only whether a host checks any calendar at all.
 */
const TTL_MS = 1_000;
/** The copy's clock (milliseconds, monotonic); tests move it with `useCopyClock`. */
let clock = () => performance.now();
/** The copy's clock now (a revision read's start is taken with it). */
export const copyClock = (): number => clock();
/** For tests: the copy's clock. */
export function useCopyClock(next: () => number = () => performance.now()): void {
  clock = next;
}
const MAX_ENTRIES = 10_000;

/** `owner`: whose settings revision vouches for the value, once it has loaded (see below). */
type Entry = { atMs: number; value: Promise<unknown>; owner?: string | null };
const states = new WeakMap<Deno.Kv, Map<string, Entry>>();
/**
 * When each owner's settings revision was last read (the read's start, `performance.now()`) —
 * changed or not. Every entry in the copy was loaded after the last time a revision read found
 * anything new (that drops the copy), so while an owner's revision reads the same, the owner's
 * entries are what the store holds as of that read: an entry of an owner read within TTL_MS is
 * as fresh as one loaded within TTL_MS, however old it is (issue 26: a booking of a host booked
 * once a second read its settings five times instead of from the copy).
 */
const confirmed = new WeakMap<Deno.Kv, Map<string, number>>();

function entriesOf(kv: Deno.Kv): Map<string, Entry> {
  let m = states.get(kv);
  if (!m) states.set(kv, m = new Map());
  return m;
}

/**
 * `load()`'s value for `key`, shared by concurrent callers and kept for TTL_MS — or for as long
 * as the settings revision of its owner (`ownerOf` the loaded value: a user, a team) is read
 * unchanged at least once every TTL_MS (`noteSettingsRevisions`).
 */
export function cachedRead<T>(
  kv: Deno.Kv,
  key: string,
  load: () => Promise<T>,
  ownerOf?: (value: T) => string | null,
): Promise<T> {
  const m = entriesOf(kv);
  const now = clock();
  const hit = m.get(key);
  if (hit && (now - hit.atMs < TTL_MS || vouched(kv, hit.owner, now))) {
    return hit.value as Promise<T>;
  }
  if (m.size >= MAX_ENTRIES) m.clear();
  const value = load();
  const entry: Entry = { atMs: now, value };
  m.set(key, entry);
  if (ownerOf) value.then((v) => (entry.owner = ownerOf(v)), () => {});
  // A failed read is not remembered.
  value.catch(() => {
    if (m.get(key) === entry) m.delete(key);
  });
  return value;
}

function vouched(kv: Deno.Kv, owner: string | null | undefined, now: number): boolean {
  if (!owner) return false;
  const at = confirmed.get(kv)?.get(owner);
  return at !== undefined && now - at < TTL_MS;
}

/** Call after any write to a user, an event type or availability. */
export function settingsChanged(kv: Deno.Kv): void {
  states.get(kv)?.clear();
  confirmed.get(kv)?.clear();
}

/** The settings revision (store/revisions.ts) each owner had when this process last looked. */
const seenRevs = new WeakMap<Deno.Kv, Map<string, string | null>>();

/**
 * Tells the copy which settings revisions were just read (before any settings are read for the
 * same answer). When one differs from what this process saw last (or was never seen), another
 * process may have changed those settings within the last TTL_MS: the copy is dropped, so what
 * is read next is at least as new as the revision — a page cached under it is exact.
 * Returns whether the copy was dropped.
 */
export function noteSettingsRevisions(
  kv: Deno.Kv,
  ids: readonly string[],
  revs: readonly (string | null)[],
  readAtMs: number = clock(),
): boolean {
  let seen = seenRevs.get(kv);
  if (!seen) seenRevs.set(kv, seen = new Map());
  let changed = false;
  for (let i = 0; i < ids.length; i++) {
    if (seen.has(ids[i]) && seen.get(ids[i]) === revs[i]) continue;
    changed = true;
    if (seen.size >= MAX_ENTRIES) seen.clear();
    seen.set(ids[i], revs[i]);
  }
  if (changed) states.get(kv)?.clear();
  // Read at `readAtMs` (its start): what is in the copy now for these owners is that fresh.
  let at = confirmed.get(kv);
  if (!at) confirmed.set(kv, at = new Map());
  if (at.size >= MAX_ENTRIES) at.clear();
  for (const id of ids) at.set(id, Math.max(at.get(id) ?? -Infinity, readAtMs));
  return changed;
}

/** The versionstamp each settings record was read at, for `recordMark`. */
const readAt = new WeakMap<object, string>();
/** Marks of records not read from the store (a never-saved availability's defaults). */
const objectMarks = new WeakMap<object, string>();
let nextObjectMark = 0;

/** Remembers the entry's versionstamp for its value (settings reads call it); returns the value. */
export function withReadMark<T>(entry: Deno.KvEntryMaybe<T>): T | null {
  if (entry.versionstamp && typeof entry.value === "object") {
    readAt.set(entry.value!, entry.versionstamp);
  }
  return entry.value;
}

/**
 * A string that differs whenever a settings record does: the versionstamp it was read at, else
 * one of its own per object. Caches of what is computed from a record key on it; its
 * `updatedAtMs` does not do: two saves in one millisecond (a script's two calls, two servers on
 * one store) kept one month's slots for both.
 */
export function recordMark(rec: object): string {
  const vs = readAt.get(rec);
  if (vs) return vs;
  let m = objectMarks.get(rec);
  if (!m) objectMarks.set(rec, m = `o${nextObjectMark++}`);
  return m;
}
