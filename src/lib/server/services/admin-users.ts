/**
 * The admin's view of people (issue 32): list and search, suspend, reactivate, delete. Each
 * action is one of the account's own paths — suspension is the closing write's sibling
 * (`setSuspended`), deletion is ADR 022's `deleteAccount` with its team rules — and each is
 * written to the audit log.
 */
import { searchFold } from "../../shared/search-fold.ts";
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { type AccountState, accountState, endRefusal, isAdmin } from "../domain/admin.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { keys, type UserId } from "../store/keys.ts";
import { getUser, getUserByEmail, getUserByUsername } from "../store/users.ts";
import { getUsers, listTeamsOf } from "../store/teams.ts";
import { getAccountStatus, listAccounts } from "../store/calendars.ts";
import { listHostBookingsAfter } from "../store/booking-list.ts";
import { listClosedAccounts, setSuspended } from "../store/host-data.ts";
import { listApiKeys, removeApiKey } from "../store/api-keys.ts";
import { removeFeed } from "./ics-feed.ts";
import { deleteAccount, type DeleteAccountResult } from "./account-closing.ts";
import { exportHostIcs, exportHostJson } from "./host-data.ts";
import { type AuditParty, recordAudit } from "./audit.ts";

/** Who acts: an admin signed in, or the command line (`{ id: null, label: "cli" }`). */
export type AdminActor = NonNullable<AuditParty>;

export type AdminUserRow = {
  id: string;
  name: string;
  username: string;
  email: string;
  state: AccountState;
  /** Named in INVITO_ADMINS: not suspended or deleted from the web (domain/admin.ts). */
  admin: boolean;
  createdAtMs: number;
  lastSignInMs: number | null;
  bookingsAhead: number;
  /** true: more than we counted */
  bookingsAheadMore: boolean;
  teams: string[];
  calendars: { total: number; failing: number };
};

/**
 * The most accounts one listing looks at. The list reads every account, in pages, until the page
 * is full; memory holds only the page. Past this many the listing stops and says so.
 */
const SCAN_LIMIT = 100_000;
const SHOWN = 200;
const AHEAD_COUNT = 500;

export type AdminUserList = {
  rows: AdminUserRow[];
  /** More match than are shown. */
  more: boolean;
  /** The listing stopped after this many accounts (others may match), or null. */
  stoppedAfter: number | null;
};

export async function listUsersForAdmin(
  app: App,
  query: { q?: string; state?: AccountState },
  scanLimit = SCAN_LIMIT,
): Promise<AdminUserList> {
  const q = searchFold(query.q?.trim() ?? "");
  const found: UserRecord[] = [];
  let more = false;
  let scanned = 0;
  let stoppedAfter: number | null = null;
  for await (
    const e of app.kv.list<UserRecord>({ prefix: keys.userPrefix() }, { batchSize: 500 })
  ) {
    if (scanned++ === scanLimit) {
      stoppedAfter = scanLimit;
      break;
    }
    const u = e.value;
    if (query.state && accountState(u) !== query.state) continue;
    if (q && ![u.name, u.username, u.email].some((s) => searchFold(s).includes(q))) continue;
    if (found.length === SHOWN) {
      more = true;
      break;
    }
    found.push(u);
  }
  const rows = await Promise.all(found.map((u) => userRow(app, u)));
  return { rows, more, stoppedAfter };
}

export async function userRow(app: App, u: UserRecord): Promise<AdminUserRow> {
  const nowMs = app.now();
  const [teams, accounts, ahead] = await Promise.all([
    listTeamsOf(app.kv, u.id),
    listAccounts(app.kv, u.id),
    listHostBookingsAfter(app.kv, u.id, { fromMs: nowMs, scanLimit: AHEAD_COUNT }),
  ]);
  const statuses = await Promise.all(
    accounts.map(({ value: a }) => getAccountStatus(app.kv, u.id, a.id)),
  );
  return {
    id: u.id,
    name: u.name,
    username: u.username,
    email: u.email,
    state: accountState(u),
    admin: isAdmin(app.config.admins, u),
    createdAtMs: u.createdAtMs,
    lastSignInMs: u.lastSignInMs ?? null,
    bookingsAhead: ahead.bookings.filter((b) => isLiveBooking(b, nowMs)).length,
    bookingsAheadMore: !ahead.exhausted,
    teams: teams.map((t) => t.name),
    calendars: {
      total: accounts.length,
      failing: statuses.filter((s) => s?.lastError).length,
    },
  };
}

export type AdminActionResult =
  | { ok: true; user: UserRecord }
  | { ok: false; reason: "not_found" | "unchanged" | "self" | "admin" };

/**
 * Suspends an account: the write that sets `suspendedAtMs` ends every credential at once
 * (sessions, API keys, the feed, webhook deliveries, calendar sync: each asks `getActiveUser`);
 * sessions, API keys and the feed's URL are then deleted, so a reactivation starts clean. The
 * public pages say "not taking bookings"; the bookings ahead are kept.
 */
export async function suspendUser(
  app: App,
  admin: AdminActor,
  userId: string,
): Promise<AdminActionResult> {
  const target = await getUser(app.kv, userId as UserId);
  if (!target) return { ok: false, reason: "not_found" };
  const refused = endRefusal(admin.id, target, app.config.admins);
  if (refused) return { ok: false, reason: refused };
  const r = await setSuspended(app.kv, userId as UserId, app.now(), app.now());
  if (r === null) return { ok: false, reason: "not_found" };
  if (r === "unchanged") return { ok: false, reason: "unchanged" };
  for (const k of await listApiKeys(app.kv, r.id)) await removeApiKey(app.kv, r.id, k.id);
  await removeFeed(app, r);
  await recordAudit(app, { kind: "account_suspended", actor: admin, target: r });
  return { ok: true, user: r };
}

export async function reactivateUser(
  app: App,
  admin: AdminActor,
  userId: string,
): Promise<AdminActionResult> {
  const r = await setSuspended(app.kv, userId as UserId, null, app.now());
  if (r === null) return { ok: false, reason: "not_found" };
  if (r === "unchanged") return { ok: false, reason: "unchanged" };
  // The webhook deliveries held while suspended go out now (their job rode in that write).
  app.kickOutbox();
  await recordAudit(app, { kind: "account_reactivated", actor: admin, target: r });
  return { ok: true, user: r };
}

/**
 * Deletes an account the way its owner would (ADR 022): the admin types its username to
 * confirm; the last owner of a team with other members is refused the same way.
 */
export async function deleteUserAsAdmin(
  app: App,
  admin: AdminActor,
  userId: string,
  confirmUsername: string,
): Promise<DeleteAccountResult | { ok: false; reason: "self" | "admin" }> {
  const user = await getUser(app.kv, userId as UserId);
  if (!user || user.closedAtMs) return { ok: false, reason: "not_found" };
  const refused = endRefusal(admin.id, user, app.config.admins);
  if (refused) return { ok: false, reason: refused };
  return await deleteAccount(app, user, confirmUsername, admin);
}

/**
 * A user named by id, address, username or `@username` (as the admin's list shows them; the
 * command line's argument, the hand-over's field). A closed account no longer has its username
 * or address indexed: it is found among the closed accounts (kept until the purge) by the
 * username or address it had, unless an open account now has that address.
 */
export async function findUserForAdmin(app: App, ref: string): Promise<UserRecord | null> {
  const r = ref.trim();
  if (/^[0-9A-Z]{26}$/.test(r)) return await getUser(app.kv, r as UserId);
  const username = /^@[^@]+$/.test(r) ? r.slice(1) : r.includes("@") ? null : r;
  const open = username === null
    ? await getUserByEmail(app.kv, r)
    : await getUserByUsername(app.kv, username);
  if (open) return open;
  const closed = await getUsers(app.kv, (await listClosedAccounts(app.kv)).map((c) => c.userId));
  const name = (username ?? r).toLowerCase();
  return closed.find((u) => (username === null ? u.email : u.username).toLowerCase() === name) ??
    null;
}

export type AdminBookingRow = {
  id: string;
  start: string;
  end: string;
  status: string;
  eventTitle: string;
  guestName: string;
  guestEmail: string;
};

/** A host's bookings from `fromMs` on, in start order (at most `limit`). */
export async function hostBookingsFrom(
  app: App,
  user: UserRecord,
  fromMs: number,
  limit = 1_000,
): Promise<AdminBookingRow[]> {
  const { bookings } = await listHostBookingsAfter(app.kv, user.id, { fromMs, scanLimit: limit });
  return bookings.map((b) => ({
    id: b.id,
    start: new Date(b.startMs).toISOString(),
    end: new Date(b.endMs).toISOString(),
    status: b.status,
    eventTitle: b.eventTitle,
    guestName: b.guestName,
    guestEmail: b.guestEmail,
  }));
}

/**
 * A host's export read by an admin (the command line's `bookings export`): the owner's own export,
 * in the audit log once it was read to its end (the host as target, the format as detail), as
 * the admin's other acts are — it holds every guest's name and address.
 */
export async function* exportHostForAdmin(
  app: App,
  admin: AdminActor,
  user: UserRecord,
  format: "json" | "ics",
): AsyncGenerator<string> {
  yield* format === "ics" ? exportHostIcs(app, user) : exportHostJson(app, user);
  await recordAudit(app, {
    kind: "host_data_exported",
    actor: admin,
    target: { id: user.id, label: user.username },
    detail: format.toUpperCase(),
  });
}
