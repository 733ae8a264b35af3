/**
 * The outbox's lanes: which due jobs wait for which (jobs/deliver-outbox.ts runs them). Lanes run
 * side by side; within one, jobs run in due order, one after another — except a series' calendar
 * writes, which several of its dates make at once (docs/decisions/048-recurring-series.md), and
 * one mail to each of a meeting's readers (a poll's voters, a team's members), several at once.
 */
import type { OutboxRecord } from "../domain/model/records.ts";
import { mailReader } from "../domain/mail-order.ts";

type DueEntry = Deno.KvEntry<OutboxRecord>;

/** Calendar writes of one lane's different bookings (a series' dates) in flight at once. */
export const LANE_WRITEBACKS = 4;

/**
 * The jobs that hand a mail to the SMTP server. A drain's lanes share its slots for them
 * (jobs/deliver-outbox.ts): as many as when every lane sent one mail at a time, since relays cap
 * a client's connections (Exchange Online's client submission takes three; another waits for the
 * retry), while one lane's mails to many readers may take the slots the other lanes leave.
 */
const MAILS = new Set<OutboxRecord["payload"]["kind"]>([
  "booking_mail",
  "reminder",
  "follow_up",
  "raw_mail",
  "sealed_mail",
]);

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
    lane.push(entry); // listDue returns due order (urgent jobs, lanes of their own, first)
  }
  return lanes;
}

/**
 * Runs one lane's jobs in due order, each once what it follows has finished:
 * - every earlier job of its booking (a booking's states in order: put then delete, the meeting
 *   link its calendar write makes before the webhook that carries it);
 * - a webhook event: also the lane's earlier jobs other than calendar writes (date by date);
 * - any other job (a mail, a reminder): every earlier job of the lane (a series' mails go out
 *   date by date, after every calendar write before them, as when the lane ran one at a time) —
 *   except that mails of one kind about one booking, next to each other in due order and each to
 *   another reader (the invitation of each of a poll's voters, a team booking's copy of each
 *   member), wait together for what the first of them waits for, and what follows waits for all.
 * So a calendar write waits for nothing of another booking: a series' dates — each its own event
 * under its own UID, none touching another's — are written up to LANE_WRITEBACKS at once, and a
 * 52-date confirm no longer waits for 52 round trips to the calendar one after another. A meeting
 * of a hundred voters no longer waits for a hundred SMTP hand-offs one after another (a relay
 * that takes a new connection, STARTTLS and AUTH per mail put the last past a drain's budget);
 * no reader gets two mails side by side, since a reader seen twice starts the next group. Any
 * other lane of one booking runs exactly as before: one job after another.
 *
 * `run` performs one job (throwing only for a store failure); nothing starts once `mayStart` says
 * no or a job threw. Returns when every job it started has finished; rethrows the first failure.
 */
export async function runLane(
  lane: DueEntry[],
  run: (entry: DueEntry) => Promise<void>,
  mayStart: () => boolean,
  /** The drain's slots for SMTP hand-offs, shared by its lanes (`MAILS`). */
  mails: Slots,
): Promise<void> {
  let failure: { err: unknown } | null = null;
  const slots = semaphore(LANE_WRITEBACKS);
  /** Each booking's latest job. */
  const latest = new Map<string, Promise<void>>();
  /** The latest job other than a calendar write: what a webhook event follows. */
  let spine: Promise<void> = Promise.resolve();
  const all: Promise<void>[] = [];
  /** The mails of one kind about one booking going out together, while each reader is new. */
  let group:
    | { kind: string; readers: Set<string>; after: Promise<void>[]; jobs: Promise<void>[] }
    | null = null;
  for (const entry of lane) {
    const p = entry.value.payload;
    const booking = "bookingId" in p ? p.bookingId : null;
    const write = p.kind === "writeback";
    const kind = p.kind === "booking_mail" ? `${p.bookingId} ${p.mail}` : null;
    const reader = p.kind === "booking_mail" ? mailReader(p) : "";
    if (group && (group.kind !== kind || group.readers.has(reader))) group = null;
    const after: Promise<void>[] = group?.after ?? [
      ...(booking !== null && latest.has(booking) ? [latest.get(booking)!] : []),
      ...(write ? [] : p.kind === "webhook_event" ? [spine] : all),
    ];
    const job = (async () => {
      await Promise.all(after);
      const release = write ? await slots() : MAILS.has(p.kind) ? await mails() : () => {};
      try {
        if (!failure && mayStart()) await run(entry);
      } finally {
        release();
      }
    })().catch((err) => void (failure ??= { err }));
    if (kind !== null) {
      group ??= { kind, readers: new Set(), after, jobs: [] };
      group.readers.add(reader);
      group.jobs.push(job);
    }
    // What follows a group follows all of it.
    const done = group ? Promise.all(group.jobs).then(() => {}) : job;
    if (booking !== null) latest.set(booking, done);
    if (!write) spine = done;
    all.push(job);
  }
  await Promise.all(all);
  if (failure) throw (failure as { err: unknown }).err;
}

/** Waits for a free slot and resolves to its release. */
export type Slots = () => Promise<() => void>;

/** At most `n` holders at once, served in the order they asked; `acquire` resolves to release. */
export function semaphore(n: number): Slots {
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
