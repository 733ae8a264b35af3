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
const MAX_ENTRIES = 10_000;

type Entry = { atMs: number; value: Promise<unknown> };
const states = new WeakMap<Deno.Kv, Map<string, Entry>>();

function entriesOf(kv: Deno.Kv): Map<string, Entry> {
  let m = states.get(kv);
  if (!m) states.set(kv, m = new Map());
  return m;
}

/** `load()`'s value for `key`, shared by concurrent callers and kept for TTL_MS. */
export function cachedRead<T>(kv: Deno.Kv, key: string, load: () => Promise<T>): Promise<T> {
  const m = entriesOf(kv);
  const now = performance.now();
  const hit = m.get(key);
  if (hit && now - hit.atMs < TTL_MS) return hit.value as Promise<T>;
  if (m.size >= MAX_ENTRIES) m.clear();
  const value = load();
  const entry = { atMs: now, value };
  m.set(key, entry);
  // A failed read is not remembered.
  value.catch(() => {
    if (m.get(key) === entry) m.delete(key);
  });
  return value;
}

/** Call after any write to a user, an event type or availability. */
export function settingsChanged(kv: Deno.Kv): void {
  states.get(kv)?.clear();
}
