/**
 * Meeting polls (issue 28, Calendly's Meeting Polls): the host proposes 2–20 of their free times
 * of one event type; invitees answer yes / if need be / no per time through the poll's link (no
 * account, no script needed); the host sees the matrix and picks a time, which is booked through
 * the engine like any booking (a time taken meanwhile is refused and the poll stays open). The
 * booking's "booked" marker rides in the booking's own commit, checked absent: a poll books once.
 */
import type { App } from "../app.ts";
import type { EventTypeRecord, PollRecord, UserRecord } from "../domain/model/records.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { placesToChoose } from "../domain/locations.ts";
import { translator } from "../i18n.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { Temporal } from "../domain/temporal.ts";
import { newId } from "../store/users.ts";
import { getEventType, getEventTypeBySlug } from "../store/event-types.ts";
import { setEventTypeActive } from "./event-types.ts";
import { closePollRecord, getPoll, insertPoll, listPolls, listVotes } from "../store/polls.ts";
import { hmacToken, randomToken, sha256Hex } from "../integrations/crypto.ts";
import { isOffered, parseStart } from "./book-slot.ts";
import { engineRules, runChange } from "./transaction.ts";
import { hostEventJob } from "./webhooks.ts";
import { freeStarts } from "./one-off-links.ts";
import { seriesOf } from "../domain/series.ts";
import { seatsOf } from "../domain/seats.ts";
import { formatDate, formatRange, formatTime, hostClock, isoInstant } from "../../shared/format.ts";
import { getBooking } from "../store/bookings.ts";
import { currentOf } from "./booking-view.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { isOneLine } from "../../shared/text.ts";

export const MIN_TIMES = 2;
export const MAX_TIMES = 20;

export async function pollToken(app: App, p: Pick<PollRecord, "id" | "salt">) {
  return await hmacToken(app.linkKey, p.salt, p.id, "meeting poll");
}

export async function pollUrl(app: App, p: PollRecord) {
  return `${app.config.baseUrl.href.replace(/\/$/, "")}/poll/${await pollToken(app, p)}`;
}

/** A poll as webhooks describe it. */
export function pollResource(p: PollRecord) {
  return {
    id: p.id,
    title: p.title,
    times: p.starts.map(isoInstant),
    expiresAt: isoInstant(p.expiresAtMs),
    reserved: !!p.holds,
    bookingId: p.bookingId,
    closedAt: p.closedAtMs ? isoInstant(p.closedAtMs) : null,
  };
}

export type CreatePollResult =
  | { ok: true; poll: PollRecord; url: string }
  | {
    ok: false;
    reason:
      | "not_found"
      | "too_few"
      | "too_many"
      | "not_free"
      | "bad_title"
      | "bad_until"
      /** A seated event type: a poll books one meeting for all its voters, not seats. */
      | "seated"
      /** A repeating event type: its guest books the series (ADR 048). */
      | "series";
  };

export async function createPoll(
  app: App,
  host: UserRecord,
  input: {
    slug: string;
    title: string;
    starts: string[];
    reserve?: boolean;
    /**
     * Answers are taken (and times held) until the end of this day (YYYY-MM-DD, host's zone) or
     * this instant; default: until the last time.
     */
    until?: string;
  },
): Promise<CreatePollResult> {
  const et = await getEventTypeBySlug(app.kv, host.id, input.slug);
  if (!et || !et.active || et.teamMode) return { ok: false, reason: "not_found" };
  // The pick books one meeting with every voter an attendee: a seated time's seats (one guest
  // each) and a series' dates (booked whole by their guest) are not that.
  if (seatsOf(et)) return { ok: false, reason: "seated" };
  if (seriesOf(et)) return { ok: false, reason: "series" };
  const title = input.title.trim() || et.title;
  if (title.length > 100 || !isOneLine(title)) return { ok: false, reason: "bad_title" };
  // One time written two ways ("…Z", "…+00:00") is one time.
  const unique = [
    ...new Map(input.starts.map((text) => [parseStart(text)?.epochMilliseconds ?? text, text]))
      .values(),
  ];
  if (unique.length < MIN_TIMES) return { ok: false, reason: "too_few" };
  if (unique.length > MAX_TIMES) return { ok: false, reason: "too_many" };
  const starts: number[] = [];
  for (const text of unique) {
    const start = parseStart(text);
    if (!start || !(await isOffered(app, host, et, start, et.durationMin, { byHost: true }))) {
      return { ok: false, reason: "not_free" };
    }
    if (start.epochMilliseconds <= app.now()) return { ok: false, reason: "not_free" };
    starts.push(start.epochMilliseconds);
  }
  starts.sort((a, b) => a - b);
  // Proposed from the host's free times: none over a booking, a held time or their calendars
  // (held ones are claimed again below, through the engine).
  if ((await freeStarts(app, host, et, starts)).size !== starts.length) {
    return { ok: false, reason: "not_free" };
  }
  const nowMs = app.now();
  let expiresAtMs = starts.at(-1)!;
  if (input.until) {
    let end: number;
    try {
      // A day: to its end in the host's zone. An instant (the API): exactly then.
      end = /^\d{4}-\d{2}-\d{2}$/.test(input.until)
        ? Temporal.PlainDate.from(input.until, { overflow: "reject" }).add({ days: 1 })
          .toZonedDateTime({ timeZone: host.timeZone }).epochMilliseconds
        : Temporal.Instant.from(input.until).epochMilliseconds;
    } catch {
      return { ok: false, reason: "bad_until" };
    }
    if (end <= nowMs) return { ok: false, reason: "bad_until" };
    expiresAtMs = Math.min(expiresAtMs, end);
  }
  let holds: PollRecord["holds"];
  if (input.reserve) {
    // Each time held through the engine (never over live time), one write per time; the hold's
    // id is the id the booking takes if that time is chosen.
    holds = [];
    for (const startMs of starts) {
      const id = newId(app.now());
      const block = blockOf(host, et, startMs, id);
      const res = await runChange(app, {
        lane: host.id,
        rules: engineRules(app, et),
        change: () => ({
          kind: "hold_time",
          holdId: id,
          personId: host.id,
          ...block,
          untilMs: expiresAtMs,
          eventTypeId: et.id,
        }),
      });
      if (!res.ok) {
        await releaseHolds(app, host.id, et, holds, null);
        return { ok: false, reason: "not_free" };
      }
      holds.push({ id, ...block });
    }
  }
  const poll: PollRecord = {
    v: 1,
    id: newId(nowMs),
    hostId: host.id,
    eventTypeId: et.id,
    title,
    starts,
    salt: randomToken(16),
    createdAtMs: nowMs,
    expiresAtMs,
    bookingId: null,
    ...(holds ? { holds } : {}),
  };
  const created = hostEventJob([host.id], "poll.created", { poll: pollResource(poll) }, nowMs);
  if (!(await insertPoll(app.kv, poll, await sha256Hex(await pollToken(app, poll)), [created]))) {
    throw new Error("poll id collision");
  }
  app.kickOutbox();
  return { ok: true, poll, url: await pollUrl(app, poll) };
}

export type TimeView = { start: string; date: string; time: string };
export function timesOf(poll: PollRecord, timeZone: string, clock: "12h" | "24h", locale: string) {
  return poll.starts.map((ms): TimeView => ({
    start: isoInstant(ms),
    date: formatDate(ms, timeZone, locale),
    time: formatTime(ms, timeZone, clock, locale),
  }));
}

export type PollState = "open" | "booked" | "closed" | "expired";
export const stateOf = (p: PollRecord, nowMs: number): PollState =>
  p.bookingId ? "booked" : p.closedAtMs ? "closed" : nowMs >= p.expiresAtMs ? "expired" : "open";

/** The host's polls, newest first, with their links. */
export async function hostPolls(app: App, host: UserRecord) {
  const polls = await listPolls(app.kv, host.id);
  return await Promise.all(polls.map(async (p) => ({
    id: p.id,
    title: p.title,
    state: stateOf(p, app.now()),
    url: await pollUrl(app, p),
    times: p.starts.length,
  })));
}

/**
 * The meeting a poll booked, where it is now (after any moves), in `zone`: null when the poll
 * booked none, or the meeting is no longer on.
 */
export async function bookedMeeting(
  app: App,
  poll: PollRecord,
  zone: string,
  clock: "12h" | "24h",
  locale: string,
): Promise<{ bookingId: string; when: string } | null> {
  if (!poll.bookingId) return null;
  const booked = await getBooking(app.kv, poll.bookingId);
  // Where it is now, after any moves (one walk of the chain: booking-view.ts).
  const b = booked && ((await currentOf(app, booked)) ?? booked);
  if (!b || !isLiveBooking(b, app.now())) return null;
  return { bookingId: b.id, when: formatRange(b.startMs, b.endMs, zone, clock, locale) };
}

/** The matrix: every invitee's answer per time, and the counts per time. */
export async function pollMatrix(app: App, host: UserRecord, id: string, locale: string) {
  if (!/^[0-9A-Z]{26}$/.test(id)) return null;
  const poll = await getPoll(app.kv, host.id, id);
  if (!poll) return null;
  const votes = await listVotes(app.kv, poll.id);
  const times = timesOf(poll, host.timeZone, hostClock(host, locale), locale);
  const et = await getEventType(app.kv, host.id, poll.eventTypeId);
  return {
    id: poll.id,
    title: poll.title,
    state: stateOf(poll, app.now()),
    /**
     * Why no time can be picked while the poll is open: its event type was switched off (the
     * page offers to switch it on) or deleted. Invitees still answer meanwhile (ADR 050).
     */
    eventType: !et
      ? { off: "deleted" as const, title: null }
      : { off: et.active ? null : "switched_off" as const, title: et.title },
    url: await pollUrl(app, poll),
    timeZone: host.timeZone,
    booked: await bookedMeeting(app, poll, host.timeZone, hostClock(host, locale), locale),
    times: times.map((t, i) => ({
      ...t,
      // Begun: no longer offered to pick.
      past: poll.starts[i] <= app.now(),
      yes: votes.filter((v) => v.answers[i] === "yes").length,
      maybe: votes.filter((v) => v.answers[i] === "maybe").length,
    })),
    votes: votes.map((v) => ({ name: v.name, email: v.email, answers: v.answers })),
    // The host picks the place with the time when the event type offers several.
    places: et ? placesToChoose(eventTypeRules(et).locations, translator(locale)) : [],
  };
}

/**
 * The host switches the poll's event type back on from the poll's page (it was switched off
 * meanwhile), so a time can be picked again. The same switch as on the event types page.
 */
export async function switchOnPollEventType(
  app: App,
  host: UserRecord,
  id: string,
): Promise<{ ok: true } | { ok: false; reason: "not_found" }> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return { ok: false, reason: "not_found" };
  const poll = await getPoll(app.kv, host.id, id);
  if (!poll) return { ok: false, reason: "not_found" };
  const res = await setEventTypeActive(app, host, poll.eventTypeId, true);
  return res.ok ? { ok: true } : { ok: false, reason: "not_found" };
}

export type ClosePollResult = { ok: true } | { ok: false; reason: "not_found" | "closed" };

/**
 * The host closes a poll without booking: no more answers or picks (the poll's "booked" marker,
 * written absent-checked, with the `poll.closed` event in the same commit), and its held times
 * are free again at once. Invitees are not mailed (ADR 044): their link says the poll is closed.
 */
export async function closePoll(app: App, host: UserRecord, id: string): Promise<ClosePollResult> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return { ok: false, reason: "not_found" };
  const poll = await getPoll(app.kv, host.id, id);
  if (!poll) return { ok: false, reason: "not_found" };
  if (poll.bookingId || poll.closedAtMs) return { ok: false, reason: "closed" };
  const nowMs = app.now();
  const closed = hostEventJob([host.id], "poll.closed", {
    poll: pollResource({ ...poll, closedAtMs: nowMs }),
  }, nowMs);
  if (!(await closePollRecord(app.kv, poll, nowMs, [closed]))) {
    return { ok: false, reason: "closed" };
  }
  app.kickOutbox();
  const et = await getEventType(app.kv, host.id, poll.eventTypeId);
  if (poll.holds && et) await releaseHolds(app, host.id, et, poll.holds, null);
  return { ok: true };
}

/** What a booking of `et` at `startMs` would block (the meeting plus buffers): its hold. */
function blockOf(host: UserRecord, et: EventTypeRecord, startMs: number, id: string) {
  const b = newBookingRecord(
    {
      id,
      tokenSalt: "",
      host,
      eventType: { ...et, requiresConfirmation: false },
      startMs,
      durationMin: et.durationMin,
      name: "",
      email: "",
      note: "",
      guestTimeZone: host.timeZone,
      by: "host",
    },
    startMs,
    0,
  );
  return { startMs: b.blockStartMs, endMs: b.blockEndMs };
}

export async function releaseHolds(
  app: App,
  hostId: string,
  et: EventTypeRecord,
  holds: NonNullable<PollRecord["holds"]>,
  keep: string | null,
) {
  for (const h of holds) {
    if (h.id === keep) continue;
    await runChange(app, {
      rules: engineRules(app, et),
      change: () => ({
        kind: "release_time",
        holdId: h.id,
        personId: hostId,
        startMs: h.startMs,
        endMs: h.endMs,
      }),
    });
  }
}
