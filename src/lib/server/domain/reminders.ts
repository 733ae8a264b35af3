/**
 * What a reminder or follow-up still says when it is about to go out. Both are queued for a time
 * (a span before the start, after the end), but they go out when the outbox drains: on time, or
 * hours and days later after the server was down or the SMTP server refused them for a while
 * (retries). A reminder then still read "in 1 hour" — two days after the meeting, with its
 * Reschedule and Cancel links — and a 1-day reminder "in 1 day" an hour before it. The rules
 * (docs/decisions/004-outbox.md, amendment 2026-11-27), with `nowMs` the moment of sending:
 *
 * - a reminder goes out only while its meeting is at least a minute away; after that it would
 *   arrive once the meeting has begun;
 * - a reminder whose later sibling (a shorter lead, for the same reader) is due as well is
 *   dropped: that one goes out too and says the same, later in the day (a 1-day and a 1-hour
 *   reminder after a night down: one mail, not two telling the same minutes);
 * - a reminder on time (late by at most a tenth of its lead, and at most 5 minutes, the drain's
 *   cadence) says its lead as the host set it ("in 1 day"); a later one says the time really left,
 *   rounded so it reads as people say it: the minute under an hour, 5 minutes under a day, the hour
 *   beyond (a 1-day reminder sent 2 hours before says "in 2 hours");
 * - a follow-up is the host's own words, with no time in them: it goes out late, but no later
 *   than a week after it was due — or as long again as it was meant to wait, for a longer one —
 *   after which it reads as a mistake and the host has likely written themselves.
 */
import type { Reminder } from "./model/records.ts";

const MIN = 60_000;
const DAY = 1440 * MIN;

/** Closer to the start than this, a reminder would arrive once the meeting has begun. */
export const REMINDER_LAST_MS = MIN;
/** How late an on-time reminder may be: the drain runs every minute, a claim lasts two. */
const ON_TIME_MAX_MS = 5 * MIN;
/** A follow-up later than this after it was due (or its own wait, if longer) is dropped. */
export const FOLLOW_UP_LATE_MAX_MS = 7 * DAY;

/**
 * What a reminder says: `planned` its lead as the host set it (on time), `left` the time left at
 * sending, rounded (late).
 */
export type ReminderLead = { kind: "planned" | "left"; minutes: number };

export type ReminderDecision =
  | { send: true; lead: ReminderLead }
  | { send: false; why: "started" | "overtaken" };

/**
 * The words of a reminder for a meeting at `startMs` meant to go out `minutesBefore` it (absent:
 * a reminder without a plan, which says the time left), sent at `nowMs`.
 */
export function reminderLead(
  startMs: number,
  minutesBefore: number | undefined,
  nowMs: number,
): ReminderLead {
  const leftMs = startMs - nowMs;
  if (minutesBefore !== undefined) {
    const lateMs = nowMs - (startMs - minutesBefore * MIN);
    if (lateMs <= Math.min(ON_TIME_MAX_MS, minutesBefore * MIN / 10)) {
      return { kind: "planned", minutes: minutesBefore };
    }
  }
  return { kind: "left", minutes: roundLeft(leftMs) };
}

/** The time left as people say it: to the minute under an hour, 5 minutes under a day, the hour beyond. */
function roundLeft(leftMs: number): number {
  const minutes = leftMs / MIN;
  const step = minutes < 60 ? 1 : minutes < 1440 ? 5 : 60;
  return Math.max(1, Math.round(minutes / step) * step);
}

/**
 * Whether the reminder `job` (queued for the meeting at `startMs`, `minutesBefore` it, for the
 * guest or the host) goes out at `nowMs`, and what it says. `reminders` are the booking's own:
 * the guest gets every one, the host those marked `toHost`. A booking cancelled or moved is the
 * caller's check (its record), before this.
 */
export function decideReminder(
  job: { startMs: number; minutesBefore: number; toHost: boolean },
  reminders: readonly Reminder[],
  nowMs: number,
): ReminderDecision {
  if (job.startMs - nowMs < REMINDER_LAST_MS) return { send: false, why: "started" };
  const overtaken = reminders.some((r) =>
    r.minutesBefore < job.minutesBefore && (!job.toHost || r.toHost) &&
    job.startMs - r.minutesBefore * MIN <= nowMs
  );
  if (overtaken) return { send: false, why: "overtaken" };
  return { send: true, lead: reminderLead(job.startMs, job.minutesBefore, nowMs) };
}

/**
 * Whether a follow-up meant for `minutesAfter` after a meeting that ended at `endMs` still goes
 * out at `nowMs`.
 */
export function followUpStillDue(endMs: number, minutesAfter: number, nowMs: number): boolean {
  const lateMs = nowMs - (endMs + minutesAfter * MIN);
  return lateMs <= Math.max(FOLLOW_UP_LATE_MAX_MS, minutesAfter * MIN);
}
