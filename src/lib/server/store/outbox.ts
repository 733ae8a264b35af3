/**
 * The outbox: side effects (mails, calendar writes) queued in the same atomic write as the state
 * change that causes them, then drained by a cron job. The key carries the due time so a range
 * scan finds due work; moving a job (claim, retry) is a delete plus a set in one atomic write.
 */
import { type JobId, keyOf, keys, type PersonId } from "./keys.ts";
import { jobPointers } from "../domain/booking-engine/draft.ts";
import type { Key } from "../domain/model/entries.ts";
import type { OutboxPayload, OutboxRecord } from "../domain/model/records.ts";
import { commitOrReread, getEntries } from "./kv.ts";
import { newId } from "./users.ts";
import { currentRequestId } from "../ops/context.ts";

/** A job's kind for metrics and logs: a few fixed values, never an id. */
export function jobKind(job: OutboxRecord): string {
  const p = job.payload;
  return p.kind === "booking_mail" ? `mail_${p.mail}` : p.kind;
}

export function newOutboxRecord(
  payload: OutboxPayload,
  nowMs: number,
  dueMs = nowMs,
  lane?: string,
): OutboxRecord {
  const requestId = currentRequestId();
  return {
    v: 1,
    id: newId(nowMs),
    dueMs,
    payload,
    attempts: 0,
    createdAtMs: nowMs,
    lastError: null,
    claimedBy: null,
    ...(requestId ? { requestId } : {}),
    ...(lane ? { lane } : {}),
  };
}

/** The keys of a job's pointers (domain/booking-engine/draft.ts `jobPointers`). */
const indexKeys = (job: OutboxRecord): Key[] => jobPointers(job.payload, job.id).map(keyOf);

/**
 * A job and its pointers as plain writes, for a write the caller does not build itself (a
 * booking change's extra writes): what `enqueue` adds.
 */
export function outboxWrites(job: OutboxRecord): { key: Key; value: unknown }[] {
  return [
    { key: keys.outbox(job.dueMs, job.id), value: job },
    ...indexKeys(job).map((key) => ({ key, value: job.dueMs })),
  ];
}

/** Adds the job to an atomic operation the caller commits together with its state change. */
export function enqueue(op: Deno.AtomicOperation, job: OutboxRecord): Deno.AtomicOperation {
  for (const w of outboxWrites(job)) op.set(w.key, w.value);
  return op;
}

/** Removes a job and its pointers in an operation the caller commits (`enqueue` undone). */
export function dequeue(op: Deno.AtomicOperation, job: OutboxRecord): Deno.AtomicOperation {
  op.delete(keys.outbox(job.dueMs, job.id));
  for (const key of indexKeys(job)) op.delete(key);
  return op;
}

/**
 * Due jobs, at most `limit` in due order after the due urgent ones (`jobPointers`: a sign-in mail
 * somebody waits for goes before the mails queued ahead of it, ADR 037), each job once.
 */
export async function listDue(
  kv: Deno.Kv,
  nowMs: number,
  limit: number,
): Promise<Deno.KvEntry<OutboxRecord>[]> {
  const out = await urgentDue(kv, nowMs, limit);
  const taken = new Set(out.map((e) => e.value.id));
  for await (
    const e of kv.list<OutboxRecord>({
      start: keys.outboxPrefix(),
      end: keys.outboxUntil(nowMs + 1),
    }, { limit })
  ) if (!taken.has(e.value.id)) out.push(e);
  return out;
}

/** The due urgent jobs: a few at any time, so one short list of the pointers and a read of each. */
async function urgentDue(
  kv: Deno.Kv,
  nowMs: number,
  limit: number,
): Promise<Deno.KvEntry<OutboxRecord>[]> {
  const due: Key[] = [];
  for await (const e of kv.list<number>({ prefix: keys.outboxUrgentPrefix() }, { limit })) {
    // -1: parked after its last attempt; later: claimed, or waiting for a retry.
    if (e.value >= 0 && e.value <= nowMs) due.push(keys.outbox(e.value, e.key[1] as JobId));
  }
  // Moved on since its pointer was read (taken, done): its new place is not due.
  return (await getEntries<OutboxRecord>(kv, due)).filter((e): e is Deno.KvEntry<OutboxRecord> =>
    e.value !== null
  );
}

/** When the next queued job is due (a claimed one: when its claim runs out), or null if none. */
export async function nextDueMs(kv: Deno.Kv): Promise<number | null> {
  for await (const e of kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() }, { limit: 1 })) {
    return e.value.dueMs;
  }
  return null;
}

/**
 * Takes a due job for `leaseMs`: it moves to due = now + leaseMs, so if this worker dies the job
 * becomes due again; if another worker claimed it first the versionstamp check fails.
 */
export async function claim(
  kv: Deno.Kv,
  entry: Deno.KvEntry<OutboxRecord>,
  worker: string,
  leaseMs: number,
  nowMs: number,
): Promise<OutboxRecord | null> {
  const job = entry.value;
  const claimed: OutboxRecord = {
    ...job,
    dueMs: nowMs + leaseMs,
    attempts: job.attempts + 1,
    claimedBy: worker,
  };
  const op = kv.atomic().check(entry).delete(entry.key);
  enqueue(op, claimed);
  // A claim whose answer was lost (remote KV) is ours if the job sits where we moved it.
  const res = await commitOrReread(op, async () => {
    const cur = (await kv.get<OutboxRecord>(keys.outbox(claimed.dueMs, job.id))).value;
    return cur?.claimedBy === worker && cur.attempts === claimed.attempts;
  });
  return res.ok ? claimed : null;
}

/**
 * A claimed job where its claim put it; no value once it was completed, dropped (erasing a guest
 * drops a queued body that names them) or taken over by another run after the claim ran out.
 */
export async function getQueuedEntry(
  kv: Deno.Kv,
  job: OutboxRecord,
): Promise<Deno.KvEntryMaybe<OutboxRecord>> {
  return await kv.get<OutboxRecord>(keys.outbox(job.dueMs, job.id));
}

export async function complete(kv: Deno.Kv, job: OutboxRecord): Promise<void> {
  const op = kv.atomic().delete(keys.outbox(job.dueMs, job.id));
  for (const key of indexKeys(job)) op.delete(key);
  await op.commit();
}

/**
 * Moves a claimed job on (`then` adds where to), in one write checking it is still where its
 * claim put it. A job no longer there is not put back: an erasure dropped it while it ran (its
 * body named an erased guest, and would come back), or its claim ran out and another run took
 * it over (it would then be queued twice).
 */
async function moveClaimed(
  kv: Deno.Kv,
  job: OutboxRecord,
  then: (op: Deno.AtomicOperation) => void,
): Promise<void> {
  const entry = await getQueuedEntry(kv, job);
  if (!entry.value) return;
  const op = kv.atomic().check(entry).delete(entry.key);
  then(op);
  await op.commit();
}

export async function retryLater(
  kv: Deno.Kv,
  job: OutboxRecord,
  dueMs: number,
  error: string,
): Promise<void> {
  const next: OutboxRecord = { ...job, dueMs, lastError: error.slice(0, 500), claimedBy: null };
  await moveClaimed(kv, job, (op) => enqueue(op, next));
}

/**
 * Puts a claimed job back, due at `dueMs`, as it was before the claim: the attempt the claim
 * counted is given back and no error is recorded (the job waited; it did not fail).
 */
export async function waitLater(kv: Deno.Kv, job: OutboxRecord, dueMs: number): Promise<void> {
  const next: OutboxRecord = {
    ...job,
    dueMs,
    attempts: Math.max(0, job.attempts - 1),
    claimedBy: null,
  };
  await moveClaimed(kv, job, (op) => enqueue(op, next));
}

export async function giveUp(kv: Deno.Kv, job: OutboxRecord, error: string): Promise<void> {
  const failed: OutboxRecord = { ...job, lastError: error.slice(0, 500), claimedBy: null };
  await moveClaimed(kv, job, (op) => {
    op.set(keys.outboxFailed(job.id), failed);
    for (const key of indexKeys(job)) op.set(key, -1);
  });
}

/**
 * Tries at dropping one job that moves on meanwhile (a claim, a retry) before leaving it. Each
 * failed try means the job moved (or is gone): a job moves twice per delivery attempt, so this
 * outlasts any outbox run in practice. With 8, a job that runs took and put back nine times
 * during one erasure was left, to be sent naming the erased guest.
 */
const DROP_ATTEMPTS = 64;

/**
 * Erasing a guest (ADR 022): every `host_event` job that `personId` hears, queued or parked,
 * whose body `names` is deleted with its index entries, so its fan-out never writes a message
 * from it (the fan-out's own write checks the job is still there, store/webhooks.ts
 * `insertMessage`), and a run that held it when it went does not put it back (`moveClaimed`).
 * The whole body goes, not its words about the guest, as for a message (ADR 022). Each job is
 * one write checking the job as read: a claim moving it meanwhile is followed. Returns how many
 * went.
 */
export async function dropHostEventsNaming(
  kv: Deno.Kv,
  personId: PersonId,
  names: (text: string) => boolean,
): Promise<number> {
  let dropped = 0;
  for await (const first of kv.list<number>({ prefix: keys.outboxByPersonPrefix(personId) })) {
    const id = first.key[2] as JobId;
    for (let attempt = 0; attempt < DROP_ATTEMPTS; attempt++) {
      const at = attempt === 0 ? first : await kv.get<number>(first.key);
      // Done meanwhile: the messages it wrote are found by the erasure's next step.
      if (at.value === null) break;
      const job = await kv.get<OutboxRecord>(
        at.value === -1 ? keys.outboxFailed(id) : keys.outbox(at.value, id),
      );
      if (!job.value) continue; // moved on since the index was read
      const p = job.value.payload;
      if (p.kind !== "host_event" || !names(p.body)) break;
      // The job as read: every move of it rewrites it and its index entries in one write.
      const op = kv.atomic().check(job).delete(job.key);
      for (const key of indexKeys(job.value)) op.delete(key);
      if ((await op.commit()).ok) {
        dropped++;
        break;
      }
    }
  }
  return dropped;
}

/** Every job of a booking, queued or failed, for the dashboard. */
export async function listBookingJobs(
  kv: Deno.Kv,
  bookingId: string,
): Promise<{ job: OutboxRecord; failed: boolean }[]> {
  const out: { job: OutboxRecord; failed: boolean }[] = [];
  for await (const e of kv.list<number>({ prefix: keys.outboxByBookingPrefix(bookingId) })) {
    const id = e.key[2] as JobId;
    const due = e.value;
    const rec = due === -1
      ? (await kv.get<OutboxRecord>(keys.outboxFailed(id))).value
      : (await kv.get<OutboxRecord>(keys.outbox(due, id))).value;
    if (rec) out.push({ job: rec, failed: due === -1 });
  }
  return out;
}

/**
 * Moves a failed job back into the queue, due now, with a fresh retry budget (the host pressed
 * "Retry"). Checks the failed entry, so two clicks requeue it once. Returns the requeued job.
 */
export async function requeueFailed(
  kv: Deno.Kv,
  id: JobId,
  nowMs: number,
): Promise<OutboxRecord | null> {
  const failed = await kv.get<OutboxRecord>(keys.outboxFailed(id));
  if (!failed.value) return null;
  const job: OutboxRecord = {
    ...failed.value,
    dueMs: nowMs,
    attempts: 0,
    lastError: null,
    claimedBy: null,
  };
  const op = kv.atomic().check(failed).delete(keys.outboxFailed(id));
  enqueue(op, job);
  return (await op.commit()).ok ? job : null;
}

/** A failed job, for checking whose it is before acting on it. */
export async function getFailedJob(kv: Deno.Kv, id: JobId): Promise<OutboxRecord | null> {
  return (await kv.get<OutboxRecord>(keys.outboxFailed(id))).value;
}

/** Parked jobs, oldest id first, at most `limit` (for the insights health panel). */
export async function listFailedJobs(kv: Deno.Kv, limit: number): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of kv.list<OutboxRecord>({ prefix: keys.outboxFailedPrefix() }, { limit })) {
    out.push(e.value);
  }
  return out;
}
