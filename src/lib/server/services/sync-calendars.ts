/**
 * Reads a host's conflict calendars into the busy cache, whatever their provider (CalDAV,
 * Google, Microsoft). Per account: list the calendars, adopt calendars added or removed there,
 * then per conflict calendar ask the provider for what changed — nothing ("unchanged": same
 * ctag/sync-token/etags, or an empty delta), everything in the window ("full"), or the events
 * changed since the last cursor ("delta", applied to the per-event state of the current
 * generation) — and store the result as a new generation. A failure keeps the old cache and
 * records the error; how long an old cache may still be trusted is decided on read
 * (domain/calendar-busy.ts).
 */
import type { App } from "../app.ts";
import type {
  BusyRead,
  CalendarProvider,
  ProviderError,
  RemoteCalendar,
} from "../integrations/calendar-provider.ts";
import { mergeIntervals } from "../domain/interval.ts";
import { checkedWhenListed } from "../domain/calendar-busy.ts";
import type { Interval } from "../domain/interval.ts";
import {
  commitHead,
  dropGeneration,
  getHead,
  sweepOrphanGenerations,
  writeGeneration,
} from "../store/calendar-busy.ts";
import { type EventState, readGenerationEvents } from "../store/calendar-events.ts";
import {
  calendarIdFor,
  deleteCalendar,
  getAccountStatus,
  getAccountStatusEntry,
  getWriteback,
  insertCalendar,
  listAccountCalendars,
  listAllAccounts,
  type ListedCalendar,
  listedCalendarRecord,
  putAccountStatus,
  putAccountStatusOnce,
  updateCalendar,
} from "../store/calendars.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import { translator } from "../i18n.ts";
import { detailIn } from "../integrations/provider-details.ts";
import { signInRefusedMail } from "../integrations/mail-templates/calendar.ts";
import type {
  CalendarAccountRecord,
  CalendarAccountStatusRecord,
  CalendarBusyHeadRecord,
  CalendarError,
  CalendarRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { getActiveUser, newId } from "../store/users.ts";
import { listEventTypes } from "../store/event-types.ts";
import { openProvider, providerOf } from "./calendar-providers.ts";

export { CALENDAR_PARSE_BUDGET_MS } from "../integrations/caldav-provider.ts";
export { UNREADABLE_PASSWORD } from "./calendar-providers.ts";
import { countCalendarSync } from "./insights-count.ts";

const MS_DAY = 86_400_000;
/** Calendars beyond this per account are listed but not adopted. */
export const MAX_CALENDARS_PER_ACCOUNT = 100;

/** The records of the calendars an account lists when the host connects it (the first 100). */
export function connectedCalendarRecords(
  owner: { hostId: string; accountId: string },
  remote: readonly (ListedCalendar & { checkByDefault?: boolean })[],
  nowMs: number,
): Promise<CalendarRecord[]> {
  return Promise.all(
    remote.slice(0, MAX_CALENDARS_PER_ACCOUNT).map((c) =>
      listedCalendarRecord(owner, c, checkedWhenListed(c, "connected"), nowMs)
    ),
  );
}

export type SyncWindow = { fromMs: number; neededToMs: number; coverToMs: number };
export type AccountSyncOutcome = { ok: true; calendars: number } | {
  ok: false;
  error: CalendarError;
};

/**
 * The range to read: a day back (events in progress), up to the longest booking window of the
 * host's event types (at least 60 days) plus slack, read two weeks further so the next syncs can
 * skip unchanged calendars (or read only changes) while the window moves.
 */
export async function syncWindow(app: App, hostId: string, nowMs: number): Promise<SyncWindow> {
  const types = await listEventTypes(app.kv, hostId);
  const days = Math.max(60, ...types.filter((t) => t.active).map((t) => t.bookingWindowDays));
  const neededToMs = nowMs + (days + 2) * MS_DAY;
  return { fromMs: nowMs - MS_DAY, neededToMs, coverToMs: neededToMs + 14 * MS_DAY };
}

/** Recognises events Invito wrote itself (UID `${bookingId}@${our host}`): bookings block their slots already. */
export function ownUidMatcher(baseUrl: URL): (uid: string) => boolean {
  const host = baseUrl.hostname.toLowerCase();
  return (uid) => {
    const at = uid.lastIndexOf("@");
    return at === 26 && uid.slice(at + 1).toLowerCase() === host &&
      /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(uid.slice(0, at));
  };
}

function asError(e: ProviderError, nowMs: number): CalendarError {
  return { kind: e.kind, detail: e.detail.slice(0, 300), atMs: nowMs };
}

type CalendarSync = { ok: true; changed: boolean } | { ok: false; error: CalendarError };

/** The per-event state after a delta: removed events (and the instances of removed series) go. */
export function applyDelta(
  previous: readonly EventState[],
  changes: Extract<BusyRead, { kind: "delta" }>["changes"],
): EventState[] {
  const byId = new Map(previous.map((e) => [e.id, e]));
  for (const c of changes) {
    if (c.windows === null) {
      byId.delete(c.id);
      for (const [id, e] of byId) if (e.seriesId === c.id) byId.delete(id);
    } else if (c.windows.length === 0 && !c.attrs) byId.delete(c.id);
    else {
      byId.set(c.id, {
        id: c.id,
        seriesId: c.seriesId,
        windows: c.windows,
        ...(c.attrs ? { attrs: c.attrs } : {}),
      });
    }
  }
  return [...byId.values()];
}

/** Brings one conflict calendar's cache up to date. */
export async function syncCalendar(
  app: App,
  provider: CalendarProvider,
  account: Deno.KvEntry<CalendarAccountRecord>,
  calendar: Deno.KvEntry<CalendarRecord>,
  remote: RemoteCalendar | null,
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
  const failed = async (e: ProviderError) => {
    const error = asError(e, nowMs);
    await commitHead(app.kv, head, guards, { ...h, attemptedAtMs: nowMs, error });
    return { ok: false as const, error };
  };
  // The per-event state the cursor builds on, read at most once (a delta's changes apply to it).
  let stored: Promise<EventState[] | null> | null = null;
  const storedEvents = () => stored ??= readGenerationEvents(app.kv, host.id, cal.id, h.gen!);
  const query = (previous: boolean) => ({
    calendarUrl: cal.url,
    remote,
    fromMs: window.fromMs,
    toMs: window.coverToMs,
    hostTimeZone: host.timeZone,
    previous: previous
      ? {
        markers: { ctag: h.ctag, syncToken: h.syncToken, etagDigest: h.etagDigest },
        fromMs: h.fromMs,
        toMs: h.toMs,
      }
      : null,
    isOwnUid: ownUidMatcher(app.config.baseUrl),
    storedAttrs: previous
      ? async () => {
        const events = await storedEvents();
        return events && new Map(events.flatMap((e) => e.attrs ? [[e.id, e.attrs] as const] : []));
      }
      : undefined,
  });

  let res = await provider.readBusy(query(reusable));
  if (!res.ok) return await failed(res.error);
  let read = res.read;
  let previousEvents: EventState[] | null = null;
  if (read.kind === "delta") {
    previousEvents = await storedEvents();
    if (!previousEvents) {
      // The state the cursor builds on is gone (a crash, an old version): read everything.
      res = await provider.readBusy(query(false));
      if (!res.ok) return await failed(res.error);
      read = res.read;
    }
  }

  if (read.kind === "unchanged") {
    await commitHead(app.kv, head, guards, {
      ...h,
      ...read.markers,
      syncedAtMs: nowMs,
      attemptedAtMs: nowMs,
      error: null,
      failClosed: false,
    });
    return { ok: true, changed: false };
  }

  let windows: Interval[];
  let events: EventState[] | null;
  let count: number;
  let range: { fromMs: number; toMs: number };
  const skipped = read.skipped;
  if (read.kind === "delta") {
    events = applyDelta(previousEvents!, read.changes);
    windows = events.flatMap((e) => e.windows);
    count = events.filter((e) => e.windows.length > 0).length;
    range = { fromMs: h.fromMs, toMs: h.toMs }; // the cursor's window does not move
  } else {
    events = read.events;
    windows = read.windows;
    count = read.count;
    range = { fromMs: window.fromMs, toMs: window.coverToMs };
  }
  for (const s of skipped) {
    console.warn(
      `[calendar] skipped an event in calendar ${cal.id} (uid ${
        s.uid?.slice(0, 200) ?? "unknown"
      }): ${s.reason}`,
    );
  }
  const gen = newId(nowMs);
  await writeGeneration(app.kv, host.id, cal.id, gen, mergeIntervals(windows), nowMs, events);
  const next: CalendarBusyHeadRecord = {
    ...h,
    gen,
    fromMs: range.fromMs,
    toMs: range.toMs,
    syncedAtMs: nowMs,
    attemptedAtMs: nowMs,
    error: null,
    failClosed: false,
    ...read.markers,
    hostTimeZone: host.timeZone,
    events: count,
    // Bounded: UIDs and reasons come from the server, and a head must stay far below 64 KiB.
    skipped: (read.kind === "delta" ? [...skipped, ...h.skipped] : skipped).slice(0, 20).map((
      x,
    ) => ({
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

/**
 * Adopts calendars added on the server, updates names and colours, drops calendars that are gone.
 * Returns the name of the calendar receiving bookings when it was one of them.
 */
async function reconcileCalendars(
  app: App,
  account: Deno.KvEntry<CalendarAccountRecord>,
  remote: RemoteCalendar[],
  nowMs: number,
): Promise<string | null> {
  const a = account.value;
  let lostWriteback: string | null = null;
  const existing = new Map(
    (await listAccountCalendars(app.kv, a.hostId, a.id)).map((e) => [e.value.id, e]),
  );
  const seen = new Set<string>();
  for (const r of remote.slice(0, MAX_CALENDARS_PER_ACCOUNT)) {
    const id = await calendarIdFor(a.id, r.url);
    seen.add(id);
    const cur = existing.get(id);
    if (!cur) {
      // Found later: listed for the host to decide.
      const checked = checkedWhenListed(r, "found_later");
      await insertCalendar(
        app.kv,
        account,
        await listedCalendarRecord({ hostId: a.hostId, accountId: a.id }, r, checked, nowMs),
      );
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
    const wb = await getWriteback(app.kv, a.hostId);
    if (await deleteCalendar(app.kv, cur)) {
      if (head.value?.gen) await dropGeneration(app.kv, a.hostId, id, head.value.gen);
      if (wb.value?.calendarId === id) lostWriteback = cur.value.displayName;
    }
  }
  return lostWriteback;
}

/**
 * A CalDAV server that starts refusing the stored password: the status and one mail to the host
 * (in their language, saying where to enter the new one) in one write, once per interruption —
 * as a Google or Microsoft host is told to reconnect. False: not such a change (or another
 * process wrote the status first); the caller writes the status as usual.
 */
async function tellSignInRefused(
  app: App,
  account: Deno.KvEntry<CalendarAccountRecord>,
  seen: Deno.KvEntryMaybe<CalendarAccountStatusRecord>,
  status: CalendarAccountStatusRecord,
): Promise<boolean> {
  const a = account.value;
  if (providerOf(a) !== "caldav" || status.lastError?.kind !== "auth") return false;
  if (seen.value?.lastError?.kind === "auth") return false; // told already
  const host = await getActiveUser(app.kv, a.hostId);
  if (!host) return false;
  const t = translator(host.locale);
  let server = a.serverUrl;
  try {
    server = new URL(a.serverUrl).host;
  } catch { /* shown as stored */ }
  const mail = signInRefusedMail({
    account: a.username,
    server,
    hostName: host.name,
    reason: detailIn(status.lastError.detail, t),
    calendarsUrl: `${app.config.baseUrl.href.replace(/\/$/, "")}/dashboard/calendars`,
    t,
  });
  const ok = await putAccountStatusOnce(app.kv, account, seen, status, (op) => {
    enqueue(op, newOutboxRecord({ kind: "raw_mail", to: host.email, ...mail }, app.now()));
  });
  if (ok) app.kickOutbox();
  return ok;
}

/** One account: list, reconcile, sync each conflict calendar, record the outcome. */
export async function syncAccount(
  app: App,
  account: Deno.KvEntry<CalendarAccountRecord>,
  nowMs: number,
): Promise<AccountSyncOutcome> {
  const a = account.value;
  const previous = await getAccountStatus(app.kv, a.hostId, a.id);
  // Said until the host saves their settings (which clears it), whatever later syncs find.
  let lostWriteback: { name: string; atMs: number } | null = null;
  const finish = async (
    error: CalendarError | null,
    calendars = 0,
  ): Promise<AccountSyncOutcome> => {
    // Read again just before writing: a settings save during the sync has cleared it.
    const seen = await getAccountStatusEntry(app.kv, a.hostId, a.id);
    lostWriteback ??= seen.value?.lostWriteback ?? null;
    const status: CalendarAccountStatusRecord = {
      v: 1,
      lastAttemptMs: nowMs,
      lastSuccessMs: error ? previous?.lastSuccessMs ?? null : nowMs,
      lastError: error,
      ...(lostWriteback ? { lostWriteback } : {}),
    };
    if (!(await tellSignInRefused(app, account, seen, status))) {
      await putAccountStatus(app.kv, account, status);
    }
    return error ? { ok: false, error } : { ok: true, calendars };
  };
  const host = await getActiveUser(app.kv, a.hostId);
  if (!host) {
    return { ok: false, error: { kind: "auth", detail: "the host no longer exists", atMs: nowMs } };
  }
  const opened = await openProvider(app, a);
  if (!opened.ok) return await finish(asError(opened.error, nowMs));
  const provider = opened.provider;
  const list = await provider.listCalendars();
  if (!list.ok) return await finish(asError(list.error, nowMs));
  const lost = await reconcileCalendars(app, account, list.calendars, nowMs);
  if (lost) lostWriteback = { name: lost, atMs: nowMs };

  const byUrl = new Map(list.calendars.map((c) => [c.url, c]));
  const window = await syncWindow(app, a.hostId, nowMs);
  let firstError: CalendarError | null = null;
  let synced = 0;
  for (const calendar of await listAccountCalendars(app.kv, a.hostId, a.id)) {
    if (!calendar.value.checkConflicts) continue;
    const remote = byUrl.get(calendar.value.url);
    if (!remote) continue;
    const res = await syncCalendar(app, provider, account, calendar, remote, host, window, nowMs);
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
      console.error(
        `[calendar] sync of ${providerOf(entry.value)} account ${entry.value.id} failed:`,
        err,
      );
    }
  }
  for (const hostId of hosts) await sweepOrphanGenerations(app.kv, hostId, nowMs);
  for (const hostId of hosts) await countCalendarSync(app, hostId, nowMs);
  return stats;
}
