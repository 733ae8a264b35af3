/**
 * A team's event types: the same records as a host's (every rule applies), stored under the team
 * (`eventType(teamId, id)`), with the team fields on top — round robin or collective, which
 * members take part, and the collective's organiser. Owners edit; members see them.
 */
import type { App } from "../app.ts";
import type { EventTypeRecord, TeamRecord, UserRecord } from "../domain/model/records.ts";
import * as store from "../store/event-types.ts";
import { newId } from "../store/users.ts";
import type { EventTypeInput } from "../../shared/forms/event-types.ts";
import type { TeamFieldValues, TeamMode } from "../../shared/team-forms.ts";
import { MAX_COLLECTIVE } from "../domain/team-membership.ts";
import { type OwnerRefusal, teamForMember } from "./teams.ts";
import { isEventTypeIdShape, meetingNeedsCalendar } from "./event-types.ts";
import { organiserOf } from "./team-bookings.ts";
import { getUsers } from "../store/teams.ts";
import { messageRef } from "../../shared/i18n.ts";

export type TeamFields = { teamMode: TeamMode; hostIds: string[]; organiserId: string | null };
/** Message references (shared/i18n.ts) the page translates. */
export type TeamFieldErrors = {
  teamMode?: string;
  hostIds?: string;
  organiserId?: string;
  /** A video room some member who would make it cannot (their Zoom or calendar missing). */
  locationKind?: string;
};

/** The team fields as the editor sent them, checked against the team's current members. */
export function checkTeamFields(
  team: TeamRecord,
  raw: TeamFieldValues,
  /** The event type offers seats: only a collective one may (ADR 040). */
  seated = false,
): { ok: true; fields: TeamFields } | { ok: false; errors: TeamFieldErrors } {
  const errors: TeamFieldErrors = {};
  const mode = raw.teamMode === "collective" || raw.teamMode === "round_robin"
    ? raw.teamMode
    : null;
  if (!mode) errors.teamMode = messageRef("team.err_mode");
  // Round robin gives each guest one member: a seated time could not be shared.
  else if (mode === "round_robin" && seated) {
    errors.teamMode = messageRef("team.err_seats_round_robin");
  }
  const members = new Set(team.members.map((m) => m.userId));
  // In the team's order, each once; ids of people who are not members are dropped.
  const hostIds = team.members.map((m) => m.userId).filter((id) => raw.hostIds.includes(id));
  if (hostIds.length === 0) errors.hostIds = messageRef("team.err_hosts_none");
  else if (mode === "collective" && hostIds.length > MAX_COLLECTIVE) {
    errors.hostIds = messageRef("team.err_hosts_too_many", { max: MAX_COLLECTIVE });
  }
  let organiserId: string | null = null;
  if (mode === "collective" && raw.organiserId) {
    if (!members.has(raw.organiserId) || !hostIds.includes(raw.organiserId)) {
      errors.organiserId = messageRef("team.err_organiser");
    } else organiserId = raw.organiserId;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, fields: { teamMode: mode!, hostIds, organiserId } };
}

export function teamFieldValuesOf(et: EventTypeRecord): TeamFieldValues {
  return {
    teamMode: et.teamMode ?? "round_robin",
    hostIds: et.hostIds ?? [],
    organiserId: et.organiserId ?? "",
  };
}

export async function listTeamEventTypes(app: App, team: TeamRecord) {
  return (await store.listEventTypes(app.kv, team.id)).filter((e) => e.teamId === team.id);
}

/** A team's event type as a member may see it, or null (not a member, not the team's, no id). */
export async function findTeamEventType(
  app: App,
  user: UserRecord,
  teamId: string,
  id: string,
): Promise<{ team: TeamRecord; role: "owner" | "member"; et: EventTypeRecord } | null> {
  const view = await teamForMember(app, user, teamId);
  if (!view || !isEventTypeIdShape(id)) return null;
  const et = await store.getEventType(app.kv, view.team.id, id);
  return et && et.teamId === view.team.id ? { ...view, et } : null;
}

/**
 * A team's video room is made by whoever hosts the booking (docs/decisions/042): any member a
 * round robin may assign, a collective booking's organiser. Each of them needs the provider
 * (Zoom connected, or bookings written to a Google / Microsoft 365 calendar), or their bookings
 * would wait for a link that never comes: refused at save time, naming who lacks it.
 */
async function roomMakersMissing(
  app: App,
  team: TeamRecord,
  input: EventTypeInput,
  fields: TeamFields,
): Promise<TeamFieldErrors | null> {
  const makers = fields.teamMode === "collective"
    ? [organiserOf(team, { organiserId: fields.organiserId }, fields.hostIds.map((id) => ({ id })))]
    : fields.hostIds;
  const missing: string[] = [];
  for (const id of makers) if (await meetingNeedsCalendar(app, { id }, input)) missing.push(id);
  if (missing.length === 0) return null;
  const names = (await getUsers(app.kv, missing)).map((u) => u.name || u.email).join(", ");
  return { locationKind: messageRef("team.err_room_provider", { names }) };
}

export type TeamEventTypeResult =
  | { ok: true; record: EventTypeRecord }
  | { ok: false; reason: OwnerRefusal | "slug_taken" }
  | { ok: false; reason: "invalid"; errors: TeamFieldErrors };

export async function createTeamEventType(
  app: App,
  user: UserRecord,
  teamId: string,
  input: EventTypeInput,
  raw: TeamFieldValues,
): Promise<TeamEventTypeResult> {
  const view = await teamForMember(app, user, teamId);
  if (!view) return { ok: false, reason: "not_found" };
  if (view.role !== "owner") return { ok: false, reason: "forbidden" };
  const checked = checkTeamFields(view.team, raw, Boolean(input.seats));
  if (!checked.ok) return { ok: false, reason: "invalid", errors: checked.errors };
  const rooms = await roomMakersMissing(app, view.team, input, checked.fields);
  if (rooms) return { ok: false, reason: "invalid", errors: rooms };
  const nowMs = app.now();
  const record: EventTypeRecord = {
    v: 1,
    id: newId(nowMs),
    userId: view.team.id,
    ...input,
    // Seats: a collective event type's only (checked above; docs/decisions/040-seats.md).
    seats: input.seats ?? null,
    teamId: view.team.id,
    ...checked.fields,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const res = await store.insertEventType(app.kv, record);
  return res.ok ? { ok: true, record } : res;
}

export async function editTeamEventType(
  app: App,
  user: UserRecord,
  teamId: string,
  id: string,
  input: EventTypeInput,
  raw: TeamFieldValues,
): Promise<TeamEventTypeResult> {
  const found = await findTeamEventType(app, user, teamId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.role !== "owner") return { ok: false, reason: "forbidden" };
  const checked = checkTeamFields(found.team, raw, Boolean(input.seats));
  if (!checked.ok) return { ok: false, reason: "invalid", errors: checked.errors };
  const rooms = await roomMakersMissing(app, found.team, input, checked.fields);
  if (rooms) return { ok: false, reason: "invalid", errors: rooms };
  const res = await store.updateEventType(app.kv, found.team.id, id, (cur) => ({
    ...cur,
    ...input,
    seats: input.seats ?? null,
    ...checked.fields,
    updatedAtMs: app.now(),
  }));
  return res.ok ? { ok: true, record: res.record } : res;
}

export async function setTeamEventTypeActive(
  app: App,
  user: UserRecord,
  teamId: string,
  id: string,
  active: boolean,
): Promise<TeamEventTypeResult> {
  const found = await findTeamEventType(app, user, teamId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.role !== "owner") return { ok: false, reason: "forbidden" };
  const res = await store.updateEventType(app.kv, found.team.id, id, (cur) => ({
    ...cur,
    active,
    updatedAtMs: app.now(),
  }));
  return res.ok ? { ok: true, record: res.record } : res;
}

export async function deleteTeamEventType(
  app: App,
  user: UserRecord,
  teamId: string,
  id: string,
): Promise<{ ok: true } | { ok: false; reason: OwnerRefusal }> {
  const found = await findTeamEventType(app, user, teamId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.role !== "owner") return { ok: false, reason: "forbidden" };
  return (await store.removeEventType(app.kv, found.team.id, id))
    ? { ok: true }
    : { ok: false, reason: "not_found" };
}
