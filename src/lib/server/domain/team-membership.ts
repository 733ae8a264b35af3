/**
 * Team membership rules, pure: who may be added, what a role change or a removal leaves behind.
 * A team always keeps at least one owner; an owner hands over (makes someone else an owner)
 * before leaving. The store applies a change in one write that checks the team record, so two
 * owners demoting each other at once cannot leave a team without one.
 */
import type { BookingRecord, TeamMembership, TeamRecord, TeamRole } from "./model/records.ts";
import {
  DEFAULT_PRIORITY,
  DEFAULT_WEIGHT,
  PRIORITY_MAX,
  PRIORITY_MIN,
  WEIGHT_MAX,
  WEIGHT_MIN,
} from "./team-rotation.ts";
import { RESERVED_USERNAMES, USERNAME_RE } from "./username.ts";
import { type MessageRef, messageRef } from "../../shared/i18n.ts";

/** Members and pending invitations of one team, together (a collective books ≤ 20 of them). */
export const MAX_MEMBERS = 100;
/** Required members of one collective event type: each gets their own mails and calendar entry. */
export const MAX_COLLECTIVE = 20;
export const TEAM_NAME_MAX = 80;

export type MembershipChange =
  | { kind: "add"; userId: string; role: TeamRole; nowMs: number }
  | { kind: "role"; userId: string; role: TeamRole }
  | { kind: "remove"; userId: string }
  | { kind: "weight"; userId: string; weight: number; priority: number };

export type MembershipRefusal = "last_owner" | "not_member" | "already_member" | "too_many";

export function applyMembership(
  team: TeamRecord,
  change: MembershipChange,
): { ok: true; team: TeamRecord } | { ok: false; reason: MembershipRefusal } {
  const at = team.members.findIndex((m) => m.userId === change.userId);
  const owners = team.members.filter((m) => m.role === "owner").length;
  const members = [...team.members];
  switch (change.kind) {
    case "add": {
      if (at >= 0) return { ok: false, reason: "already_member" };
      if (members.length >= MAX_MEMBERS) return { ok: false, reason: "too_many" };
      members.push({
        userId: change.userId,
        role: change.role,
        weight: DEFAULT_WEIGHT,
        priority: DEFAULT_PRIORITY,
        joinedAtMs: change.nowMs,
      });
      break;
    }
    case "role": {
      if (at < 0) return { ok: false, reason: "not_member" };
      if (members[at].role === "owner" && change.role !== "owner" && owners <= 1) {
        return { ok: false, reason: "last_owner" };
      }
      members[at] = { ...members[at], role: change.role };
      break;
    }
    case "remove": {
      if (at < 0) return { ok: false, reason: "not_member" };
      if (members[at].role === "owner" && owners <= 1) return { ok: false, reason: "last_owner" };
      members.splice(at, 1);
      break;
    }
    case "weight": {
      if (at < 0) return { ok: false, reason: "not_member" };
      members[at] = {
        ...members[at],
        weight: clampInt(change.weight, WEIGHT_MIN, WEIGHT_MAX),
        priority: clampInt(change.priority, PRIORITY_MIN, PRIORITY_MAX),
      };
      break;
    }
  }
  return { ok: true, team: { ...team, members } };
}

const clampInt = (n: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Math.round(Number.isFinite(n) ? n : lo)));

export function roleOf(team: TeamRecord, userId: string): TeamRole | null {
  return team.members.find((m) => m.userId === userId)?.role ?? null;
}

/**
 * An invitation speaks for the owner who sent it: it can be shown and accepted only while they
 * are still an owner of the team and their account is open (issue 22: a removed owner, or a
 * closed account, must not let someone in afterwards).
 */
export function inviteHolds(team: TeamRecord, invitedById: string, inviterOpen: boolean): boolean {
  return inviterOpen && roleOf(team, invitedById) === "owner";
}

export function memberOf(team: TeamRecord, userId: string): TeamMembership | null {
  return team.members.find((m) => m.userId === userId) ?? null;
}

/**
 * Who takes part in a team's event type: its ticked hosts who are members now, in its order. A
 * member who left stays ticked (back, they take part again) but takes no part meanwhile; an
 * event type nobody takes part in is not offered (its page answers as a switched-off one).
 */
export function hostsTakingPart(
  team: Pick<TeamRecord, "members">,
  et: { hostIds?: readonly string[] },
): string[] {
  const members = new Set(team.members.map((m) => m.userId));
  return (et.hostIds ?? []).filter((id) => members.has(id));
}

/**
 * The event types a member's removal took their last host from (the owner is told, ADR 016):
 * the member was ticked, and nobody ticked is a member of the team `after` it.
 */
export function leftWithoutHosts<T extends { hostIds?: readonly string[] }>(
  after: Pick<TeamRecord, "members">,
  removedId: string,
  types: readonly T[],
): T[] {
  return types.filter((et) =>
    (et.hostIds ?? []).includes(removedId) && hostsTakingPart(after, et).length === 0
  );
}

/**
 * A team's URL name: the same shape as a username (they share one namespace). Problems are
 * message references (shared/i18n.ts) the page translates.
 */
export function teamSlugProblem(slug: string): MessageRef | null {
  if (!USERNAME_RE.test(slug)) return messageRef("team.err_slug_shape");
  if (RESERVED_USERNAMES.has(slug) || slug === "team") return messageRef("team.err_slug_reserved");
  return null;
}

export function teamNameProblem(name: string): MessageRef | null {
  const t = name.trim();
  if (t.length === 0) return messageRef("team.err_name_empty");
  if (t.length > TEAM_NAME_MAX) return messageRef("team.err_name_long", { max: TEAM_NAME_MAX });
  if (/[\u0000-\u001f\u007f]/.test(t)) return messageRef("team.err_name_control");
  return null;
}

/** "AB" from "Ann Brown", "A" from "ann": the avatar initials on public pages. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1
    ? [words[0], words[words.length - 1]].map((w) => [...w][0])
    : [...(words[0] ?? "?")].slice(0, 1);
  return letters.join("").toUpperCase();
}

/**
 * Whether a member sees one of the team's bookings in its list: owners all of them (a removed
 * member's too), members the ones they attend; another team's booking is not theirs to see.
 */
export function seesTeamBooking(
  view: { team: Pick<TeamRecord, "id">; role: TeamRole },
  b: Pick<BookingRecord, "teamId" | "hostId" | "personIds">,
  userId: string,
): boolean {
  return b.teamId === view.team.id &&
    (view.role === "owner" || (b.personIds ?? [b.hostId]).includes(userId));
}

/**
 * What a team's member may do with one of its bookings. Round robin: the member it is assigned
 * to decides. Collective: its organiser (the booking's host) or any owner. Owners cancel any of
 * the team's bookings — a seated meeting whole too; a member cancels the ones they host. Pages,
 * the API and the team's list all ask here (services/team-dashboard.ts).
 */
export function teamBookingAccess(
  team: TeamRecord,
  userId: string,
  b: Pick<BookingRecord, "hostId" | "personIds" | "coordinatorId">,
): { canDecide: boolean; canCancel: boolean } {
  const owner = roleOf(team, userId) === "owner";
  const hosts = b.hostId === userId;
  const collective = (b.personIds?.length ?? 1) > 1 || !!b.coordinatorId;
  return { canDecide: hosts || (collective && owner), canCancel: hosts || owner };
}
