/**
 * Teams as their members manage them: create, settings, members and roles, weights, and
 * invitations by email (docs/decisions/016-teams.md).
 *
 * Who may do what: any member sees the team; only owners change it (settings, members, roles,
 * weights, invitations, event types). A user who is not a member gets `null` from
 * `teamForMember`, which routes answer with 404, so a team's existence is not revealed by id.
 */
import type { App } from "../app.ts";
import type { TeamInviteRecord, TeamRecord, TeamRole, UserRecord } from "../store/records.ts";
import { keys } from "../store/keys.ts";
import {
  changeMembership,
  dropInvite,
  getInvite,
  getInviteByTokenHash,
  getTeam,
  getUsers,
  insertInvite,
  insertTeam,
  listInvites,
  listInvitesFor,
  listTeamsOf,
  updateTeam,
} from "../store/teams.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import { getUser, getUserByEmail, newId } from "../store/users.ts";
import {
  applyMembership,
  MAX_MEMBERS,
  type MembershipRefusal,
  roleOf,
  teamNameProblem,
  teamSlugProblem,
} from "../domain/team-membership.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { hmacToken, randomToken, sha256Hex } from "../integrations/crypto.ts";
import { teamInviteMail } from "../integrations/mail-templates/team.ts";
import { translator } from "../i18n.ts";
import { type MessageRef, messageRef } from "../../shared/i18n.ts";

/** How long an invitation link works (a resend starts it again). */
export const INVITE_TTL_MS = 14 * 86_400_000;
const ID_RE = /^[0-9A-Za-z]{10,40}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

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
  return Object.keys(errors).length
    ? { ok: false, errors }
    : { ok: true, input: { name: input.name.trim(), slug, timeZone: input.timeZone } };
}

const SLUG_TAKEN = messageRef("team.err_slug_taken");

export async function createTeam(
  app: App,
  user: UserRecord,
  raw: TeamInput,
): Promise<{ ok: true; team: TeamRecord } | { ok: false; errors: TeamErrors }> {
  const checked = checkTeamInput(raw);
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
async function asOwner(
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

/** An owner changes a member's role. The last owner cannot step down (hand over first). */
export async function setMemberRole(
  app: App,
  user: UserRecord,
  teamId: string,
  memberId: string,
  role: TeamRole,
): Promise<MemberChangeResult> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  return await ownerChange(app, user, teamId, { kind: "role", userId: memberId, role });
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

/**
 * An owner removes a member, or a member leaves. From the moment this lands, no booking assigns
 * them (bookings check the team record); bookings they already have stay theirs.
 */
export async function removeMember(
  app: App,
  user: UserRecord,
  teamId: string,
  memberId: string,
): Promise<MemberChangeResult> {
  const view = await teamForMember(app, user, teamId);
  if (!view) return { ok: false, reason: "not_found" };
  if (memberId !== user.id && view.role !== "owner") return { ok: false, reason: "forbidden" };
  const res = await changeMembership(
    app.kv,
    teamId,
    { kind: "remove", userId: memberId },
    app.now(),
  );
  return res.ok ? { ok: true, team: res.team } : { ok: false, reason: mapped(res.reason) };
}

function mapped(r: MembershipRefusal | "not_found" | "slug_taken" | "forbidden") {
  return r === "slug_taken" ? "not_found" : r;
}

/** A change only an owner may make, decided again on the record it is applied to. */
async function ownerChange(
  app: App,
  user: UserRecord,
  teamId: string,
  change: Parameters<typeof applyMembership>[1],
): Promise<MemberChangeResult> {
  const res = await updateTeam(app.kv, teamId, (cur) => {
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

const inviteToken = (app: App, inv: Pick<TeamInviteRecord, "id" | "tokenSalt">) =>
  hmacToken(app.linkKey, inv.tokenSalt, inv.id, "team_invite");

export function inviteLink(app: App, token: string): string {
  return `${app.config.baseUrl.href.replace(/\/$/, "")}/team-invitation/${token}`;
}

async function inviteMailJob(app: App, team: TeamRecord, inv: TeamInviteRecord, nowMs: number) {
  const inviter = await getUser(app.kv, inv.invitedById);
  // The invitee's own language when they have an account here, else the inviting owner's.
  const invitee = await getUserByEmail(app.kv, inv.email);
  const mail = teamInviteMail({
    t: translator(invitee?.locale ?? inviter?.locale),
    teamName: team.name,
    inviterName: inviter?.name ?? null,
    role: inv.role,
    link: inviteLink(app, await inviteToken(app, inv)),
    expiresAtMs: inv.expiresAtMs,
    baseUrl: app.config.baseUrl.href,
  });
  return newOutboxRecord({ kind: "raw_mail", to: inv.email, ...mail }, nowMs);
}

export type InviteErrors = { email?: string; role?: string; form?: string };

/**
 * An owner invites an address. The invitation, its token's hash and its mail (through the
 * outbox) are written together, only while the team is as read, so the member limit counted
 * here still holds; one pending invitation per address and team.
 */
export async function inviteMember(
  app: App,
  user: UserRecord,
  teamId: string,
  rawEmail: string,
  role: TeamRole,
): Promise<
  { ok: true; invite: TeamInviteRecord } | { ok: false; reason: OwnerRefusal } | {
    ok: false;
    reason: "invalid";
    errors: InviteErrors;
  }
> {
  const email = rawEmail.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    return {
      ok: false,
      reason: "invalid",
      errors: { email: messageRef("team.err_email") },
    };
  }
  if (role !== "owner" && role !== "member") {
    return { ok: false, reason: "invalid", errors: { role: messageRef("team.err_role") } };
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await app.kv.get<TeamRecord>(keys.team(teamId));
    const team = entry.value;
    if (!team || !roleOf(team, user.id)) return { ok: false, reason: "not_found" };
    if (roleOf(team, user.id) !== "owner") return { ok: false, reason: "forbidden" };
    const members = await membersOf(app, team);
    if (members.some((m) => m.email.toLowerCase() === email)) {
      return {
        ok: false,
        reason: "invalid",
        errors: { email: messageRef("team.err_already_member") },
      };
    }
    const pending = await listInvites(app.kv, teamId);
    if (team.members.length + pending.length >= MAX_MEMBERS) {
      return { ok: false, reason: "invalid", errors: { form: MEMBERSHIP_MESSAGES.too_many } };
    }
    const nowMs = app.now();
    const invite: TeamInviteRecord = {
      v: 1,
      id: newId(nowMs),
      teamId,
      email,
      role,
      tokenSalt: randomToken(16),
      invitedById: user.id,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + INVITE_TTL_MS,
      lastSentMs: nowMs,
      sends: 1,
    };
    const token = await inviteToken(app, invite);
    const job = await inviteMailJob(app, team, invite, nowMs);
    const res = await insertInvite(
      app.kv,
      entry as Deno.KvEntry<TeamRecord>,
      invite,
      await sha256Hex(token),
      (op) => enqueue(op, job),
    );
    if (res.ok) {
      app.kickOutbox();
      return { ok: true, invite };
    }
    if (res.reason === "already_invited") {
      return {
        ok: false,
        reason: "invalid",
        errors: { email: messageRef("team.err_already_invited") },
      };
    }
  }
  return {
    ok: false,
    reason: "invalid",
    errors: { form: messageRef("team.err_changed") },
  };
}

/** An owner sends an invitation again: the same link, valid for another two weeks. */
export async function resendInvite(
  app: App,
  user: UserRecord,
  teamId: string,
  inviteId: string,
): Promise<{ ok: true } | { ok: false; reason: OwnerRefusal }> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  if (!ID_RE.test(inviteId)) return { ok: false, reason: "not_found" };
  const cur = await getInvite(app.kv, teamId, inviteId);
  if (!cur.value) return { ok: false, reason: "not_found" };
  const nowMs = app.now();
  const next: TeamInviteRecord = {
    ...cur.value,
    expiresAtMs: nowMs + INVITE_TTL_MS,
    lastSentMs: nowMs,
    sends: cur.value.sends + 1,
  };
  const job = await inviteMailJob(app, owner.team, next, nowMs);
  const res = await enqueue(app.kv.atomic().check(cur).set(cur.key, next), job).commit();
  if (!res.ok) return { ok: false, reason: "not_found" };
  app.kickOutbox();
  return { ok: true };
}

export async function revokeInvite(
  app: App,
  user: UserRecord,
  teamId: string,
  inviteId: string,
): Promise<{ ok: true } | { ok: false; reason: OwnerRefusal }> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  if (!ID_RE.test(inviteId)) return { ok: false, reason: "not_found" };
  const cur = await getInvite(app.kv, teamId, inviteId);
  if (!cur.value) return { ok: false, reason: "not_found" };
  const hash = await sha256Hex(await inviteToken(app, cur.value));
  const res = await dropInvite(app.kv.atomic().check(cur), cur.value, hash).commit();
  return res.ok ? { ok: true } : { ok: false, reason: "not_found" };
}

export type InviteView = {
  id: string;
  teamId: string;
  teamName: string;
  teamSlug: string;
  /** null: the inviting owner's account is gone (the page says "a team owner"). */
  inviterName: string | null;
  email: string;
  role: TeamRole;
  expired: boolean;
};

async function viewInvite(app: App, inv: TeamInviteRecord): Promise<InviteView | null> {
  const team = await getTeam(app.kv, inv.teamId);
  if (!team) return null;
  const inviter = await getUser(app.kv, inv.invitedById);
  return {
    id: inv.id,
    teamId: team.id,
    teamName: team.name,
    teamSlug: team.slug,
    inviterName: inviter?.name ?? null,
    email: inv.email,
    role: inv.role,
    expired: inv.expiresAtMs <= app.now(),
  };
}

/** What an invitation link shows; null for an unknown or revoked link. */
export async function inviteByToken(app: App, token: string): Promise<InviteView | null> {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  const inv = await getInviteByTokenHash(app.kv, await sha256Hex(token));
  return inv ? await viewInvite(app, inv) : null;
}

/** Pending invitations to the signed-in user's address (their dashboard lists them). */
export async function invitationsFor(app: App, user: UserRecord): Promise<InviteView[]> {
  const out: InviteView[] = [];
  for (const inv of await listInvitesFor(app.kv, user.email)) {
    const v = await viewInvite(app, inv);
    if (v && !v.expired) out.push(v);
  }
  return out;
}

/** A team's pending invitations, for its owners. */
export async function teamInvitations(app: App, team: TeamRecord): Promise<InviteView[]> {
  const out: InviteView[] = [];
  for (const inv of await listInvites(app.kv, team.id)) {
    const v = await viewInvite(app, inv);
    if (v) out.push(v);
  }
  return out;
}

export type AnswerRefusal = "not_found" | "wrong_account" | "expired" | MembershipRefusal;

/**
 * The invitee accepts or declines. Only a user signed in with the invited address may answer
 * (the link may have been forwarded). Accepting adds them and removes the invitation in one
 * write that checks both the team record and the invitation, so a revoked invitation, or a
 * team that filled up meanwhile, cannot be accepted.
 */
export async function answerInvite(
  app: App,
  user: UserRecord,
  ref: { teamId: string; inviteId: string },
  accept: boolean,
): Promise<{ ok: true; teamId: string } | { ok: false; reason: AnswerRefusal }> {
  if (!ID_RE.test(ref.teamId) || !ID_RE.test(ref.inviteId)) {
    return { ok: false, reason: "not_found" };
  }
  const cur = await getInvite(app.kv, ref.teamId, ref.inviteId);
  const inv = cur.value;
  if (!inv) return { ok: false, reason: "not_found" };
  if (inv.email !== user.email.toLowerCase()) return { ok: false, reason: "wrong_account" };
  const hash = await sha256Hex(await inviteToken(app, inv));
  if (!accept) {
    const res = await dropInvite(app.kv.atomic().check(cur), inv, hash).commit();
    return res.ok ? { ok: true, teamId: inv.teamId } : { ok: false, reason: "not_found" };
  }
  if (inv.expiresAtMs <= app.now()) return { ok: false, reason: "expired" };
  const res = await updateTeam(
    app.kv,
    inv.teamId,
    (team) => {
      // Counted with this invitation as one of the pending ones it replaces.
      const r = applyMembership(team, {
        kind: "add",
        userId: user.id,
        role: inv.role,
        nowMs: app.now(),
      });
      return r.ok ? { ok: true, next: { ...r.team, updatedAtMs: app.now() } } : r;
    },
    (op) => dropInvite(op.check(cur), inv, hash),
  );
  if (res.ok) return { ok: true, teamId: inv.teamId };
  if (res.reason === "already_member") {
    await dropInvite(app.kv.atomic().check(cur), inv, hash).commit();
    return { ok: true, teamId: inv.teamId };
  }
  return { ok: false, reason: res.reason === "slug_taken" ? "not_found" : res.reason };
}

/** Accept or decline from the link: the token names the invitation. */
export async function answerInviteByToken(
  app: App,
  user: UserRecord,
  token: string,
  accept: boolean,
) {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) {
    return { ok: false as const, reason: "not_found" as const };
  }
  const inv = await getInviteByTokenHash(app.kv, await sha256Hex(token));
  if (!inv) return { ok: false as const, reason: "not_found" as const };
  return await answerInvite(app, user, { teamId: inv.teamId, inviteId: inv.id }, accept);
}

export const ANSWER_MESSAGES: Record<AnswerRefusal, MessageRef> = {
  not_found: messageRef("team.invite_gone"),
  wrong_account: messageRef("team.invite_wrong_account"),
  expired: messageRef("team.invite_expired"),
  ...MEMBERSHIP_MESSAGES,
};
