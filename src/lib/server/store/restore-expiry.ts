/**
 * When a restored entry goes again. Deno KV cannot read a key's expiry back, so a backup does not
 * hold it, and a restore that wrote every entry plainly made records that are meant to end
 * permanent: webhook bodies and kept API answers (which name guests: they end on their own, and
 * a guest's erasure takes those that name them, ADR 022), sessions' indexes, held usernames.
 * Each such record says in its value when it ends, or when it was made under a known lifetime;
 * this is read from there, by the prefix its write used.
 */
import { keys } from "./keys.ts";
import { IDEMPOTENCY_TTL_MS } from "./idempotency.ts";
import { WEBHOOK_LOG_TTL_MS } from "./webhooks.ts";
import { BACKUP_RESULT_KEEP_MS } from "./backup-results.ts";
import type { UserId } from "./keys.ts";
import type { CalendarAccountId } from "../domain/model/ids.ts";

/**
 * The least time a restored entry that has not ended yet is given: the restore reads every entry
 * back before it declares the store whole, and an entry that expired in between would fail that
 * check. It ends a little later than it would have; its readers check its time where it matters.
 */
export const RESTORED_MIN_LIFE_MS = 24 * 3_600_000;

// deno-lint-ignore no-explicit-any
type Ends = (value: any, key: Deno.KvKey, sessions: ReadonlyMap<unknown, number>) => number;

const H = 3_600_000;
const X = "";
const prefix = (key: Deno.KvKey) => String(key[0]);

/** When each kind of expiring record ends (ms since epoch), from its value (see its write). */
const ENDS: ReadonlyMap<string, Ends> = new Map<string, Ends>([
  [prefix(keys.session(X)), (v) => v.expiresMs],
  // The index of a session ends with it; the sessions come first in a backup (key order).
  [prefix(keys.sessionByUser(X as UserId, X)), (_v, k, sessions) => sessions.get(k[2]) ?? 0],
  [prefix(keys.verificationToken(X, X)), (v) => v.expiresMs],
  [prefix(keys.usernameReleased(X)), (v) => v.untilMs],
  [prefix(keys.calendarHold(X as UserId, X as CalendarAccountId)), (v) => v.untilMs + H],
  [prefix(keys.oauthState(X)), (v) => v.expiresMs + 60_000],
  [prefix(keys.idempotency(X, X)), (v) => v.createdAtMs + IDEMPOTENCY_TTL_MS],
  [prefix(keys.idempotencyCommit(X, X)), (v) => v.atMs + IDEMPOTENCY_TTL_MS],
  [prefix(keys.webhookMessage(X)), (v) => v.createdAtMs + WEBHOOK_LOG_TTL_MS],
  [prefix(keys.webhookMessageByPerson(X, X, X)), (v) => v + WEBHOOK_LOG_TTL_MS],
  [prefix(keys.webhookAttempt(X as UserId, X, X)), (v) => v.atMs + WEBHOOK_LOG_TTL_MS],
  // A held delivery ends with its message (store/webhooks.ts `holdDelivery`), made at its job's
  // instant (a Send again a little before): never before its message.
  [prefix(keys.webhookHeld(X as UserId, X, X)), (v) => v.createdAtMs + WEBHOOK_LOG_TTL_MS],
  [prefix(keys.audit(0, X)), (v) => v.expiresAtMs],
  [prefix(keys.backupResult(0, X)), (v) => v.atMs + BACKUP_RESULT_KEEP_MS],
]);

export type RestoredLife =
  | { kind: "keep" }
  | { kind: "expire"; inMs: number }
  | { kind: "ended" };

/**
 * What a restore does with one entry of the file, read in file order: keeps it, gives it an
 * expiry, or leaves it out because it had already ended when the backup was restored (it was
 * only waiting for the old store's sweep). `seen` carries what later entries depend on (the
 * sessions' ends); the same entries in the same order always get the same answers, so the
 * check before writing and the writing agree.
 */
export function restoredLife(
  key: Deno.KvKey,
  value: unknown,
  nowMs: number,
  seen: Map<unknown, number>,
): RestoredLife {
  const ends = ENDS.get(prefix(key));
  if (!ends) return { kind: "keep" };
  const endMs = Number(ends(value, key, seen));
  if (prefix(key) === prefix(keys.session(X))) seen.set(key[1], endMs);
  // A value without its time (an older shape) was written to end too: it gets the least life.
  if (!Number.isFinite(endMs)) return { kind: "expire", inMs: RESTORED_MIN_LIFE_MS };
  if (endMs <= nowMs) return { kind: "ended" };
  return { kind: "expire", inMs: Math.max(endMs - nowMs, RESTORED_MIN_LIFE_MS) };
}
