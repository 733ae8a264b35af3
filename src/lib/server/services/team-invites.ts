/** Team invitations by email: invite, resend, revoke, view and answer (docs/decisions/016-teams.md). */
import type { App } from "../app.ts";
import type {
  TeamInviteRecord,
  TeamRecord,
  TeamRole,
  UserRecord,
} from "../domain/model/records.ts";
import { keys } from "../store/keys.ts";
import {
  dropInvite,
  getInvite,
  getInviteByTokenHash,
  getTeam,
  insertInvite,
  listInvites,
  listInvitesFor,
  updateTeam,
} from "../store/teams.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import { commitWithReceipt, LOST, untilLanded } from "../store/kv.ts";
import { getActiveUser, getUser, getUserByEmail, newId } from "../store/users.ts";
import {
  applyMembership,
  inviteHolds,
  MAX_MEMBERS,
  type MembershipRefusal,
  roleOf,
} from "../domain/team-membership.ts";
import { recordAudit } from "./audit.ts";
import { randomToken, sha256Hex } from "../integrations/crypto.ts";
import { isMailAddress } from "../../shared/forms/common.ts";
import { teamInviteMail } from "../integrations/mail-templates/team.ts";
import { translator } from "../i18n.ts";
import { type MessageRef, messageRef } from "../../shared/i18n.ts";
import {
  asOwner,
  ID_RE,
  INVITE_TTL_MS,
  inviteToken,
  MEMBERSHIP_MESSAGES,
  membersOf,
  type OwnerRefusal,
  TOKEN_RE,
} from "./teams.ts";

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
  if (!isMailAddress(email) || email.length > 254) {
    return {
      ok: false,
      reason: "invalid",
      errors: { email: messageRef("team.err_email") },
    };
  }
  if (role !== "owner" && role !== "member") {
    return { ok: false, reason: "invalid", errors: { role: messageRef("team.err_role") } };
  }
  return await untilLanded("inviteMember", async () => {
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
    // The team changed between the read and the write (a save, a role, an acceptance):
    // decide again on what it is now.
    return LOST;
  });
}

/** An invitation of a team the user owns, or why not (another team's id is not found either). */
async function ownersInvite(
  app: App,
  user: UserRecord,
  teamId: string,
  inviteId: string,
): Promise<
  | { ok: true; team: TeamRecord; cur: Deno.KvEntry<TeamInviteRecord> }
  | { ok: false; reason: OwnerRefusal }
> {
  const owner = await asOwner(app, user, teamId);
  if (!owner.ok) return owner;
  if (!ID_RE.test(inviteId)) return { ok: false, reason: "not_found" };
  const cur = await getInvite(app.kv, teamId, inviteId);
  if (!cur.value) return { ok: false, reason: "not_found" };
  return { ok: true, team: owner.team, cur: cur as Deno.KvEntry<TeamInviteRecord> };
}

/** An owner sends an invitation again: the same link, valid for another two weeks. */
export async function resendInvite(
  app: App,
  user: UserRecord,
  teamId: string,
  inviteId: string,
): Promise<{ ok: true } | { ok: false; reason: OwnerRefusal }> {
  const found = await ownersInvite(app, user, teamId, inviteId);
  if (!found.ok) return found;
  const { team, cur } = found;
  const nowMs = app.now();
  const next: TeamInviteRecord = {
    ...cur.value,
    expiresAtMs: nowMs + INVITE_TTL_MS,
    lastSentMs: nowMs,
    sends: cur.value.sends + 1,
  };
  const job = await inviteMailJob(app, team, next, nowMs);
  const res = await commitWithReceipt(
    app.kv,
    enqueue(app.kv.atomic().check(cur).set(cur.key, next), job),
  );
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
  const found = await ownersInvite(app, user, teamId, inviteId);
  if (!found.ok) return found;
  const { cur } = found;
  const hash = await sha256Hex(await inviteToken(app, cur.value));
  const res = await commitWithReceipt(
    app.kv,
    dropInvite(app.kv.atomic().check(cur), cur.value, hash),
  );
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
  const inviter = await getActiveUser(app.kv, inv.invitedById);
  // Gone once the owner who sent it is not one any more (or closed their account).
  if (!inviteHolds(team, inv.invitedById, inviter !== null)) return null;
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
    const res = await commitWithReceipt(app.kv, dropInvite(app.kv.atomic().check(cur), inv, hash));
    return res.ok ? { ok: true, teamId: inv.teamId } : { ok: false, reason: "not_found" };
  }
  if (inv.expiresAtMs <= app.now()) return { ok: false, reason: "expired" };
  const inviterOpen = (await getActiveUser(app.kv, inv.invitedById)) !== null;
  const res = await updateTeam(
    app.kv,
    inv.teamId,
    (team) => {
      // Decided on the record this write checks: the inviting owner is still one.
      if (!inviteHolds(team, inv.invitedById, inviterOpen)) {
        return { ok: false, reason: "not_found" as const };
      }
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
  if (res.ok) {
    // Joining as an owner changes who owns the team.
    if (inv.role === "owner") {
      await recordAudit(app, {
        kind: "team_ownership_changed",
        actor: user,
        target: user,
        said: { code: "team_owner_invited", values: { team: res.team.slug } },
      });
    }
    return { ok: true, teamId: inv.teamId };
  }
  if (res.reason === "already_member") {
    await dropInvite(app.kv.atomic().check(cur), inv, hash).commit();
    return { ok: true, teamId: inv.teamId };
  }
  const r = res.reason;
  return { ok: false, reason: r === "slug_taken" || r === "too_many_holds" ? "not_found" : r };
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
