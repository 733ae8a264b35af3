/**
 * Drains due outbox jobs: claim (which moves the job's due time past a lease, so a dead worker's
 * job comes back), perform, then delete, or reschedule with backoff, or park as failed. Several
 * jobs run at once, but one booking's (or one series') jobs only in turn (jobs/outbox-lanes.ts;
 * a series' dates' calendar writes run a few at once).
 */
import type { App } from "../app.ts";
import {
  claim,
  complete,
  giveUp,
  jobKind,
  listBookingJobs,
  listDue,
  retryLater,
  waitLater,
} from "../store/outbox.ts";
import { awaitedMailDue, followsMails } from "../domain/mail-order.ts";
import type {
  BookingRecord,
  EventTypeRecord,
  MailKind,
  OutboxRecord,
} from "../domain/model/records.ts";
import { hostMoveReason, nextRetryDelay } from "../domain/booking.ts";
import { getBooking, listSeriesBookings } from "../store/bookings.ts";
import { getUser } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import { renderBookingMail } from "../integrations/mail-templates/booking.ts";
import { sendSealedMail } from "../services/sign-in-mail.ts";
import { bookingLinks, declineToken, declineUrl, guestLinks } from "../services/booking-links.ts";
import { guestAttends, inviteesDecline } from "../domain/attendees.ts";
import { readerGroup } from "../domain/guest-readers.ts";
import { describeDuration } from "../config.ts";
import {
  deliverWebhook,
  fanOutEvent,
  fanOutHostEvent,
  type WebhookJobOutcome,
} from "../services/webhook-delivery.ts";
import { releaseHeld } from "../services/webhook-held.ts";
import { mayStartJobs } from "../ops/lifecycle.ts";
import { logLine, redactText } from "../ops/log.ts";
import { recordJob } from "../ops/metrics.ts";
import { countDelivery } from "../services/insights-count.ts";
import { teamMailParts } from "../services/team-mail.ts";
import { getTeam } from "../store/teams.ts";
import { isHostSideMail, mailCarriesInvitation } from "../domain/calendar-identity.ts";
import { awaitsMeetingLink } from "../domain/locations.ts";
import { roomProviderOf } from "../services/calendar-writeback.ts";
import { writebackProviderOf } from "../services/writeback-events.ts";
import { getSeatLedger } from "../store/seats.ts";
import { liveSeats } from "../domain/seats.ts";
import { decideReminder, followUpStillDue } from "../domain/reminders.ts";
import { seatsAtTime } from "../services/seated-times.ts";
import { cancelMeetingSeats } from "../services/cancel-meeting.ts";
import { jobMessageId } from "../domain/mail-identity.ts";
import { lanesOf, runLane, semaphore } from "./outbox-lanes.ts";

const CLAIM_MS = 2 * 60_000;
const BATCH = 25;
/** Jobs, and SMTP hand-offs of all lanes, at once: one slow hand-off holds no other mail back. */
export const CONCURRENCY = 4;

type DueEntry = Deno.KvEntry<OutboxRecord>;
type Stats = { done: number; retried: number; failed: number };

import type { JobOutcome } from "./job-outcome.ts";
import { ownWords } from "../services/delivery-words.ts";
import { reopenedLinkUrl } from "../services/single-use-links.ts";
export type { JobOutcome };
export type Performer = (app: App, job: OutboxRecord, nowMs: number) => Promise<JobOutcome>;
/** A job's outcome, or a webhook delivery's done-but-`failed` (given up). */
type Outcome = JobOutcome | Extract<WebhookJobOutcome, { ok: true }>;

/** Extra performers registered by later features (calendar writeback). */
export const performers: Partial<Record<OutboxRecord["payload"]["kind"], Performer>> = {};

export async function deliverOutbox(
  app: App,
  nowMs: number,
  budgetMs = 50_000,
): Promise<Stats> {
  const stats = { done: 0, retried: 0, failed: 0 };
  const startedAt = Date.now();
  // During a shutdown, due jobs still start while there is time to finish them; the rest stay
  // queued for the next process.
  const inBudget = () => Date.now() - startedAt < budgetMs && mayStartJobs();
  while (inBudget()) {
    const due = await listDue(app.kv, nowMs, BATCH);
    if (due.length === 0) break;
    const lanes = lanesOf(due);
    const mails = semaphore(CONCURRENCY);
    let progressed = false;
    // A store failure (not a failed job) ends the drain as it did when jobs ran one by one: no
    // new job starts, the ones in flight finish, then the error propagates.
    let crashed = false;
    const run = async (entry: DueEntry) => {
      try {
        if (await deliverOne(app, entry, nowMs, stats)) progressed = true;
      } catch (err) {
        crashed = true;
        throw err;
      }
    };
    const worker = async () => {
      for (let lane = lanes.shift(); lane; lane = lanes.shift()) {
        if (crashed || !inBudget()) return;
        await runLane(lane, run, () => !crashed && inBudget(), mails);
      }
    };
    const results = await Promise.allSettled(Array.from({ length: CONCURRENCY }, worker));
    const crash = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (crash) throw crash.reason;
    if (!progressed) break;
    nowMs = Math.max(nowMs, app.now());
  }
  return stats;
}

/**
 * Claims, performs and settles one job; false if another worker had claimed it. The claim is taken
 * here, not for a whole lane up front, so time spent waiting in a lane does not use up the lease.
 */
async function deliverOne(
  app: App,
  entry: DueEntry,
  nowMs: number,
  stats: Stats,
): Promise<boolean> {
  const job = await claim(app.kv, entry, app.instanceId, CLAIM_MS, nowMs);
  if (!job) return false;
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await perform(app, job, nowMs);
  } catch (err) {
    outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const settled = (result: string) => {
    const seconds = (performance.now() - started) / 1000;
    recordJob(jobKind(job), result, seconds);
    logLine(["done", "wait", "held"].includes(result) ? "info" : "warn", "job", {
      kind: jobKind(job),
      job: job.id,
      booking: "bookingId" in job.payload ? job.payload.bookingId : undefined,
      requestId: job.requestId,
      attempt: job.attempts,
      outcome: result,
      ms: Math.round(seconds * 1000),
    });
  };
  if (outcome.ok && "held" in outcome && outcome.held) {
    // Moved out of the queue until its host is reactivated (webhook-held.ts): no attempt.
    stats.done++;
    settled("held");
    return true;
  }
  if (outcome.ok) {
    await complete(app.kv, job);
    // A webhook its receiver refused (or that ran out of retries) is done, but failed.
    const failed = "failed" in outcome ? outcome.failed : undefined;
    if (failed !== undefined) await countDelivery(app, job, "failed", failed);
    else if (!outcome.skipped) await countDelivery(app, job, "sent");
    stats.done++;
    settled("done");
    return true;
  }
  if (outcome.waiting) {
    // Waiting is not failing: the same job, due again when what it waits for may be there.
    await waitLater(
      app.kv,
      job,
      outcome.retryAtMs ?? nowMs + Math.max(1_000, outcome.retryAfterMs ?? 5_000),
    );
    settled("wait");
    return true;
  }
  const backoff = outcome.permanent
    ? null
    : outcome.retryAtMs !== undefined
    ? Math.max(0, outcome.retryAtMs - nowMs)
    : nextRetryDelay(job.attempts);
  const delay = backoff === null ? null : Math.max(backoff, outcome.retryAfterMs ?? 0);
  settled(delay === null ? "failed" : "retry");
  if (delay === null) {
    await giveUp(app.kv, job, outcome.error);
    await countDelivery(app, job, "failed", outcome.error);
    stats.failed++;
    console.error(
      `[outbox] job ${job.id} (${describe(job)}) failed for good: ${redactText(outcome.error)}`,
    );
  } else {
    await retryLater(app.kv, job, nowMs + delay, outcome.error);
    await countDelivery(app, job, "retrying", outcome.error);
    stats.retried++;
    console.warn(
      `[outbox] job ${job.id} (${describe(job)}) failed, retry in ${describeDuration(delay)}: ${
        redactText(outcome.error)
      }`,
    );
  }
  return true;
}

function describe(job: OutboxRecord): string {
  const p = job.payload;
  if (p.kind === "booking_mail") return `${p.mail} for ${p.bookingId}`;
  if (p.kind === "writeback") return `writeback ${p.op} ${p.bookingId}`;
  if (p.kind === "reminder") return `reminder ${p.minutesBefore} min before ${p.bookingId}`;
  if (p.kind === "webhook_event") return `webhook ${p.event} for ${p.bookingId}`;
  if (p.kind === "host_event") return `webhook ${p.event} ${p.ref}`;
  if (p.kind === "webhook_delivery") return `webhook ${p.messageId} to ${p.subscriptionId}`;
  if (p.kind === "webhook_release") return `webhooks held for ${p.hostId}`;
  if (p.kind === "follow_up") return `follow-up ${p.minutesAfter} min after ${p.bookingId}`;
  return p.kind;
}

async function perform(
  app: App,
  job: OutboxRecord,
  nowMs: number,
): Promise<Outcome> {
  const p = job.payload;
  // A mail that is no booking's is named by its job: the same Message-ID on every attempt.
  const messageId = jobMessageId(job.id, app.config.baseUrl.hostname);
  if (p.kind === "sealed_mail") return await sendSealedMail(app, p, nowMs, messageId);
  if (p.kind === "raw_mail") {
    const res = await app.mailer.send({
      to: p.to,
      subject: p.subject,
      text: p.text,
      html: p.html,
      messageId,
    });
    return res.ok
      ? { ok: true }
      : { ok: false, error: res.error.detail, permanent: res.error.kind === "rejected" };
  }
  if (p.kind === "reminder") {
    const booking = await getBooking(app.kv, p.bookingId);
    // Never for a cancelled or moved booking: the reminder was queued for this start only.
    if (!booking || booking.status !== "CONFIRMED" || booking.startMs !== p.startMs) {
      return { ok: true, skipped: true };
    }
    // A poll's first voter who declined since it was queued is not reminded (attendees.ts).
    if (!p.toHost && !guestAttends(booking)) return { ok: true, skipped: true };
    // A seated meeting reminds its host once: only the first confirmed seat's reminder is sent.
    if (p.toHost && booking.seat && !(await firstConfirmedSeat(app, booking, nowMs))) {
      return { ok: true, skipped: true };
    }
    // Late (the server was down, SMTP retries): never once the meeting has begun, nor beside a
    // later reminder due as well; the mail states the time left at `nowMs` (domain/reminders.ts).
    if (!decideReminder(p, booking.reminders ?? [], nowMs).send) return { ok: true, skipped: true };
    return await sendBookingMail(
      app,
      booking,
      p.toHost ? "reminder_host" : "reminder_guest",
      nowMs,
      p.minutesBefore,
      undefined,
      p.personId,
    );
  }
  if (p.kind === "webhook_event") return await fanOutEvent(app, job);
  if (p.kind === "host_event") return await fanOutHostEvent(app, job);
  if (p.kind === "webhook_delivery") return await deliverWebhook(app, job);
  if (p.kind === "webhook_release") return await releaseHeld(app, job);
  if (p.kind === "follow_up") return await sendFollowUp(app, p, nowMs);
  // A seated meeting its host cancelled: its seats left (services/cancel-meeting.ts).
  if (p.kind === "cancel_meeting") {
    return await cancelMeetingSeats(app, p).then(() => ({ ok: true }));
  }
  if (p.kind === "writeback") {
    const performer = performers.writeback;
    // Without calendar writeback configured there is nothing to write.
    return performer ? await performer(app, job, nowMs) : { ok: true, skipped: true };
  }
  const booking = await getBooking(app.kv, p.bookingId);
  if (!booking) return { ok: false, error: ownWords("outbox.booking_gone"), permanent: true };
  // An ending mail follows what announced it (domain/mail-order.ts); now, not a drain's old nowMs.
  const after = followsMails(p.mail)
    ? awaitedMailDue(job, await listBookingJobs(app.kv, p.bookingId), app.now())
    : null;
  if (after !== null) {
    const error = ownWords("outbox.waiting_earlier_mail");
    return { ok: false, error, waiting: true, retryAtMs: after + 1 };
  }
  if (
    awaitsMeetingLink(
      booking,
      p.mail,
      await roomProviderOf(app, booking),
      nowMs - job.createdAtMs,
    )
  ) {
    return {
      ok: false,
      error: ownWords("outbox.waiting_video_link"),
      waiting: true,
      retryAtMs: nowMs + 5_000,
    };
  }
  return await sendBookingMail(
    app,
    booking,
    p.mail,
    nowMs,
    undefined,
    undefined,
    p.personId,
    p.readers,
    p.attendee,
    p.emptied,
    p.by,
  );
}

/** Whether `seat` is the first confirmed live seat of its meeting, in the ledger's order. */
async function firstConfirmedSeat(app: App, seat: BookingRecord, nowMs: number) {
  const ledger = await getSeatLedger(app.kv, seat.eventTypeId, seat.startMs);
  if (ledger?.meetingId !== seat.seat?.meetingId) return true;
  const first = liveSeats(ledger, nowMs).find((x) => x.h === null);
  return !first || first.id === seat.id;
}

/** Like a reminder: never for a booking cancelled or moved since it was queued. */
async function sendFollowUp(
  app: App,
  p: Extract<OutboxRecord["payload"], { kind: "follow_up" }>,
  nowMs: number,
): Promise<JobOutcome> {
  const booking = await getBooking(app.kv, p.bookingId);
  if (!booking || booking.status !== "CONFIRMED" || booking.startMs !== p.startMs) {
    return { ok: true, skipped: true };
  }
  // Nor to a guest who declined (attendees.ts).
  if (!guestAttends(booking)) return { ok: true, skipped: true };
  // Days late it still goes; weeks late it reads as a mistake (domain/reminders.ts).
  if (!followUpStillDue(booking.endMs, p.minutesAfter, nowMs)) return { ok: true, skipped: true };
  const f = (booking.followUps ?? []).find((x) => x.minutesAfter === p.minutesAfter);
  if (!f) return { ok: true, skipped: true };
  const host = await getUser(app.kv, booking.hostId);
  const team = booking.teamId ? await getTeam(app.kv, booking.teamId) : null;
  const et = await getEventType(app.kv, booking.teamId ?? booking.hostId, booking.eventTypeId);
  // The page it was booked on: the team's for a team booking, the host's otherwise.
  const page = booking.teamId
    ? (team ? `team/${team.slug}` : null)
    : (host ? `calendar/${host.username}` : null);
  return await sendBookingMail(app, booking, "follow_up", nowMs, undefined, {
    message: f.message,
    minutesAfter: f.minutesAfter,
    bookAgainUrl: f.bookAgain ? pickAnotherTimeUrl(app, booking, page, et, false) : null,
  });
}

/**
 * Where a guest picks another time — a follow-up's "book again", an ended booking's "pick
 * another time" — in the language they booked in (`?lang=`), like every such link: the one-off
 * link the booking was made through when it is open again (`reopened`: given back as this request
 * ended unmet, services/single-use-links.ts `reopenedLinkUrl`); the event's page where it stays
 * theirs to use (never the possibly secret event type behind a single-use link, never a type that
 * is gone or switched off); else, with `orPage`, the page it was booked on; else none.
 */
function pickAnotherTimeUrl(
  app: App,
  booking: BookingRecord,
  /** The page it was booked on ("calendar/ann", "team/crew"), null when it is gone. */
  page: string | null,
  et: EventTypeRecord | null,
  orPage: boolean,
  reopened: string | null = null,
): string | null {
  if (!page) return null;
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const usable = et?.active && !booking.singleUseLinkId;
  const again = et?.active && reopened;
  if (!again && !usable && !orPage) return null;
  const url = new URL(
    again ? reopened : usable ? `${base}/${page}/${et.slug}` : `${base}/${page}/`,
  );
  if (booking.guestLocale) url.searchParams.set("lang", booking.guestLocale);
  return url.href;
}

async function sendBookingMail(
  app: App,
  booking: BookingRecord,
  kind: MailKind,
  nowMs: number,
  minutesBefore?: number,
  followUp?: { message: string; minutesAfter: number; bookAgainUrl: string | null },
  /** A team booking's member the mail is for (host-side mails). */
  personId?: string,
  /** Additional guests' mails: the way of reading it is for (domain/guest-readers.ts). */
  readers?: string,
  /** `attendee_declined`: the invitee who declined. */
  attendee?: string,
  /** A seat's `host_cancelled`: its guest's cancel emptied the meeting. */
  emptied?: true,
  /** `host_meeting_cancelled`, `host_cancelled`: who pressed it, when not the organiser. */
  by?: string,
): Promise<JobOutcome> {
  const host = await getUser(app.kv, booking.hostId);
  if (!host) return { ok: false, error: ownWords("outbox.host_gone"), permanent: true };
  const team = booking.teamId ? await teamMailParts(app, booking, host, kind, personId) : null;
  if (team === "gone") return { ok: true, skipped: true };
  const et = await getEventType(app.kv, booking.teamId ?? booking.hostId, booking.eventTypeId);
  const links = await bookingLinks(app, booking);
  // The page it was booked on: the team's for a team booking, the host's otherwise.
  const teamRecord = booking.teamId ? await getTeam(app.kv, booking.teamId) : null;
  const page = teamRecord ? `team/${teamRecord.slug}` : `calendar/${host.username}`;
  // A booking made by a move: its mails name the time it was moved from.
  const previous = booking.rescheduledFromId
    ? await getBooking(app.kv, booking.rescheduledFromId)
    : null;
  // A seat moved away: its host's mail about the meeting it left names the time it went to.
  const next = kind === "host_seat_moved" && booking.rescheduledToId
    ? await getBooking(app.kv, booking.rescheduledToId)
    : null;
  const series = booking.series
    ? await listSeriesBookings(app.kv, booking.hostId, booking.series.id)
    : undefined;
  // The host's invitees each read their own mail, with their own link to decline (ADR 050).
  const invitee = kind === "guests_invited" && inviteesDecline(booking)
    ? readerGroup(booking, readers)?.emails[0]
    : undefined;
  const ctx = {
    booking,
    personId,
    readers,
    attendee,
    emptied,
    // Read when sent: an account closed since leaves "" (the mail then says "a team owner").
    cancelledBy: by ? { id: by, name: (await getUser(app.kv, by))?.name ?? "" } : undefined,
    declineUrl: invitee ? declineUrl(app, await declineToken(app, booking, invitee)) : undefined,
    // A seat's mail to its host carries the seated meeting, derived from all its seats.
    seatsAtTime: booking.seat && isHostSideMail(kind) ? await seatsAtTime(app, booking) : undefined,
    host: team
      ? team.host
      : { name: host.name, email: host.email, clock: host.clock, locale: host.locale },
    team: team?.team,
    links,
    baseUrl: app.config.baseUrl.href,
    confirmedMessage: et?.confirmedMessage,
    rejectedMessage: et?.rejectedMessage,
    ttlMs: app.config.bookingTtlMs,
    nowMs,
    minutesBefore,
    // A guest whose booking ended picks another time: the one-off link it was made through when
    // its ending gave the link back, else the event's page, else the host's.
    bookAgainUrl: pickAnotherTimeUrl(
      app,
      booking,
      page,
      et,
      true,
      teamRecord ? null : await reopenedLinkUrl(app, host, booking),
    )!,
    followUp,
    movedFrom: previous
      ? {
        startMs: previous.startMs,
        endMs: previous.endMs,
        // What the host wrote when they moved it (a guest's own move carries no reason).
        reason: hostMoveReason(previous),
      }
      : undefined,
    movedTo: next ? { id: next.id, startMs: next.startMs, endMs: next.endMs } : undefined,
    // A series' mails about the whole series list every date (docs/decisions/048).
    series,
    // Each date's own page: series.ics links every event to it.
    seriesLinks: series
      ? Object.fromEntries(
        await Promise.all(series.map(async (x) => [x.id, (await guestLinks(app, x)).guest])),
      )
      : undefined,
  };
  const mail = renderBookingMail(kind, ctx);
  // No address: the host erased this guest's data; nothing is sent to anyone in their place.
  if (!mail || !mail.to) return { ok: true, skipped: true };
  // One meeting, one event per calendar: no .ics beside an event that cannot carry its UID.
  if (
    mail.icalEvent &&
    !mailCarriesInvitation(
      kind,
      await writebackProviderOf(app, personId ?? booking.hostId),
      !!booking.seat,
    )
  ) {
    // A seat's move away says nothing the successor's mail does not, but for the .ics.
    if (kind === "host_seat_moved") return { ok: true, skipped: true };
    mail.icalEvent = undefined;
    mail.attachments = mail.attachments?.filter((a) => a.filename !== "series.ics");
  }
  const res = await app.mailer.send(mail);
  return res.ok
    ? { ok: true }
    : { ok: false, error: res.error.detail, permanent: res.error.kind === "rejected" };
}
