/**
 * Idempotency-Key records. `idempotency` holds the request's fingerprint and, once answered, the
 * answer; `idempotency_commit` is written by the change itself (as an extra write of the booking
 * commit, checked absent), so a change happens at most once per key whatever crashes or races.
 */
import { keys } from "./keys.ts";
import type { IdempotencyCommitRecord, IdempotencyRecord } from "../domain/model/records.ts";

/** Kept a day and an hour; readers treat anything younger than a day as binding. */
export const IDEMPOTENCY_TTL_MS = 25 * 3_600_000;

export async function readIdempotency(
  kv: Deno.Kv,
  scope: string,
  key: string,
): Promise<
  [Deno.KvEntryMaybe<IdempotencyRecord>, Deno.KvEntryMaybe<IdempotencyCommitRecord>]
> {
  const [run, commit] = await kv.getMany<[IdempotencyRecord, IdempotencyCommitRecord]>([
    keys.idempotency(scope, key),
    keys.idempotencyCommit(scope, key),
  ]);
  return [run, commit];
}

/** Claims the key for a run; false when another request changed it since `seen` was read. */
export async function startRun(
  kv: Deno.Kv,
  seen: Deno.KvEntryMaybe<IdempotencyRecord>,
  rec: IdempotencyRecord,
): Promise<Deno.KvCommitResult | null> {
  const res = await kv.atomic().check(seen).set(seen.key, rec, { expireIn: IDEMPOTENCY_TTL_MS })
    .commit();
  return res.ok ? res : null;
}

export async function finishRun(
  kv: Deno.Kv,
  scope: string,
  key: string,
  rec: IdempotencyRecord,
): Promise<void> {
  await kv.set(keys.idempotency(scope, key), rec, { expireIn: IDEMPOTENCY_TTL_MS });
}

/** Lets the key be used again (the run changed nothing and its answer is not worth keeping). */
export async function abandonRun(
  kv: Deno.Kv,
  scope: string,
  key: string,
  versionstamp: string,
): Promise<void> {
  await kv.atomic().check({ key: keys.idempotency(scope, key), versionstamp })
    .delete(keys.idempotency(scope, key)).commit();
}
