/**
 * A booking post the engine refused, answered with the booking an identical earlier post of the
 * same browser made (docs/decisions/060-repeated-booking-posts.md; the rule is
 * domain/repeat-post.ts). Asked only after a refusal that may stem from that booking and only
 * for a post that carries a booker tag: a crowd without the cookie — scripts, the bench, a
 * third-party frame whose cookies are blocked — pays nothing, and a post that books never reads.
 *
 * Where the earlier booking is found: a seated time's ledger, a single-use link's host list, the
 * newest bookings at that start of the host's or team's list — or, for a series the earlier post
 * is still booking (its dates are written only once every one is held and decided), the series'
 * first date once it is written: the post waits for it, as the engine waits for a team's hold.
 */
import type { App } from "../app.ts";
import type { BookingRecord, CoordinatorRecord, EventTypeRecord } from "../domain/model/records.ts";
import { isRepeatOf, mayBeRepeat } from "../domain/repeat-post.ts";
import { guestTag, seatsOf } from "../domain/seats.ts";
import { thankYouOf } from "../domain/embed.ts";
import { getSeatLedger } from "../store/seats.ts";
import { getBooking, listBusyEntries } from "../store/bookings.ts";
import { keys } from "../store/keys.ts";
import { recordRepeatWait } from "../ops/metrics.ts";
import { listNewestBookingsAt } from "../store/booking-list.ts";
import { HOLD_WAIT_MS, type Refusal } from "../domain/booking-engine/index.ts";
import { bookingToken } from "./booking-links.ts";
import { bookRefusal, type BookResult } from "./book-basics.ts";
import { type JoinedReads, joinRead } from "./joined-reads.ts";

export type RepeatAsk = {
  /** The list the first post's booking is in: its host's, or its team's (a member was chosen). */
  list: { hostId: string } | { teamId: string };
  eventType: EventTypeRecord;
  startMs: number;
  email: string;
  bookerTag?: string;
};

/**
 * A booking post's answer to an engine refusal: the booking an identical earlier post of the
 * same browser made (`repeatedBooking`), else the refusal in a booking request's words. The one
 * way out of every booking service's refusal for a post from the booking page (a host's, a
 * team's, a series).
 */
export async function refusedUnlessRepeated(
  app: App,
  ask: RepeatAsk,
  reason: Refusal | "busy",
): Promise<BookResult> {
  return await repeatedBooking(app, ask, reason) ?? { ok: false, reason: bookRefusal(reason) };
}

/**
 * The earlier post's booking as a booking post's success (its guest link and thank-you page,
 * exactly what that post was answered with), or null: the refusal stands. One read of the
 * store, made only when the refusal may be a repeat and the post carries a tag.
 */
export async function repeatedBooking(
  app: App,
  ask: RepeatAsk,
  refusal: string,
): Promise<Extract<BookResult, { ok: true }> | null> {
  const tag = ask.bookerTag;
  if (!tag || !mayBeRepeat(refusal, tag)) return null;
  const et = ask.eventType;
  const nowMs = app.now();
  const post = { eventTypeId: et.id, startMs: ask.startMs, email: ask.email, bookerTag: tag };
  const found = (await candidates(app, ask)).find((b) => isRepeatOf(b, post, nowMs)) ??
    (await seriesBeingBooked(app, ask, tag)).find((b) => isRepeatOf(b, post, app.now()));
  if (!found) return null;
  return {
    ok: true,
    bookingId: found.id,
    booking: found,
    eventType: et,
    guestToken: await bookingToken(app, found, "guest"),
    status: found.status,
    thankYou: thankYouOf(et, found),
    repeated: true,
  };
}

/**
 * Where the earlier booking can be: a seated time's ledger names the guest's seat by their
 * address's tag (exact at any number of seats); otherwise it is among the newest bookings at
 * that start (a person has one live booking at a time, and the earlier post's was just made).
 */
async function candidates(app: App, ask: RepeatAsk): Promise<BookingRecord[]> {
  if (seatsOf(ask.eventType)) {
    const ledger = await getSeatLedger(app.kv, ask.eventType.id, ask.startMs);
    const g = guestTag(ask.email);
    const seat = ledger?.seats.find(([, tag]) => tag === g);
    const b = seat ? await getBooking(app.kv, seat[0]) : null;
    return b ? [b] : [];
  }
  return await newestAt(app, ask.list, ask.startMs);
}

/** Reads of a list's newest bookings at a start not begun yet, by store, list and start. */
const upcomingOf = new WeakMap<Deno.Kv, JoinedReads<null, BookingRecord[]>>();

/**
 * The newest bookings at `startMs`, read once for a crowd. A crowd of browsers refused on one
 * time (each with its own cookie) would read the same bookings once per loser: measured on a
 * crowd of 200, ~100 µs more JavaScript per refused post. The read begins after every request
 * that shares it was refused (services/joined-reads.ts), so it sees the booking that refused
 * each of them (a refusal is decided from a read that saw it).
 */
function newestAt(app: App, list: RepeatAsk["list"], startMs: number): Promise<BookingRecord[]> {
  let upcoming = upcomingOf.get(app.kv);
  if (!upcoming) upcomingOf.set(app.kv, upcoming = new Map());
  return joinRead(
    upcoming,
    `${"teamId" in list ? `t:${list.teamId}` : `h:${list.hostId}`}:${startMs}`,
    null,
    async (asks) => {
      const found = await listNewestBookingsAt(app.kv, list, startMs);
      return asks.map(() => found);
    },
  );
}

/**
 * The first date of a series the same browser's earlier post is booking at this start right now
 * (its coordinator names the post's tag), once that post has written it: waited for — a series
 * is held, decided and written in a few writes, milliseconds apart — for as long as the engine
 * waits for a team's hold (`HOLD_WAIT_MS`). Empty when no such series is under way (one list of
 * the host's busy time at that start), or it was given up, or it outlasts the wait.
 */
async function seriesBeingBooked(app: App, ask: RepeatAsk, tag: string): Promise<BookingRecord[]> {
  if (!ask.eventType.series || !("hostId" in ask.list)) return [];
  const at = await listBusyEntries(
    app.kv,
    ask.list.hostId,
    ask.startMs,
    ask.startMs + 1,
    app.now(),
  );
  const ids = [...new Set(at.flatMap((e) => e.coordinatorId ? [e.coordinatorId] : []))];
  if (ids.length === 0) return [];
  const read = await app.kv.getMany<CoordinatorRecord[]>(ids.map((id) => keys.coordinator(id)));
  const underWay = (c: CoordinatorRecord | null) =>
    c?.state === "holding" || c?.state === "committed";
  const c = read.map((r) => r.value).find((c) =>
    underWay(c) && c!.eventTypeId === ask.eventType.id && c!.series?.bookerTag === tag &&
    c!.series.starts[0] === ask.startMs
  );
  if (!c) return [];
  recordRepeatWait();
  for (let waited = 0; waited < HOLD_WAIT_MS;) {
    // The coordinator before the date: a series finished (and tidied) meanwhile has written it.
    const now = (await app.kv.get<CoordinatorRecord>(keys.coordinator(c.id))).value;
    const first = await getBooking(app.kv, c.bookingId);
    if (first) return [first];
    if (!underWay(now)) return [];
    const pause = 5 + Math.random() * Math.min(100, 5 + waited / 4);
    await new Promise((r) => setTimeout(r, pause));
    waited += pause;
  }
  return [];
}
