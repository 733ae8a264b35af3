/**
 * Teams, their members and invitations (docs/decisions/016-teams.md).
 *
 * A team's members live in its record, so every membership change is one atomic write that
 * checks the record's versionstamp (the rules are domain/team-membership.ts's). A team slug and
 * a username share one namespace: creating a team or renaming its slug checks that no user has
 * that name, and creating a user or renaming one checks that no team has it (store/users.ts),
 * each in the same write that claims the name, so the two can never clash. A username released by
 * a rename stays held for its host (domain/username.ts): no team can take it while it is held.
 */
import { bumpSettings } from "./revisions.ts";
import { commitOrReread, commitWithReceipt, getValues, LOST, untilLanded } from "./kv.ts";
import { type BookingId, keys, type TeamId, type UserId } from "./keys.ts";
import { getBookings } from "./bookings.ts";
import type {
  BookingRecord,
  TeamInviteRecord,
  TeamInviteTokenRecord,
  TeamRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { cachedRead, settingsChanged } from "./settings-cache.ts";
import { applyMembership, type MembershipChange } from "../domain/team-membership.ts";
import type { UsernameReleasedRecord } from "../domain/model/records.ts";
import { holdsAfterRename, isHeldFrom, USERNAME_HOLD_MS } from "../domain/username.ts";

/**
 * A slug's released-username hold, read before the write that claims the slug and checked in it;
 * `held` when a host's old name is still held at `nowMs` (the write's own time).
 */
async function readSlugHold(kv: Deno.Kv, slug: string, nowMs: number, teamId: TeamId | null) {
  const entry = await kv.get<UsernameReleasedRecord>(keys.usernameReleased(slug));
  return { entry, held: isHeldFrom(entry.value, teamId, nowMs) };
}

export async function getTeam(kv: Deno.Kv, id: TeamId): Promise<TeamRecord | null> {
  return (await kv.get<TeamRecord>(keys.team(id))).value;
}

/**
 * The team as it is now, and in the same read the revision of closed accounts (store/keys.ts
 * `accountsClosedRev`): a team booking reads both before its members (services/team-bookings.ts).
 */
export async function getTeamAndClosedRevision(
  kv: Deno.Kv,
  id: TeamId,
): Promise<{ team: TeamRecord | null; closed: string | null }> {
  const [team, closed] = await kv.getMany<[TeamRecord, unknown]>([
    keys.team(id),
    keys.accountsClosedRev(),
  ]);
  return { team: team.value, closed: closed.versionstamp };
}

export async function getTeamBySlug(kv: Deno.Kv, slug: string): Promise<TeamRecord | null> {
  const idx = await kv.get<TeamId>(keys.teamBySlug(slug.toLowerCase()));
  return idx.value ? await getTeam(kv, idx.value) : null;
}

/** The team a released slug is held for (and forwards to), while it is held. */
export async function getTeamByReleasedSlug(
  kv: Deno.Kv,
  slug: string,
  nowMs: number,
): Promise<TeamRecord | null> {
  const hold = (await kv.get<UsernameReleasedRecord>(keys.usernameReleased(slug.toLowerCase())))
    .value;
  if (!hold?.team || hold.untilMs <= nowMs) return null;
  const team = await getTeam(kv, hold.userId);
  return team && team.slug !== slug.toLowerCase() ? team : null;
}

/** From the short-lived settings copy (guest pages). Bookings read the record fresh and check it. */
export function getTeamBySlugCached(kv: Deno.Kv, slug: string): Promise<TeamRecord | null> {
  const s = slug.toLowerCase();
  return cachedRead(kv, `team:${s}`, () => getTeamBySlug(kv, s), (t) => t?.id ?? null);
}

/** The teams a user belongs to, by name. */
export async function listTeamsOf(kv: Deno.Kv, userId: UserId): Promise<TeamRecord[]> {
  const ids: TeamId[] = [];
  for await (const e of kv.list<TeamId>({ prefix: keys.teamByMemberPrefix(userId) })) {
    ids.push(e.value);
  }
  const out = await getValues<TeamRecord>(kv, ids.map((id) => keys.team(id)));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Users by id, in their order (absent ones left out). */
export async function getUsers(kv: Deno.Kv, ids: readonly UserId[]): Promise<UserRecord[]> {
  return await getValues<UserRecord>(kv, ids.map((id) => keys.user(id)));
}

/** Creates a team with its first owner; its slug is claimed against teams and usernames at once. */
export async function insertTeam(
  kv: Deno.Kv,
  team: TeamRecord,
): Promise<{ ok: true } | { ok: false; reason: "slug_taken" }> {
  const hold = await readSlugHold(kv, team.slug, team.createdAtMs, null);
  if (hold.held) return { ok: false, reason: "slug_taken" };
  let op = kv.atomic()
    .check({ key: keys.teamBySlug(team.slug), versionstamp: null })
    .check({ key: keys.userByUsername(team.slug), versionstamp: null })
    .check(hold.entry)
    .check({ key: keys.team(team.id), versionstamp: null })
    .set(keys.team(team.id), team)
    .set(keys.teamBySlug(team.slug), team.id);
  if (hold.entry.value) op = op.delete(keys.usernameReleased(team.slug));
  for (const m of team.members) op = op.set(keys.teamByMember(m.userId, team.id), team.id);
  // A fresh team id that nothing else writes under: the team exists exactly when this write
  // landed, even when its answer was lost (ADR 038).
  const res = await commitOrReread(
    bumpSettings(op, team.id),
    async () => (await kv.get(keys.team(team.id))).versionstamp !== null,
  );
  if (res.ok) settingsChanged(kv);
  return res.ok ? { ok: true } : { ok: false, reason: "slug_taken" };
}

export type TeamUpdate<R extends string> = (
  cur: TeamRecord,
) => { ok: true; next: TeamRecord } | { ok: false; reason: R };

/**
 * Read-modify-write of a team record, checked at its versionstamp: a membership change, a role
 * or weight, a rename. Member indexes follow the members; a new slug is claimed against teams
 * and usernames in the same write, and the old one is held for the team like a released
 * username (ADR 011: 90 days, at most 5, its pages forward). Extra writes (an accepted
 * invitation's removal) ride along.
 */
export async function updateTeam<R extends string>(
  kv: Deno.Kv,
  id: TeamId,
  change: TeamUpdate<R>,
  extra: (op: Deno.AtomicOperation, cur: TeamRecord) => Deno.AtomicOperation = (op) => op,
): Promise<
  { ok: true; team: TeamRecord; before: TeamRecord } | {
    ok: false;
    reason: R | "not_found" | "slug_taken" | "too_many_holds";
  }
> {
  return await untilLanded("updateTeam", async () => {
    const cur = await kv.get<TeamRecord>(keys.team(id));
    if (!cur.value) return { ok: false, reason: "not_found" };
    const res = change(cur.value);
    if (!res.ok) return res;
    let next = res.next;
    let op = kv.atomic().check(cur);
    if (next.slug !== cur.value.slug) {
      // `updatedAtMs` is the time of this change (services set it).
      const nowMs = next.updatedAtMs;
      const hold = await readSlugHold(kv, next.slug, nowMs, id);
      if (hold.held) return { ok: false, reason: "slug_taken" };
      const holds = holdsAfterRename(cur.value.previousSlugs, cur.value.slug, next.slug, nowMs);
      if (!holds.ok) return { ok: false, reason: "too_many_holds" };
      next = { ...next, previousSlugs: holds.holds };
      const released: UsernameReleasedRecord = {
        v: 1,
        userId: id,
        untilMs: nowMs + USERNAME_HOLD_MS,
        team: true,
      };
      op = op.check({ key: keys.teamBySlug(next.slug), versionstamp: null })
        .check({ key: keys.userByUsername(next.slug), versionstamp: null })
        .check(hold.entry)
        .delete(keys.teamBySlug(cur.value.slug))
        .set(keys.teamBySlug(next.slug), id)
        .set(keys.usernameReleased(cur.value.slug), released, { expireIn: USERNAME_HOLD_MS });
      if (hold.entry.value) op = op.delete(keys.usernameReleased(next.slug));
    }
    op = op.set(keys.team(id), next);
    const before = new Set(cur.value.members.map((m) => m.userId));
    const after = new Set(next.members.map((m) => m.userId));
    for (const u of after) if (!before.has(u)) op = op.set(keys.teamByMember(u, id), id);
    for (const u of before) if (!after.has(u)) op = op.delete(keys.teamByMember(u, id));
    op = bumpSettings(extra(op, cur.value), id);
    if ((await commitWithReceipt(kv, op)).ok) {
      settingsChanged(kv);
      return { ok: true, team: next, before: cur.value };
    }
    if (next.slug !== cur.value.slug) {
      const [t, u] = await kv.getMany([keys.teamBySlug(next.slug), keys.userByUsername(next.slug)]);
      if (t.versionstamp !== null || u.versionstamp !== null) {
        return { ok: false, reason: "slug_taken" };
      }
    }
    return LOST;
  });
}

/** A membership change by the rules of domain/team-membership.ts, in one checked write. */
export function changeMembership(
  kv: Deno.Kv,
  id: TeamId,
  change: MembershipChange,
  nowMs: number,
) {
  return updateTeam(kv, id, (cur) => {
    const r = applyMembership(cur, change);
    return r.ok ? { ok: true, next: { ...r.team, updatedAtMs: nowMs } } : r;
  });
}

// ── invitations ─────────────────────────────────────────────────────────────────────────────

export async function getInvite(
  kv: Deno.Kv,
  teamId: TeamId,
  id: string,
): Promise<Deno.KvEntryMaybe<TeamInviteRecord>> {
  return await kv.get<TeamInviteRecord>(keys.teamInvite(teamId, id));
}

export async function listInvites(kv: Deno.Kv, teamId: TeamId): Promise<TeamInviteRecord[]> {
  const out: TeamInviteRecord[] = [];
  for await (const e of kv.list<TeamInviteRecord>({ prefix: keys.teamInvitePrefix(teamId) })) {
    out.push(e.value);
  }
  return out;
}

/** Pending invitations to an address, across teams. */
export async function listInvitesFor(kv: Deno.Kv, email: string): Promise<TeamInviteRecord[]> {
  const refs: [TeamId, string][] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.teamInviteByEmailPrefix(email.toLowerCase()) })
  ) refs.push([String(e.key[2]), e.value]);
  const out: TeamInviteRecord[] = [];
  for (const [teamId, id] of refs) {
    const inv = (await getInvite(kv, teamId, id)).value;
    if (inv) out.push(inv);
  }
  return out;
}

export async function getInviteByTokenHash(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<TeamInviteRecord | null> {
  const ref = (await kv.get<TeamInviteTokenRecord>(keys.teamInviteToken(tokenHash))).value;
  return ref ? (await getInvite(kv, ref.teamId, ref.inviteId)).value : null;
}

/**
 * Stores an invitation: one pending per address and team (checked absent), written only while
 * the team is as read (so the member count the caller checked still holds).
 */
export async function insertInvite(
  kv: Deno.Kv,
  team: Deno.KvEntry<TeamRecord>,
  invite: TeamInviteRecord,
  tokenHash: string,
  mail: (op: Deno.AtomicOperation) => Deno.AtomicOperation,
): Promise<{ ok: true } | { ok: false; reason: "already_invited" | "conflict" }> {
  const byEmail = keys.teamInviteByEmail(invite.email, invite.teamId);
  // The team record is written again as it was: its new versionstamp makes invitations sent at
  // once conflict, so each counts the pending ones anew. Checked but untouched, all of them saw
  // room for one more and together passed MAX_MEMBERS, which the team's deletion write counts
  // on to stay within remote KV's mutations (domain/team-deletion.ts).
  const op = kv.atomic()
    .check(team)
    .set(team.key, team.value)
    .check({ key: byEmail, versionstamp: null })
    .set(keys.teamInvite(invite.teamId, invite.id), invite)
    .set(byEmail, invite.id)
    .set(
      keys.teamInviteToken(tokenHash),
      {
        v: 1,
        teamId: invite.teamId,
        inviteId: invite.id,
      } satisfies TeamInviteTokenRecord,
    );
  // A fresh invitation id: it exists exactly when this write landed, even when its answer was
  // lost (ADR 038).
  const landed = async () =>
    (await kv.get(keys.teamInvite(invite.teamId, invite.id))).versionstamp !== null;
  if ((await commitOrReread(mail(op), landed)).ok) return { ok: true };
  const again = await kv.get(byEmail);
  return { ok: false, reason: again.versionstamp !== null ? "already_invited" : "conflict" };
}

/** The writes that remove an invitation (revoked, declined, accepted). */
export function dropInvite(
  op: Deno.AtomicOperation,
  invite: TeamInviteRecord,
  tokenHash: string,
): Deno.AtomicOperation {
  return op.delete(keys.teamInvite(invite.teamId, invite.id))
    .delete(keys.teamInviteByEmail(invite.email, invite.teamId))
    .delete(keys.teamInviteToken(tokenHash));
}

// ── deleting a team ─────────────────────────────────────────────────────────────────────────

/** The team record with its versionstamp, for a write that must find it unchanged. */
export async function getTeamEntry(
  kv: Deno.Kv,
  id: TeamId,
): Promise<Deno.KvEntryMaybe<TeamRecord>> {
  return await kv.get<TeamRecord>(keys.team(id));
}

/** The team's bookings that start at or after `fromMs` (its list, `team_booking`). */
export async function listTeamBookingsFrom(
  kv: Deno.Kv,
  teamId: TeamId,
  fromMs: number,
): Promise<BookingRecord[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      prefix: keys.teamBookingPrefix(teamId),
      start: keys.teamBookingFrom(teamId, fromMs),
    })
  ) ids.push(e.value);
  return await getBookings(kv, ids as BookingId[]);
}

/**
 * Deletes a team in one write checked against the record as read (domain/team-deletion.ts
 * states its size): the record and its slug index go, and the slug is held for nobody for 90
 * days like a closed account's username (ADR 011: its links answer 404 and nobody else receives
 * them); its members' indexes and its pending invitations (`invites`, with their token hashes)
 * go too. False when the team changed meanwhile (true when this write landed and its answer was
 * lost: `commitWithReceipt`).
 */
export async function removeTeam(
  kv: Deno.Kv,
  entry: Deno.KvEntry<TeamRecord>,
  invites: readonly { invite: TeamInviteRecord; tokenHash: string }[],
  nowMs: number,
): Promise<boolean> {
  const team = entry.value;
  const held: UsernameReleasedRecord = {
    v: 1,
    userId: team.id,
    untilMs: nowMs + USERNAME_HOLD_MS,
    team: true,
  };
  let op = kv.atomic().check(entry)
    .delete(keys.team(team.id))
    .delete(keys.teamBySlug(team.slug))
    .set(keys.usernameReleased(team.slug), held, { expireIn: USERNAME_HOLD_MS });
  for (const m of team.members) op = op.delete(keys.teamByMember(m.userId, team.id));
  for (const i of invites) op = dropInvite(op, i.invite, i.tokenHash);
  // A lost answer is not a lost race: the receipt tells this write from another change.
  const ok = (await commitWithReceipt(kv, bumpSettings(op, team.id))).ok;
  if (ok) settingsChanged(kv);
  return ok;
}

/**
 * What a deleted team leaves that nothing reaches any more: its event types' rotations and its
 * booking list (the bookings themselves stay their members'). In writes of at most 500
 * deletions, after the team itself is gone.
 */
export async function removeTeamLeftovers(
  kv: Deno.Kv,
  teamId: TeamId,
  eventTypeIds: readonly string[],
): Promise<void> {
  const gone: Deno.KvKey[] = eventTypeIds.map((id) => keys.teamRotation(id));
  for await (const e of kv.list({ prefix: keys.teamBookingPrefix(teamId) })) gone.push(e.key);
  for (let i = 0; i < gone.length; i += 500) {
    let op = kv.atomic();
    for (const key of gone.slice(i, i + 500)) op = op.delete(key);
    await op.commit();
  }
}
