/**
 * A person's revision: two keys whose versionstamps change with every commit that changes what
 * the person's slots depend on, set blindly inside that same atomic write (never checked, so
 * they add no check to any write's budget).
 *
 * - `busy_rev`: busy time — every booking-engine write that adds or removes a busy entry
 *   (domain/booking-engine/draft.ts) and every commit of a synced calendar's busy cache;
 * - `settings_rev`: the user record, event types, availability, which calendars count, a team.
 *
 * A cached page is current while both versionstamps of everyone it shows are unchanged
 * (http/page-cache.ts, the slots API); reading them is one `getMany` for one host.
 */
import { keys } from "./keys.ts";
import { getEntries } from "./kv.ts";

/** Marks a change of `personId`'s busy time in the write `op` (returns `op`). */
export function bumpBusy(op: Deno.AtomicOperation, personId: string): Deno.AtomicOperation {
  return op.set(keys.busyRev(personId), { v: 1 });
}

/** Marks a change of what `ownerId`'s pages are computed from, besides busy time. */
export function bumpSettings(op: Deno.AtomicOperation, ownerId: string): Deno.AtomicOperation {
  return op.set(keys.settingsRev(ownerId), { v: 1 });
}

export type Revisions = {
  busy: (string | null)[];
  settings: (string | null)[];
  /** Of `accounts_closed_rev` (any account's close: store/keys.ts), when asked for. */
  closed?: string | null;
};

/**
 * Both revisions of each id (one `getMany` for up to five ids), and with `closed` that of closed
 * accounts (one key more in the same `getMany` for up to four).
 */
export async function readRevisions(
  kv: Deno.Kv,
  ids: readonly string[],
  closed = false,
): Promise<Revisions> {
  const got = await getEntries(kv, [
    ...ids.flatMap((id) => [keys.busyRev(id), keys.settingsRev(id)]),
    ...(closed ? [keys.accountsClosedRev()] : []),
  ]);
  return {
    busy: ids.map((_, j) => got[2 * j].versionstamp),
    settings: ids.map((_, j) => got[2 * j + 1].versionstamp),
    ...(closed ? { closed: got[2 * ids.length].versionstamp } : {}),
  };
}

/**
 * Which revision a write of each kind of key owes its owner (the key's second part): the one
 * statement of "what changes a person's slots", which tests hold every write against
 * (`revisionsOwed`). Cap entries always ride with busy entries of the same booking.
 */
const OWED: Record<string, (owner: string) => Deno.KvKey> = {
  busy: keys.busyRev,
  calendar_busy_head: keys.busyRev,
  user: keys.settingsRev,
  user_photo: keys.settingsRev,
  availability: keys.settingsRev,
  event_type: keys.settingsRev,
  team: keys.settingsRev,
};

/** The revision keys a write that sets or deletes `mutated` must also set. */
export function revisionsOwed(mutated: readonly Deno.KvKey[]): Deno.KvKey[] {
  const out = new Map<string, Deno.KvKey>();
  for (const k of mutated) {
    const owe = OWED[String(k[0])];
    if (!owe || k.length < 2) continue;
    const rev = owe(String(k[1]));
    out.set(JSON.stringify(rev), rev);
  }
  return [...out.values()];
}
