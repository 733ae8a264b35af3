/**
 * Closing an account (ADR 022): the owner's own deletion, refused while they are a team's last
 * owner, and the purge of closed accounts once their grace period has passed.
 */
import type { App } from "../app.ts";
import { type AuditParty, recordAudit } from "./audit.ts";
import { deleteOwnerForms } from "./routing-forms.ts";
import { recordIdentityUnlinked } from "./identity-link.ts";
import { removeHostPolls } from "../store/polls.ts";
import {
  eraseGuestsFromLinks,
  listSingleUseLinks,
  removeSingleUseLink,
} from "../store/single-use-links.ts";
import { linkToken, MAX_LINKS_PER_HOST } from "./single-use-links.ts";
import { pollToken } from "./polls.ts";
import { sha256Hex } from "../integrations/crypto.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { listEventTypes } from "../store/event-types.ts";
import { forgetRemovedAccounts, listAccounts } from "../store/calendars.ts";
import {
  closeAccountRecord,
  eraseGuestFromBookings,
  type EraseResult,
  hostBookingPages,
  listClosedAccounts,
  removeClosedAccount,
} from "../store/host-data.ts";
import { eraseMessagesNaming } from "../store/webhooks.ts";
import { getUser } from "../store/users.ts";
import { purgeHostEngineKeys } from "../store/bookings.ts";
import { cancelMeetingsAhead } from "./closed-meanwhile.ts";
import { engineRules, runChange } from "./transaction.ts";
import { listTeamsOf } from "../store/teams.ts";
import { listApiKeys, removeApiKey } from "../store/api-keys.ts";
import { deleteSubscription, listHostSubscriptions } from "./webhooks.ts";
import { removeFeed } from "./ics-feed.ts";
import { removeFromTeam } from "./teams.ts";
import { deleteEventType } from "./event-types.ts";
import { removeCalendarAccount } from "./calendar-accounts.ts";
import { removeZoomConnection } from "../store/zoom.ts";
import { translator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";
import { namesList } from "../../shared/format.ts";
import { setUserPhoto } from "../store/photos.ts";

export type DeleteAccountResult =
  | { ok: true; cancelled: number }
  | { ok: false; reason: "confirm_mismatch" | "not_found" }
  /** The host is the last owner of these teams, which have other members. */
  | { ok: false; reason: "last_owner"; teams: string[] };

/** Why an account that is the last owner of a team cannot be deleted yet, and what to do. */
export function lastOwnerMessage(teams: string[], t: Translator = translator("en")): string {
  const names = namesList(teams.map((name) => t.t("team.quoted", { name })), t.locale);
  return t.t("team.last_owner_delete", { n: teams.length, names });
}

/**
 * "Delete my account", after the host typed their username to confirm: the booking page and the
 * sign-in go at once (every session ends); every meeting still ahead is cancelled through the
 * booking engine, so each guest is told by mail and the time is released as for any host
 * cancellation; calendar connections (with their stored passwords) and event types are removed.
 * What remains — the record the cancellation mails name, availability, the guests' details in past
 * bookings — is purged by `purgeClosedAccounts` once those mails have had time to go out.
 */
export async function deleteAccount(
  app: App,
  user: UserRecord,
  confirmUsername: string,
  /** Who asked: the person themselves, or an admin (issue 32); kept in the audit log. */
  actor: AuditParty = user,
): Promise<DeleteAccountResult> {
  if (confirmUsername.trim().toLowerCase() !== user.username) {
    return { ok: false, reason: "confirm_mismatch" };
  }
  // A team always keeps an owner: the last one hands over first (docs/decisions/016-teams.md).
  const teams = await listTeamsOf(app.kv, user.id);
  const stranded = teams.filter((t) =>
    t.members.length > 1 && !t.members.some((m) => m.role === "owner" && m.userId !== user.id)
  );
  if (stranded.length) {
    return {
      ok: false,
      reason: "last_owner",
      teams: stranded.map((t) => t.name),
    };
  }
  const nowMs = app.now();
  const closing = await closeAccountRecord(app.kv, user.id, nowMs);
  if (!closing) return { ok: false, reason: "not_found" };
  const closed = closing.user;
  // Its sign-in identities went with that close: each is unlinked as a Disconnect unlinks one,
  // and the log says so (ADR 007), by whoever deleted the account.
  for (const identity of closing.identities) {
    await recordIdentityUnlinked(app, actor, user, identity.provider);
  }
  // Every credential of theirs ended with that write (each use asks `getActiveUser`: sessions,
  // API keys, the feed, webhook subscriptions, calendar connections, invitations they sent);
  // their records go now, so nothing is left to revive (issue 22).
  for (const k of await listApiKeys(app.kv, user.id)) await removeApiKey(app.kv, user.id, k.id);
  for (const s of await listHostSubscriptions(app, user)) await deleteSubscription(app, user, s.id);
  await removeFeed(app, user);
  // Out of every team with other members at once, so no new booking is assigned to them, and
  // the invitations they sent go with them (a team of their own alone keeps its record, with
  // nobody left to offer slots).
  for (const t of teams) {
    if (t.members.length > 1) await removeFromTeam(app, t.id, user.id, actor);
  }
  const cancelled = await cancelMeetingsAhead(app, { runChange, engineRules }, user.id, nowMs);
  for (const { value: a } of await listAccounts(app.kv, user.id)) {
    await removeCalendarAccount(app, user.id, a.id);
  }
  await forgetRemovedAccounts(app.kv, user.id);
  // The Zoom connection's tokens are a credential too (its meetings stay in the host's Zoom).
  await removeZoomConnection(app.kv, user.id);
  for (const et of await listEventTypes(app.kv, user.id)) await deleteEventType(app, closed, et.id);
  // Routing forms and their responses (guests' answers) end with the account (issue 30).
  await deleteOwnerForms(app, user.id);
  // So do meeting polls with their invitees' answers, and single-use links (their marks of use
  // keep a booking id, no guest): nobody can vote or book with a closed account's links.
  await removeHostPolls(app.kv, user.id, async (p) => await sha256Hex(await pollToken(app, p)));
  await eraseGuestsFromLinks(app.kv, user.id, () => true, nowMs);
  for (const { link } of await listSingleUseLinks(app.kv, user.id, MAX_LINKS_PER_HOST)) {
    await removeSingleUseLink(app.kv, link, await sha256Hex(await linkToken(app, link)), nowMs);
  }
  await setUserPhoto(app.kv, user.id, null);
  await recordAudit(app, {
    kind: "account_deleted",
    actor,
    target: user,
    said: { code: "account_deleted", values: { n: cancelled } },
  });
  return { ok: true, cancelled };
}

/** Mails retry for about 15 hours (ADR 004); the rest of a closed account goes after two days. */
export const PURGE_AFTER_MS = 48 * 3_600_000;

/**
 * For accounts closed more than PURGE_AFTER_MS ago: every guest's details are erased from the
 * remaining bookings (checked writes, as for "erase a guest") and the bodies its webhooks sent
 * are deleted, with the copies of those bookings that a team booking's other members heard;
 * then the host's record and hours are deleted with the booking engine's entries of the host
 * (busy time, caps, guest holds). The bookings stay as anonymous records.
 */
export async function purgeClosedAccounts(app: App, nowMs: number): Promise<number> {
  let purged = 0;
  for (const { userId, atMs } of await listClosedAccounts(app.kv)) {
    if (nowMs - atMs < PURGE_AFTER_MS) continue;
    const emails = new Set<string>();
    const eventTypeIds = new Set<string>();
    for await (const page of hostBookingPages(app.kv, userId)) {
      for (const b of page) {
        if (b.guestEmail) emails.add(b.guestEmail.toLowerCase());
        eventTypeIds.add(b.eventTypeId);
      }
    }
    const touched = new Map<string, EraseResult["touched"][number]>();
    for (const email of emails) {
      const r = await eraseGuestFromBookings(app.kv, userId, email, nowMs);
      for (const b of r.touched) touched.set(b.id, b);
    }
    // The bodies its webhooks sent (its subscriptions ended with it; the log stays 30 days),
    // and, as for any erasure, the copies of the bookings just rewritten that a team booking's
    // other members heard: they named the guests these bookings no longer name. All of them,
    // not those naming one address: every body of such a booking named its guests then.
    await eraseMessagesNaming(app.kv, userId, () => true, nowMs, [...touched.values()]);
    // The engine's busy time, caps and guest holds of this host (their keys name the host and
    // guests' addresses); the bookings stay as anonymous records.
    await purgeHostEngineKeys(app.kv, userId, eventTypeIds);
    if (await getUser(app.kv, userId)) await removeClosedAccount(app.kv, userId);
    purged++;
  }
  return purged;
}
