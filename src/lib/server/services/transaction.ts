/**
 * The one transaction runner: snapshot → plan → guarded commit, and the only retry loop of the
 * booking engine. Every booking change (book, confirm, reject, cancel, expire, reschedule, a
 * multi-person hold) goes through `runChange`:
 *
 * - the change is built for the attempt's clock, the store reads its snapshot, the domain plans;
 * - a refusal is returned as it is; a plan is committed with exactly the checks it states;
 * - a lost race reads and plans again, a bounded number of times with jitter, then answers
 *   "busy" (routes show a calm 503 with Retry-After);
 * - a commit whose outcome is unknown is settled by re-reading (store/bookings.ts commitPlan).
 *
 * Inside one process, changes that add time for the same person queue behind each other (an
 * optimisation against rounds of doomed commits); while that queue is busy, a change that its
 * snapshot already refuses is answered at once instead of waiting its turn. Correctness never
 * depends on the queue: two processes sharing one KV are kept apart by the checks alone.
 */
import type { App } from "../app.ts";
import {
  type Change,
  type EngineRules,
  type Plan,
  planChange,
  type Refusal,
} from "../domain/booking-engine.ts";
import type { EventTypeRecord, OutboxRecord } from "../store/records.ts";
import { commitPlan, readSnapshot } from "../store/bookings.ts";
import { calendarBusy } from "./calendar-busy.ts";

export const MAX_ATTEMPTS = 10;
/** What the busy answer tells clients to wait before trying again. */
export const RETRY_AFTER_S = 5;

export type RunResult =
  | { ok: true; plan: Plan; jobs: OutboxRecord[] }
  | { ok: false; reason: Refusal | "busy"; primary?: unknown };

export type RunInput = {
  /** The change for an attempt at `nowMs` (records it creates carry that instant). */
  change: (nowMs: number) => Change;
  rules: EngineRules;
  /** The person whose in-process queue this change joins (one adding that person's time). */
  lane?: string;
};

/** Engine rules of the app and, when the change concerns one, of its event type. */
export function engineRules(
  app: App,
  et: EventTypeRecord | null,
): EngineRules {
  return {
    bookingTtlMs: app.config.bookingTtlMs,
    maxPendingPerGuest: app.config.maxPendingPerGuest,
    eventType: et
      ? {
        id: et.id,
        maxPerDay: et.maxPerDay ?? null,
        maxPerWeek: et.maxPerWeek ?? null,
        cancelCutoffHours: et.cancelCutoffHours ?? null,
      }
      : null,
    calendarHost: app.config.baseUrl.hostname,
  };
}

async function attempt(app: App, input: RunInput) {
  const nowMs = app.now();
  const change = input.change(nowMs);
  const snapshot = await readSnapshot(
    app.kv,
    change,
    input.rules,
    (personId, iv) => calendarBusy(app, personId, iv.startMs, iv.endMs, nowMs),
  );
  return { nowMs, result: planChange(snapshot, change, input.rules, nowMs), snapshot };
}

const jitter = (round: number) =>
  new Promise((r) => setTimeout(r, Math.random() * 5 * (round + 1)));

export async function runChange(app: App, input: RunInput): Promise<RunResult> {
  const lane = input.lane === undefined ? null : `busy:${input.lane}`;
  if (lane && app.hostLock.busy(lane)) {
    // A crowd on one person: refusing needs no turn in the queue (refusing is always safe).
    const peek = await attempt(app, input);
    if (!peek.result.ok) {
      return { ok: false, reason: peek.result.reason, primary: peek.snapshot.primary?.value };
    }
  }
  const loop = async (): Promise<RunResult> => {
    for (let round = 0; round < MAX_ATTEMPTS; round++) {
      const { nowMs, result, snapshot } = await attempt(app, input);
      if (!result.ok) {
        return { ok: false, reason: result.reason, primary: snapshot.primary?.value };
      }
      const plan = result.plan;
      if (plan.checks.length === 0 && plan.writes.length === 0 && plan.jobs.length === 0) {
        return { ok: true, plan, jobs: [] };
      }
      const out = await commitPlan(app.kv, plan, nowMs);
      if (out.ok) {
        if (out.jobs.length) app.kickOutbox();
        // Only the way was cleared (see planChange): now the change itself.
        if (plan.partial) continue;
        return { ok: true, plan, jobs: out.jobs };
      }
      await jitter(round);
    }
    return { ok: false, reason: "busy" };
  };
  return lane ? await app.hostLock.run(lane, loop) : await loop();
}
