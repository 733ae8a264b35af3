/** Per-event state of incremental providers: which busy windows each remote event adds. */
import { type CalendarId, keys, type UserId } from "./keys.ts";
import type {
  CalendarBusyManifestRecord,
  CalendarEventsChunkRecord,
} from "../domain/model/records.ts";
import { type Interval } from "../domain/interval.ts";

// ── per-event state (incremental providers) ─────────────────────────────────

/**
 * The busy windows one remote event (one instance) adds; `seriesId` lets a deleted series drop
 * its instances; `attrs` is what a later delta needs of it (a Graph series master's properties).
 */
export type EventState = {
  id: string;
  seriesId: string | null;
  windows: Interval[];
  attrs?: string;
};

/** Bytes per events chunk: far below the 64 KiB value limit even with long Graph ids. */
const EVENT_CHUNK_BYTES = 40_000;

export function chunkEvents(
  events: readonly EventState[],
): { value: CalendarEventsChunkRecord; bytes: number }[] {
  const out: { value: CalendarEventsChunkRecord; bytes: number }[] = [];
  let cur: CalendarEventsChunkRecord["e"] = [];
  let attrs: [string, string][] = [];
  let bytes = 0;
  const flush = () => {
    out.push({ value: { v: 1, e: cur, ...(attrs.length ? { a: attrs } : {}) }, bytes });
    cur = [];
    attrs = [];
    bytes = 0;
  };
  for (const e of events) {
    const size = e.id.length + (e.seriesId?.length ?? 0) + 9 * e.windows.length * 2 + 16 +
      (e.attrs ? e.id.length + e.attrs.length + 8 : 0);
    if ((cur.length > 0 || attrs.length > 0) && bytes + size > EVENT_CHUNK_BYTES) flush();
    if (e.windows.length > 0 || !e.attrs) {
      const row: [string, string | null, ...number[]] = [e.id, e.seriesId];
      for (const w of e.windows) row.push(w.startMs, w.endMs);
      cur.push(row);
    }
    if (e.attrs) attrs.push([e.id, e.attrs]);
    bytes += size;
  }
  if (cur.length > 0 || attrs.length > 0) flush();
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
    const attrs = new Map(c.value.a ?? []);
    for (const [id, seriesId, ...flat] of c.value.e) {
      const windows: Interval[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        windows.push({ startMs: flat[i], endMs: flat[i + 1] });
      }
      const a = attrs.get(id);
      attrs.delete(id);
      out.push({ id, seriesId, windows, ...(a ? { attrs: a } : {}) });
    }
    for (const [id, a] of attrs) out.push({ id, seriesId: null, windows: [], attrs: a });
  }
  return out;
}
