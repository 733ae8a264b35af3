/**
 * The plan being built, and its budget: every check and write a change makes goes through a
 * `Draft`, which names entries through the store's `keyOf`, marks whose busy time changed, and
 * measures the write against remote KV's limits when it is finished.
 */
import type { OutboxPayload } from "../model/records.ts";
import { type Budget, exceeds, keyBytes, type KvLimits, valueBytes } from "../kv-budget.ts";
import type { Entry, Key, KeyOf } from "../model/entries.ts";
import type { PlannedJob } from "./effects.ts";
import type { Plan, PlannedWrite, PlanResult } from "./types.ts";

const bigintText = (_: string, v: unknown) => typeof v === "bigint" ? `${v}n` : v;
/** A key as text, to find it in a map (JSON's own fast path unless a part is a bigint). */
export const keyText = (k: Key) =>
  k.some((p) => typeof p === "bigint") ? JSON.stringify(k, bigintText) : JSON.stringify(k);

/** Whether two keys are the same (part by part; cheaper than comparing their text). */
export function sameKey(a: Key, b: Key): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (!(x instanceof Uint8Array && y instanceof Uint8Array)) return false;
    if (x.length !== y.length || x.some((v, k) => v !== y[k])) return false;
  }
  return true;
}

/**
 * The pointers a queued job is found by besides its due time (store/outbox.ts writes, moves and
 * deletes them with it): a booking's mails and calendar writes under the booking (its page lists
 * them), a webhook body of its own (`host_event`) under each person who hears it (erasing a
 * guest drops those that name them, ADR 022), and a sign-in mail as urgent: somebody is waiting
 * on "Check your email" for it, and in due order it went out after every mail queued before it
 * (a big poll's sixty invitations).
 */
export function jobPointers(p: OutboxPayload, jobId: string): Entry[] {
  if (p.kind === "sealed_mail") return [{ kind: "outboxUrgent", id: jobId }];
  if (p.kind === "booking_mail" || p.kind === "writeback") {
    return [{ kind: "outboxByBooking", bookingId: p.bookingId, id: jobId }];
  }
  if (p.kind === "host_event") {
    return p.personIds.map((personId) => ({ kind: "outboxByPerson", personId, id: jobId }));
  }
  return [];
}

/** A job's mutations: the outbox entry and its pointers. */
export function jobMutations(p: OutboxPayload): number {
  return 1 + jobPointers(p, "").length;
}

const JOB_ID = "0".repeat(26);

function jobBytes(j: PlannedJob, keyOf: KeyOf): number {
  const record = {
    v: 1,
    id: JOB_ID,
    dueMs: j.dueMs,
    payload: j.payload,
    attempts: 0,
    createdAtMs: j.dueMs,
    lastError: null,
    claimedBy: null,
    // The request that queued it, when there is one (ops/context.ts: at most 64 characters).
    requestId: "x".repeat(64),
    ...(j.lane ? { lane: j.lane } : {}),
  };
  let n = keyBytes(keyOf({ kind: "outbox", dueMs: j.dueMs, id: JOB_ID })) + valueBytes(record);
  // A pointer's value is the job's due time (a number).
  for (const e of jobPointers(j.payload, JOB_ID)) n += keyBytes(keyOf(e)) + 9;
  return n;
}

export const isEntry = (t: Key | Entry): t is Entry => !Array.isArray(t);

export class Draft {
  readonly #checks = new Map<string, { key: Key; versionstamp: string | null }>();
  readonly #writes = new Map<string, PlannedWrite>();
  /** Whose busy entries this write adds or removes. */
  readonly #busyTouched = new Set<string>();
  readonly jobs: PlannedJob[] = [];

  constructor(readonly keyOf: KeyOf) {}

  /** The key of an entry (as the store names it), or a key as read or given. */
  key(t: Key | Entry): Key {
    if (!isEntry(t)) return t;
    if (t.kind === "busy") this.#busyTouched.add(t.personId);
    return this.keyOf(t);
  }

  check(e: { key: Key; versionstamp: string | null }) {
    const t = keyText(e.key);
    const had = this.#checks.get(t);
    if (had && had.versionstamp !== e.versionstamp) {
      throw new Error(`two versionstamps checked for ${t}`);
    }
    this.#checks.set(t, { key: e.key, versionstamp: e.versionstamp });
  }
  set(target: Key | Entry, value: unknown, expireInMs?: number) {
    const key = this.key(target);
    this.#writes.set(keyText(key), { op: "set", key, value, expireInMs });
  }
  delete(target: Key | Entry) {
    const key = this.key(target);
    const t = keyText(key);
    // A key this change writes is never also deleted by it (e.g. a pruned copy of our own entry).
    if (this.#writes.get(t)?.op !== "set") this.#writes.set(t, { op: "delete", key });
  }
  deleteAll(ks: (Key | Entry)[]) {
    for (const k of ks) this.delete(k);
  }
  job(...js: PlannedJob[]) {
    this.jobs.push(...js);
  }

  finish(
    kind: Plan["kind"],
    rest: Pick<
      Plan,
      "booking" | "retired" | "made" | "coordinator" | "probe" | "partial" | "roomLeft"
    >,
    limits: KvLimits,
  ): PlanResult {
    // Whoever's busy entries this write adds or removes gets a new busy revision, so a page's
    // copy of their busy time is read again (store/busy-cache.ts). Set blindly, never checked.
    for (const p of [...this.#busyTouched]) this.set({ kind: "busyRev", personId: p }, { v: 1 });
    const checks = [...this.#checks.values()];
    const writes = [...this.#writes.values()];
    const budget: Budget = {
      checks: checks.length,
      mutations: writes.length,
      bytes: 0,
      largestValueBytes: 0,
      largestKeyBytes: 0,
    };
    for (const w of writes) {
      const kb = keyBytes(w.key);
      budget.largestKeyBytes = Math.max(budget.largestKeyBytes, kb);
      budget.bytes += kb;
      if (w.op === "set") {
        const vb = valueBytes(w.value);
        budget.largestValueBytes = Math.max(budget.largestValueBytes, vb);
        budget.bytes += vb;
      }
    }
    for (const j of this.jobs) {
      budget.mutations += jobMutations(j.payload);
      budget.bytes += jobBytes(j, this.keyOf);
    }
    if (exceeds(budget, limits)) return { ok: false, reason: "too_large" };
    return { ok: true, plan: { kind, checks, writes, jobs: this.jobs, budget, ...rest } };
  }
}
