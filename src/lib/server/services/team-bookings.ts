/**
 * Booking a team's event type (docs/decisions/016-teams.md).
 *
 * - Round robin: the guest picked a start some member offers; the engine's "assign" change
 *   picks the member while it plans (rotation order, first whose time is free, calendars that
 *   cannot be read counting as busy) and its commit checks the rotation and the team record, so
 *   concurrent bookings neither overlap a member nor count from the same rotation state.
 * - Collective: every required member must offer the start; the booking holds all their time
 *   through the multi-person protocol (services/team-booking.ts), whose final commit checks
 *   that they are all still members.
 *
 * A member's own hours, overrides, time off and calendars decide what they offer; the team has
 * none. Rescheduling works the same way: a round-robin booking stays with its member when they
 * are free at the new time and otherwise goes to the next in rotation.
 */
import { unlessClosedMeanwhile } from "./closed-meanwhile.ts";
import { thankYouOf } from "../domain/embed.ts";
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { isLiveBooking, isOwnTime, newBookingRecord } from "../domain/booking.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { chooseDuration } from "../domain/event-rules.ts";
import { type Assignment, awaitsNewTime, type ExtraWrite } from "../domain/booking-engine/index.ts";
import type { Candidate } from "../domain/team-rotation.ts";
import { keys } from "../store/keys.ts";
import type {
  BookingRecord,
  EventTypeRecord,
  TeamRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { getEventType, getEventTypeBySlugCached } from "../store/event-types.ts";
import { getTeam, getTeamAndClosedRevision, getTeamBySlugCached } from "../store/teams.ts";
import { newId } from "../store/users.ts";
import { randomToken } from "../integrations/crypto.ts";
import {
  type BookInput,
  bookRefusal,
  type BookResult,
  checkGuestInput,
  isOffered,
  parseStart,
} from "./book-slot.ts";
import { extraOf } from "./book-basics.ts";
import { bookForPersons } from "./team-booking.ts";
import { bookingToken } from "./booking-links.ts";
import { bookCollectiveSeat, moveCollectiveSeat } from "./team-seats.ts";
import { isCollectiveSeat, seatsOf } from "../domain/seats.ts";
import { freshRoom } from "../domain/locations.ts";
import { engineRules, runChange } from "./transaction.ts";
import { moveHosts, teamHosts } from "./public-calendar.ts";
import { pinnedMember, routedBooking } from "./routing-visits.ts";
import type { RescheduleResult } from "./decide-results.ts";
import { refusedUnlessRepeated } from "./repeat-posts.ts";

export type TeamBookInput = Omit<BookInput, "username"> & {
  team: string;
  /** Tests that stop a collective booking midway (a crash) hook its protocol steps. */
  onStep?: Parameters<typeof bookForPersons>[1]["onStep"];
};

/** The members of `hosts` who offer `start` by their own hours and the event type's rules. */
async function offering(
  app: App,
  hosts: UserRecord[],
  et: EventTypeRecord,
  start: Temporal.Instant,
  durationMin: number,
  byHost: boolean,
): Promise<UserRecord[]> {
  const offers = await Promise.all(
    hosts.map((u) => isOffered(app, u, et, start, durationMin, { byHost })),
  );
  return hosts.filter((_, i) => offers[i]);
}

function candidatesOf(team: TeamRecord, users: UserRecord[]): Candidate[] {
  const byId = new Map(team.members.map((m) => [m.userId, m]));
  return users.flatMap((u) => {
    const m = byId.get(u.id);
    // A member who left moves their own booking (`moveHosts`): read as a candidate like the rest.
    return [{ personId: u.id, weight: m?.weight ?? 1, priority: m?.priority ?? 0 }];
  });
}

/** `offered` are the candidates; `hosts` everyone taking part (a member who left is not). */
function assignment(
  team: TeamRecord,
  et: EventTypeRecord,
  hosts: UserRecord[],
  offered: UserRecord[],
): Assignment {
  return {
    candidates: candidatesOf(team, offered),
    takingPart: hosts.map((u) => u.id),
    rotationKey: keys.teamRotation(et.id),
    rosterKey: keys.team(team.id),
  };
}

/** Who organises a collective booking: the member marked so, else the first owner attending. */
export function organiserOf(
  team: TeamRecord,
  et: Pick<EventTypeRecord, "organiserId">,
  hosts: Pick<UserRecord, "id">[],
): string {
  const ids = new Set(hosts.map((h) => h.id));
  if (et.organiserId && ids.has(et.organiserId)) return et.organiserId;
  const owner = team.members.find((m) => m.role === "owner" && ids.has(m.userId));
  return owner?.userId ?? hosts[0].id;
}

/**
 * Indexes a team booking rides with: the team's list, and for a collective booking each
 * attending member's own list (the host's is written with the booking itself).
 */
function teamIndexes(
  teamId: string,
  b: { id: string; startMs: number; hostId: string },
  personIds: string[],
): ExtraWrite[] {
  return [
    { key: keys.teamBooking(teamId, b.startMs, b.id), value: b.id },
    ...personIds.filter((p) => p !== b.hostId).map((p) => ({
      key: keys.bookingByHostStart(p, b.startMs, b.id),
      value: b.id,
    })),
  ];
}

/** The team and event type of a team booking page, or null (not found, inactive, not a team's). */
async function resolve(app: App, teamSlug: string, slug: string) {
  const team = await getTeamBySlugCached(app.kv, teamSlug.toLowerCase());
  if (!team) return null;
  const et = await getEventTypeBySlugCached(app.kv, team.id, slug.toLowerCase());
  if (!et || !et.active || et.teamId !== team.id || !et.teamMode) return null;
  return { team, et };
}

/**
 * A collective meeting is every host's who takes part now (`teamHosts`: a member who left the
 * team or was suspended no longer does), as the page's times are those they share; counting the
 * event type's list instead refused every time the page offered once someone had left.
 */
function allAttend(et: EventTypeRecord, hosts: UserRecord[], offered: UserRecord[]): boolean {
  return et.teamMode !== "collective" || offered.length === hosts.length;
}

export async function bookTeamSlot(app: App, input: TeamBookInput): Promise<BookResult> {
  const found = await resolve(app, input.team, input.slug);
  if (!found) return { ok: false, reason: "not_found" };
  // Membership as it is now (not the 1-second copy): the commit checks it again. With it, before
  // the members are read, the revision of closed accounts: a close after it is looked for after
  // the write (services/closed-meanwhile.ts).
  const { team, closed } = await getTeamAndClosedRevision(app.kv, found.team.id);
  if (!team) return { ok: false, reason: "not_found" };
  const result = await bookTeamAsRead(app, input, found.et, team);
  return await unlessClosedMeanwhile(app, { runChange, engineRules }, closed, result);
}

async function bookTeamAsRead(
  app: App,
  input: TeamBookInput,
  et: EventTypeRecord,
  team: TeamRecord,
): Promise<BookResult> {
  const checked = checkGuestInput(et, input);
  if (!checked.ok) return { ok: false, reason: "invalid_answers", errors: checked.errors };
  if (input.checkOnly) return { ok: false, reason: "invalid_answers", errors: {} };
  const durationMin = chooseDuration(et, input.durationMin);
  const start = parseStart(input.start);
  if (durationMin === null || !start) return { ok: false, reason: "slot_unavailable" };
  const hosts = await teamHosts(app, team, et);
  // Nobody takes part any more: answered as a switched-off event type is (its page is gone too).
  if (hosts.length === 0) return { ok: false, reason: "not_found" };
  const collective = et.teamMode === "collective";
  // A routing form's visitor: the booking names the response it came from (routing-booked.ts),
  // and a route that names a member books that member (if free), past the rotation's choice.
  const routed = await routedBooking(app, input.routing, et.id);
  const pinned = !collective ? pinnedMember(routed?.memberId, hosts) : null;
  const offered = (await offering(app, hosts, et, start, durationMin, false))
    .filter((u) => !pinned || u.id === pinned);
  if (offered.length === 0 || !allAttend(et, hosts, offered)) {
    return { ok: false, reason: "slot_unavailable" };
  }

  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
  const status = et.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const guest = {
    startMs: start.epochMilliseconds,
    durationMin,
    name: input.name,
    email: input.email,
    note: input.note,
    guestTimeZone: canonicalTimeZone(input.timeZone) ?? team.timeZone,
    clock: input.clock,
    // The guest's language: their mails and booking pages follow it, as on a host's page.
    locale: input.locale,
    answers: checked.answers,
    location: checked.location,
    additionalGuests: checked.additionalGuests,
    source: checked.source,
    routing: routed?.routing ?? null,
    teamId: team.id,
    bookerTag: input.bookerTag,
  };
  // A refusal may be this browser's identical post before this one, which booked the time: the
  // team's list holds its booking whichever member has it (services/repeat-posts.ts).
  const refuse = (reason: Parameters<typeof bookRefusal>[0]) =>
    refusedUnlessRepeated(app, {
      list: { teamId: team.id },
      eventType: et,
      startMs: guest.startMs,
      email: input.email,
      bookerTag: input.bookerTag,
    }, reason);
  if (collective) {
    const organiser = organiserOf(team, et, offered);
    const personIds = offered.map((u) => u.id);
    const args = {
      ...guest,
      identity,
      host: { id: organiser, timeZone: team.timeZone },
      eventType: et,
      personIds,
      rosterKey: keys.team(team.id),
      extra: [
        ...teamIndexes(team.id, { ...guest, id: identity.id, hostId: organiser }, personIds),
        ...(extraOf(input.extra, null) ?? []),
      ],
      onStep: input.onStep,
    };
    // A seated collective time: its first seat takes every member's time, later ones join.
    const res = seatsOf(et)
      ? await bookCollectiveSeat(app, args, seatsOf(et)!.perTime)
      : await bookForPersons(app, args);
    if (!res.ok) return await refuse(res.reason);
    return {
      ok: true,
      bookingId: res.booking.id,
      guestToken: res.guestToken,
      status,
      thankYou: thankYouOf(et, res.booking),
    };
  }

  const guestToken = await bookingToken(app, identity, "guest");
  const res = await runChange(app, {
    // Bookings of one rotation queue behind each other in this process (each changes it).
    lane: `rotation:${et.id}`,
    rules: engineRules(app, et),
    change: (nowMs) => ({
      kind: "assign",
      booking: newBookingRecord(
        {
          ...guest,
          ...identity,
          // The member is set by the plan; the team's zone counts caps.
          host: { id: offered[0].id, timeZone: team.timeZone },
          eventType: et,
          by: "guest",
        },
        nowMs,
        app.config.bookingTtlMs,
      ),
      assign: assignment(team, et, hosts, offered),
      extra: [
        { key: keys.teamBooking(team.id, guest.startMs, identity.id), value: identity.id },
        ...(extraOf(input.extra, null) ?? []),
      ],
    }),
  });
  if (!res.ok) return await refuse(res.reason);
  return {
    ok: true,
    bookingId: identity.id,
    guestToken,
    status,
    thankYou: thankYouOf(et, res.plan.booking!),
  };
}

/**
 * Moves a team booking (guest or host). Round robin: the booking's member keeps it when free at
 * the new time, otherwise the next member in rotation takes it (the first one is told it left
 * their calendar). Collective: every member's new time is held, then the old booking is retired
 * in the final commit.
 */
export async function rescheduleTeamBooking(
  app: App,
  old: BookingRecord,
  startText: string,
  opts: {
    by: "guest" | "host";
    hostId?: string;
    extra?: ExtraWrite[];
    reason?: string;
    /** The guest's move: the zone they moved it in (decide-booking.ts rescheduleByGuest). */
    guestTimeZone?: string;
  },
): Promise<RescheduleResult> {
  const start = parseStart(startText);
  if (!start) return { ok: false, reason: "slot_unavailable" };
  const team = old.teamId ? await getTeam(app.kv, old.teamId) : null;
  const et = team ? await getEventType(app.kv, team.id, old.eventTypeId) : null;
  if (!team || !et || !et.active || !et.teamMode) return { ok: false, reason: "not_found" };
  // A seat moves to a seat: an event type no longer seated takes no moved seats (refused before
  // any member's time is held for it; the final commit refuses it too).
  if (isCollectiveSeat(old) && !seatsOf(et)) return { ok: false, reason: "not_supported" };
  const durationMin = chooseDuration(et, old.durationMin) ?? et.durationMin;
  const startMs = start.epochMilliseconds;
  const byHost = opts.by === "host";
  const hosts = await moveHosts(app, team, et, byHost ? old.hostId : null);
  const offered = await offering(app, hosts, et, start, durationMin, byHost);
  const collective = et.teamMode === "collective";
  if (offered.length === 0 || !allAttend(et, hosts, offered)) {
    return { ok: false, reason: "slot_unavailable" };
  }
  // The host chose the new time: it is confirmed.
  const eventType = byHost ? { ...et, requiresConfirmation: false } : et;
  const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };

  if (collective) {
    const organiser = organiserOf(team, et, offered);
    // Where it is already, with the same organiser: refused before every member's time is held
    // for it (the final commit refuses it as well).
    const endMs = startMs + durationMin * 60_000;
    if (isLiveBooking(old, app.now()) && isOwnTime(old, { hostId: organiser, startMs, endMs })) {
      return { ok: false, reason: "same_time" };
    }
    const personIds = offered.map((u) => u.id);
    const move = {
      identity,
      host: { id: organiser, timeZone: team.timeZone },
      eventType,
      personIds,
      startMs,
      durationMin,
      name: old.guestName,
      email: old.guestEmail,
      note: old.guestNote,
      // As engine moves (reschedule.ts successorRecord): a guest's move in their page's zone.
      guestTimeZone: (!byHost && opts.guestTimeZone) || old.guestTimeZone,
      clock: old.guestClock,
      locale: old.guestLocale,
      answers: old.answers,
      // A seat moved to another time joins another meeting: a Jitsi room for it, should it be
      // that time's first seat (a seat joining a meeting takes its room: seat-ledger.ts seatRoom).
      location: isCollectiveSeat(old) && old.location?.kind === "jitsi"
        ? freshRoom(old.location, randomToken(15))
        : old.location,
      routing: old.routing,
      teamId: team.id,
      rosterKey: keys.team(team.id),
      reschedule: {
        old,
        by: opts.by,
        enforceCutoff: !byHost,
        hostId: opts.hostId,
        reason: opts.reason,
        // The guest's pick after the host asked for a new time (only a seat is asked: ADR 040).
        ...(awaitsNewTime(old) && !byHost ? { rebook: true as const } : {}),
      },
      extra: [
        ...teamIndexes(team.id, { id: identity.id, startMs, hostId: organiser }, personIds),
        ...(opts.extra ?? []),
      ],
    };
    // A seat of a collective time joins the new time's meeting, or starts it (team-seats.ts).
    const res = isCollectiveSeat(old)
      ? await moveCollectiveSeat(app, move, seatsOf(et)!.perTime)
      : await bookForPersons(app, move);
    if (res.ok) return { ok: true, booking: res.booking, guestToken: res.guestToken };
    return { ok: false, reason: rescheduleRefusal(res.reason) };
  }

  const guestToken = await bookingToken(app, identity, "guest");
  const res = await runChange(app, {
    lane: `rotation:${et.id}`,
    rules: engineRules(app, et),
    change: () => ({
      kind: "reschedule",
      bookingId: old.id,
      by: opts.by,
      guestTimeZone: opts.guestTimeZone,
      successor: {
        ...identity,
        host: { id: old.hostId, timeZone: team.timeZone },
        eventType,
        startMs,
        durationMin,
        teamId: team.id,
      },
      enforceCutoff: !byHost,
      hostId: opts.hostId,
      reason: opts.reason,
      extra: [
        { key: keys.teamBooking(team.id, startMs, identity.id), value: identity.id },
        ...(opts.extra ?? []),
      ],
      assign: assignment(team, et, hosts, offered),
    }),
  });
  if (res.ok) return { ok: true, booking: res.plan.booking!, guestToken };
  const booking = res.primary as BookingRecord | undefined;
  return { ok: false, reason: rescheduleRefusal(res.reason), ...(booking ? { booking } : {}) };
}

function rescheduleRefusal(reason: string): Extract<RescheduleResult, { ok: false }>["reason"] {
  switch (reason) {
    case "slot_taken":
    case "cap_reached":
    case "too_many_pending":
    case "calendar_unavailable":
    case "not_found":
    case "too_late":
    case "busy":
    case "conflict":
    case "cancelled":
    case "moved":
    case "expired":
    case "already_confirmed":
    case "already_rejected":
    case "same_time":
    case "not_supported":
    case "already_seated":
    case "seats_full":
      return reason;
    case "too_large":
    case "held":
      return "busy";
    default:
      return "not_pending";
  }
}
