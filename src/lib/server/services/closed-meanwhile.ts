/**
 * No live meeting is left with a closed account (ADR 022, ADR 039 amendment of 2026-12-03): the
 * close cancels the meetings it finds, and a booking that landed after that look cancels them
 * itself. Apart from account-closing.ts so that the booking services reach it without a circle:
 * it needs only the engine's runner, not the decision service (which imports them). The runner
 * is handed in by the caller: this is a step after a booking's commit, not one on its way there
 * (src/architecture.test.ts counts those).
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { getBooking } from "../store/bookings.ts";
import { getEventType } from "../store/event-types.ts";
import { hostBookingPages } from "../store/host-data.ts";
import { getUser } from "../store/users.ts";
import { ACCOUNT_CLOSED_REASON } from "../../shared/system-reasons.ts";
import type { engineRules, runChange } from "./transaction.ts";
import { closedSince } from "./page-revision.ts";
import type { BookResult } from "./book-basics.ts";

/** The engine's runner (services/transaction.ts), as its callers hold it. */
export type Runner = { runChange: typeof runChange; engineRules: typeof engineRules };

/**
 * Cancels every meeting of a closed account that has not ended, as its host's cancellation
 * through the booking engine (each guest is mailed, the time released, each date of a series on
 * its own); how many.
 */
export async function cancelMeetingsAhead(
  app: App,
  run: Runner,
  userId: UserRecord["id"],
  nowMs: number,
): Promise<number> {
  const ahead: string[] = [];
  for await (const page of hostBookingPages(app.kv, userId)) {
    for (const b of page) {
      if ((b.status === "PENDING" || b.status === "CONFIRMED") && b.endMs > nowMs) ahead.push(b.id);
    }
  }
  let cancelled = 0;
  for (const id of ahead) {
    const b = await getBooking(app.kv, id);
    if (!b) continue;
    const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
    const res = await run.runChange(app, {
      rules: run.engineRules(app, et),
      change: () => ({
        kind: "transition",
        bookingId: id,
        action: "cancel",
        by: "host",
        reason: ACCOUNT_CLOSED_REASON,
        hostId: userId,
      }),
    });
    if (res.ok) cancelled++;
  }
  return cancelled;
}

/**
 * A booking whose host (or a member it books) closed their account while it was under way: one
 * that landed after the close's look would be a live meeting with nobody, which nothing would
 * cancel. So a booking that began before some close (`closed`: the revision of closed accounts
 * its request read before its host) looks after its write whether it was one of its people's,
 * and if so cancels what the close could not see (its guest is told, as the close's guests are)
 * and answers as the page now does. The look is one read shared by every booking at that moment,
 * and the booking's people only when some account did close: nothing is added to the booking's
 * write, whose checks bound the group commit (issue 26).
 */
export async function unlessClosedMeanwhile(
  app: App,
  run: Runner,
  closed: string | null,
  result: BookResult,
): Promise<BookResult> {
  if (!result.ok || !(await closedSince(app, closed))) return result;
  const b = await getBooking(app.kv, result.bookingId);
  let gone = false;
  for (const id of b ? (b.personIds ?? [b.hostId]) : []) {
    if (!(await getUser(app.kv, id as UserRecord["id"]))?.closedAtMs) continue;
    gone = true;
    await cancelMeetingsAhead(app, run, id as UserRecord["id"], app.now());
  }
  return gone ? { ok: false, reason: "not_found" } : result;
}
