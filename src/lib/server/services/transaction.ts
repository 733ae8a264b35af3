/**
 * The one transaction runner: snapshot → plan → guarded commit, and the only retry loop of the
 * booking engine. Every booking change (book, confirm, reject, cancel, expire, reschedule, a
 * multi-person hold) goes through `runChange`:
 *
 * - the change is built for the attempt's clock, the store reads its snapshot, the domain plans;
 * - a refusal is returned as it is; a plan is committed with exactly the checks it states;
 * - a lost race reads and plans again, a bounded number of times with jitter, then answers
 *   "busy" (routes show a calm 503 with Retry-After); a change that commutes with those it races
 *   (`commutes`: a decline) keeps reading and planning again until `PATIENT_MS` have passed;
 * - a commit whose outcome is unknown is settled by re-reading (store/booking-commit.ts commitPlan);
 * - every change that landed is handed to `afterCommit` (after-commit.ts): the outbox is kicked
 *   and insights count it, in this one place, whoever asked for the change.
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
  HOLD_WAIT_MS,
  type Plan,
  planChange,
  type Refusal,
  scopeOf,
  type Snapshot,
} from "../domain/booking-engine/index.ts";
import type { EventTypeRecord, OutboxRecord } from "../domain/model/records.ts";
import { commitPlan } from "../store/booking-commit.ts";
import { readSnapshots, stillCurrent } from "../store/booking-snapshot.ts";
import { newId } from "../store/users.ts";
import { calendarBusy } from "./calendar-busy.ts";
import { recordRetry } from "../ops/metrics.ts";
import { afterCommit } from "./after-commit.ts";
import { type JoinedReads, joinRead } from "./joined-reads.ts";
import { REFUSALS } from "../../shared/refusals.ts";

export const MAX_ATTEMPTS = 10;
/**
 * How long a commuting change goes on after lost races (at least MAX_ATTEMPTS rounds all the
 * same). Each round one of the racers lands, so with k processes pressing at once a decline
 * loses a round with odds of about (k-1)/k: 10 rounds left about 1 in 40 of a crowd on three
 * processes "busy" (ADR 050, amendment "declines across processes"); seconds of rounds, none.
 */
export const PATIENT_MS = 10_000;
export { HOLD_WAIT_MS };
/** What the busy answer tells clients to wait before trying again (the refusal table's). */
export const RETRY_AFTER_S = REFUSALS.busy.retryAfterS;

export type RunResult =
  | { ok: true; plan: Plan; jobs: OutboxRecord[] }
  | { ok: false; reason: Refusal | "busy"; primary?: unknown };

export type RunInput = {
  /** The change for an attempt at `nowMs` (records it creates carry that instant). */
  change: (nowMs: number) => Change;
  rules: EngineRules;
  /** The person whose in-process queue this change joins (one adding that person's time). */
  lane?: string;
  /**
   * The change commutes with the others like it and, once landed, plans to nothing (an invitee's
   * decline: declines of one meeting land in any order, a second press writes nothing). A crowd
   * of them lands one a round, so a lost race says only that another landed: it reads and plans
   * again until `PATIENT_MS` have passed, not MAX_ATTEMPTS times (a refusal still ends it).
   */
  commutes?: boolean;
  /**
   * A snapshot read ahead with others (`readAhead`) for the first attempt, when that attempt's
   * change reads the same scope: a plan from it is checked like any other, a refusal from it is
   * read again (an older read may refuse what is free by now, never grant what is not).
   */
  ahead?: ReadAhead;
};

/**
 * A change and its snapshot, read before its turn (see `readAhead`), and the in-process queue's
 * mark from before the read (`KeyedLock.mark`).
 */
export type ReadAhead = { change: Change; snapshot: Snapshot; mark: number };

/** One `runChange`: its lost races, and its snapshot read ahead until an attempt takes it. */
type Turn = { races: number; ahead?: ReadAhead };

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

/**
 * The snapshots of several changes, read in one pass (store/booking-snapshot.ts readSnapshots):
 * a multi-person booking reads every step's planning data at once, then writes step by step.
 * A change whose lane is busy now is not read ahead (undefined): what a change of this process
 * is doing there would leave that read out of date before its turn.
 */
export async function readAhead(
  app: App,
  rules: EngineRules,
  steps: { change: Change; lane?: string }[],
): Promise<(ReadAhead | undefined)[]> {
  const mark = app.hostLock.mark();
  const read = steps.filter((s) => {
    const lane = queueKeyOf(s.lane);
    return lane === null || !app.hostLock.busy(lane);
  });
  const snapshots = await readSnapshotsAt(app, rules, read.map((s) => s.change), app.now());
  return steps.map((s) => {
    const i = read.indexOf(s);
    return i < 0 ? undefined : { change: s.change, snapshot: snapshots[i], mark };
  });
}

/** The in-process queue of a change's `lane` (RunInput). */
export const queueKeyOf = (lane: string | undefined) => lane === undefined ? null : `busy:${lane}`;

function readSnapshotsAt(app: App, rules: EngineRules, changes: Change[], nowMs: number) {
  // Beside the writer (App.readKv): the commit checks every versionstamp read here.
  return readSnapshots(
    app.readKv,
    changes,
    rules,
    (personId, iv) => calendarBusy(app, personId, iv.startMs, iv.endMs, nowMs),
  );
}

/** The snapshot read ahead for `change`, if it reads the same scope (used once). */
function takeAhead(input: RunInput, turn: Turn, change: Change): Snapshot | null {
  const ahead = turn.ahead;
  turn.ahead = undefined;
  if (!ahead) return null;
  const primary = ahead.snapshot.primary?.value ?? null;
  const { keyOf } = ahead.snapshot;
  const same = JSON.stringify(scopeOf(change, primary, input.rules, keyOf)) ===
    JSON.stringify(scopeOf(ahead.change, primary, input.rules, keyOf));
  return same ? ahead.snapshot : null;
}

async function attempt(
  app: App,
  input: RunInput,
  turn: Turn,
  read: (change: Change, nowMs: number) => Promise<Snapshot> = async (change, nowMs) =>
    (await readSnapshotsAt(app, input.rules, [change], nowMs))[0],
) {
  const nowMs = app.now();
  const change = input.change(nowMs);
  const receiptId = newId(nowMs);
  const early = takeAhead(input, turn, change);
  if (early) {
    const result = planChange(early, change, input.rules, nowMs, receiptId);
    if (result.ok) return { nowMs, change, result, snapshot: early };
  }
  const snapshot = await read(change, nowMs);
  // A fresh receipt per attempt: a commit whose answer is lost is settled by reading it back.
  // Time-ordered (a ULID), so receipts written together share a page of the store's B-tree: a
  // random id cost each booking a page of its own, 7–12 % of the store's write rate (issue 26).
  return {
    nowMs,
    change,
    result: planChange(snapshot, change, input.rules, nowMs, receiptId),
    snapshot,
  };
}

/** The operation a change is, as the retry metric names it (a few fixed values). */
export function opOf(change: Change): string {
  switch (change.kind) {
    case "create":
      return "book";
    case "seat":
      return "book_seat";
    case "transition":
      return change.action;
    case "reschedule":
      return "reschedule";
    case "rebook":
      return "rebook";
    case "hold_time":
    case "release_time":
      return change.kind;
    case "import":
      return "import";
    default:
      return `team_${change.kind}`;
  }
}

/** A lost race's wait before reading again: random, growing with the round. */
export const jitter = (round: number) =>
  new Promise((r) => setTimeout(r, Math.random() * 5 * (round + 1)));

export async function runChange(app: App, input: RunInput): Promise<RunResult> {
  const lane = queueKeyOf(input.lane);
  let waited = 0;
  // A snapshot read ahead is out of date once a change of this process took a turn in the
  // lane since (another booking's hold of the same person, which changes their fences): its
  // plan would only lose the race. Across processes, the checks alone tell.
  const stale = lane !== null && input.ahead &&
    (app.hostLock.busy(lane) || app.hostLock.begunSince(lane, input.ahead.mark));
  const lost: Turn = { races: 0, ahead: stale ? undefined : input.ahead };
  while (true) {
    const res = lane && app.hostLock.busy(lane)
      ? await waitInLane(app, input, lane, lost)
      : lane
      ? await app.hostLock.run(lane, () => loopAndSignal(app, input, lane, lost))
      : await loop(app, input, lost);
    if (res.ok || res.reason !== "held") return res;
    // A multi-person booking holds the time while it is being taken (milliseconds; holds are
    // taken in one order, so two of them never wait for each other). Wait outside the queue,
    // so that a crowd waits side by side, then look again; a hold that outlives the wait (its
    // process died) answers as taken.
    if (waited >= HOLD_WAIT_MS) return { ...res, reason: "slot_taken" };
    const pause = 5 + Math.random() * Math.min(100, 5 + waited / 4);
    await new Promise((r) => setTimeout(r, pause));
    waited += pause;
  }
}

/** The lane's holder is done: whoever waits behind it looks again (see `waitInLane`). */
async function loopAndSignal(
  app: App,
  input: RunInput,
  lane: string,
  lost: Turn,
): Promise<RunResult> {
  let res: RunResult | null = null;
  try {
    return res = await loop(app, input, lost);
  } finally {
    // A seat taken with seats of its time left refuses no one who asks for that time: not worth
    // a look by everyone waiting (see `waitInLane`). A refusal is: it changed nothing, but those
    // who joined since the last look have not seen what refused it.
    app.hostLock.signal(lane, !(res !== null && res.ok && res.plan.roomLeft));
  }
}

/**
 * A crowd on one person. A change that finds the person's queue busy joins it, and when the
 * change ahead is done (committed or refused) looks once, side by side with everyone else
 * waiting: refusing needs no turn in the queue (refusing is always safe), so the 199 losers of a
 * race for one slot learn it from one round of parallel reads after the winner's commit —
 * instead of one read after another in the queue, or a round of reads before the commit that
 * only delays it (the contention profile of issue 26). A holder that took one of several seats
 * of a time and left room wakes no one: a crowd on ten seats looks once, after the tenth, instead
 * of after the first and then one by one in the queue. A change that has not begun its turn
 * leaves the queue when that look refuses it; one that has, finishes its turn (it reads again
 * itself).
 */
async function waitInLane(
  app: App,
  input: RunInput,
  lane: string,
  lost: Turn,
): Promise<RunResult> {
  let started = false;
  let left = false;
  const turn = app.hostLock.run(lane, () => {
    if (left) return Promise.resolve(null);
    started = true;
    return loopAndSignal(app, input, lane, lost);
  });
  let first: RunResult | null | "signal" | "wait";
  do {
    first = await Promise.race([
      turn,
      app.hostLock.nextSignal(lane).then((changed) =>
        changed ? "signal" as const : "wait" as const
      ),
    ]);
  } while (first === "wait");
  if (first !== "signal" && first !== null) return first;
  if (!started) {
    const peek = await attempt(
      app,
      input,
      lost,
      (change) => lookTogether(app, input, lane, change),
    );
    if (
      !started && !peek.result.ok && peek.result.reason !== "held" &&
      await refusalStands(app, peek.snapshot) && !started
    ) {
      left = true;
      return refused(peek.result.reason, peek.snapshot);
    }
  }
  return (await turn)!;
}

/** The looks of each app's crowds not begun yet, by lane and rules (see `lookTogether`). */
const looks = new WeakMap<App, JoinedReads<Change, Snapshot>>();

/**
 * A crowd's look after the change ahead of it, read in one pass (`readSnapshots` reads each key
 * and each list once): the 199 losers of one slot read the person's fences and day once between
 * them, instead of once each. The look begins after the signal that woke each change sharing it
 * (services/joined-reads.ts), so it sees what the change ahead committed.
 */
function lookTogether(app: App, input: RunInput, lane: string, change: Change): Promise<Snapshot> {
  let reads = looks.get(app);
  if (!reads) looks.set(app, reads = new Map());
  return joinRead(
    reads,
    `${lane}\u0000${JSON.stringify(input.rules)}`,
    change,
    (changes) => readSnapshotsAt(app, input.rules, changes, app.now()),
  );
}

function refused(reason: Refusal | "busy", snapshot: { primary: { value: unknown } | null }) {
  return { ok: false as const, reason, primary: snapshot.primary?.value };
}

/**
 * Whether a refusal planned on `snapshot` stands: the record the change is about (a booking, a
 * coordinator) is still as read. If another change committed to it while the rest was read, the
 * refusal may rest on a mix of before and after — a confirm that read a request pending and its
 * time already released by the reject answered "expired" (a "link gone" page) where the answer
 * is "already rejected". Plan again then, as after a lost race. A change with no such record (a
 * new booking) is refused from its lists alone, each read an instant when the time was taken.
 */
async function refusalStands(app: App, snapshot: Snapshot): Promise<boolean> {
  return !snapshot.primary?.versionstamp || await stillCurrent(app.kv, snapshot.primary);
}

/**
 * Read, plan, commit; again after a lost race, a bounded number of times in all (a commuting
 * change: for a bounded while). A commit whose answer was lost was settled by reading
 * (commitPlan), so only a write known not to have landed is planned again.
 */
async function loop(app: App, input: RunInput, lost: Turn): Promise<RunResult> {
  // The turn's own clock (not the app's: a test's stands still), from when the turn began; a
  // wait in the in-process queue is not a lost race.
  const until = input.commutes ? performance.now() + PATIENT_MS : 0;
  const more = () => lost.races < MAX_ATTEMPTS || performance.now() < until;
  while (more()) {
    const { nowMs, change, result, snapshot } = await attempt(app, input, lost);
    if (!result.ok) {
      if (await refusalStands(app, snapshot)) return refused(result.reason, snapshot);
      // Read across another change's commit: it has landed, so read again at once.
      lost.races++;
      continue;
    }
    const plan = result.plan;
    if (plan.checks.length === 0 && plan.writes.length === 0 && plan.jobs.length === 0) {
      return { ok: true, plan, jobs: [] };
    }
    const out = await commitPlan(app.kv, plan, nowMs);
    if (out.ok) {
      // The one success path: outbox kick, insights counts (services/after-commit.ts).
      afterCommit(app, { change, plan, jobs: out.jobs });
      // Only the way was cleared (see planChange): now the change itself.
      if (plan.partial) {
        lost.races++;
        continue;
      }
      return { ok: true, plan, jobs: out.jobs };
    }
    // Lost a race: read and plan again (counted per operation, beside the KV's own conflicts).
    lost.races++;
    if (!more()) break;
    recordRetry(opOf(change));
    // A commuting change's later rounds wait no longer than the last bounded one (≤ 50 ms).
    await jitter(Math.min(lost.races - 1, MAX_ATTEMPTS - 1));
  }
  return { ok: false, reason: "busy" };
}
