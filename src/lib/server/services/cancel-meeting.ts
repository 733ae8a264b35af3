/**
 * The host cancels a whole seated meeting — a class, a workshop — with one press
 * (docs/decisions/040-seats.md, amended 2026-11-27). A meeting may hold 500 seats, more than one
 * guarded write can carry, so it is a protocol of small writes, each within remote KV's limits:
 *
 * 1. **Close** the time's ledger, and queue the `cancel_meeting` job, in one write checked at the
 *    ledger's versionstamp (1 check). From then on no seat joins the meeting and none of its
 *    pending seats is confirmed (booking-engine/seat.ts).
 * 2. **Cancel each seat** as a host's cancel of that seat (booking + ledger = 2 checks), pending
 *    ones first: the guest gets their own cancellation (their language, the reason, a CANCEL of
 *    their UID) and each seat its webhook; the host's mail and calendar write per seat are left
 *    out (`meeting`), and the write that takes the last seat out — removing the ledger, so the
 *    time is free again — queues them once: the meeting's writeback (now gone) and
 *    `host_meeting_cancelled` with the meeting's CANCEL.
 *
 * The press runs step 2 at once; the queued job runs it again (a crash, a lost race, a guest's
 * own cancel meanwhile), and is done once the meeting's ledger is gone. Every step is safe to
 * repeat: a seat already cancelled is refused by its own guarded write.
 */
import type { App } from "../app.ts";
import type { OutboxPayload } from "../domain/model/records.ts";
import { cancelOrder, closedLedger, liveSeats } from "../domain/seats.ts";
import { getBooking } from "../store/bookings.ts";
import { closeSeatLedger, getSeatLedger } from "../store/seats.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import { decideBooking } from "./decide-booking.ts";
import { jitter } from "./transaction.ts";

export type CancelMeetingJob = Extract<OutboxPayload, { kind: "cancel_meeting" }>;

export type CancelMeetingResult =
  /** `cancelled`: the meeting's seats when it closed, each cancelled and its guest told. */
  | { ok: true; meetingId: string; startMs: number; cancelled: number }
  | { ok: false; reason: "not_found" | "not_supported" | "cancelled" };

/** Rounds of closing the ledger against seats landing meanwhile (each lost round is a write). */
const CLOSE_ROUNDS = 20;

/**
 * The host cancels the meeting a seat of theirs belongs to (any of its seats names it), with one
 * reason for every guest. "cancelled": the meeting holds no time any more. `by`: who pressed it
 * for the host — a team's owner (services/team-dashboard.ts decides who may); the members' mails
 * name them.
 */
export async function cancelSeatedMeeting(
  app: App,
  hostId: string,
  seatId: string,
  reason: string,
  opts: { by?: string } = {},
): Promise<CancelMeetingResult> {
  const seat = await getBooking(app.kv, seatId);
  if (!seat || seat.hostId !== hostId) return { ok: false, reason: "not_found" };
  if (!seat.seat) return { ok: false, reason: "not_supported" };
  // A collective time's meeting holds every member's time through its coordinator: its seats
  // leave it the same way (each write checks the coordinator too), and the last frees every
  // member's time and tells each of them once (booking-engine/seat.ts).
  const job: CancelMeetingJob = {
    kind: "cancel_meeting",
    hostId,
    eventTypeId: seat.eventTypeId,
    startMs: seat.startMs,
    meetingId: seat.seat.meetingId,
    reason,
    ...(opts.by && opts.by !== hostId ? { by: opts.by } : {}),
  };
  // The guests the cancel tells: the meeting's seats when it closed, whichever run (this press,
  // a second one, the queued job) then cancels each — a count of this run's own cancels told a
  // host "1 guest" of a meeting of three when the job had taken two.
  let told = 0;
  for (let round = 0;; round++) {
    if (round >= CLOSE_ROUNDS) return { ok: false, reason: "not_found" };
    if (round > 0) await jitter(Math.min(round, 8));
    const nowMs = app.now();
    const res = await closeSeatLedger(
      app.kv,
      job.eventTypeId,
      job.startMs,
      (l) => {
        const closed = closedLedger(l, job.meetingId, nowMs);
        told = closed?.closed?.seats ?? (closed ? liveSeats(closed, nowMs).length : 0);
        return closed;
      },
      newOutboxRecord(job, nowMs),
    );
    if (res === "gone") return { ok: false, reason: "cancelled" };
    if (res !== "lost") break;
  }
  await cancelMeetingSeats(app, job);
  return { ok: true, meetingId: job.meetingId, startMs: job.startMs, cancelled: told };
}

/**
 * Step 2, the job's body: every live seat of a closed meeting cancelled, one guarded write each,
 * until its ledger is gone (or holds only seats whose holds ran out: their expiry frees it).
 * Returns how many seats this run cancelled.
 */
export async function cancelMeetingSeats(app: App, job: CancelMeetingJob): Promise<number> {
  let cancelled = 0;
  // Each round cancels every seat it read; a round finds only what raced it (a guest's own
  // cancel, a lost write), so a few rounds settle any meeting.
  for (let round = 0; round < 10; round++) {
    const ledger = await getSeatLedger(app.kv, job.eventTypeId, job.startMs);
    if (!ledger || ledger.meetingId !== job.meetingId) return cancelled;
    const live = liveSeats(ledger, app.now());
    if (live.length === 0) return cancelled;
    for (const x of cancelOrder(live)) {
      const res = await decideBooking(app, x.id, "cancel", "host", {
        hostId: job.hostId,
        reason: job.reason,
        meeting: true,
        pressedBy: job.by,
      });
      if (res.ok) cancelled++;
    }
  }
  throw new Error(`seated meeting ${job.meetingId}: seats still live after 10 rounds`);
}
