/**
 * What a guest sees: a host's (or a team's) event types, and whose hours and busy time a booking
 * page offers. One event type's month grid and day are in slot-page.ts, a date range in
 * slot-range.ts, and the month engine they share in slot-month.ts.
 */
import type { App } from "../app.ts";
import { Temporal } from "../domain/temporal.ts";
import { isListed } from "../domain/event-visibility.ts";
import { isActive } from "../domain/admin.ts";
import { getActiveUser, getUserByUsername, getUserByUsernameCached } from "../store/users.ts";
import { getEventTypeBySlugCached, listEventTypes } from "../store/event-types.ts";
import { getAvailabilityCached } from "../store/availability.ts";
import type { EventTypeRecord, TeamRecord, UserRecord } from "../domain/model/records.ts";
import type { PublicEventType, PublicHost, PublicTeam } from "../../shared/public-types.ts";
import { getTeamBySlugCached, getUsers } from "../store/teams.ts";
import { hostsTakingPart, initialsOf } from "../domain/team-membership.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { offeredLocationText } from "../../shared/location-text.ts";
import { photoPath } from "./photo.ts";
import { pinnedMember, routedMember } from "./routing-visits.ts";
import { type Schedule, startOfDay } from "./slot-month.ts";

export type { PublicEventType, PublicHost, PublicTeam };

const toPublicHost = (u: UserRecord): PublicHost => ({
  name: u.name,
  username: u.username,
  timeZone: u.timeZone,
  photoUrl: photoPath(u),
});
/** `t`: the reader's language; programs (the JSON API) read English. */
export const toPublicEventType = (
  e: EventTypeRecord,
  t: Translator = translator(null),
): PublicEventType => {
  const rules = eventTypeRules(e);
  return {
    slug: e.slug,
    title: e.title,
    description: e.description,
    durationMin: e.durationMin,
    durations: rules.durations,
    color: e.color,
    requiresConfirmation: e.requiresConfirmation,
    // A video link is only for people who booked; the page names the kind of meeting.
    location: rules.locations[0] ? offeredLocationText(rules.locations[0], t) : "",
    locations: rules.locations.map((l) => ({ kind: l.kind, label: offeredLocationText(l, t) })),
    questions: rules.questions,
    maxGuests: rules.maxGuests,
    ...(e.lockPrefill ? { lockPrefill: true } : {}),
    ...(e.thankYouUrl ? { thankYouOrigin: new URL(e.thankYouUrl).origin } : {}),
  };
};

/**
 * The name of a host whose account an admin suspended (issue 32), else null: their pages answer
 * 410 with calm words and no slots (the booking services refuse them as well).
 */
export async function suspendedHostName(app: App, username: string): Promise<string | null> {
  const host = await getUserByUsernameCached(app.kv, username.toLowerCase());
  return host?.suspendedAtMs && !host.closedAtMs ? host.name : null;
}

export async function getHostPage(app: App, username: string, locale?: string) {
  const host = await getUserByUsername(app.kv, username);
  if (!host || !isActive(host)) return null;
  const t = translator(locale);
  const types = (await listEventTypes(app.kv, host.id)).filter(isListed);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  return { host: toPublicHost(host), eventTypes: types.map((e) => toPublicEventType(e, t)) };
}

export async function hostSchedule(
  app: App,
  username: string,
  slug: string,
): Promise<Schedule | null> {
  const host = await getUserByUsernameCached(app.kv, username);
  if (!host || !isActive(host)) return null;
  const et = await getEventTypeBySlugCached(app.kv, host.id, slug);
  if (!et || !et.active || et.teamId) return null;
  return {
    publicHost: toPublicHost(host),
    team: null,
    timeZone: host.timeZone,
    et,
    members: [{ id: host.id, timeZone: host.timeZone }],
    mode: "single",
  };
}

/**
 * A team's members who take part in an event type, as they are now (removed ones never). None:
 * the event type is not offered — not listed, and its page answers as a switched-off one's.
 */
export async function teamHosts(
  app: App,
  team: TeamRecord,
  et: EventTypeRecord,
): Promise<UserRecord[]> {
  // A suspended member is offered for nothing new (their bookings ahead are kept).
  return (await getUsers(app.kv, hostsTakingPart(team, et))).filter(isActive);
}

/**
 * Whose times a team booking's move is offered and decided on: the event type's hosts, but a
 * member moving their own round-robin meeting (`mover`) moves it for themselves — the dashboard
 * heads it "Your free times", and their message goes to the guest as the host's — so only they
 * are asked, also after leaving the team (a removed member's bookings stay theirs). A time only
 * another member has is then refused, never handed to that member.
 */
export async function moveHosts(
  app: App,
  team: TeamRecord,
  et: EventTypeRecord,
  mover: string | null,
): Promise<UserRecord[]> {
  if (mover === null || et.teamMode !== "round_robin") return await teamHosts(app, team, et);
  const u = await getActiveUser(app.kv, mover);
  return u ? [u] : [];
}

export const toPublicTeam = (
  team: TeamRecord,
  mode: PublicTeam["mode"],
  people: UserRecord[],
): PublicTeam => ({
  slug: team.slug,
  name: team.name,
  mode,
  members: people.map((u) => ({ name: u.name, initials: initialsOf(u.name) })),
});

export async function teamSchedule(
  app: App,
  teamSlug: string,
  slug: string,
  routing?: string | null,
  /** A member moving their own booking (`moveHosts`). */
  mover: string | null = null,
): Promise<Schedule | null> {
  const team = await getTeamBySlugCached(app.kv, teamSlug);
  if (!team) return null;
  const et = await getEventTypeBySlugCached(app.kv, team.id, slug);
  if (!et || !et.active || et.teamId !== team.id || !et.teamMode) return null;
  let people = await moveHosts(app, team, et, mover);
  // Nobody takes part (every host left): not offered, as a switched-off event type is not.
  if (people.length === 0) return null;
  // A routing form's route that names a round robin's member: that member's times only (the
  // booking is pinned to them too, services/team-bookings.ts).
  const pinned = routing && et.teamMode === "round_robin"
    ? await routedMember(app, routing, et.id)
    : null;
  const pin = pinnedMember(pinned, people);
  if (pin) people = people.filter((u) => u.id === pin);
  const mode = et.teamMode === "collective" ? "intersection" : "union";
  return {
    publicHost: { name: team.name, username: team.slug, timeZone: team.timeZone },
    team: toPublicTeam(team, et.teamMode, people),
    timeZone: team.timeZone,
    et,
    members: people.map((u) => ({ id: u.id, timeZone: u.timeZone })),
    mode,
  };
}

export async function getTeamPage(app: App, slug: string, locale?: string) {
  const team = await getTeamBySlugCached(app.kv, slug);
  if (!team) return null;
  const tr = translator(locale);
  const types = (await listEventTypes(app.kv, team.id)).filter((t) => isListed(t) && t.teamMode);
  types.sort((a, b) => a.durationMin - b.durationMin || a.title.localeCompare(b.title));
  const members = new Map(
    (await getUsers(app.kv, team.members.map((m) => m.userId))).filter(isActive).map((u) => [
      u.id,
      u,
    ]),
  );
  // Who takes part in each, as its booking page counts them (`teamHosts`); one nobody takes
  // part in is not offered, so not listed.
  const listed = types.map((t) => ({
    t,
    people: hostsTakingPart(team, t).flatMap((id) => members.get(id) ?? []),
  })).filter((x) => x.people.length > 0);
  return {
    team: { slug: team.slug, name: team.name, timeZone: team.timeZone },
    eventTypes: listed.map(({ t, people }) => ({
      ...toPublicEventType(t, tr),
      team: toPublicTeam(team, t.teamMode!, people),
    })),
  };
}

export function availabilitiesOf(app: App, schedule: Schedule, nowMs: number) {
  return Promise.all(schedule.members.map((m) => getAvailabilityCached(app.kv, m.id, nowMs)));
}

/** Today and the last date that can hold a slot, both in the guest's zone `tz`. */
export function bookingHorizon(
  nowMs: number,
  host: { timeZone: string },
  et: EventTypeRecord,
  tz: string,
) {
  const now = Temporal.Instant.fromEpochMilliseconds(nowMs);
  const today = now.toZonedDateTimeISO(tz).toPlainDate();
  // The last guest-zone date that can hold a slot: the host's last bookable date, seen from the guest.
  const hostToday = now.toZonedDateTimeISO(host.timeZone).toPlainDate();
  const horizonEnd = startOfDay(hostToday.add({ days: et.bookingWindowDays + 1 }), host.timeZone);
  const lastDate = horizonEnd.subtract({ milliseconds: 1 }).toZonedDateTimeISO(tz).toPlainDate();
  return { today, horizonEnd, lastDate };
}
