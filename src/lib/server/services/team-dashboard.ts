/**
 * A team's bookings as its members see them: owners all of them, members their own; who may
 * decide or cancel which; and the round-robin distribution over the last 30 days against each
 * member's weighted share.
 */
import type { App } from "../app.ts";
import type { BookingRecord, TeamRecord, TeamRole, UserRecord } from "../domain/model/records.ts";
import { keys } from "../store/keys.ts";
import { getBooking, getBookings } from "../store/bookings.ts";
import { getUsers } from "../store/teams.ts";
import { seesTeamBooking, teamBookingAccess } from "../domain/team-membership.ts";
import { weightedShares } from "../domain/team-rotation.ts";
import { type Access, bookingList, type StatusFilter } from "./host-bookings.ts";
import { decideBooking, type DecideResult, requestNewTime } from "./decide-booking.ts";
import { listMyTeams, teamForMember } from "./teams.ts";
import { type BookingListFilter, listTeamBookingsPage } from "./booking-reads.ts";
import { listTeamEventTypes } from "./team-event-types.ts";
import { type CancelMeetingResult, cancelSeatedMeeting } from "./cancel-meeting.ts";
import { foldSeatedRows, seatedTimeOf, type SeatedTimeRow } from "./seated-times.ts";
import { getEventType } from "../store/event-types.ts";
import type { ExtraWrite } from "../domain/booking-engine/index.ts";
import { getUser } from "../store/users.ts";

const DAY = 86_400_000;

async function teamBookings(app: App, teamId: string, fromMs?: number): Promise<BookingRecord[]> {
  const ids: string[] = [];
  for await (
    const e of app.kv.list<string>(
      fromMs === undefined ? { prefix: keys.teamBookingPrefix(teamId) } : {
        prefix: keys.teamBookingPrefix(teamId),
        start: keys.teamBookingFrom(teamId, fromMs),
      },
    )
  ) ids.push(e.value);
  return await getBookings(app.kv, ids);
}

/** Who may decide or cancel which of the team's bookings (domain/team-membership.ts). */
export function teamAccess(team: TeamRecord, user: UserRecord): Access {
  return (b) => teamBookingAccess(team, user.id, b);
}

export async function listTeamBookings(
  app: App,
  user: UserRecord,
  teamId: string,
  filter: StatusFilter,
  /** The reader's locale (dates, answers, names lists); default their profile language. */
  locale: string = user.locale ?? "en",
) {
  const view = await teamForMember(app, user, teamId);
  if (!view) return null;
  const all = await teamBookings(app, view.team.id);
  const visible = all.filter((b) => seesTeamBooking(view, b, user.id));
  return {
    ...view,
    rows: (await bookingList(app, visible, filter, teamAccess(view.team, user), user, locale))
      .rows,
  };
}

/**
 * The teams `user` belongs to, with their role: where a program finds the team whose bookings
 * it reads and an owner's changes it makes (the JSON API's GET /teams).
 */
export async function myTeams(
  app: App,
  user: UserRecord,
): Promise<{ id: string; slug: string; name: string; role: TeamRole }[]> {
  return (await listMyTeams(app, user)).map(({ team, role }) => ({
    id: team.id,
    slug: team.slug,
    name: team.name,
    role,
  }));
}

/**
 * One page of a team's bookings in start order, as its member sees them (owners all of them,
 * members the ones they attend: `seesTeamBooking`); null when `user` is not a member.
 */
export async function teamBookingsPage(
  app: App,
  user: UserRecord,
  teamId: string,
  f: BookingListFilter,
): Promise<{ bookings: BookingRecord[]; next: [number, string] | null } | null> {
  const view = await teamForMember(app, user, teamId);
  if (!view) return null;
  return await listTeamBookingsPage(
    app,
    view.team.id,
    (b) => seesTeamBooking(view, b, user.id),
    f,
  );
}

/**
 * One of the team's bookings as `user` sees it in the team's list (`seesTeamBooking`), with the
 * team; null when they are not a member, or it is not one they see (never "forbidden").
 */
async function seenTeamBooking(
  app: App,
  user: UserRecord,
  teamId: string,
  bookingId: string,
): Promise<{ b: BookingRecord; team: TeamRecord } | null> {
  const view = await teamForMember(app, user, teamId);
  if (!view || !/^[0-9A-Z]{26}$/.test(bookingId)) return null;
  const b = await getBooking(app.kv, bookingId);
  return b && seesTeamBooking(view, b, user.id) ? { b, team: view.team } : null;
}

/** One of the team's bookings as `user` reads it (the API's answer once a change of it landed). */
export async function teamBookingFor(
  app: App,
  user: UserRecord,
  teamId: string,
  bookingId: string,
): Promise<BookingRecord | null> {
  return (await seenTeamBooking(app, user, teamId, bookingId))?.b ?? null;
}

/**
 * Confirm, reject or cancel one of a team's bookings, by the rules of `teamAccess`; or ask its
 * guest for a new time ("request", as a cancel: only a collective seated time's seat is asked).
 * The team's page and the API (`extra`: its Idempotency-Key's record, in the change's commit).
 */
export async function decideTeamBooking(
  app: App,
  user: UserRecord,
  teamId: string,
  bookingId: string,
  action: "confirm" | "reject" | "cancel" | "request",
  reason?: string,
  opts: { extra?: ExtraWrite[] } = {},
): Promise<DecideResult | { ok: false; reason: "forbidden" }> {
  const seen = await seenTeamBooking(app, user, teamId, bookingId);
  if (!seen) return { ok: false, reason: "not_found" };
  const { b, team } = seen;
  const may = teamAccess(team, user)(b);
  if (action === "cancel" || action === "request" ? !may.canCancel : !may.canDecide) {
    return { ok: false, reason: "forbidden" };
  }
  const { extra } = opts;
  if (action === "request") {
    return await requestNewTime(app, b.hostId, b.id, reason ?? "", { pressedBy: user.id, extra });
  }
  return await decideBooking(app, b.id, action, "host", { reason, pressedBy: user.id, extra });
}

type MeetingRefusal = "not_found" | "forbidden" | "not_supported";

/**
 * A seat of one of the team's seated meetings that `user` may cancel whole: by `teamAccess`, as
 * each of its seats — its organiser or an owner of the team.
 */
async function meetingSeatFor(
  app: App,
  user: UserRecord,
  teamId: string,
  seatId: string,
): Promise<
  { ok: true; seat: BookingRecord; team: TeamRecord } | { ok: false; reason: MeetingRefusal }
> {
  const seen = await seenTeamBooking(app, user, teamId, seatId);
  if (!seen) return { ok: false, reason: "not_found" };
  const { b: seat, team } = seen;
  if (!seat.seat) return { ok: false, reason: "not_supported" };
  if (!teamAccess(team, user)(seat).canCancel) return { ok: false, reason: "forbidden" };
  return { ok: true, seat, team };
}

/**
 * What the page that asks before a whole seated meeting is cancelled shows: its row as the team's
 * list shows it (its live seats) and its organiser. "cancelled": no seat of it is live any more.
 */
export async function teamMeetingToCancel(
  app: App,
  user: UserRecord,
  teamId: string,
  seatId: string,
  locale: string = user.locale ?? "en",
): Promise<
  | { ok: true; seatId: string; time: SeatedTimeRow; organiser: string }
  | { ok: false; reason: MeetingRefusal | "cancelled" }
> {
  const got = await meetingSeatFor(app, user, teamId, seatId);
  if (!got.ok) return got;
  const { seat, team } = got;
  const et = await getEventType(app.kv, team.id, seat.eventTypeId);
  const live = (await seatedTimeOf(app, seat, et)).attendees;
  if (live.length === 0) return { ok: false, reason: "cancelled" };
  const rows = await bookingList(app, live, "all", teamAccess(team, user), user, locale);
  const [time] = (await foldSeatedRows(app, rows.rows)).seated;
  if (!time) return { ok: false, reason: "cancelled" };
  return {
    ok: true,
    seatId: live[0].id,
    time,
    organiser: (await getUser(app.kv, seat.hostId))?.name ?? "",
  };
}

/**
 * An owner (or its organiser) cancels a team's seated meeting whole from the team's bookings:
 * the organiser's own cancel (services/cancel-meeting.ts), naming who pressed it to the members.
 */
export async function cancelTeamMeeting(
  app: App,
  user: UserRecord,
  teamId: string,
  seatId: string,
  reason: string,
): Promise<CancelMeetingResult | { ok: false; reason: "forbidden" }> {
  const got = await meetingSeatFor(app, user, teamId, seatId);
  if (!got.ok) return got;
  return await cancelSeatedMeeting(app, got.seat.hostId, got.seat.id, reason, { by: user.id });
}

export type DistributionRow = {
  userId: string;
  name: string;
  weight: number;
  bookings: number;
  share: number;
};

/**
 * Round-robin assignments per member over the last 30 days (bookings made in that time and
 * still live, per event type) against their weighted share of the same total.
 */
export async function roundRobinDistribution(app: App, team: TeamRecord) {
  const nowMs = app.now();
  const since = nowMs - 30 * DAY;
  const types = (await listTeamEventTypes(app, team)).filter((t) => t.teamMode === "round_robin");
  if (types.length === 0) return [];
  const recent = (await teamBookings(app, team.id, since)).filter((b) =>
    b.createdAtMs >= since && (b.status === "CONFIRMED" || b.status === "PENDING")
  );
  const people = new Map(
    (await getUsers(app.kv, team.members.map((m) => m.userId))).map((u) => [u.id, u.name]),
  );
  return types.map((t) => {
    const current = new Set(team.members.map((m) => m.userId));
    const members = team.members.filter((m) => (t.hostIds ?? []).includes(m.userId));
    const mine = recent.filter((b) => b.eventTypeId === t.id);
    const shares = weightedShares(
      members.map((m) => ({ personId: m.userId, weight: m.weight })),
      mine.length,
    );
    const rows: DistributionRow[] = members.map((m) => ({
      userId: m.userId,
      // "" once their account is gone: the page says "a former member" in its reader's language.
      name: people.get(m.userId) ?? "",
      weight: m.weight,
      bookings: mine.filter((b) => b.hostId === m.userId).length,
      share: shares.get(m.userId) ?? 0,
    }));
    // Bookings of people who have left since still count in the total.
    const former = mine.filter((b) => !current.has(b.hostId)).length;
    return { eventType: { id: t.id, title: t.title }, total: mine.length, former, rows };
  });
}
