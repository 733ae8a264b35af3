/**
 * The outbox's lanes: which due jobs wait for which (jobs/deliver-outbox.ts runs them). Lanes run
 * side by side; within one, jobs run in due order, one after another — except a series' calendar
 * writes, which several of its dates make at once (docs/decisions/048-recurring-series.md).
 */
import type { OutboxRecord } from "../domain/model/records.ts";

type DueEntry = Deno.KvEntry<OutboxRecord>;

/** Calendar writes of one lane's different bookings (a series' dates) in flight at once. */
export const LANE_WRITEBACKS = 4;

/**
 * Groups due jobs into lanes. A booking's jobs describe its successive states (request mail then
 * confirmation, calendar put then delete), so side by side or out of order they could leave the
 * guest's inbox or the host's calendar in the older state. A series' dates share a lane
 * (`OutboxRecord.lane`): "cancel this and the later dates" writes them in date order, and side by
 * side their cancellations reached guest and host in whatever order the SMTP hand-offs ended
 * (15 Mar, 5 Apr, 30 Mar). Jobs of different bookings, and jobs of none, touch nothing in common.
 */
export function lanesOf(due: DueEntry[]): DueEntry[][] {
  const lanes: DueEntry[][] = [];
  const byLane = new Map<string, DueEntry[]>();
  for (const entry of due) {
    const p = entry.value.payload;
    const key = entry.value.lane ?? ("bookingId" in p ? p.bookingId : null);
    if (key === null) {
      lanes.push([entry]);
      continue;
    }
    let lane = byLane.get(key);
    if (!lane) {
      lane = [];
      byLane.set(key, lane);
      lanes.push(lane);
    }
    lane.push(entry); // listDue returns due order, so each lane keeps it
  }
  return lanes;
}

/**
 * Runs one lane's jobs in due order, each once what it follows has finished:
 * - every earlier job of its booking (a booking's states in order: put then delete, the meeting
 *   link its calendar write makes before the webhook that carries it);
 * - a webhook event: also the lane's earlier jobs other than calendar writes (date by date);
 * - any other job (a mail, a reminder): every earlier job of the lane (a series' mails go out
 *   date by date, after every calendar write before them, as when the lane ran one at a time).
 * So a calendar write waits for nothing of another booking: a series' dates — each its own event
 * under its own UID, none touching another's — are written up to LANE_WRITEBACKS at once, and a
 * 52-date confirm no longer waits for 52 round trips to the calendar one after another. A lane of
 * one booking runs exactly as before: one job after another.
 *
 * `run` performs one job (throwing only for a store failure); nothing starts once `mayStart` says
 * no or a job threw. Returns when every job it started has finished; rethrows the first failure.
 */
export async function runLane(
  lane: DueEntry[],
  run: (entry: DueEntry) => Promise<void>,
  mayStart: () => boolean,
): Promise<void> {
  let failure: { err: unknown } | null = null;
  const slots = semaphore(LANE_WRITEBACKS);
  /** Each booking's latest job. */
  const latest = new Map<string, Promise<void>>();
  /** The latest job other than a calendar write: what a webhook event follows. */
  let spine: Promise<void> = Promise.resolve();
  const all: Promise<void>[] = [];
  for (const entry of lane) {
    const p = entry.value.payload;
    const booking = "bookingId" in p ? p.bookingId : null;
    const write = p.kind === "writeback";
    const after = [
      ...(booking !== null && latest.has(booking) ? [latest.get(booking)!] : []),
      ...(write ? [] : p.kind === "webhook_event" ? [spine] : all),
    ];
    const job = (async () => {
      await Promise.all(after);
      const release = write ? await slots() : () => {};
      try {
        if (!failure && mayStart()) await run(entry);
      } finally {
        release();
      }
    })().catch((err) => void (failure ??= { err }));
    if (booking !== null) latest.set(booking, job);
    if (!write) spine = job;
    all.push(job);
  }
  await Promise.all(all);
  if (failure) throw (failure as { err: unknown }).err;
}

/** At most `n` holders at once, served in the order they asked; `acquire` resolves to release. */
function semaphore(n: number): () => Promise<() => void> {
  let free = n;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
}
