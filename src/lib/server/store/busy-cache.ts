/**
 * People's busy time for booking pages, reused while it has not changed.
 *
 * A team's page reads every member's busy entries for the month it shows (ten members with a
 * thousand bookings each: ten thousand entries per view). Every write that adds or removes a
 * person's busy entries also sets their `busyRev` key (domain/booking-engine/draft.ts, Draft.finish),
 * so a list read after a revision read is current for as long as that revision's versionstamp
 * is: a view reads one revision per person (ten per read) and lists only people whose busy time
 * changed since. The revision is read before the list, so a change landing between the two
 * leaves an older revision beside a newer list, and the next view reads again.
 *
 * Nothing here guards a booking: the engine reads busy time fresh and checks its fences.
 * Holds are kept with their end and filtered by the time of each view. Per process, bounded.
 */
import { setBounded } from "../../shared/bounded-map.ts";
import { keys, type PersonId } from "./keys.ts";
import type { BusyEntryRecord } from "../domain/model/records.ts";
import type { Interval } from "../domain/interval.ts";
import { overlaps } from "../domain/interval.ts";
import { utcDay } from "../domain/booking.ts";
import { getEntries } from "./kv.ts";

/** [startMs, endMs, holdUntilMs (NaN: firm)] per entry, flat. */
type Cached = { rev: string | null; spans: Float64Array; atMs: number };

const cache = new WeakMap<Deno.Kv, Map<string, Cached>>();
const MAX_ENTRIES = 400;
/** Zones are at most 14 hours off UTC, and month views reach a day beyond their month. */
const MARGIN_MS = 3 * 86_400_000;

function entriesOf(kv: Deno.Kv) {
  let m = cache.get(kv);
  if (!m) cache.set(kv, m = new Map());
  return m;
}

async function scan(kv: Deno.Kv, personId: PersonId, fromMs: number, toMs: number) {
  const seen = new Set<string>();
  const out: number[] = [];
  for await (
    const e of kv.list<BusyEntryRecord>({
      start: keys.busyFrom(personId, utcDay(fromMs)),
      end: keys.busyFrom(personId, utcDay(toMs - 1) + "\uffff"),
    }, { batchSize: 1000 })
  ) {
    const x = e.value;
    if (seen.has(x.bookingId)) continue;
    seen.add(x.bookingId);
    out.push(x.startMs, x.endMs, x.holdUntilMs ?? NaN);
  }
  return Float64Array.from(out);
}

/**
 * Busy time of each person that meets [fromMs, toMs) at `nowMs`, as `listBusy` would give it:
 * firm entries and holds that have not ended.
 */
export async function listBusyOfMany(
  kv: Deno.Kv,
  personIds: readonly PersonId[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<{
  lists: Interval[][];
  /**
   * Per person, a short text that is equal exactly when the list is (for the same range): the
   * busy revision and how many entries it gave (holds only drop out as time passes).
   */
  marks: string[];
  /**
   * When a hold in the lists ends (the earliest): the lists change then with no write, so
   * anything made from them is good until then at most (Infinity: no hold).
   */
  changesAtMs: number;
}> {
  if (toMs <= fromMs) {
    return {
      lists: personIds.map(() => []),
      marks: personIds.map(() => ""),
      changesAtMs: Infinity,
    };
  }
  const revs = (await getEntries(kv, personIds.map((p) => keys.busyRev(p)))).map((g) =>
    g.versionstamp
  );
  const m = entriesOf(kv);
  const range = { startMs: fromMs, endMs: toMs };
  let changesAtMs = Infinity;
  // Pages of one month seen from different zones ask for ranges a few hours apart: keep the
  // month (UTC) around them with a margin, and cut each view's range out of it.
  const mid = new Date((fromMs + toMs) / 2);
  const scanFrom = Date.UTC(mid.getUTCFullYear(), mid.getUTCMonth(), 1) - MARGIN_MS;
  const scanTo = Date.UTC(mid.getUTCFullYear(), mid.getUTCMonth() + 1, 1) + MARGIN_MS;
  const fits = fromMs >= scanFrom && toMs <= scanTo;
  const lists = await Promise.all(personIds.map(async (p, i) => {
    const key = `${p}|${scanFrom}`;
    let hit = fits ? m.get(key) : undefined;
    if (!hit || hit.rev !== revs[i]) {
      hit = fits
        ? { rev: revs[i], spans: await scan(kv, p, scanFrom, scanTo), atMs: nowMs }
        : { rev: revs[i], spans: await scan(kv, p, fromMs, toMs), atMs: nowMs };
      if (fits) {
        setBounded(m, key, hit, MAX_ENTRIES);
      }
    }
    const out: Interval[] = [];
    const s = hit.spans;
    for (let j = 0; j < s.length; j += 3) {
      const iv = { startMs: s[j], endMs: s[j + 1] };
      const hold = s[j + 2];
      if (!Number.isNaN(hold) && hold <= nowMs) continue;
      if (!overlaps(iv, range)) continue;
      out.push(iv);
      if (hold < changesAtMs) changesAtMs = hold;
    }
    return out;
  }));
  return { lists, marks: lists.map((l, i) => `${revs[i]}:${l.length}`), changesAtMs };
}
