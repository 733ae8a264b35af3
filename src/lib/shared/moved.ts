/**
 * How a moved booking reads, in one place: the guest's old link, the host's old Confirm, Reject
 * and Reschedule links, the host's booking list and the mails about a move all say it with these
 * words, so a booking that was moved never reads as cancelled. (The refusal an action on it
 * meets is `moved` in ./refusals.ts.)
 */
import type { MessageKey, MessageValues } from "./i18n.ts";

type T = { t(key: MessageKey, values?: MessageValues): string };
export type MovedWhen = { date: string; time: string; zone: string };

/**
 * "Moved to Tue 24 Nov, 10:00–10:30 (Berlin)." or "… — waiting for Hanna to confirm." (`host`
 * null: the host reads it: "… — waiting for your answer.").
 */
export function movedToText(i: T, to: MovedWhen, pending: boolean, host: string | null): string {
  const at = { date: to.date, time: to.time, zone: to.zone };
  return !pending
    ? i.t("moved.to", at)
    : host === null
    ? i.t("moved.to_pending_you", at)
    : i.t("moved.to_pending", { ...at, host });
}

/** The heading of a page opened by a moved booking's link. */
export function movedHeading(i: T): string {
  return i.t("moved.heading");
}

/** The heading of the booking a move made: "Your booking was moved" or "… waiting for {host}". */
export function movedSuccessorHeading(i: T, pending: boolean, host: string): string {
  return pending ? i.t("moved.heading_pending", { host }) : i.t("moved.heading_moved");
}

/** One line for mails: "Moved from {old} to {new}." (each a full time with its zone). */
export function movedFromToText(i: T, from: string, to: string): string {
  return i.t("moved.from_to", { from, to });
}

/**
 * A booking whose host asked the guest to pick a new time, not picked yet: it reads as waiting
 * for their pick (its pages lead to the times), never as plainly cancelled with "book again",
 * which made a second booking unlinked from the first. Once picked, it reads as moved.
 */
export function awaitsPick(view: { state: string; endReason?: string | null }): boolean {
  return view.state === "cancelled" && view.endReason === "reschedule_requested";
}

/**
 * A booking that is over for its guest: cancelled, rejected or expired — not moved (its pages
 * lead to where it went) and not waiting for their pick. Its cancel and reschedule links show
 * what it is, as its own page does (with "book again"), never a change it cannot make.
 */
export function hasEnded(view: { state: string; endReason?: string | null }): boolean {
  return (view.state === "cancelled" || view.state === "rejected" || view.state === "expired") &&
    !awaitsPick(view);
}
