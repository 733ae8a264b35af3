import { bumpSettings } from "./revisions.ts";
import { keys, type UserId } from "./keys.ts";
import { commitWithReceipt, LOST, untilLanded } from "./kv.ts";
import type { AvailabilityRecord } from "../domain/model/records.ts";
import { cachedRead, settingsChanged, withReadMark } from "./settings-cache.ts";
import { defaultWeeklyRules } from "../domain/availability.ts";

/** A host who never saved availability has Mon–Fri 09:00–17:00 in their zone, as on Calendly. */
export function defaultAvailability(userId: UserId, _nowMs: number): AvailabilityRecord {
  return { v: 1, userId, weekly: defaultWeeklyRules(), overrides: [], timeOff: [], updatedAtMs: 0 };
}

export async function getAvailability(
  kv: Deno.Kv,
  userId: UserId,
  nowMs: number,
): Promise<AvailabilityRecord> {
  return withReadMark(await kv.get<AvailabilityRecord>(keys.availability(userId))) ??
    defaultAvailability(userId, nowMs);
}

/** The same, from the short-lived settings copy (guest pages and bookings). */
export function getAvailabilityCached(
  kv: Deno.Kv,
  userId: UserId,
  nowMs: number,
): Promise<AvailabilityRecord> {
  return cachedRead(
    kv,
    `availability:${userId}`,
    () => getAvailability(kv, userId, nowMs),
    () => userId,
  );
}

export async function putAvailability(kv: Deno.Kv, record: AvailabilityRecord): Promise<void> {
  await bumpSettings(kv.atomic().set(keys.availability(record.userId), record), record.userId)
    .commit();
  settingsChanged(kv);
}

/**
 * Read-modify-write under a versionstamp check; `change` may refuse (then nothing is written).
 * A lost race re-reads and asks `change` again.
 */
export async function changeAvailability<E>(
  kv: Deno.Kv,
  userId: UserId,
  nowMs: number,
  change: (
    cur: AvailabilityRecord,
  ) => { ok: true; next: AvailabilityRecord } | { ok: false; errors: E },
): Promise<{ ok: true; record: AvailabilityRecord } | { ok: false; errors: E }> {
  return await untilLanded("changeAvailability", async () => {
    const entry = await kv.get<AvailabilityRecord>(keys.availability(userId));
    const decided = change(entry.value ?? defaultAvailability(userId, nowMs));
    if (!decided.ok) return decided;
    const res = await commitWithReceipt(
      kv,
      bumpSettings(kv.atomic().check(entry).set(keys.availability(userId), decided.next), userId),
    );
    if (res.ok) {
      settingsChanged(kv);
      return { ok: true, record: decided.next };
    }
    return LOST;
  });
}
