/**
 * Teams as their members manage them: create, settings, members and roles, weights, and
 * invitations by email (team-invites.ts; docs/decisions/016-teams.md).
 *
 * Who may do what: any member sees the team; only owners change it (settings, members, roles,
 * weights, invitations, event types). A user who is not a member gets `null` from
 * `teamForMember`, which routes answer with 404, so a team's existence is not revealed by id.
 */
import type { App } from "../app.ts";
import { type AuditParty, changedSaid, recordAudit } from "./audit.ts";
import type {
  TeamInviteRecord,
  TeamRecord,
  TeamRole,
  UserRecord,
} from "../domain/model/records.ts";
import {
  dropInvite,
  getTeam,
  getTeamEntry,
  getUsers,
  insertTeam,
  listInvites,
  listTeamBookingsFrom,
  listTeamsOf,
  removeTeam,
  removeTeamLeftovers,
  updateTeam,
} from "../store/teams.ts";
import { listEventTypes, removeEventType } from "../store/event-types.ts";
import { deleteOwnerForms } from "./routing-forms.ts";
import { decideTeamDeletion, isBookingAhead } from "../domain/team-deletion.ts";
import { newId } from "../store/users.ts";
import {
  applyMembership,
  leftWithoutHosts,
  MAX_MEMBERS,
  type MembershipRefusal,
  roleOf,
  teamNameProblem,
  teamSlugProblem,
} from "../domain/team-membership.ts";
import { canonicalTimeZone, isValidTimeZone } from "../domain/time-zone.ts";
import { hmacToken, sha256Hex } from "../integrations/crypto.ts";
import { type MessageRef, messageRef } from "../../shared/i18n.ts";
import { MAX_USERNAME_HOLDS } from "../domain/username.ts";
import { addressOr } from "../../shared/slug.ts";
import { LOST, untilLanded } from "../store/kv.ts";

/** How long an invitation link works (a resend starts it again). */
export const INVITE_TTL_MS = 14 * 86_400_000;
export const ID_RE = /^[0-9A-Za-z]{10,40}$/;
export const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

export type TeamView = { team: TeamRecord; role: TeamRole };

/** The team as `user` may see it, or null when they are not a member (or the id is not one). */
export async function teamForMember(
  app: App,
  user: UserRecord,
  teamId: string,
): Promise<TeamView | null> {
  if (typeof teamId !== "string" || !ID_RE.test(teamId)) return null;
  const team = await getTeam(app.kv, teamId);
  const role = team ? roleOf(team, user.id) : null;
  return team && role ? { team, role } : null;
}

export async function listMyTeams(app: App, user: UserRecord) {
  const teams = await listTeamsOf(app.kv, user.id);
  return teams.map((t) => ({ team: t, role: roleOf(t, user.id)! })).filter((t) => t.role);
}

export type TeamInput = { name: string; slug: string; timeZone: string };
export type TeamErrors = Partial<Record<keyof TeamInput, string>>;

function checkTeamInput(input: TeamInput): { ok: true; input: TeamInput } | {
  ok: false;
  errors: TeamErrors;
} {
  const errors: TeamErrors = {};
  const slug = input.slug.trim().toLowerCase();
  const nameProblem = teamNameProblem(input.name);
  if (nameProblem) errors.name = nameProblem;
  const slugProblem = teamSlugProblem(slug);
  if (slugProblem) errors.slug = slugProblem;
  if (!isValidTimeZone(input.timeZone)) errors.timeZone = messageRef("team.err_zone");
  return Object.keys(errors).length ? { ok: false, errors } : {
    ok: true,
    input: { name: input.name.trim(), slug, timeZone: canonicalTimeZone(input.timeZone)! },
  };
}

const SLUG_TAKEN = messageRef("team.err_slug_taken");

export async function createTeam(
  app: App,
  user: UserRecord,
  raw: TeamInput,
): Promise<{ ok: true; team: TeamRecord } | { ok: false; errors: TeamErrors }> {
  // A form sent before its scripts ran (or without them) has no address filled in from the name.
  const checked = checkTeamInput({ ...raw, slug: addressOr(raw.slug, raw.name, 40) });
  if (!checked.ok) return checked;
  const nowMs = app.now();
  const team: TeamRecord = {
    v: 1,
    id: newId(nowMs),
    ...checked.input,
    members: [],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const withOwner = applyMembership(team, { kind: "add", userId: user.id, role: "owner", nowMs });
  if (!withOwner.ok) throw new Error("a new team refused its first owner");
  const res = await insertTeam(app.kv, withOwner.team);
  return res.ok ? { ok: true, team: withOwner.team } : { ok: false, errors: { slug: SLUG_TAKEN } };
}

export type OwnerRefusal = "not_found" | "forbidden";

/** Owners only: members get "forbidden" (403), others "not_found" (404). */
export async function asOwner(
  app: App,
  user: UserRecord,
  teamId: string,
): Promise<{ ok: true; team: TeamRecord } | { ok: false; reason: OwnerRefusal }> {
  const view = await teamForMember(app, user, teamId);
  if (!view) return { ok: false, reason: "not_found" };
  if (view.role !== "owner") return { ok: false, reason: "forbidden" };
  return { ok: true, team: view.team };
}

export async function updateTeamSettings(
  app: App,
  user: UserRecord,
  teamId: string,
  raw: TeamInput,
): Promise<
  { ok: true; team: TeamRecord } | { ok: false; reason: OwnerRefusal; errors?: never } | {
    ok: false;
    reason: "invalid";
    errors: TeamErrors;
  }
> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  const checked = checkTeamInput(raw);
  if (!checked.ok) return { ok: false, reason: "invalid", errors: checked.errors };
  const res = await updateTeam(
    app.kv,
    teamId,
    (cur) =>
      roleOf(cur, user.id) === "owner"
        ? { ok: true, next: { ...cur, ...checked.input, updatedAtMs: app.now() } }
        : { ok: false, reason: "forbidden" as const },
  );
  if (res.ok) return { ok: true, team: res.team };
  if (res.reason === "slug_taken") {
    return { ok: false, reason: "invalid", errors: { slug: SLUG_TAKEN } };
  }
  if (res.reason === "too_many_holds") {
    const slug = messageRef("team.err_too_many_slugs", { max: MAX_USERNAME_HOLDS });
    return { ok: false, reason: "invalid", errors: { slug } };
  }
  return { ok: false, reason: res.reason };
}

/** What people are told (message references the page translates). */
export const MEMBERSHIP_MESSAGES: Record<MembershipRefusal, MessageRef> = {
  last_owner: messageRef("team.err_last_owner"),
  not_member: messageRef("team.err_not_member"),
  already_member: messageRef("team.err_already_member"),
  too_many: messageRef("team.err_too_many", { max: MAX_MEMBERS }),
};

export type MemberChangeResult =
  | { ok: true; team: TeamRecord }
  | { ok: false; reason: OwnerRefusal | MembershipRefusal };

/**
 * An owner changes a member's role. The last owner cannot step down (hand over first). Audited
 * when who owns the team changed (a press that leaves the role as it was is no change).
 */
export async function setMemberRole(
  app: App,
  user: UserRecord,
  teamId: string,
  memberId: string,
  role: TeamRole,
): Promise<MemberChangeResult> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  let before: TeamRole | null = null;
  const r = await ownerChange(
    app,
    user,
    teamId,
    { kind: "role", userId: memberId, role },
    (cur) => {
      before = roleOf(cur, memberId);
    },
  );
  const said = r.ok
    ? changedSaid([{
      before,
      after: role,
      said: { code: "team_role", values: { team: r.team.slug, role } },
    }])
    : null;
  if (said) {
    await recordAudit(app, {
      kind: "team_ownership_changed",
      actor: user,
      target: { id: memberId },
      said,
    });
  }
  return r;
}

export async function setMemberWeight(
  app: App,
  user: UserRecord,
  teamId: string,
  memberId: string,
  weight: number,
  priority: number,
): Promise<MemberChangeResult> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  return await ownerChange(app, user, teamId, {
    kind: "weight",
    userId: memberId,
    weight,
    priority,
  });
}

export type RemoveMemberResult =
  | {
    ok: true;
    team: TeamRecord;
    /** The team's event types the removal left with nobody taking part (owners are told). */
    hostless: { id: string; title: string }[];
  }
  | Extract<MemberChangeResult, { ok: false }>;

/**
 * An owner removes a member, or a member leaves. From the moment this lands, no booking assigns
 * them (bookings check the team record); bookings they already have stay theirs. An event type
 * they were the last to take part in is no longer offered: the answer names it.
 */
export async function removeMember(
  app: App,
  user: UserRecord,
  teamId: string,
  memberId: string,
): Promise<RemoveMemberResult> {
  const view = await teamForMember(app, user, teamId);
  if (!view) return { ok: false, reason: "not_found" };
  if (memberId !== user.id && view.role !== "owner") return { ok: false, reason: "forbidden" };
  const res = await removeFromTeam(app, teamId, memberId, user);
  if (!res.ok) return { ok: false, reason: mapped(res.reason) };
  const types = (await listEventTypes(app.kv, teamId)).filter((et) => et.teamId === teamId);
  const hostless = leftWithoutHosts(res.team, memberId, types)
    .map((et) => ({ id: et.id, title: et.title }));
  return { ok: true, team: res.team, hostless };
}

/**
 * Takes a person out of a team (they leave, an owner removes them, their account closes). The
 * same write ends the invitations they sent: those spoke for them (`inviteHolds` refuses any
 * that a concurrent write added). Their access to the team's pages and data ends with the
 * membership, which every team page checks (`teamForMember`).
 */
export async function removeFromTeam(
  app: App,
  teamId: string,
  memberId: string,
  /** Who took them out (themselves when they leave); for the audit log. */
  actor: AuditParty = { id: memberId },
) {
  const sent: { inv: TeamInviteRecord; hash: string }[] = [];
  for (const inv of await listInvites(app.kv, teamId)) {
    if (inv.invitedById === memberId) {
      sent.push({ inv, hash: await sha256Hex(await inviteToken(app, inv)) });
    }
  }
  const nowMs = app.now();
  let wasOwner = false;
  const res = await updateTeam(
    app.kv,
    teamId,
    (cur) => {
      wasOwner = roleOf(cur, memberId) === "owner";
      const r = applyMembership(cur, { kind: "remove", userId: memberId });
      return r.ok ? { ok: true, next: { ...r.team, updatedAtMs: nowMs } } : r;
    },
    (op) => sent.reduce((o, s) => dropInvite(o, s.inv, s.hash), op),
  );
  // An owner leaving (or taken out) changes who owns the team, as much as a role change does.
  if (res.ok && wasOwner) {
    await recordAudit(app, {
      kind: "team_ownership_changed",
      actor,
      target: { id: memberId },
      said: {
        code: actor?.id === memberId ? "team_owner_left" : "team_owner_removed",
        values: { team: res.team.slug },
      },
    });
  }
  return res;
}

/** Membership changes never rename, so a slug refusal cannot happen there. */
function mapped(
  r: MembershipRefusal | "not_found" | "slug_taken" | "too_many_holds" | "forbidden",
) {
  return r === "slug_taken" || r === "too_many_holds" ? "not_found" : r;
}

/** A change only an owner may make, decided again on the record it is applied to. */
async function ownerChange(
  app: App,
  user: UserRecord,
  teamId: string,
  change: Parameters<typeof applyMembership>[1],
  /** Sees the record each attempt decides on (the last call is the one that landed). */
  seen?: (cur: TeamRecord) => void,
): Promise<MemberChangeResult> {
  const res = await updateTeam(app.kv, teamId, (cur) => {
    seen?.(cur);
    if (roleOf(cur, user.id) !== "owner") return { ok: false, reason: "forbidden" as const };
    const r = applyMembership(cur, change);
    return r.ok ? { ok: true, next: { ...r.team, updatedAtMs: app.now() } } : r;
  });
  return res.ok ? { ok: true, team: res.team } : { ok: false, reason: mapped(res.reason) };
}

/** Members of a team with their names, for the dashboard and the public pages. */
export async function membersOf(app: App, team: TeamRecord) {
  const users = new Map(
    (await getUsers(app.kv, team.members.map((m) => m.userId))).map((u) => [u.id, u]),
  );
  return team.members.map((m) => {
    const u = users.get(m.userId);
    return {
      ...m,
      // "" once their account is gone: the page says "a former member" in its reader's language.
      name: u?.name ?? "",
      email: u?.email ?? "",
      username: u?.username ?? "",
      timeZone: u?.timeZone ?? team.timeZone,
    };
  });
}

// ── invitations ─────────────────────────────────────────────────────────────────────────────

export const inviteToken = (app: App, inv: Pick<TeamInviteRecord, "id" | "tokenSalt">) =>
  hmacToken(app.linkKey, inv.tokenSalt, inv.id, "team_invite");

// ── deleting a team ─────────────────────────────────────────────────────────────────────────

export type DeleteTeamResult =
  | { ok: true; team: TeamRecord }
  | { ok: false; reason: OwnerRefusal | "name_mismatch" }
  | { ok: false; reason: "upcoming"; upcoming: number };

/** A meeting lasts at most this long: a team booking that began earlier is over. */
const LONGEST_MEETING_MS = 2 * 86_400_000;

/**
 * An owner deletes a team, confirmed by its name (domain/team-deletion.ts): refused while any of
 * its bookings is still ahead. One write removes the team, holds its address for nobody for 90
 * days (its links answer 404, nobody else receives them) and ends its memberships and pending
 * invitations; then its event types, routing forms (with their responses) and booking list go.
 * The bookings themselves stay with their members, as a removed member's do.
 */
export async function deleteTeam(
  app: App,
  user: UserRecord,
  teamId: string,
  typedName: string,
): Promise<DeleteTeamResult> {
  if (!(await teamForMember(app, user, teamId))) return { ok: false, reason: "not_found" };
  // Read once, before the guarded write: the team's meetings ahead (one committed in the same
  // instant as the deletion stays with its member, ADR 016) and its invitations' indexes.
  const startedMs = app.now();
  const ahead = (await listTeamBookingsFrom(app.kv, teamId, startedMs - LONGEST_MEETING_MS))
    .filter((b) => isBookingAhead(b, startedMs)).length;
  const invites = await Promise.all(
    (await listInvites(app.kv, teamId)).map(async (invite) => ({
      invite,
      tokenHash: await sha256Hex(await inviteToken(app, invite)),
    })),
  );
  // Only the team record is read between the decision and its write: a change of the team
  // meanwhile (a rename, a role) is decided again on what it is now (`untilLanded`).
  const decision = await untilLanded<DeleteTeamResult>("deleteTeam", async () => {
    const entry = await getTeamEntry(app.kv, teamId);
    if (!entry.value) return { ok: false, reason: "not_found" };
    const decided = decideTeamDeletion(entry.value, user.id, typedName, ahead);
    if (!decided.ok) {
      return decided.reason === "forbidden" && !roleOf(entry.value, user.id)
        ? { ok: false, reason: "not_found" }
        : decided;
    }
    if (await removeTeam(app.kv, entry as Deno.KvEntry<TeamRecord>, invites, app.now())) {
      return { ok: true, team: entry.value };
    }
    return LOST;
  });
  if (!decision.ok) return decision;
  const deleted = decision.team;
  // What nothing reaches any more. An invitation sent in the same instant as the deletion is
  // one of these too (sending one does not change the team record).
  for (const invite of await listInvites(app.kv, teamId)) {
    const tokenHash = await sha256Hex(await inviteToken(app, invite));
    await dropInvite(app.kv.atomic(), invite, tokenHash).commit();
  }
  const eventTypes = await listEventTypes(app.kv, teamId);
  for (const et of eventTypes) await removeEventType(app.kv, teamId, et.id);
  await deleteOwnerForms(app, teamId);
  await removeTeamLeftovers(app.kv, teamId, eventTypes.map((et) => et.id));
  await recordAudit(app, {
    kind: "team_ownership_changed",
    actor: { id: user.id },
    target: { id: user.id },
    said: { code: "team_deleted", values: { team: deleted.slug } },
  });
  return { ok: true, team: deleted };
}
