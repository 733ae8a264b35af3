/**
 * The outbox: side effects (mails, calendar writes) queued in the same atomic write as the state
 * change that causes them, then drained by a cron job. The key carries the due time so a range
 * scan finds due work; moving a job (claim, retry) is a delete plus a set in one atomic write.
 */
import { type JobId, keys } from "./keys.ts";
import type { OutboxPayload, OutboxRecord } from "../domain/model/records.ts";
import { commitOrReread } from "./kv.ts";
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
  };
}

/** Adds the job to an atomic operation the caller commits together with its state change. */
export function enqueue(op: Deno.AtomicOperation, job: OutboxRecord): Deno.AtomicOperation {
  op.set(keys.outbox(job.dueMs, job.id), job);
  if (job.payload.kind === "booking_mail" || job.payload.kind === "writeback") {
    op.set(keys.outboxByBooking(job.payload.bookingId, job.id), job.dueMs);
  }
  return op;
}

export async function listDue(
  kv: Deno.Kv,
  nowMs: number,
  limit: number,
): Promise<Deno.KvEntry<OutboxRecord>[]> {
  const out: Deno.KvEntry<OutboxRecord>[] = [];
  for await (
    const e of kv.list<OutboxRecord>({
      start: keys.outboxPrefix(),
      end: keys.outboxUntil(nowMs + 1),
    }, { limit })
  ) out.push(e);
  return out;
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

export async function complete(kv: Deno.Kv, job: OutboxRecord): Promise<void> {
  const op = kv.atomic().delete(keys.outbox(job.dueMs, job.id));
  if (job.payload.kind === "booking_mail" || job.payload.kind === "writeback") {
    op.delete(keys.outboxByBooking(job.payload.bookingId, job.id));
  }
  await op.commit();
}

export async function retryLater(
  kv: Deno.Kv,
  job: OutboxRecord,
  dueMs: number,
  error: string,
): Promise<void> {
  const next: OutboxRecord = { ...job, dueMs, lastError: error.slice(0, 500), claimedBy: null };
  const op = kv.atomic().delete(keys.outbox(job.dueMs, job.id));
  enqueue(op, next);
  await op.commit();
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
  const op = kv.atomic().delete(keys.outbox(job.dueMs, job.id));
  enqueue(op, next);
  await op.commit();
}

export async function giveUp(kv: Deno.Kv, job: OutboxRecord, error: string): Promise<void> {
  const failed: OutboxRecord = { ...job, lastError: error.slice(0, 500), claimedBy: null };
  const op = kv.atomic().delete(keys.outbox(job.dueMs, job.id)).set(
    keys.outboxFailed(job.id),
    failed,
  );
  if (job.payload.kind === "booking_mail" || job.payload.kind === "writeback") {
    op.set(keys.outboxByBooking(job.payload.bookingId, job.id), -1);
  }
  await op.commit();
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
