/**
 * Idempotency-Key records. `idempotency` holds the request's fingerprint and, once answered, the
 * answer; `idempotency_commit` is written by the change itself (as an extra write of the booking
 * commit, checked absent), so a change happens at most once per key whatever crashes or races.
 *
 * An answer is stored as deflated JSON (`bodyZ`). As JSON an API booking's answer made a stored
 * row of ~1,290 B, past the ~1,000 B a row of Deno KV's SQLite table keeps in its B-tree page,
 * so each one also wrote (and a replay read) an overflow page of 4 KiB of its own; deflated (its
 * four links repeat one token) it is ~600 B (issue 26). Rows written with `body` before stay
 * readable until they expire. A new booking's answer rides in its own commit instead, carried by
 * the key's `idempotency_commit` record (`commitWithAnswer`; ADR 018's sixth-session amendment).
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { keys } from "./keys.ts";
import { keyBytes, REMOTE_KV_LIMITS, valueBytes } from "../domain/kv-budget.ts";
import type { IdempotencyCommitRecord, IdempotencyRecord } from "../domain/model/records.ts";

/** An answer as stored: the body deflated, or (rows from before) as it was. */
type StoredRecord = Omit<IdempotencyRecord, "body"> & { body?: unknown; bodyZ?: Uint8Array };

/** Room left in a value for the rest of the record; a larger answer is not kept (rebuilt instead). */
const MAX_STORED_BYTES = REMOTE_KV_LIMITS.valueBytes - 1024;

/** The record as stored (the bench's raw commits write the same value). */
export function storedIdempotency(rec: IdempotencyRecord): StoredRecord {
  if (rec.body === undefined) return rec;
  const { body, ...rest } = rec;
  const stored: StoredRecord = { ...rest, bodyZ: deflated(body) };
  return valueBytes(stored) > MAX_STORED_BYTES ? rest : stored;
}

/**
 * Level 1: an answer is under 2 KB and its redundancy is the links' repeated token, which the
 * fastest level finds too (an API booking's answer: 386 B against 324 B at the default level), in
 * less than half the time — this runs in every API booking's commit (issue 26). Output chunks of
 * 2 KB instead of node:zlib's 16 KB: an answer fits one, taken from Buffer's shared pool rather
 * than a buffer of its own per call (18 → 9 µs per answer on this box; a larger one takes more).
 */
const deflated = (body: unknown) =>
  new Uint8Array(deflateRawSync(JSON.stringify(body), { level: 1, chunkSize: 2048 }));

/**
 * A commit record that carries its change's answer (the bench's raw commits write the same
 * value); without it when the answer is too large for one value even deflated (the record then
 * rebuilds it from what was committed).
 */
export function commitWithAnswer(
  commit: IdempotencyCommitRecord,
  answer: { status: number; body: unknown },
): IdempotencyCommitRecord {
  const withAnswer = { ...commit, answer: { status: answer.status, bodyZ: deflated(answer.body) } };
  return valueBytes(withAnswer) > MAX_STORED_BYTES ? commit : withAnswer;
}

/** The answer a commit record carries, or null. */
export function answerOfCommit(
  commit: IdempotencyCommitRecord,
): { status: number; body: unknown } | null {
  if (!commit.answer) return null;
  const body = JSON.parse(new TextDecoder().decode(inflateRawSync(commit.answer.bodyZ)));
  return { status: commit.answer.status, body };
}

function decode(rec: StoredRecord | null): IdempotencyRecord | null {
  if (!rec?.bodyZ) return rec as IdempotencyRecord | null;
  const { bodyZ, ...rest } = rec;
  return { ...rest, body: JSON.parse(new TextDecoder().decode(inflateRawSync(bodyZ))) };
}

/** Kept a day and an hour; readers treat anything younger than a day as binding. */
export const IDEMPOTENCY_TTL_MS = 25 * 3_600_000;

export async function readIdempotency(
  kv: Deno.Kv,
  scope: string,
  key: string,
): Promise<
  [Deno.KvEntryMaybe<IdempotencyRecord>, Deno.KvEntryMaybe<IdempotencyCommitRecord>]
> {
  const [run, commit] = await kv.getMany<[StoredRecord, IdempotencyCommitRecord]>([
    keys.idempotency(scope, key),
    keys.idempotencyCommit(scope, key),
  ]);
  return [{ ...run, value: decode(run.value) } as Deno.KvEntryMaybe<IdempotencyRecord>, commit];
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
 * of its two (issue 26). Each write stays well inside remote KV's limits (domain/kv-budget.ts);
 * an answer too large for one value even deflated is stored without it (its run's commit record
 * rebuilds it).
 */
export function finishRun(
  kv: Deno.Kv,
  scope: string,
  key: string,
  rec: IdempotencyRecord,
): Promise<void> {
  const k = keys.idempotency(scope, key);
  const stored = storedIdempotency(rec);
  return new Promise((resolve, reject) => {
    let q = queues.get(kv);
    if (!q) queues.set(kv, q = { waiting: [], draining: false });
    q.waiting.push({
      key: k,
      rec: stored,
      bytes: keyBytes(k) + valueBytes(stored),
      resolve,
      reject,
    });
    if (!q.draining) void drain(kv, q);
  });
}

type Finished = {
  key: Deno.KvKey;
  rec: StoredRecord;
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

/**
 * Erasing a guest (ADR 022): for each change made under an Idempotency-Key for which `made`
 * names a booking (one that named the guest), the kept answer (the booking as it was, with its
 * guest's links) is deleted, and a commit record that names the guest's address (a new
 * booking's) names the booking alone from then on. The key stays used: a retry of the request
 * changes nothing and is refused as a duplicate; nothing left names the guest. An anonymous
 * request's scope is a hash of who sent it, so the records are found by what they committed:
 * the commit records of the last day and an hour (their lifetime), one small row per booking
 * change made under a key. Returns how many answers went.
 */
export async function eraseIdempotentAnswers(
  kv: Deno.Kv,
  made: (target: IdempotencyCommitRecord["target"]) => string | null,
  nowMs: number,
): Promise<number> {
  let erased = 0;
  for await (
    const e of kv.list<IdempotencyCommitRecord>({ prefix: keys.idempotencyCommitPrefix() })
  ) {
    const bookingId = made(e.value.target);
    if (bookingId === null) continue;
    const [, scope, key] = e.key as [string, string, string];
    const op = kv.atomic().check(e).delete(keys.idempotency(scope, key));
    const left = e.value.atMs + IDEMPOTENCY_TTL_MS - nowMs;
    if (left <= 0) op.delete(e.key);
    else if (e.value.target.kind === "new_booking" || e.value.answer) {
      // The answer a commit record carries is the booking as it was, with the guest's links.
      const { answer: _answer, ...rest } = e.value;
      op.set(
        e.key,
        { ...rest, target: { kind: "booking", bookingId } } satisfies IdempotencyCommitRecord,
        { expireIn: left },
      );
    }
    // A commit record is written once: a failed check means it expired meanwhile.
    if ((await op.commit()).ok) erased++;
  }
  return erased;
}
