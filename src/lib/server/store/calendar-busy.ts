/**
 * The busy cache (docs/decisions/005-caldav-busy-cache.md): each conflict calendar has a head
 * naming its current generation; a generation's windows live in per-UTC-day chunks under
 * `["calendar_busy", host, day, calendar, gen, part]`, so the slot engine reads a host's date
 * range with one scan. A sync writes a whole new generation first (invisible), then flips the
 * head in one atomic write that checks the head and the calendar, then deletes the old
 * generation.
 */
import { type CalendarAccountId, type CalendarId, keys, type UserId } from "./keys.ts";
import type {
  CalendarBusyChunkRecord,
  CalendarBusyHeadRecord,
  CalendarBusyManifestRecord,
} from "../domain/model/records.ts";
import { utcDay, utcDaysTouched } from "../domain/booking.ts";
import { type Interval, overlaps } from "../domain/interval.ts";
import { commitWithReceipt, MAX_CHECKS } from "./kv.ts";
import { bumpBusy } from "./revisions.ts";
import { chunkEvents, type EventState } from "./calendar-events.ts";
import { listValues } from "./calendars.ts";

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
  // The head names the busy windows pages show: the host's busy revision changes with it.
  bumpBusy(op, current.key[1] as string);
  // A lost answer is not a lost race (ADR 038): taken for one, the sync would drop the very
  // generation the head now names, and the calendar's busy times would stop blocking slots.
  return (await commitWithReceipt(kv, op.set(current.key, next))).ok;
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
      const op = bumpBusy(kv.atomic().check(cur).set(cur.key, next), hostId);
      if ((await op.commit()).ok) break;
      cur = await kv.get<CalendarBusyHeadRecord>(cur.key);
    }
  }
}
