/**
 * The counting API of insights: one call per event, made after the event's own work succeeded.
 *
 * Booking changes are counted by the one runner after each commit (`countCommitted`, registered
 * in after-commit.ts); routes and services never count them by hand. Page steps, deliveries and
 * calendar syncs are counted where they happen.
 *
 * A count never slows or fails what it describes. Every call returns at once with a promise that
 * never rejects and settles when the count is queued (its lookups done: whose host, which zone);
 * requests drop it. The queue is written with `sum` mutations that need no check: concurrent
 * counts never conflict and all land. Queued counts are netted, and while counts keep coming
 * they are written once a second (count-writer.ts), so a burst of bookings or page views costs a
 * few KV writes, not one each. `settleCounts` waits until everything queued is written (tests,
 * a job that must end with its counts, shutdown). A failed write is logged and its counts
 * dropped: insights may undercount after a KV failure, they never hold a request up.
 *
 * No cookies, IP addresses, email addresses or user agents are stored: only numbers per host,
 * event type and day.
 */
import type { App } from "../app.ts";
import type {
  BookingRecord,
  OutboxRecord,
  RoutingStage,
  TeamRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { ensureCountingSince, type OwnedDelta, putProblem } from "../store/insights.ts";
import { countsForgotten, errorText, write } from "./count-writer.ts";
import { getBooking } from "../store/bookings.ts";
import { getUser, getUserByUsernameCached } from "../store/users.ts";
import { getTeam } from "../store/teams.ts";
import { keys } from "../store/keys.ts";
import { FORM_ROUTE, routingDelta } from "../domain/insights-routing.ts";
import { getEventTypeBySlugCached } from "../store/event-types.ts";
import { cachedRead } from "../store/settings-cache.ts";
import { settleCounts, trackCount } from "../ops/counts-in-flight.ts";
import {
  bookingDeltas,
  type CountDelta,
  deliveryMetric,
  deliveryOf,
  type DeliveryOutcome,
  type PageStep,
  previousFacts,
  SYNC,
} from "../domain/insights.ts";
import { zonedDay } from "../domain/zone-days.ts";
import { listCalendarAccounts } from "./calendar-views.ts";
import { historyDeltas, ownersOf } from "../domain/insights-history.ts";
import { originDelta } from "../domain/insights-origin.ts";
import { askedOnPage } from "../domain/booking-origin.ts";
import type { Committed, Plan } from "../domain/booking-engine/index.ts";

/** A guest reached funnel steps on a booking page (see `pageStepsOf`). */
export function countPageSteps(
  app: App,
  page: { username: string; slug: string },
  steps: readonly PageStep[],
): Promise<void> {
  return track(app, "page step", async () => {
    const host = await getUserByUsernameCached(app.kv, page.username);
    if (!host) return;
    const et = await getEventTypeBySlugCached(app.kv, host.id, page.slug);
    if (!et) return;
    const day = zonedDay(app.now(), host.timeZone);
    await write(
      app,
      steps.map((metric) => ({
        ownerId: host.id,
        family: "ev",
        day,
        eventTypeId: et.id,
        metric,
        n: 1,
      })),
    );
  });
}

/**
 * A guest's booking was made (pending or confirmed at once): `b` as its commit wrote it (the
 * plan's record — reading it back cost a KV read per booking, issue 26).
 */
export function countBooked(app: App, b: BookingRecord): Promise<void> {
  return track(app, "booking", async () => {
    // As it was made (an imported or replayed record may carry later history).
    const made = { ...b, status: b.history[0]?.status ?? b.status, endReason: null };
    await writeBooking(app, made, null, b.createdAtMs);
  });
}

/**
 * A booking changed state (confirmed, rejected, expired, cancelled): `booking` as the change
 * left it; its history says what it was before.
 */
export function countBookingChange(app: App, booking: BookingRecord): Promise<void> {
  return track(app, "booking change", async () => {
    const atMs = booking.history[booking.history.length - 1]?.atMs ?? app.now();
    await writeBooking(app, booking, previousFacts(booking), atMs);
  });
}

/** A guest moved a booking: `successor` is the new one; the old one ended as "rescheduled". */
export function countRescheduled(app: App, successor: BookingRecord): Promise<void> {
  return track(app, "reschedule", async () => {
    const old = successor.rescheduledFromId
      ? await getBooking(app.kv, successor.rescheduledFromId)
      : null;
    const made = await withChain(app.kv, successor);
    const deltas: OwnedDelta[] = [];
    // Each side counts for its own people, on each one's day: a round-robin move may hand the
    // meeting to another member, and a collective one is every attendee's (as `writeBooking`).
    for (const ownerId of ownersOf(successor)) {
      const day = zonedDay(successor.createdAtMs, await hostZone(app, ownerId, made.hostTimeZone));
      const mine: CountDelta[] = bookingDeltas(null, made, day);
      // A move is a booking made too, told apart by who moved it (or why: the host asked).
      mine.push(originDelta(successor, day));
      deltas.push(...mine.map((d) => ({ ...d, ownerId })));
    }
    // The old booking ends in this change, as "rescheduled" — except a new time picked after the
    // host asked for one (`rebook`): that booking ended when the host asked, and was counted then.
    if (old && successor.origin !== "rebook") {
      for (const ownerId of ownersOf(old)) {
        const day = zonedDay(successor.createdAtMs, await hostZone(app, ownerId, old.hostTimeZone));
        const ended = bookingDeltas(previousFacts(old), old, day);
        deltas.push(...ended.map((d) => ({ ...d, ownerId })));
      }
    }
    await write(app, deltas);
  });
}

/**
 * Bookings brought from another Invito (services/import-bookings.ts): each counts its whole
 * history as it happened there, on the host's days, like the backfill counts bookings from before
 * counting began.
 */
export function countImported(app: App, booking: BookingRecord): Promise<void> {
  return track(app, "import", async () => {
    await write(app, historyDeltas(await withChain(app.kv, booking), Number.POSITIVE_INFINITY));
  });
}

/** How a committed change is counted, or why it is not (it changes no booking's state). */
export type CountedAs = "booked" | "changed" | "moved" | "imported" | { notCounted: string };

/**
 * How insights count each kind of committed change: a booking made, a booking's state changed, a
 * booking moved (its successor made, the old one ended as "rescheduled"), bookings brought from
 * another Invito — or, with the reason, not at all. Every kind is listed: a new kind does not
 * compile until it says how it counts, and one left uncounted says why (after-commit.test.ts).
 */
export const COUNTED_AS: Record<Plan["kind"], CountedAs> = {
  create: "booked",
  assign: "booked",
  seat: "booked",
  commit: "booked",
  transition: "changed",
  reschedule: "moved",
  rebook: "moved",
  import: "imported",
  // A series' dates become bookings in its finish writes (domain/booking-engine/series.ts),
  // whoever runs them: the service, or the cleanup job after a crash. Each write counts the
  // dates it finished (`plan.made`).
  series_finish: "booked",
  hold_time: { notCounted: "a poll's hold on a time: no booking is made until a time is picked" },
  release_time: { notCounted: "a poll's held time let go: no booking existed" },
  open: { notCounted: "a multi-person booking's coordinator opened: nothing is booked yet" },
  hold: { notCounted: "a member's time held for a team booking: its commit books it" },
  release: { notCounted: "holds of a booking that did not happen are let go" },
  clear: { notCounted: "expired holds taken over to clear the way: no booking changes state" },
  series_hold: { notCounted: "a series' dates held, unindexed: its finish writes book them" },
  series_commit: { notCounted: "a series decided: its finish writes make the dates bookings" },
};

/**
 * A change the booking engine committed, counted once (the runner's after-commit effect,
 * services/after-commit.ts): what it did to `plan.booking`, as `COUNTED_AS` says.
 */
export function countCommitted(app: App, committed: Committed): Promise<void> {
  const { change, plan } = committed;
  const b = plan.booking;
  if (!b) return Promise.resolve();
  // A collective reschedule commits the new booking and retires the old one in one write.
  const as = change.kind === "commit" && change.retire ? "moved" : COUNTED_AS[plan.kind];
  switch (as) {
    case "booked":
      // A series' finish makes several bookings in one write, each counted.
      if (plan.made) {
        return Promise.all(plan.made.map((x) => countBooked(app, x))).then(() => {});
      }
      return countBooked(app, b);
    case "changed":
      return countBookingChange(app, b);
    case "moved":
      return countRescheduled(app, b);
    case "imported":
      return countImported(app, b);
    default:
      return Promise.resolve();
  }
}

/** The outbox performed a job (`sent`), will retry it, or gave up on it. */
export function countDelivery(
  app: App,
  job: OutboxRecord,
  outcome: DeliveryOutcome,
  error?: string,
): Promise<void> {
  return track(app, "delivery", async () => {
    const p = job.payload as { kind: string; bookingId?: string; hostId?: string };
    if (!p.bookingId && !p.hostId) return; // a sign-in link belongs to no host
    const booking = p.bookingId ? await getBooking(app.kv, p.bookingId) : null;
    const ownerId = p.hostId ?? booking?.hostId;
    if (!ownerId) return;
    const nowMs = app.now();
    const zone = await hostZone(app, ownerId, booking?.hostTimeZone ?? "UTC");
    const d = deliveryOf(job.payload);
    if (!d) return;
    const writes: Promise<void>[] = [write(app, [{
      ownerId,
      family: "hl",
      day: zonedDay(nowMs, zone),
      eventTypeId: booking?.eventTypeId ?? "",
      metric: deliveryMetric(d, outcome),
      n: 1,
    }])];
    if (outcome !== "sent") {
      writes.push(putProblem(app.kv, ownerId, {
        v: 1,
        channel: d.channel,
        atMs: nowMs,
        what: d.what,
        outcome,
        detail: (error ?? "").slice(0, 300),
        bookingId: booking?.id ?? null,
      }));
    }
    await Promise.all(writes);
  });
}

/**
 * A step of a routing form's funnel (domain/insights-routing.ts) where it happened: a view, a
 * submission, a routed response — or a booking that followed, once, on the runner's path after
 * its commit (routing-booked.ts). Counted for the form's owner: a host, or each member of the
 * team that owns it (as a team booking counts for each of its people), on each one's own day.
 */
export function countRoutingStep(
  app: App,
  form: { id: string; ownerId: string },
  step: { stage: RoutingStage; routeId?: string; eventTypeId?: string },
  atMs: number = app.now(),
): Promise<void> {
  return track(app, `routing ${step.stage}`, async () => {
    // Days before the first such count have none: the page says since when (ADR 041).
    if (!routingSince.has(app.kv)) {
      await ensureCountingSince(app.kv, atMs, keys.insightsRoutingSince());
      routingSince.add(app.kv);
    }
    const deltas: OwnedDelta[] = [];
    for (const ownerId of await countingOwners(app, form.ownerId)) {
      const day = zonedDay(atMs, await hostZone(app, ownerId, "UTC"));
      const counted = {
        formId: form.id,
        routeId: step.routeId ?? FORM_ROUTE,
        stage: step.stage,
        eventTypeId: step.eventTypeId ?? "",
      };
      deltas.push({ ...routingDelta(counted, day), ownerId });
    }
    await write(app, deltas);
  });
}

/** The stores this process has seen routing counted in since. */
const routingSince = new WeakSet<Deno.Kv>();

/** Who counts a form's steps: its host, or every member of its team (a 1-second copy). */
async function countingOwners(app: App, ownerId: string): Promise<string[]> {
  const team = await cachedRead<TeamRecord | null>(
    app.kv,
    `insights-team:${ownerId}`,
    () => getTeam(app.kv, ownerId),
  );
  return team ? team.members.map((m) => m.userId) : [ownerId];
}

/**
 * Runs `fn` as a count does: in the background of the caller, never throwing or rejecting, and
 * awaited by `settleCounts` (for a count that first decides whether it happens, routing-booked.ts).
 */
export function countInBackground(
  app: App,
  what: string,
  fn: () => Promise<void>,
): Promise<void> {
  return track(app, what, fn);
}

/** When each host's calendar health was last sampled in this process (for paused minutes). */
const lastSyncSample = new Map<string, number>();

/**
 * A sync run covered this host's calendars: counts the run, whether any calendar failed, and
 * the minutes since the last sample during which booking was paused by a stale calendar.
 */
export function countCalendarSync(app: App, hostId: string, nowMs: number): Promise<void> {
  return track(app, "calendar sync", async () => {
    const { accounts, paused } = await listCalendarAccounts(app, hostId);
    const failed = accounts.some((a) =>
      a.error !== null || a.calendars.some((c) => c.checkConflicts && c.error !== null)
    );
    const interval = app.config.syncIntervalMs;
    const last = lastSyncSample.get(hostId);
    if (lastSyncSample.size > 10_000) lastSyncSample.clear();
    lastSyncSample.set(hostId, nowMs);
    const sinceMs = last === undefined ? interval : Math.min(interval, Math.max(0, nowMs - last));
    const zone = await hostZone(app, hostId, "UTC");
    const day = zonedDay(nowMs, zone);
    const hl = (metric: string, n: number): OwnedDelta => ({
      ownerId: hostId,
      family: "hl",
      day,
      eventTypeId: "",
      metric,
      n,
    });
    const deltas = [hl(SYNC.runs, 1)];
    if (failed) deltas.push(hl(SYNC.failed, 1));
    if (paused) deltas.push(hl(SYNC.pausedMin, Math.round(sinceMs / 60_000)));
    await write(app, deltas);
  });
}

export { settleCounts };

// ─── internals ───────────────────────────────────────────────────────────────────────────

/**
 * Runs a count in the background of whoever called it: never throws, never rejects. One that
 * fails because its app's store was closed for good on purpose (`forgetCounts`) goes quietly.
 */
function track(app: App, what: string, fn: () => Promise<void>): Promise<void> {
  const dropped = (err: unknown) => {
    if (!countsForgotten(app)) {
      console.warn(`[insights] a ${what} count was dropped:`, errorText(err));
    }
  };
  let p: Promise<void>;
  try {
    p = fn().catch(dropped);
  } catch (err) {
    dropped(err);
    return Promise.resolve();
  }
  return trackCount(p);
}

async function writeBooking(
  app: App,
  b: BookingRecord,
  before: ReturnType<typeof previousFacts>,
  atMs: number,
): Promise<void> {
  const owners = ownersOf(b);
  const after = await withChain(app.kv, b);
  for (const ownerId of owners) {
    const zone = await hostZone(app, ownerId, b.hostTimeZone);
    const day = zonedDay(atMs, zone);
    const deltas = bookingDeltas(before, after, day);
    // A booking made counts once by how it came (insights-origin.ts).
    if (before === null) deltas.push(originDelta(b, day));
    await write(app, deltas.map((d) => ({ ...d, ownerId })));
  }
}

/** The longest chain of moves followed back (a guest moving one booking this often is rare). */
const MAX_CHAIN = 50;

/**
 * `b` with `chainConfirmed`: whether a booking before it in its chain of moves was ever
 * confirmed (then its own confirmation is no new meeting won; see `bookingDeltas`), and
 * `chainOnPage`: whether the chain's first booking was asked for on a booking page.
 */
export async function withChain(
  kv: Deno.Kv,
  b: BookingRecord,
): Promise<BookingRecord & { chainConfirmed?: boolean; chainOnPage?: boolean }> {
  if (!b.rescheduledFromId) return b;
  let id: string | null = b.rescheduledFromId;
  let first: BookingRecord | null = null;
  for (let i = 0; id && i < MAX_CHAIN; i++) {
    const prev = await getBooking(kv, id);
    if (!prev) break;
    if (prev.history.some((h) => h.status === "CONFIRMED")) return { ...b, chainConfirmed: true };
    first = prev;
    id = prev.rescheduledFromId ?? null;
  }
  // A chain longer than MAX_CHAIN, or one whose first booking is gone: not known to be a page's.
  const whole = first !== null && !id;
  return { ...b, chainConfirmed: false, chainOnPage: whole && askedOnPage(first!) };
}

/** The host's current zone (events count on the host's day as it is now), or `fallback`. */
async function hostZone(app: App, hostId: string, fallback: string): Promise<string> {
  const host = await cachedRead<UserRecord | null>(
    app.kv,
    `insights-user:${hostId}`,
    () => getUser(app.kv, hostId),
  );
  return host?.timeZone ?? fallback;
}
