/**
 * CalDAV accounts, their calendars and the writeback choice. Removing a calendar or account
 * deletes its busy-cache head in the same atomic write as the settings, which hides its windows
 * at once; the chunks are swept right after. The busy cache itself is in calendar-busy.ts,
 * writeback records in writebacks.ts, per-event state in calendar-events.ts, provider holds and
 * OAuth tokens in calendar-tokens.ts.
 */
import { type CalendarAccountId, type CalendarId, keys, type UserId } from "./keys.ts";
import type {
  CalendarAccountRecord,
  CalendarAccountStatusRecord,
  CalendarBusyHeadRecord,
  CalendarRecord,
  CalendarTokenRecord,
  CalendarWritebackRecord,
} from "../domain/model/records.ts";
import { settingsChanged } from "./settings-cache.ts";
import { bumpBusy, bumpSettings } from "./revisions.ts";
import { commitWithReceipt, LOST, untilLanded } from "./kv.ts";
import { accountIdentity } from "../domain/calendar-account-identity.ts";

type Identified = Pick<CalendarAccountRecord, "hostId" | "provider" | "principalUrl" | "username">;

const identityKey = async (a: Identified) =>
  keys.calendarAccountIdentity(a.hostId, await sha256Short(accountIdentity(a)));

/** The id this host's account of that identity has, or had before it was removed; else null. */
export async function removedAccountId(
  kv: Deno.Kv,
  a: Identified,
): Promise<CalendarAccountId | null> {
  return (await kv.get<{ v: 1; accountId: CalendarAccountId }>(await identityKey(a))).value
    ?.accountId ?? null;
}

/** Forgets a host's account identities (their closing: nothing is connected again). */
export async function forgetRemovedAccounts(kv: Deno.Kv, hostId: UserId): Promise<void> {
  for await (const e of kv.list({ prefix: keys.calendarAccountIdentityPrefix(hostId) })) {
    await kv.delete(e.key);
  }
}

export async function sha256Short(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(d.slice(0, 10), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Stable per (account, URL): rediscovering a calendar keeps its settings and cache. */
export function calendarIdFor(accountId: CalendarAccountId, url: string): Promise<CalendarId> {
  return sha256Short(`${accountId}\n${url}`);
}

/** What an account says of one of its calendars, the part its record keeps. */
export type ListedCalendar = Pick<CalendarRecord, "url" | "displayName" | "color" | "writable">;

/** The record of a calendar an account lists (its id from `calendarIdFor`). */
export async function listedCalendarRecord(
  owner: { hostId: UserId; accountId: CalendarAccountId },
  c: ListedCalendar,
  checkConflicts: boolean,
  nowMs: number,
): Promise<CalendarRecord> {
  return {
    v: 1,
    id: await calendarIdFor(owner.accountId, c.url),
    hostId: owner.hostId,
    accountId: owner.accountId,
    url: c.url,
    displayName: c.displayName,
    color: c.color,
    writable: c.writable,
    checkConflicts,
    createdAtMs: nowMs,
  };
}

export async function listValues<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const e of kv.list<T>({ prefix })) out.push(e);
  return out;
}

// ── accounts ──────────────────────────────────────────────────────────────

export type NewAccountWrite = {
  account: CalendarAccountRecord;
  calendars: CalendarRecord[];
  heads: CalendarBusyHeadRecord[];
  /** set when the host had no writeback calendar yet */
  writeback: CalendarWritebackRecord | null;
  /** Google/Microsoft: the first tokens */
  token?: CalendarTokenRecord;
};

export async function insertAccount(kv: Deno.Kv, w: NewAccountWrite): Promise<boolean> {
  const a = w.account;
  const op = kv.atomic().check({ key: keys.calendarAccount(a.hostId, a.id), versionstamp: null });
  if (w.writeback) {
    op.check({ key: keys.calendarWriteback(a.hostId), versionstamp: null })
      .set(keys.calendarWriteback(a.hostId), w.writeback);
  }
  op.set(keys.calendarAccount(a.hostId, a.id), a);
  op.set(
    keys.calendarAccountStatus(a.hostId, a.id),
    {
      v: 1,
      lastAttemptMs: null,
      lastSuccessMs: null,
      lastError: null,
    } satisfies CalendarAccountStatusRecord,
  );
  for (const c of w.calendars) op.set(keys.calendarOfAccount(a.hostId, a.id, c.id), c);
  for (const h of w.heads) op.set(keys.calendarBusyHead(a.hostId, h.calendarId), h);
  if (w.token) op.set(keys.calendarToken(a.hostId, a.id), w.token);
  // The identity's record names this account from now on; checked, so of two presses
  // connecting one account at once (each with the id it found, or a new one) one lands.
  const claim = await kv.get<{ v: 1; accountId: CalendarAccountId }>(await identityKey(a));
  if (claim.value && claim.value.accountId !== a.id) return false;
  op.check(claim).set(claim.key, { v: 1, accountId: a.id });
  return await commitHeads(kv, op, a.hostId);
}

export async function getAccountEntry(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntryMaybe<CalendarAccountRecord>> {
  return await kv.get<CalendarAccountRecord>(keys.calendarAccount(hostId, accountId));
}

/**
 * Writes an account's new sealed password (its calendars and choices stay), over any other
 * password written meanwhile: the last press wins, as a person changing it twice expects. The
 * check only keeps a removed account from coming back; nothing but a password change or a
 * removal writes this entry, so a lost commit is another press landing (`untilLanded`). A write
 * whose answer was lost and is sent again writes the same password. False: the account is gone.
 */
export async function replaceAccountPassword(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
  password: CalendarAccountRecord["password"],
): Promise<boolean> {
  return await untilLanded("calendar account password", async () => {
    const current = await getAccountEntry(kv, hostId, accountId);
    if (!current.value) return false;
    const res = await kv.atomic().check(current).set(current.key, { ...current.value, password })
      .commit();
    return res.ok || LOST;
  });
}

export async function listAccounts(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<Deno.KvEntry<CalendarAccountRecord>[]> {
  return await listValues<CalendarAccountRecord>(kv, keys.calendarAccountPrefix(hostId));
}

export async function listAllAccounts(kv: Deno.Kv): Promise<Deno.KvEntry<CalendarAccountRecord>[]> {
  return await listValues<CalendarAccountRecord>(kv, keys.calendarAccountAll());
}

export async function getAccountStatus(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<CalendarAccountStatusRecord | null> {
  return (await kv.get<CalendarAccountStatusRecord>(keys.calendarAccountStatus(hostId, accountId)))
    .value;
}

/** Records a sync outcome, unless the account was removed meanwhile. */
export async function putAccountStatus(
  kv: Deno.Kv,
  account: Deno.KvEntry<CalendarAccountRecord>,
  status: CalendarAccountStatusRecord,
): Promise<boolean> {
  const a = account.value;
  return (await kv.atomic().check(account).set(keys.calendarAccountStatus(a.hostId, a.id), status)
    .commit()).ok;
}

export async function getAccountStatusEntry(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntryMaybe<CalendarAccountStatusRecord>> {
  return await kv.get<CalendarAccountStatusRecord>(keys.calendarAccountStatus(hostId, accountId));
}

/**
 * The status with `also` (a mail to the host) in the same write, checked against the status
 * `seen`: of several processes noticing the same change at once, one writes it (2 checks).
 */
export async function putAccountStatusOnce(
  kv: Deno.Kv,
  account: Deno.KvEntry<CalendarAccountRecord>,
  seen: Deno.KvEntryMaybe<CalendarAccountStatusRecord>,
  status: CalendarAccountStatusRecord,
  also: (op: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const op = kv.atomic().check(account).check(seen).set(seen.key, status);
  also(op);
  return (await op.commit()).ok;
}

/** The host saved their calendar settings: a lost writeback calendar is no longer said. */
export async function clearLostWriteback(kv: Deno.Kv, hostId: UserId): Promise<void> {
  for await (
    const e of kv.list<CalendarAccountStatusRecord>({
      prefix: keys.calendarAccountStatusPrefix(hostId),
    })
  ) {
    if (!e.value.lostWriteback) continue;
    const { lostWriteback: _, ...rest } = e.value;
    // One check; a sync writing meanwhile re-reads the status just before it writes.
    await kv.atomic().check(e).set(e.key, rest).commit();
  }
}

/**
 * Removes an account with its calendars, their busy heads (hiding their cached windows) and the
 * writeback choice if it pointed into this account: one atomic write. Returns the ids of the
 * calendars whose chunks the caller should sweep, or null when the account did not exist.
 */
export async function removeAccount(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<CalendarId[] | null> {
  return await untilLanded("removeAccount", async () => {
    const account = await getAccountEntry(kv, hostId, accountId);
    if (!account.value) return null;
    const calendars = await listValues<CalendarRecord>(
      kv,
      keys.calendarOfAccountPrefix(hostId, accountId),
    );
    const wb = await kv.get<CalendarWritebackRecord>(keys.calendarWriteback(hostId));
    const op = kv.atomic().check(account).check(wb);
    op.delete(keys.calendarAccount(hostId, accountId)).delete(
      keys.calendarAccountStatus(hostId, accountId),
    ).delete(keys.calendarToken(hostId, accountId)).delete(keys.calendarHold(hostId, accountId));
    for (const c of calendars) {
      op.delete(c.key).delete(keys.calendarBusyHead(hostId, c.value.id));
    }
    if (wb.value?.accountId === accountId) op.delete(keys.calendarWriteback(hostId));
    op.set(await identityKey(account.value), { v: 1, accountId });
    if (await commitHeads(kv, op, hostId)) return calendars.map((c) => c.value.id);
    return LOST;
  });
}

// ── calendars and settings ───────────────────────────────────────────────

export async function listHostCalendars(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<Deno.KvEntry<CalendarRecord>[]> {
  return await listValues<CalendarRecord>(kv, keys.calendarPrefix(hostId));
}

export async function listAccountCalendars(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntry<CalendarRecord>[]> {
  return await listValues<CalendarRecord>(kv, keys.calendarOfAccountPrefix(hostId, accountId));
}

export async function getWriteback(
  kv: Deno.Kv,
  hostId: UserId,
): Promise<Deno.KvEntryMaybe<CalendarWritebackRecord>> {
  return await kv.get<CalendarWritebackRecord>(keys.calendarWriteback(hostId));
}

export async function getCalendar(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
  calendarId: CalendarId,
): Promise<CalendarRecord | null> {
  return (await kv.get<CalendarRecord>(keys.calendarOfAccount(hostId, accountId, calendarId)))
    .value;
}

export function emptyHead(
  calendarId: CalendarId,
  accountId: CalendarAccountId,
): CalendarBusyHeadRecord {
  return {
    v: 1,
    calendarId,
    accountId,
    gen: null,
    fromMs: 0,
    toMs: 0,
    syncedAtMs: null,
    attemptedAtMs: null,
    error: null,
    ctag: null,
    syncToken: null,
    etagDigest: null,
    hostTimeZone: null,
    events: 0,
    skipped: [],
  };
}

/**
 * Applies a calendar's new settings: turning conflict checks on creates an empty head (the
 * calendar counts as unknown until synced), turning them off deletes the head with the setting.
 * Checks the calendar entry it read, so a calendar removed meanwhile is not brought back.
 */
export async function updateCalendar(
  kv: Deno.Kv,
  current: Deno.KvEntry<CalendarRecord>,
  next: CalendarRecord,
): Promise<boolean> {
  const c = current.value;
  const op = kv.atomic().check(current).set(current.key, next);
  if (!c.checkConflicts && next.checkConflicts) {
    op.set(keys.calendarBusyHead(c.hostId, c.id), emptyHead(c.id, c.accountId));
  } else if (c.checkConflicts && !next.checkConflicts) {
    op.delete(keys.calendarBusyHead(c.hostId, c.id));
  }
  return await commitHeads(kv, op, c.hostId);
}

/** Points writeback at one calendar (which must still exist), or at none. */
export async function setWriteback(
  kv: Deno.Kv,
  hostId: UserId,
  target: { calendar: Deno.KvEntry<CalendarRecord> } | null,
): Promise<boolean> {
  const op = kv.atomic();
  if (target) {
    const c = target.calendar.value;
    op.check(target.calendar).set(
      keys.calendarWriteback(hostId),
      {
        v: 1,
        accountId: c.accountId,
        calendarId: c.id,
      } satisfies CalendarWritebackRecord,
    );
  } else {
    op.delete(keys.calendarWriteback(hostId));
  }
  return (await op.commit()).ok;
}

/** Adds a calendar found on the server later, unless its account is gone. */
export async function insertCalendar(
  kv: Deno.Kv,
  account: Deno.KvEntry<CalendarAccountRecord>,
  cal: CalendarRecord,
): Promise<boolean> {
  const op = kv.atomic().check(account)
    .check({ key: keys.calendarOfAccount(cal.hostId, cal.accountId, cal.id), versionstamp: null })
    .set(keys.calendarOfAccount(cal.hostId, cal.accountId, cal.id), cal);
  if (cal.checkConflicts) {
    op.set(keys.calendarBusyHead(cal.hostId, cal.id), emptyHead(cal.id, cal.accountId));
  }
  return await commitHeads(kv, op, cal.hostId);
}

/**
 * Commits a write that may start (or stop) a calendar counting for conflicts, whatever its
 * provider: the host's revisions change with it (store/revisions.ts), and the per-process
 * settings copy that says whether the host checks any calendar is dropped. With a commit
 * receipt: a connect, a disconnect or a settings save whose answer was lost (remote KV) is done,
 * not a lost race (ADR 038).
 */
async function commitHeads(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  hostId: UserId,
): Promise<boolean> {
  bumpBusy(bumpSettings(op, hostId), hostId);
  const ok = (await commitWithReceipt(kv, op)).ok;
  if (ok) settingsChanged(kv);
  return ok;
}

/** Drops a calendar that is gone from the server: record, head and writeback choice together. */
export async function deleteCalendar(
  kv: Deno.Kv,
  current: Deno.KvEntry<CalendarRecord>,
): Promise<boolean> {
  const c = current.value;
  const wb = await getWriteback(kv, c.hostId);
  const op = kv.atomic().check(current).check(wb).delete(current.key).delete(
    keys.calendarBusyHead(c.hostId, c.id),
  );
  if (wb.value?.calendarId === c.id) op.delete(keys.calendarWriteback(c.hostId));
  return await commitHeads(kv, op, c.hostId);
}
