/** Seated times' ledgers (domain SeatLedgerRecord), read for pages: the engine reads its own. */
import { type EventTypeId, keys, type UserId } from "./keys.ts";
import type { EventTypeRecord, OutboxRecord, SeatLedgerRecord } from "../domain/model/records.ts";
import { enqueue } from "./outbox.ts";

/** The ledgers of an event type's seated times starting in [fromMs, toMs). */
export async function listSeatLedgers(
  kv: Deno.Kv,
  eventTypeId: EventTypeId,
  fromMs: number,
  toMs: number,
): Promise<SeatLedgerRecord[]> {
  const out: SeatLedgerRecord[] = [];
  for await (
    const e of kv.list<SeatLedgerRecord>({
      start: keys.seatLedger(eventTypeId, fromMs),
      end: keys.seatLedger(eventTypeId, toMs),
    })
  ) out.push(e.value);
  return out;
}

/** The ledger of one seated time (null: no live meeting there). */
export async function getSeatLedger(
  kv: Deno.Kv,
  eventTypeId: EventTypeId,
  startMs: number,
): Promise<SeatLedgerRecord | null> {
  return (await kv.get<SeatLedgerRecord>(keys.seatLedger(eventTypeId, startMs))).value;
}

/**
 * The ledgers of a host's seated times starting in [fromMs, toMs), across their event types
 * (a seated meeting blocks the host for every event type). One range per event type.
 */
export async function listSeatLedgersOfHost(
  kv: Deno.Kv,
  hostId: UserId,
  fromMs: number,
  toMs: number,
): Promise<SeatLedgerRecord[]> {
  const types: string[] = [];
  for await (const e of kv.list<EventTypeRecord>({ prefix: keys.eventTypePrefix(hostId) })) {
    if (e.value.seats) types.push(e.value.id);
  }
  const lists = await Promise.all(types.map((id) => listSeatLedgers(kv, id, fromMs, toMs)));
  return lists.flat();
}

/**
 * Closes a seated time's ledger (domain/seats.ts `closedLedger`) and queues the job that cancels
 * its seats, in one write checked at the ledger's versionstamp: 1 check, the ledger and the job.
 * "lost": the ledger changed since `read` (read again); "gone": nothing to close.
 */
export async function closeSeatLedger(
  kv: Deno.Kv,
  eventTypeId: EventTypeId,
  startMs: number,
  close: (ledger: SeatLedgerRecord | null) => SeatLedgerRecord | null,
  job: OutboxRecord,
): Promise<"closed" | "already" | "gone" | "lost"> {
  const key = keys.seatLedger(eventTypeId, startMs);
  const read = await kv.get<SeatLedgerRecord>(key);
  const next = close(read.value);
  if (!next) return "gone";
  // Already closed: its job is queued already (a crash before the last seat resumes from it).
  if (next === read.value) return "already";
  const res = await enqueue(kv.atomic().check(read).set(key, next), job).commit();
  return res.ok ? "closed" : "lost";
}
