/**
 * The engine's last store step: `commitPlan` writes a plan in one atomic operation that checks
 * exactly what was read; concurrent plans on one KV are grouped into few round trips.
 */
import type { OutboxRecord } from "../domain/model/records.ts";
import { enqueue, newOutboxRecord } from "./outbox.ts";
import { commitOrReread } from "./kv.ts";
import { type Plan } from "../domain/booking-engine/index.ts";
import { REMOTE_KV_LIMITS } from "../domain/kv-budget.ts";

export type CommitOutcome = { ok: true; jobs: OutboxRecord[] } | { ok: false };

/** Adds a plan's checks, writes and outbox jobs to an atomic operation; returns the jobs. */
function addPlan(op: Deno.AtomicOperation, plan: Plan, nowMs: number): OutboxRecord[] {
  for (const c of plan.checks) {
    op.check({ key: c.key as Deno.KvKey, versionstamp: c.versionstamp });
  }
  for (const w of plan.writes) {
    if (w.op === "delete") op.delete(w.key as Deno.KvKey);
    else {
      op.set(
        w.key as Deno.KvKey,
        w.value,
        w.expireInMs === undefined ? undefined : { expireIn: w.expireInMs },
      );
    }
  }
  const jobs = plan.jobs.map((j) => newOutboxRecord(j.payload, nowMs, j.dueMs, j.lane));
  for (const job of jobs) enqueue(op, job);
  return jobs;
}

/** Whether a plan's write landed: its receipt exists (else what its probe key holds shows it). */
const landed = (kv: Deno.Kv, plan: Plan) => async () =>
  plan.receipt
    ? (await kv.get(plan.receipt as Deno.KvKey)).value !== null
    : plan.probe.landed((await kv.get(plan.probe.key as Deno.KvKey)).value);

/** One plan in its own atomic operation. */
async function commitOne(kv: Deno.Kv, plan: Plan, nowMs: number): Promise<CommitOutcome> {
  const op = kv.atomic();
  const jobs = addPlan(op, plan, nowMs);
  return (await commitOrReread(op, landed(kv, plan))).ok ? { ok: true, jobs } : { ok: false };
}

type Waiting = {
  plan: Plan;
  nowMs: number;
  keys: Set<string>;
  done: (o: CommitOutcome) => void;
  fail: (e: unknown) => void;
};

/**
 * Group commit: while a commit is on its way, plans that arrive wait and then go together in
 * one atomic operation, as long as their keys are disjoint (so no plan's checks or writes touch
 * another's) and the sum of their budgets stays within remote KV's limits — by construction,
 * like every write. All land or none: if the group's checks fail, each plan is committed alone,
 * so every plan gets exactly the answer it would have had by itself. This saves the store one
 * transaction per booking under load and costs nothing when idle (a lone plan goes at once).
 */
class GroupCommitter {
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;
  constructor(readonly kv: Deno.Kv) {}

  submit(plan: Plan, nowMs: number): Promise<CommitOutcome> {
    const keys = new Set<string>();
    for (const c of plan.checks) keys.add(JSON.stringify(c.key));
    for (const w of plan.writes) keys.add(JSON.stringify(w.key));
    return new Promise((done, fail) => {
      this.#waiting.push({ plan, nowMs, keys, done, fail });
      this.#pump();
    });
  }

  #pump() {
    while (this.#inFlight < IN_FLIGHT && this.#waiting.length > 0) {
      const group = this.#take();
      this.#inFlight++;
      this.#run(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** The first waiting plan and every later one that fits beside it. */
  #take(): Waiting[] {
    const group = [this.#waiting.shift()!];
    const used = new Set(group[0].keys);
    const sum = { ...group[0].plan.budget };
    for (let i = 0; i < this.#waiting.length && group.length < GROUP_MAX;) {
      const w = this.#waiting[i];
      const b = w.plan.budget;
      const fits = sum.checks + b.checks <= REMOTE_KV_LIMITS.checks &&
        sum.mutations + b.mutations <= REMOTE_KV_LIMITS.mutations &&
        sum.bytes + b.bytes <= REMOTE_KV_LIMITS.bytes &&
        ![...w.keys].some((k) => used.has(k));
      if (!fits) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      group.push(w);
      for (const k of w.keys) used.add(k);
      sum.checks += b.checks;
      sum.mutations += b.mutations;
      sum.bytes += b.bytes;
    }
    return group;
  }

  async #run(group: Waiting[]) {
    try {
      if (group.length === 1) {
        group[0].done(await commitOne(this.kv, group[0].plan, group[0].nowMs));
        return;
      }
      const op = this.kv.atomic();
      const jobs = group.map((w) => addPlan(op, w.plan, w.nowMs));
      // All or none landed: one plan's probe tells for the group.
      const probe = group.find((w) => !w.plan.partial) ?? group[0];
      if ((await commitOrReread(op, landed(this.kv, probe.plan))).ok) {
        group.forEach((w, i) => w.done({ ok: true, jobs: jobs[i] }));
        return;
      }
      const alone = await Promise.all(group.map((w) => commitOne(this.kv, w.plan, w.nowMs)));
      group.forEach((w, i) => w.done(alone[i]));
    } catch (err) {
      for (const w of group) w.fail(err);
    }
  }
}

/** Commits on their way at once per KV handle; more wait and go as a group. */
const IN_FLIGHT = 2;
/** Plans in one group (each checks at least one key, so remote KV's 10 checks bound it too). */
const GROUP_MAX = 10;
const committers = new WeakMap<Deno.Kv, GroupCommitter>();

/**
 * Commits a plan: its checks, writes and outbox jobs in one atomic operation (possibly with
 * other plans, see GroupCommitter). A commit whose outcome is unknown (a network error on
 * remote KV) is settled by re-reading the plan's probe key, never by sending it again; if it did
 * not land, the caller reads and plans anew.
 */
export function commitPlan(kv: Deno.Kv, plan: Plan, nowMs: number): Promise<CommitOutcome> {
  let c = committers.get(kv);
  if (!c) committers.set(kv, c = new GroupCommitter(kv));
  return c.submit(plan, nowMs);
}

/**
 * Busy entries of a person that meet [fromMs, toMs), each booking once: firm entries and holds
 * that have not ended (a coordinated hold past its time counts as free here; booking decides).
 */
