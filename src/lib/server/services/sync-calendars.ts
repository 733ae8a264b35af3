/**
 * Reads a host's conflict calendars into the busy cache. Per account: list the calendars (one
 * PROPFIND that also brings every calendar's ctag and sync-token), adopt calendars added or
 * removed on the server, then per conflict calendar either confirm "unchanged" (same ctag,
 * sync-token or etag set) or read its events in the window, expand them, and replace the
 * cached windows as a new generation. A failure keeps the old cache and records the error;
 * how long an old cache may still be trusted is decided on read (domain/calendar-busy.ts).
 */
import type { App } from "../app.ts";
import {
  type CaldavError,
  connect,
  type DavConnection,
  listCalendars,
  queryEvents,
  type RemoteCalendar,
  type RemoteObject,
} from "../integrations/caldav.ts";
import { unseal } from "../integrations/crypto.ts";
import { busyFromIcs, type SkippedEvent } from "../integrations/ical-busy.ts";
import { mergeIntervals } from "../domain/interval.ts";
import type { Interval } from "../domain/interval.ts";
import {
  calendarIdFor,
  commitHead,
  deleteCalendar,
  dropGeneration,
  getAccountStatus,
  getHead,
  insertCalendar,
  listAccountCalendars,
  listAllAccounts,
  putAccountStatus,
  sha256Short,
  sweepOrphanGenerations,
  updateCalendar,
  writeGeneration,
} from "../store/calendars.ts";
import type {
  CalendarAccountRecord,
  CalendarBusyHeadRecord,
  CalendarError,
  CalendarRecord,
  UserRecord,
} from "../store/records.ts";
import { getUser, newId } from "../store/users.ts";
import { listEventTypes } from "../store/event-types.ts";
import { countCalendarSync } from "./insights-count.ts";

const MS_DAY = 86_400_000;
/** Expansion time for one calendar; past it the read counts as failed and the old cache stays. */
export const CALENDAR_PARSE_BUDGET_MS = 5_000;
/** Calendars beyond this per account are listed but not adopted. */
export const MAX_CALENDARS_PER_ACCOUNT = 100;

export type SyncWindow = { fromMs: number; neededToMs: number; coverToMs: number };
export type AccountSyncOutcome = { ok: true; calendars: number } | {
  ok: false;
  error: CalendarError;
};

/**
 * The range to read: a day back (events in progress), up to the longest booking window of the
 * host's event types (at least 60 days) plus slack, read two weeks further so the next syncs can
 * skip unchanged calendars while the window moves.
 */
export async function syncWindow(app: App, hostId: string, nowMs: number): Promise<SyncWindow> {
  const types = await listEventTypes(app.kv, hostId);
  const days = Math.max(60, ...types.filter((t) => t.active).map((t) => t.bookingWindowDays));
  const neededToMs = nowMs + (days + 2) * MS_DAY;
  return { fromMs: nowMs - MS_DAY, neededToMs, coverToMs: neededToMs + 14 * MS_DAY };
}

/** An authenticated connection, or null when the stored password cannot be decrypted. */
export async function openConnection(
  app: App,
  account: CalendarAccountRecord,
): Promise<DavConnection | null> {
  const password = await unseal(app.credentialKey, account.password);
  if (password === null) return null;
  return connect({ username: account.username, password }, {
    allowPrivate: app.config.allowPrivateCaldav,
  });
}

export const UNREADABLE_PASSWORD: CaldavError = {
  kind: "auth",
  detail:
    "the stored password can no longer be decrypted (the server secret changed); remove the account and add it again",
};

/** Recognises events Invito wrote itself (UID `${bookingId}@${our host}`): bookings block their slots already. */
export function ownUidMatcher(baseUrl: URL): (uid: string) => boolean {
  const host = baseUrl.hostname.toLowerCase();
  return (uid) => {
    const at = uid.lastIndexOf("@");
    return at === 26 && uid.slice(at + 1).toLowerCase() === host &&
      /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(uid.slice(0, at));
  };
}

async function etagDigest(objects: RemoteObject[]): Promise<string> {
  const lines = objects.map((o) => `${o.href}\n${o.etag ?? ""}`).sort();
  return await sha256Short(lines.join("\n"));
}

function asError(e: CaldavError, nowMs: number): CalendarError {
  return { kind: e.kind, detail: e.detail.slice(0, 300), atMs: nowMs };
}

type CalendarSync = { ok: true; changed: boolean } | { ok: false; error: CalendarError };

/** Brings one conflict calendar's cache up to date. */
export async function syncCalendar(
  app: App,
  conn: DavConnection,
  account: Deno.KvEntry<CalendarAccountRecord>,
  calendar: Deno.KvEntry<CalendarRecord>,
  remote: RemoteCalendar,
  host: UserRecord,
  window: SyncWindow,
  nowMs: number,
): Promise<CalendarSync> {
  const cal = calendar.value;
  const head = await getHead(app.kv, host.id, cal.id);
  if (!head.value) return { ok: true, changed: false }; // conflict checks were turned off meanwhile
  const h = head.value;
  const guards = [account as Deno.KvEntry<unknown>, calendar as Deno.KvEntry<unknown>];
  const reusable = h.gen !== null && h.hostTimeZone === host.timeZone &&
    h.toMs >= window.neededToMs;
  const confirmUnchanged = async () => {
    await commitHead(app.kv, head, guards, {
      ...h,
      syncedAtMs: nowMs,
      attemptedAtMs: nowMs,
      error: null,
    });
    return { ok: true as const, changed: false };
  };
  const failed = async (e: CaldavError) => {
    const error = asError(e, nowMs);
    await commitHead(app.kv, head, guards, { ...h, attemptedAtMs: nowMs, error });
    return { ok: false as const, error };
  };

  if (reusable) {
    if (remote.ctag !== null && remote.ctag === h.ctag) return await confirmUnchanged();
    if (remote.syncToken !== null && remote.syncToken === h.syncToken) {
      return await confirmUnchanged();
    }
    if (remote.ctag === null && remote.syncToken === null && h.etagDigest !== null) {
      const etags = await queryEvents(conn, cal.url, { fromMs: h.fromMs, toMs: h.toMs }, {
        withData: false,
      });
      if (!etags.ok) return await failed(etags.error);
      if (await etagDigest(etags.objects) === h.etagDigest) return await confirmUnchanged();
    }
  }

  const read = await queryEvents(conn, cal.url, { fromMs: window.fromMs, toMs: window.coverToMs });
  if (!read.ok) return await failed(read.error);
  const isOwnUid = ownUidMatcher(app.config.baseUrl);
  const deadline = performance.now() + CALENDAR_PARSE_BUDGET_MS;
  const windows: Interval[] = [];
  const skipped: SkippedEvent[] = [];
  for (const obj of read.objects) {
    if (obj.data === null) {
      skipped.push({
        uid: null,
        reason: `the server sent no data for ${new URL(obj.href).pathname}`,
      });
      continue;
    }
    const parsed = busyFromIcs(obj.data, {
      fromMs: window.fromMs,
      toMs: window.coverToMs,
      hostTimeZone: host.timeZone,
      isOwnUid,
      deadline,
    });
    if (!parsed.complete) {
      return await failed({
        kind: "parse",
        detail: "the calendar has too many events to expand in time",
      });
    }
    for (const w of parsed.windows) windows.push(w);
    for (const s of parsed.skipped) skipped.push(s);
  }
  for (const s of skipped) {
    console.warn(
      `[caldav] skipped an event in calendar ${cal.id} (uid ${
        s.uid?.slice(0, 200) ?? "unknown"
      }): ${s.reason}`,
    );
  }
  const gen = newId(nowMs);
  await writeGeneration(app.kv, host.id, cal.id, gen, mergeIntervals(windows), nowMs);
  const next: CalendarBusyHeadRecord = {
    ...h,
    gen,
    fromMs: window.fromMs,
    toMs: window.coverToMs,
    syncedAtMs: nowMs,
    attemptedAtMs: nowMs,
    error: null,
    ctag: remote.ctag,
    syncToken: remote.syncToken,
    etagDigest: await etagDigest(read.objects),
    hostTimeZone: host.timeZone,
    events: read.objects.length,
    // Bounded: UIDs and reasons come from the server, and a head must stay far below 64 KiB.
    skipped: skipped.slice(0, 20).map((x) => ({
      uid: x.uid?.slice(0, 200) ?? null,
      reason: x.reason.slice(0, 200),
    })),
  };
  if (!(await commitHead(app.kv, head, guards, next))) {
    // Another sync, a settings change or a removal came first: ours is not needed.
    await dropGeneration(app.kv, host.id, cal.id, gen);
    return { ok: true, changed: false };
  }
  if (h.gen) await dropGeneration(app.kv, host.id, cal.id, h.gen);
  return { ok: true, changed: true };
}

/** Adopts calendars added on the server, updates names and colours, drops calendars that are gone. */
async function reconcileCalendars(
  app: App,
  account: Deno.KvEntry<CalendarAccountRecord>,
  remote: RemoteCalendar[],
  nowMs: number,
): Promise<void> {
  const a = account.value;
  const existing = new Map(
    (await listAccountCalendars(app.kv, a.hostId, a.id)).map((e) => [e.value.id, e]),
  );
  const seen = new Set<string>();
  for (const r of remote.slice(0, MAX_CALENDARS_PER_ACCOUNT)) {
    const id = await calendarIdFor(a.id, r.url);
    seen.add(id);
    const cur = existing.get(id);
    if (!cur) {
      // Found later: listed for the host to decide, not checked until they say so.
      await insertCalendar(app.kv, account, {
        v: 1,
        id,
        hostId: a.hostId,
        accountId: a.id,
        url: r.url,
        displayName: r.displayName,
        color: r.color,
        writable: r.writable,
        checkConflicts: false,
        createdAtMs: nowMs,
      });
    } else if (
      cur.value.displayName !== r.displayName || cur.value.color !== r.color ||
      cur.value.writable !== r.writable
    ) {
      await updateCalendar(app.kv, cur, {
        ...cur.value,
        displayName: r.displayName,
        color: r.color,
        writable: r.writable,
      });
    }
  }
  for (const [id, cur] of existing) {
    if (seen.has(id)) continue;
    const head = await getHead(app.kv, a.hostId, id);
    if (await deleteCalendar(app.kv, cur)) {
      if (head.value?.gen) await dropGeneration(app.kv, a.hostId, id, head.value.gen);
    }
  }
}

/** One account: list, reconcile, sync each conflict calendar, record the outcome. */
export async function syncAccount(
  app: App,
  account: Deno.KvEntry<CalendarAccountRecord>,
  nowMs: number,
): Promise<AccountSyncOutcome> {
  const a = account.value;
  const previous = await getAccountStatus(app.kv, a.hostId, a.id);
  const finish = async (
    error: CalendarError | null,
    calendars = 0,
  ): Promise<AccountSyncOutcome> => {
    await putAccountStatus(app.kv, account, {
      v: 1,
      lastAttemptMs: nowMs,
      lastSuccessMs: error ? previous?.lastSuccessMs ?? null : nowMs,
      lastError: error,
    });
    return error ? { ok: false, error } : { ok: true, calendars };
  };
  const host = await getUser(app.kv, a.hostId);
  if (!host) {
    return { ok: false, error: { kind: "auth", detail: "the host no longer exists", atMs: nowMs } };
  }
  const conn = await openConnection(app, a);
  if (!conn) return await finish(asError(UNREADABLE_PASSWORD, nowMs));
  const list = await listCalendars(conn, a.homeUrl);
  if (!list.ok) return await finish(asError(list.error, nowMs));
  await reconcileCalendars(app, account, list.calendars, nowMs);

  const byUrl = new Map(list.calendars.map((c) => [c.url, c]));
  const window = await syncWindow(app, a.hostId, nowMs);
  let firstError: CalendarError | null = null;
  let synced = 0;
  for (const calendar of await listAccountCalendars(app.kv, a.hostId, a.id)) {
    if (!calendar.value.checkConflicts) continue;
    const remote = byUrl.get(calendar.value.url);
    if (!remote) continue;
    const res = await syncCalendar(app, conn, account, calendar, remote, host, window, nowMs);
    if (res.ok) synced++;
    else firstError ??= res.error;
  }
  return await finish(firstError, synced);
}

/** Slack for cron jitter: an account synced at 12:15:03 is due again at the 12:30:00 tick. */
function dueSlackMs(intervalMs: number): number {
  return Math.min(60_000, Math.floor(intervalMs / 2));
}

/**
 * The cron job's body: every account whose last attempt is an interval old, least recently
 * tried first, within a time budget (the rest wait for the next tick). Also sweeps cache
 * generations nobody names any more.
 */
export async function syncDueAccounts(
  app: App,
  nowMs: number,
  opts: { budgetMs?: number; force?: boolean } = {},
): Promise<{ synced: number; failed: number; skipped: number }> {
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? 60_000;
  const interval = app.config.syncIntervalMs;
  const accounts = await listAllAccounts(app.kv);
  const due: { entry: Deno.KvEntry<CalendarAccountRecord>; last: number }[] = [];
  for (const entry of accounts) {
    const status = await getAccountStatus(app.kv, entry.value.hostId, entry.value.id);
    const last = status?.lastAttemptMs ?? -Infinity;
    if (opts.force || nowMs - last >= interval - dueSlackMs(interval)) due.push({ entry, last });
  }
  due.sort((x, y) => x.last - y.last);
  const stats = { synced: 0, failed: 0, skipped: accounts.length - due.length };
  const hosts = new Set<string>();
  for (const { entry } of due) {
    if (Date.now() - started > budgetMs) {
      stats.skipped++;
      continue;
    }
    hosts.add(entry.value.hostId);
    try {
      const res = await syncAccount(app, entry, nowMs);
      if (res.ok) stats.synced++;
      else stats.failed++;
    } catch (err) {
      stats.failed++;
      console.error(`[caldav] sync of account ${entry.value.id} failed:`, err);
    }
  }
  for (const hostId of hosts) await sweepOrphanGenerations(app.kv, hostId, nowMs);
  for (const hostId of hosts) await countCalendarSync(app, hostId, nowMs);
  return stats;
}
