/**
 * Insights, pure: what one event adds to a host's counters, how a booking page request is
 * classified as a funnel step, and how a date range is read. No clock, no IO.
 *
 * Three families of daily counters, each bucketed by a civil date in the host's zone:
 * - `ev`: things that happened that day (page views, requests, decisions) — in the host's zone
 *   at the time of the event, so a zone change moves only later events to the new zone's days;
 * - `mt`: meetings on the day they take place, with how each stands now; and, while it is still
 *   on (pending or confirmed), its length, how far ahead it was booked and the minutes it
 *   occupies per hour — in the zone the booking recorded (`hostTimeZone`), so the decrement of a
 *   later change always meets its own increment. A moved meeting counts there once, at its
 *   final time; a rejected, expired or cancelled one not at all;
 * - `hl`: delivery health (mails, calendar writes, calendar sync), on the day it happened.
 * Every counter is a Deno.KvU64 changed only by `sum` (see docs/decisions/023-insights.md).
 */
import { endedByHost } from "./booking.ts";
import type { MessageKey } from "../../shared/i18n.ts";
import { isoOfEpochDay, offsetSpanAt, zonedDay } from "./zone-days.ts";
import type { BookingSource } from "../../shared/booking-extras.ts";
import { sourceMetric } from "./insights-source.ts";
import { askedOnPage } from "./booking-origin.ts";
import type { BookingOrigin } from "./model/records.ts";

export type Family = "ev" | "mt" | "hl";

/** One change to one counter: `n` may be negative (a meeting leaving a state). */
export type CountDelta = {
  family: Family;
  /** "2026-11-23", a civil date in the zone the family uses */
  day: string;
  /** "" when the event belongs to no event type (a calendar sync) */
  eventTypeId: string;
  metric: string;
  n: number;
};

/**
 * The funnel on the booking page, in order: arrived, found free times on arrival (the page
 * opens on the first day with free times), picked a time (the booking form was shown).
 */
export const PAGE_STEPS = ["view", "times", "slot"] as const;
export type PageStep = typeof PAGE_STEPS[number];

/** `ev` metrics of bookings. */
export const EV = {
  submitted: "submitted",
  confirmed: "confirmed",
  /**
   * The requests and confirmations of meetings asked for on a booking page (`askedOnPage`): the
   * funnel's last two steps. `submitted` and `confirmed` count every booking, the API's, the
   * host's and a poll's too, which the funnel's guests never saw.
   */
  submittedOnPage: "submitted.page",
  confirmedOnPage: "confirmed.page",
  rejected: "rejected",
  expired: "expired",
  cancelledByGuest: "cancelled_guest",
  cancelledByHost: "cancelled_host",
  rescheduled: "rescheduled",
} as const;

/** Where a booking stands, as the insights show it. */
export const STAGES = [
  "confirmed",
  "pending",
  "rescheduled",
  "cancelled",
  "expired",
  "rejected",
] as const;
export type Stage = typeof STAGES[number];

export function isLiveStage(s: Stage): boolean {
  return s === "pending" || s === "confirmed";
}

/** The facts of a booking the counters need (a subset of BookingRecord). */
export type BookingFacts = {
  eventTypeId: string;
  startMs: number;
  endMs: number;
  createdAtMs: number;
  durationMin: number;
  hostTimeZone: string;
  status: "PENDING" | "CONFIRMED" | "REJECTED" | "CANCELLED";
  endReason: string | null;
  /** set on the booking a reschedule created: it is not a new request */
  rescheduledFromId?: string | null;
  /**
   * A booking earlier in its chain of moves was confirmed: this one's confirmation wins no new
   * meeting. Only read for a booking with `rescheduledFromId`; a chain counts as confirmed once,
   * at its first confirmation, whether that came before or after a move.
   */
  chainConfirmed?: boolean;
  /**
   * The first booking of its chain of moves was asked for on a booking page (`askedOnPage`).
   * Only read for a booking with `rescheduledFromId`, whose own origin is the move.
   */
  chainOnPage?: boolean;
  source?: BookingSource | null; // UTM parameters and `ref`: the sources chart counts by them
  // How it came (`askedOnPage`); a booking without its history counts as not from a page.
  origin?: BookingOrigin;
  singleUseLinkId?: string;
  history?: readonly { by: string }[];
};

export function stageOf(b: Pick<BookingFacts, "status" | "endReason">): Stage {
  switch (b.status) {
    case "PENDING":
      return "pending";
    case "CONFIRMED":
      return "confirmed";
    case "REJECTED":
      return "rejected";
    case "CANCELLED":
      return b.endReason === "expired"
        ? "expired"
        : b.endReason === "rescheduled"
        ? "rescheduled"
        : "cancelled";
  }
}

/** How far ahead a guest booked: upper bounds, then "more". */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `label`s are message keys (the insights service words them for the host). */
export const LEAD_BUCKETS: { label: MessageKey; maxMs: number }[] = [
  { label: "ins.lead_under_1h", maxMs: HOUR },
  { label: "ins.lead_1_4h", maxMs: 4 * HOUR },
  { label: "ins.lead_4_24h", maxMs: DAY },
  { label: "ins.lead_1_3d", maxMs: 3 * DAY },
  { label: "ins.lead_3_7d", maxMs: 7 * DAY },
  { label: "ins.lead_1_2w", maxMs: 14 * DAY },
  { label: "ins.lead_2_4w", maxMs: 28 * DAY },
  { label: "ins.lead_4w_more", maxMs: Infinity },
];

export function leadBucket(leadMs: number): number {
  const i = LEAD_BUCKETS.findIndex((b) => Math.max(0, leadMs) < b.maxMs);
  return i < 0 ? LEAD_BUCKETS.length - 1 : i;
}

/**
 * The minutes a meeting occupies in each wall-clock hour of the zone, hour by hour. An hour
 * that occurs twice (the autumn DST change) collects both; a skipped hour never appears.
 */
export function hourCells(
  startMs: number,
  endMs: number,
  timeZone: string,
): { day: string; hour: number; minutes: number }[] {
  const out: { day: string; hour: number; minutes: number }[] = [];
  let t = startMs;
  while (t < endMs) {
    // The wall clock is the instant moved by the offset in force (zone-days.ts). A cell ends at
    // the clock's next full hour, or at the zone's next change of offset if that comes first
    // (the clock is then read again). Rounding the wall time down to its hour instead met an
    // hour start before `t` after Lord Howe's half-hour step back (01:45 +11:00 → 01:30 +10:30),
    // and a meeting across it held the counting in that loop for good. Each cell through the
    // Temporal polyfill's zone arithmetic was ~10 µs of every booking's counting (issue 26).
    const span = offsetSpanAt(t, timeZone);
    const wallMs = t + span.offsetMs;
    const epochDay = Math.floor(wallMs / DAY);
    const intoDayMs = wallMs - epochDay * DAY;
    const hour = Math.floor(intoDayMs / HOUR);
    const next = Math.min(endMs, t + HOUR - (intoDayMs - hour * HOUR), span.untilMs);
    const day = isoOfEpochDay(epochDay);
    const last = out[out.length - 1];
    const minutes = (next - t) / 60_000;
    if (last && last.day === day && last.hour === hour) last.minutes += minutes;
    else out.push({ day, hour, minutes });
    t = next;
  }
  return out;
}

/**
 * What a meeting that is on adds to (sign 1), or takes from when it ends (sign −1), the charts of
 * meetings in a period: its day's hour grid, how far ahead it was booked, and its length.
 */
function liveDeltas(b: BookingFacts, sign: 1 | -1): CountDelta[] {
  const day = zonedDay(b.startMs, b.hostTimeZone);
  return [
    {
      family: "mt",
      day,
      eventTypeId: b.eventTypeId,
      metric: `lead.${leadBucket(b.startMs - b.createdAtMs)}`,
      n: sign,
    },
    { family: "mt", day, eventTypeId: b.eventTypeId, metric: `length.${b.durationMin}`, n: sign },
    ...hourCells(b.startMs, b.endMs, b.hostTimeZone).map((c): CountDelta => ({
      family: "mt",
      day: c.day,
      eventTypeId: b.eventTypeId,
      metric: `hour.${c.hour}`,
      n: sign * Math.round(c.minutes),
    })),
  ];
}

/**
 * The counter changes of one booking change. `before` is null for a new booking; `eventDay` is
 * the host-zone date on which the change happened (for the `ev` family).
 */
export function bookingDeltas(
  before: BookingFacts | null,
  after: BookingFacts,
  eventDay: string,
): CountDelta[] {
  const out: CountDelta[] = [];
  const ev = (metric: string) =>
    out.push({ family: "ev", day: eventDay, eventTypeId: after.eventTypeId, metric, n: 1 });
  const meetingDay = zonedDay(after.startMs, after.hostTimeZone);
  const mt = (metric: string, n: number) =>
    out.push({ family: "mt", day: meetingDay, eventTypeId: after.eventTypeId, metric, n });
  const stage = stageOf(after);
  const successor = !!after.rescheduledFromId;
  // A chain of moves is one meeting won, counted at its first confirmation: a request moved
  // while pending and confirmed afterwards counts then; a confirmed meeting moved does not again.
  const wins = !successor || !after.chainConfirmed;

  const onPage = successor ? after.chainOnPage === true : askedOnPage(after);
  // Requests and confirmations count by source too (only a booking that has one), and apart
  // when the meeting was asked for on a booking page (the funnel's steps).
  const evWithSource = (m: "submitted" | "confirmed") => {
    ev(EV[m]);
    if (onPage) ev(m === "submitted" ? EV.submittedOnPage : EV.confirmedOnPage);
    const bySource = sourceMetric(m, after.source);
    if (bySource) ev(bySource);
  };
  if (before === null) {
    if (!successor) evWithSource("submitted");
    if (stage === "confirmed" && wins) evWithSource("confirmed");
    mt(`stage.${stage}`, 1);
    if (isLiveStage(stage)) out.push(...liveDeltas(after, 1));
    return out;
  }

  const was = stageOf(before);
  if (was === stage) return out;
  switch (stage) {
    case "confirmed":
      if (wins) evWithSource("confirmed");
      break;
    case "rejected":
      ev(EV.rejected);
      break;
    case "expired":
      ev(EV.expired);
      break;
    case "rescheduled":
      ev(EV.rescheduled);
      break;
    case "cancelled":
      ev(endedByHost(after.endReason) ? EV.cancelledByHost : EV.cancelledByGuest);
      break;
  }
  mt(`stage.${was}`, -1);
  mt(`stage.${stage}`, 1);
  if (isLiveStage(was) && !isLiveStage(stage)) out.push(...liveDeltas(after, -1));
  return out;
}

/**
 * The state a booking was in before its last change, from its history (every change appends
 * one entry). Null when it has no earlier entry (a new booking).
 */
export function previousFacts<
  T extends BookingFacts & { history: { status: BookingFacts["status"] }[] },
>(b: T): BookingFacts | null {
  const prev = b.history[b.history.length - 2];
  return prev ? { ...b, status: prev.status, endReason: null } : null;
}

// ─── The booking page funnel ──────────────────────────────────────────────────────────────

/**
 * The funnel's requests and confirmations in `rows` (a host's `ev` counts): those of meetings
 * asked for on a booking page. A day before `pageSinceDay` without such counts was counted by a
 * version that counted every booking's only, and shows those as it did.
 */
export function funnelRequests(
  rows: readonly { day: string; metric: string; n: number }[],
  pageSinceDay: string | null,
): { submitted: number; confirmed: number } {
  const apart = new Set<string>();
  for (const r of rows) {
    if (r.metric === EV.submittedOnPage || r.metric === EV.confirmedOnPage) apart.add(r.day);
  }
  const onPage = (day: string) => apart.has(day) || (pageSinceDay !== null && day >= pageSinceDay);
  let submitted = 0;
  let confirmed = 0;
  for (const r of rows) {
    const page = onPage(r.day);
    if (r.metric === (page ? EV.submittedOnPage : EV.submitted)) submitted += r.n;
    else if (r.metric === (page ? EV.confirmedOnPage : EV.confirmed)) confirmed += r.n;
  }
  return { submitted, confirmed };
}

/** A request for a guest booking page, as far as counting it needs to know. */
export type PageRequest = {
  /** a client-side navigation (SvelteKit `__data.json`), not a document load */
  isDataRequest: boolean;
  url: URL;
  /** the Referer, if the browser sent one */
  referer: string | null;
  userAgent: string | null;
  /** `Sec-Purpose` or `Purpose` header (prefetch, prerender) */
  purpose: string | null;
  /** a session cookie is present (the host looking at their own page) */
  signedIn: boolean;
  /** the page's answer: a day with at least one free time shown, and a chosen time's form */
  daySlots: number;
  chosen: boolean;
};

/** Link previews and crawlers: they view nothing a person saw. */
const BOT = /bot\b|bot\/|crawl|spider|slurp|facebookexternalhit|embedly|preview|monitor|uptime/i;

/**
 * The funnel steps a booking page request shows (none, most of the time). Without cookies a visit
 * is told apart by the Referer: a request from the same page is a step within one visit, anything
 * else is an arrival. An arrival whose first day has free times also "found free times"; a time
 * counts as picked when the form is shown coming from a page without one, so going back and
 * forth between days and times does not count again until the guest picks another time.
 */
export function pageStepsOf(r: PageRequest): PageStep[] {
  if (r.signedIn) return [];
  if (r.purpose && /prefetch|prerender/i.test(r.purpose)) return [];
  if (r.userAgent && BOT.test(r.userAgent)) return [];
  let from: URL | null = null;
  try {
    from = r.referer ? new URL(r.referer) : null;
  } catch {
    from = null;
  }
  const samePage = !!from && from.origin === r.url.origin && from.pathname === r.url.pathname;
  if (!samePage) {
    if (r.isDataRequest) return [];
    if (r.chosen) return ["view", "times", "slot"]; // a link straight to a time
    return r.daySlots > 0 ? ["view", "times"] : ["view"];
  }
  if (r.chosen && !from!.searchParams.has("slot")) return ["slot"];
  return [];
}

// Date ranges live in insights-range.ts (re-exported: one vocabulary for callers).
export * from "./insights-range.ts";

// ─── Delivery health ─────────────────────────────────────────────────────────────────────

export type DeliveryOutcome = "sent" | "retrying" | "failed";
/** Channels the health panel groups outbox jobs into; any other job kind is its own channel. */
export const MAIL = "mail";
export const CALENDAR_WRITE = "calendar_write";

/** An outbox job's payload as far as health needs it: its kind and what it carries. */
export type DeliveryPayload = { kind: string; [k: string]: unknown };

/** The channel and the "what" (mail template, write operation) of an outbox job. */
export function deliveryOf(p: DeliveryPayload): { channel: string; what: string } | null {
  switch (p.kind) {
    // The fan-out of an event to its subscriptions delivers nothing itself.
    case "webhook_event":
    case "host_event":
    // A seated meeting's cancel: its seats' own writes queue what is delivered.
    case "cancel_meeting":
    // A reactivation's release of held webhook deliveries: each is counted as it is sent.
    case "webhook_release":
      return null;
    case "webhook_delivery":
      return { channel: "webhook", what: "delivery" };
    case "follow_up":
      return { channel: MAIL, what: "follow_up" };
    case "booking_mail":
      return { channel: MAIL, what: String(p.mail) };
    case "reminder":
      return { channel: MAIL, what: p.toHost ? "reminder_host" : "reminder_guest" };
    case "raw_mail":
      return { channel: MAIL, what: "other" };
    case "sealed_mail":
      return { channel: MAIL, what: "sign_in" };
    case "writeback":
      return { channel: CALENDAR_WRITE, what: String(p.op) };
    default:
      // Webhook deliveries and whatever comes later: counted by kind, shown generically.
      return {
        channel: p.kind,
        what: typeof p.event === "string" ? p.event : typeof p.op === "string" ? p.op : "-",
      };
  }
}

/** `hl` metric of one delivery outcome: "out.mail.guest_confirmed.sent". */
export function deliveryMetric(
  d: { channel: string; what: string },
  outcome: DeliveryOutcome,
): string {
  // Dots separate the parts; a kind or template never carries one, but keep the key readable.
  const part = (s: string) => s.replaceAll(".", "_").slice(0, 60);
  return `out.${part(d.channel)}.${part(d.what)}.${outcome}`;
}

export function parseDeliveryMetric(
  metric: string,
): { channel: string; what: string; outcome: DeliveryOutcome } | null {
  const m = /^out\.([^.]+)\.([^.]+)\.(sent|retrying|failed)$/.exec(metric);
  return m ? { channel: m[1], what: m[2], outcome: m[3] as DeliveryOutcome } : null;
}

/** `hl` metrics of the calendar sync, per host and day. */
export const SYNC = {
  runs: "sync.runs",
  failed: "sync.failed",
  pausedMin: "sync.paused_min",
} as const;
