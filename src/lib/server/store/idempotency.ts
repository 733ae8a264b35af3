/**
 * Idempotency-Key records. `idempotency` holds the request's fingerprint and, once answered, the
 * answer; `idempotency_commit` is written by the change itself (as an extra write of the booking
 * commit, checked absent), so a change happens at most once per key whatever crashes or races.
 */
import { keys } from "./keys.ts";
import { keyBytes, REMOTE_KV_LIMITS, valueBytes } from "../domain/kv-budget.ts";
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

/**
 * Stores a finished run's answer; settles once it is written. Answers finished while a write is
 * on its way go together in the next one: an API booking's answer was a commit of its own, one
 * of its two (issue 26). Each write stays well inside remote KV's limits (domain/kv-budget.ts).
 */
export function finishRun(
  kv: Deno.Kv,
  scope: string,
  key: string,
  rec: IdempotencyRecord,
): Promise<void> {
  const k = keys.idempotency(scope, key);
  return new Promise((resolve, reject) => {
    let q = queues.get(kv);
    if (!q) queues.set(kv, q = { waiting: [], draining: false });
    q.waiting.push({ key: k, rec, bytes: keyBytes(k) + valueBytes(rec), resolve, reject });
    if (!q.draining) void drain(kv, q);
  });
}

type Finished = {
  key: Deno.KvKey;
  rec: IdempotencyRecord;
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
};
type Queue = { waiting: Finished[]; draining: boolean };
const queues = new WeakMap<Deno.Kv, Queue>();
const BATCH_SETS = 200;
const BATCH_BYTES = REMOTE_KV_LIMITS.bytes / 2;

async function drain(kv: Deno.Kv, q: Queue): Promise<void> {
  q.draining = true;
  try {
    while (q.waiting.length) {
      let n = 0;
      let bytes = 0;
      while (
        n < q.waiting.length && n < BATCH_SETS &&
        (n === 0 || bytes + q.waiting[n].bytes <= BATCH_BYTES)
      ) bytes += q.waiting[n++].bytes;
      const batch = q.waiting.splice(0, n);
      const op = kv.atomic();
      for (const f of batch) op.set(f.key, f.rec, { expireIn: IDEMPOTENCY_TTL_MS });
      try {
        await op.commit();
        for (const f of batch) f.resolve();
      } catch (err) {
        for (const f of batch) f.reject(err);
      }
    }
  } finally {
    q.draining = false;
  }
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
