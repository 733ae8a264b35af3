/**
 * CalDAV accounts, their calendars, the writeback choice, and the busy cache.
 *
 * The busy cache (docs/decisions/005-caldav-busy-cache.md): each conflict calendar has a head
 * naming its current generation; a generation's windows live in per-UTC-day chunks under
 * `["calendar_busy", host, day, calendar, gen, part]`, so the slot engine reads a host's date
 * range with one scan. A sync writes a whole new generation first (invisible), then flips the
 * head in one atomic write that checks the head and the calendar, then deletes the old
 * generation. Removing a calendar or account deletes its head in the same atomic write as the
 * settings, which hides its windows at once; the chunks are swept right after.
 */
import { type CalendarAccountId, type CalendarId, keys, type UserId } from "./keys.ts";
import type {
  BookingWritebackRecord,
  CalendarAccountRecord,
  CalendarAccountStatusRecord,
  CalendarBusyChunkRecord,
  CalendarBusyHeadRecord,
  CalendarBusyManifestRecord,
  CalendarEventsChunkRecord,
  CalendarRecord,
  CalendarTokenRecord,
  CalendarWritebackRecord,
  MeetingWritebackRecord,
  OAuthStateRecord,
} from "./records.ts";
import { utcDay, utcDaysTouched } from "../domain/booking.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { MAX_CHECKS } from "./kv.ts";
import { settingsChanged } from "./settings-cache.ts";

export async function sha256Short(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(d.slice(0, 10), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Stable per (account, URL): rediscovering a calendar keeps its settings and cache. */
export function calendarIdFor(accountId: CalendarAccountId, url: string): Promise<CalendarId> {
  return sha256Short(`${accountId}\n${url}`);
}

async function listValues<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
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
  return headsChanged(kv, (await op.commit()).ok);
}

export async function getAccountEntry(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntryMaybe<CalendarAccountRecord>> {
  return await kv.get<CalendarAccountRecord>(keys.calendarAccount(hostId, accountId));
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
  for (let attempt = 0; attempt < 5; attempt++) {
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
    ).delete(keys.calendarToken(hostId, accountId));
    for (const c of calendars) {
      op.delete(c.key).delete(keys.calendarBusyHead(hostId, c.value.id));
    }
    if (wb.value?.accountId === accountId) op.delete(keys.calendarWriteback(hostId));
    if (headsChanged(kv, (await op.commit()).ok)) return calendars.map((c) => c.value.id);
  }
  throw new Error("removeAccount: too much contention");
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
  return headsChanged(kv, (await op.commit()).ok);
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
  return headsChanged(kv, (await op.commit()).ok);
}

/**
 * A calendar started (or stopped) counting for conflicts, whatever its provider: drop the
 * per-process settings copy that says whether the host checks any calendar.
 */
function headsChanged(kv: Deno.Kv, ok: boolean): boolean {
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
  return headsChanged(kv, (await op.commit()).ok);
}

// ── busy cache ───────────────────────────────────────────────────────────

export async function getHead(
  kv: Deno.Kv,
  hostId: UserId,
  calendarId: CalendarId,
): Promise<Deno.KvEntryMaybe<CalendarBusyHeadRecord>> {
  return await kv.get<CalendarBusyHeadRecord>(keys.calendarBusyHead(hostId, calendarId));
}

export async function listHeads(kv: Deno.Kv, hostId: UserId): Promise<CalendarBusyHeadRecord[]> {
  return (await listValues<CalendarBusyHeadRecord>(kv, keys.calendarBusyHeadPrefix(hostId))).map((
    e,
  ) => e.value);
}

/** Windows per chunk: 2 × 2,000 numbers stay far below the 64 KiB value limit. */
const WINDOWS_PER_CHUNK = 2_000;
/** Keep each write well inside KV's per-operation limits (1,000 mutations, 800 KiB). */
const WRITE_BATCH_BYTES = 400_000;
const WRITE_BATCH_MUTATIONS = 400;

/**
 * Writes a new generation: its manifest first (so a crash leaves nothing the sweeper cannot
 * find), then its chunks. Nothing reads them until a head names the generation, so this may
 * take several writes.
 */
export async function writeGeneration(
  kv: Deno.Kv,
  hostId: UserId,
  calendarId: CalendarId,
  gen: string,
  windows: readonly Interval[],
  nowMs: number,
  events: readonly EventState[] | null = null,
): Promise<void> {
  const byDay = new Map<string, number[]>();
  for (const w of windows) {
    for (const day of utcDaysTouched(w.startMs, w.endMs)) {
      let list = byDay.get(day);
      if (!list) byDay.set(day, list = []);
      list.push(w.startMs, w.endMs);
    }
  }
  const chunks: { key: Deno.KvKey; value: CalendarBusyChunkRecord }[] = [];
  const manifest: [string, number][] = [];
  for (const [day, flat] of byDay) {
    for (let part = 0; part * 2 * WINDOWS_PER_CHUNK < flat.length; part++) {
      const w = flat.slice(part * 2 * WINDOWS_PER_CHUNK, (part + 1) * 2 * WINDOWS_PER_CHUNK);
      chunks.push({
        key: keys.calendarBusy(hostId, day, calendarId, gen, part),
        value: { v: 1, w },
      });
      manifest.push([day, part]);
    }
  }
  const eventChunks = events ? chunkEvents(events) : [];
  // ~20 bytes per entry: a 400-day window with a few parts per day stays under 64 KiB.
  await kv.set(
    keys.calendarBusyManifest(hostId, calendarId, gen),
    {
      v: 1,
      chunks: manifest,
      createdAtMs: nowMs,
      ...(events ? { eventParts: eventChunks.length } : {}),
    } satisfies CalendarBusyManifestRecord,
  );
  const all: { key: Deno.KvKey; value: unknown; size: number }[] = [
    ...chunks.map((c) => ({ ...c, size: c.value.w.length * 9 + 120 })),
    ...eventChunks.map((c, part) => ({
      key: keys.calendarEvents(hostId, calendarId, gen, part),
      value: c.value,
      size: c.bytes + 120,
    })),
  ];
  let op = kv.atomic();
  let bytes = 0;
  let count = 0;
  for (const c of all) {
    const size = c.size;
    if (count > 0 && (bytes + size > WRITE_BATCH_BYTES || count >= WRITE_BATCH_MUTATIONS)) {
      await op.commit();
      op = kv.atomic();
      bytes = 0;
      count = 0;
    }
    op.set(c.key, c.value);
    bytes += size;
    count++;
  }
  if (count > 0) await op.commit();
}

/**
 * Makes `next` the calendar's head if nothing changed since `current` was read: the head itself,
 * and the guards (the calendar's settings, the account) the sync was based on.
 */
export async function commitHead(
  kv: Deno.Kv,
  current: Deno.KvEntry<CalendarBusyHeadRecord>,
  guards: Deno.KvEntry<unknown>[],
  next: CalendarBusyHeadRecord,
): Promise<boolean> {
  if (1 + guards.length > MAX_CHECKS) throw new Error("too many checks");
  const op = kv.atomic().check(current);
  for (const g of guards) op.check(g);
  return (await op.set(current.key, next).commit()).ok;
}

/** Deletes one generation's chunks and manifest. */
export async function dropGeneration(
  kv: Deno.Kv,
  hostId: UserId,
  calendarId: CalendarId,
  gen: string,
): Promise<void> {
  const m = await kv.get<CalendarBusyManifestRecord>(
    keys.calendarBusyManifest(hostId, calendarId, gen),
  );
  if (!m.value) return;
  const dels: Deno.KvKey[] = m.value.chunks.map(([day, part]) =>
    keys.calendarBusy(hostId, day, calendarId, gen, part)
  );
  for (let part = 0; part < (m.value.eventParts ?? 0); part++) {
    dels.push(keys.calendarEvents(hostId, calendarId, gen, part));
  }
  for (let i = 0; i < dels.length; i += WRITE_BATCH_MUTATIONS) {
    const op = kv.atomic();
    for (const k of dels.slice(i, i + WRITE_BATCH_MUTATIONS)) op.delete(k);
    await op.commit();
  }
  await kv.delete(m.key);
}

/** A generation no head names is garbage once no sync can still be about to commit it. */
export const ORPHAN_AFTER_MS = 10 * 60_000;

/**
 * Deletes a host's generations that no head names and that are older than ORPHAN_AFTER_MS
 * (left by a crashed sync, a removed account or calendar). Young ones may belong to a sync in
 * flight, whose head commit would otherwise point at deleted chunks.
 */
export async function sweepOrphanGenerations(
  kv: Deno.Kv,
  hostId: UserId,
  nowMs: number,
): Promise<number> {
  const current = new Map((await listHeads(kv, hostId)).map((h) => [h.calendarId, h.gen]));
  let dropped = 0;
  for await (
    const m of kv.list<CalendarBusyManifestRecord>({
      prefix: keys.calendarBusyManifestPrefix(hostId),
    })
  ) {
    const calendarId = m.key[2] as CalendarId;
    const gen = m.key[3] as string;
    if (current.get(calendarId) === gen || nowMs - m.value.createdAtMs < ORPHAN_AFTER_MS) continue;
    await dropGeneration(kv, hostId, calendarId, gen);
    dropped++;
  }
  return dropped;
}

export type CachedWindow = Interval & { calendarId: CalendarId };

/**
 * The cached busy windows of a host's conflict calendars that meet [fromMs, toMs), and the heads
 * that say how far each calendar can be trusted. One scan over the days, one over the heads.
 */
export async function readBusyCache(
  kv: Deno.Kv,
  hostId: UserId,
  fromMs: number,
  toMs: number,
): Promise<{ heads: CalendarBusyHeadRecord[]; windows: CachedWindow[] }> {
  const heads = await listHeads(kv, hostId);
  const windows: CachedWindow[] = [];
  if (heads.length === 0 || toMs <= fromMs) return { heads, windows };
  const current = new Map(heads.map((h) => [h.calendarId, h.gen]));
  const range = { startMs: fromMs, endMs: toMs };
  const seen = new Set<string>();
  const iter = kv.list<CalendarBusyChunkRecord>({
    start: keys.calendarBusyFrom(hostId, utcDay(fromMs)),
    end: keys.calendarBusyFrom(hostId, utcDay(toMs - 1) + "\uffff"),
  });
  for await (const e of iter) {
    const calendarId = e.key[3] as CalendarId;
    if (current.get(calendarId) !== e.key[4]) continue; // an old or half-written generation
    const w = e.value.w;
    for (let i = 0; i + 1 < w.length; i += 2) {
      const startMs = w[i];
      const endMs = w[i + 1];
      if (!overlaps({ startMs, endMs }, range)) continue;
      const id = `${calendarId}:${startMs}:${endMs}`;
      if (seen.has(id)) continue; // a window spanning days is stored on each
      seen.add(id);
      windows.push({ calendarId, startMs, endMs });
    }
  }
  return { heads, windows };
}

// ── writeback records ────────────────────────────────────────────────────

/**
 * Where a booking's writeback record lives: its host's under the booking alone; another person's
 * (a member of a multi-person booking) under the booking and that person.
 */
const writebackKey = (bookingId: string, personId?: string) =>
  personId ? keys.bookingWritebackOf(bookingId, personId) : keys.bookingWriteback(bookingId);

export async function getBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  /** A member other than the booking's host. */
  personId?: string,
): Promise<BookingWritebackRecord | null> {
  return (await kv.get<BookingWritebackRecord>(writebackKey(bookingId, personId))).value;
}

export async function getBookingWritebacks(
  kv: Deno.Kv,
  bookingIds: string[],
): Promise<Map<string, BookingWritebackRecord>> {
  const out = new Map<string, BookingWritebackRecord>();
  for (let i = 0; i < bookingIds.length; i += 10) {
    const ids = bookingIds.slice(i, i + 10);
    const got = await kv.getMany<BookingWritebackRecord[]>(
      ids.map((id) => keys.bookingWriteback(id)),
    );
    got.forEach((g, j) => g.value && out.set(ids[j], g.value));
  }
  return out;
}

export async function putBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  rec: BookingWritebackRecord,
  personId?: string,
): Promise<void> {
  await kv.set(writebackKey(bookingId, personId), rec);
}

export async function deleteBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  personId?: string,
): Promise<void> {
  await kv.delete(writebackKey(bookingId, personId));
}

// ── per-event state (incremental providers) ─────────────────────────────────

/** The busy windows one remote event (one instance) adds; `seriesId` lets a deleted series drop its instances. */
export type EventState = { id: string; seriesId: string | null; windows: Interval[] };

/** Bytes per events chunk: far below the 64 KiB value limit even with long Graph ids. */
const EVENT_CHUNK_BYTES = 40_000;

function chunkEvents(
  events: readonly EventState[],
): { value: CalendarEventsChunkRecord; bytes: number }[] {
  const out: { value: CalendarEventsChunkRecord; bytes: number }[] = [];
  let cur: CalendarEventsChunkRecord["e"] = [];
  let bytes = 0;
  for (const e of events) {
    const row: [string, string | null, ...number[]] = [e.id, e.seriesId];
    for (const w of e.windows) row.push(w.startMs, w.endMs);
    const size = e.id.length + (e.seriesId?.length ?? 0) + 9 * e.windows.length * 2 + 16;
    if (cur.length > 0 && bytes + size > EVENT_CHUNK_BYTES) {
      out.push({ value: { v: 1, e: cur }, bytes });
      cur = [];
      bytes = 0;
    }
    cur.push(row);
    bytes += size;
  }
  if (cur.length > 0) out.push({ value: { v: 1, e: cur }, bytes });
  return out;
}

/** The per-event state a generation was written with; null when it has none (or is gone). */
export async function readGenerationEvents(
  kv: Deno.Kv,
  hostId: UserId,
  calendarId: CalendarId,
  gen: string,
): Promise<EventState[] | null> {
  const m = await kv.get<CalendarBusyManifestRecord>(
    keys.calendarBusyManifest(hostId, calendarId, gen),
  );
  if (!m.value || m.value.eventParts === undefined) return null;
  const out: EventState[] = [];
  for (let part = 0; part < m.value.eventParts; part++) {
    const c = await kv.get<CalendarEventsChunkRecord>(
      keys.calendarEvents(hostId, calendarId, gen, part),
    );
    if (!c.value) return null; // swept meanwhile: the caller reads everything again
    for (const [id, seriesId, ...flat] of c.value.e) {
      const windows: Interval[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        windows.push({ startMs: flat[i], endMs: flat[i + 1] });
      }
      out.push({ id, seriesId, windows });
    }
  }
  return out;
}

// ── OAuth tokens and authorizations ───────────────────────────────────────

export async function getTokenEntry(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
): Promise<Deno.KvEntryMaybe<CalendarTokenRecord>> {
  return await kv.get<CalendarTokenRecord>(keys.calendarToken(hostId, accountId));
}

/** Replaces the token record if it is still `current`; with `alsoCheck`, also checks the account. */
export async function casToken(
  kv: Deno.Kv,
  current: Deno.KvEntryMaybe<CalendarTokenRecord>,
  next: CalendarTokenRecord,
  extra?: (op: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const op = kv.atomic().check(current).set(current.key, next);
  extra?.(op);
  return (await op.commit()).ok;
}

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export async function putOAuthState(
  kv: Deno.Kv,
  stateHash: string,
  rec: OAuthStateRecord,
): Promise<void> {
  await kv.set(keys.oauthState(stateHash), rec, { expireIn: OAUTH_STATE_TTL_MS + 60_000 });
}

/**
 * Takes a started authorization exactly once: of two callbacks with the same state (a replay, a
 * double click) one gets the record, the other null. Expired records count as absent.
 */
export async function takeOAuthState(
  kv: Deno.Kv,
  stateHash: string,
  nowMs: number,
): Promise<OAuthStateRecord | null> {
  const cur = await kv.get<OAuthStateRecord>(keys.oauthState(stateHash));
  if (!cur.value) return null;
  const ok = (await kv.atomic().check(cur).delete(cur.key).commit()).ok;
  if (!ok || cur.value.expiresMs < nowMs) return null;
  return cur.value;
}

/** Marks every cached calendar of an account as not to be trusted (consent revoked). */
export async function failClosedHeads(
  kv: Deno.Kv,
  hostId: UserId,
  accountId: CalendarAccountId,
  error: CalendarBusyHeadRecord["error"],
): Promise<void> {
  for (
    const h of await listValues<CalendarBusyHeadRecord>(kv, keys.calendarBusyHeadPrefix(hostId))
  ) {
    if (h.value.accountId !== accountId) continue;
    let cur: Deno.KvEntryMaybe<CalendarBusyHeadRecord> = h;
    for (let attempt = 0; attempt < 5 && cur.value; attempt++) {
      const next = { ...cur.value, failClosed: true, error };
      if ((await kv.atomic().check(cur).set(cur.key, next).commit()).ok) break;
      cur = await kv.get<CalendarBusyHeadRecord>(cur.key);
    }
  }
}

// ── meeting writeback (by UID) ────────────────────────────────────────────

/**
 * Where a meeting's record lives: its host's under the UID alone; another person's (a member of a
 * team booking, whose own calendar holds the same meeting) under the UID and that person.
 */
const meetingKey = (uid: string, personId?: string) =>
  personId ? keys.meetingWritebackOf(uid, personId) : keys.meetingWriteback(uid);

export async function getMeetingWriteback(
  kv: Deno.Kv,
  uid: string,
  /** A member other than the booking's host. */
  personId?: string,
): Promise<MeetingWritebackRecord | null> {
  return (await kv.get<MeetingWritebackRecord>(meetingKey(uid, personId))).value;
}

/**
 * Records where a booking's meeting was written: by booking (for its page) and by UID. The
 * record by booking moves with the meeting to its newest booking (a reschedule successor).
 */
export async function putWrittenEvent(
  kv: Deno.Kv,
  uid: string,
  booking: BookingWritebackRecord,
  meeting: MeetingWritebackRecord,
  movedFromBookingId: string | null = null,
  /**
   * Whose calendar it was written into, when not (only) the host's: `booking` keys the record by
   * booking (absent for the booking's host), `meeting` the record by UID (a team booking's are
   * always per person: a round-robin reschedule may give the same UID to another member).
   */
  person: { booking?: string; meeting?: string } = {},
): Promise<void> {
  const op = kv.atomic().set(writebackKey(meeting.bookingId, person.booking), booking).set(
    meetingKey(uid, person.meeting),
    meeting,
  );
  if (movedFromBookingId && movedFromBookingId !== meeting.bookingId) {
    op.delete(writebackKey(movedFromBookingId, person.booking));
  }
  await op.commit();
}

export async function deleteWrittenEvent(
  kv: Deno.Kv,
  bookingId: string,
  uid: string | null,
  person: { booking?: string; meeting?: string } = {},
): Promise<void> {
  const op = kv.atomic().delete(writebackKey(bookingId, person.booking));
  if (uid) op.delete(meetingKey(uid, person.meeting));
  await op.commit();
}
