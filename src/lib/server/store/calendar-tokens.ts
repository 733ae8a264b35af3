/** Provider holds (throttling per account), OAuth tokens and authorizations in flight. */
import { type CalendarAccountId, keys, type UserId } from "./keys.ts";
import { commitWithReceipt } from "./kv.ts";
import type {
  CalendarTokenRecord,
  OAuthStateRecord,
  ProviderHoldRecord,
} from "../domain/model/records.ts";

// ── provider holds (throttling per account) ─────────────────────────────────

/** When the provider lets this account's calls go out again (epoch ms), or null. */
export async function getProviderHold(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<number | null> {
  const e = await kv.get<ProviderHoldRecord>(keys.calendarHold(hostId, accountId));
  return e.value?.untilMs ?? null;
}

/** Holds every call of the account until `untilMs` (a later hold is never shortened). */
export async function holdProvider(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
  untilMs: number,
  nowMs: number,
): Promise<void> {
  const key = keys.calendarHold(hostId, accountId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await kv.get<ProviderHoldRecord>(key);
    if (cur.value && cur.value.untilMs >= untilMs) return;
    const res = await kv.atomic().check(cur).set(
      key,
      { v: 1, untilMs } satisfies ProviderHoldRecord,
      {
        // The time is checked on read; expiry only sweeps the record later.
        expireIn: Math.max(0, untilMs - nowMs) + 3_600_000,
      },
    ).commit();
    if (res.ok) return;
  }
}

/** Ends a hold that is over (a call after it succeeded), unless a later one replaced it. */
export async function releaseProviderHold(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
  untilMs: number,
): Promise<void> {
  const key = keys.calendarHold(hostId, accountId);
  const cur = await kv.get<ProviderHoldRecord>(key);
  if (cur.value && cur.value.untilMs <= untilMs) await kv.atomic().check(cur).delete(key).commit();
}

// ── OAuth tokens and authorizations ───────────────────────────────────────

export async function getTokenEntry(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntryMaybe<CalendarTokenRecord>> {
  return await kv.get<CalendarTokenRecord>(keys.calendarToken(hostId, accountId));
}

/** Replaces the token record if it is still `current`; with `alsoCheck`, also checks the account. */
export async function casToken(
  kv: Deno.Kv,
  current: Deno.KvEntryMaybe<CalendarTokenRecord>,
  next: CalendarTokenRecord,
  extra?: (op: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const op = kv.atomic().check(current).set(current.key, next);
  extra?.(op);
  return (await op.commit()).ok;
}

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export async function putOAuthState(
  kv: Deno.Kv,
  stateHash: string,
  rec: OAuthStateRecord,
): Promise<void> {
  await kv.set(keys.oauthState(stateHash), rec, { expireIn: OAUTH_STATE_TTL_MS + 60_000 });
}

/**
 * Takes a started authorization exactly once: of two callbacks with the same state (a replay, a
 * double click) one gets the record, the other null. Expired records count as absent.
 */
export async function takeOAuthState(
  kv: Deno.Kv,
  stateHash: string,
  nowMs: number,
): Promise<OAuthStateRecord | null> {
  const cur = await kv.get<OAuthStateRecord>(keys.oauthState(stateHash));
  if (!cur.value) return null;
  // Taken by this callback even when the answer was lost (remote KV, ADR 038): the receipt says.
  const ok = (await commitWithReceipt(kv, kv.atomic().check(cur).delete(cur.key))).ok;
  if (!ok || cur.value.expiresMs < nowMs) return null;
  return cur.value;
}
