/**
 * Slot engine benchmark: 1 host in Europe/Berlin, Mon–Fri 09:00–12:00 + 13:00–17:00, 30-minute
 * slots over 30 days (crossing the 2026-03-29 DST change), 1,000 random busy intervals of
 * 10–30 minutes at any hour from a seeded PRNG (about a third of the candidate slots stay free). Target: p50 ≤ 2 ms. Two baselines measured in the same run stand beside it:
 * sorting the 1,000 busy intervals (work any engine must do) and a naive loop that checks every
 * candidate slot against every busy interval.
 *
 *   node_modules/.bin/deno run -A bench/slots.ts
 */
import { Temporal } from "../src/lib/server/domain/temporal.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { type Interval, overlaps } from "../src/lib/server/domain/interval.ts";
import { computeDayWindows, computeSlots, type SlotQuery } from "../src/lib/server/domain/slots.ts";

export type BenchResult = {
  name: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Human-readable limit; `targetP50Ms` is the same limit as a number. */
  target: string;
  targetP50Ms: number;
  pass: boolean;
  baselines: { name: string; p50Ms: number }[];
};

const TARGET_P50_MS = 2;
const WARMUP_RUNS = 50;
const RUNS = 200;
const MINUTE = 60_000;

/** mulberry32: small, fast, seeded; the same busy data every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildQuery(): SlotQuery {
  const workday = () => [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }];
  const weekly: WeeklyRules = {
    1: workday(),
    2: workday(),
    3: workday(),
    4: workday(),
    5: workday(),
    6: [],
    7: [],
  };
  const from = Temporal.Instant.from("2026-03-16T00:00:00Z");
  const until = from.add({ hours: 30 * 24 });
  const random = prng(20261122);
  const busy: Interval[] = [];
  for (let i = 0; i < 1000; i++) {
    const startMs = from.epochMilliseconds + Math.floor(random() * 30 * 24 * 12) * 5 * MINUTE;
    busy.push({ startMs, endMs: startMs + (10 + Math.floor(random() * 5) * 5) * MINUTE });
  }
  return {
    timeZone: "Europe/Berlin",
    weekly,
    from,
    until,
    durationMin: 30,
    busy,
    now: from,
  };
}

/** What an engine without the sweep would do: every candidate against every busy interval. */
function naiveSlotCount(q: SlotQuery): number {
  let date = q.from.toZonedDateTimeISO(q.timeZone).toPlainDate();
  const last = q.until.toZonedDateTimeISO(q.timeZone).toPlainDate();
  const durationMs = q.durationMin * MINUTE;
  let count = 0;
  for (; Temporal.PlainDate.compare(date, last) <= 0; date = date.add({ days: 1 })) {
    for (const w of computeDayWindows(q, date)) {
      for (let s = w.startMs; s + durationMs <= w.endMs; s += durationMs) {
        if (s < q.from.epochMilliseconds || s >= q.until.epochMilliseconds) continue;
        const probe = { startMs: s, endMs: s + durationMs };
        if (!q.busy.some((b) => overlaps(b, probe))) count++;
      }
    }
  }
  return count;
}

function measure(run: () => unknown, runs: number): number[] {
  for (let i = 0; i < WARMUP_RUNS; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function runSlotsBench(): Promise<BenchResult> {
  const q = buildQuery();
  const engine = measure(() => computeSlots(q), RUNS);
  const sort = measure(
    () => [...q.busy].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs),
    RUNS,
  );
  const naive = measure(() => naiveSlotCount(q), Math.min(RUNS, 50));
  const p50Ms = round(percentile(engine, 50));
  return Promise.resolve({
    name: "slots: 1 host × 30 days × 1,000 busy",
    p50Ms,
    p95Ms: round(percentile(engine, 95)),
    p99Ms: round(percentile(engine, 99)),
    target: `p50 ≤ ${TARGET_P50_MS} ms`,
    targetP50Ms: TARGET_P50_MS,
    pass: p50Ms <= TARGET_P50_MS,
    baselines: [
      { name: "sort 1,000 busy intervals", p50Ms: round(percentile(sort, 50)) },
      { name: "naive loop (every slot × every busy)", p50Ms: round(percentile(naive, 50)) },
    ],
  });
}

if (import.meta.main) {
  const q = buildQuery();
  const slots = computeSlots(q);
  if (slots.length !== naiveSlotCount(q)) throw new Error("engine and naive loop disagree");
  const r = await runSlotsBench();
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`${r.name} (${slots.length} free slots, ${RUNS} runs after ${WARMUP_RUNS} warm-up)`);
  console.log(`  computeSlots  p50 ${ms(r.p50Ms)}  p95 ${ms(r.p95Ms)}  p99 ${ms(r.p99Ms)}`);
  for (const b of r.baselines) {
    const ratio = (r.p50Ms / b.p50Ms).toFixed(2);
    console.log(`  baseline      p50 ${ms(b.p50Ms)}  ${b.name}  (computeSlots/baseline ${ratio})`);
  }
  console.log(`  ${r.pass ? "PASS" : "FAIL"}: p50 ${ms(r.p50Ms)} against target ${r.target}`);
  if (!r.pass) Deno.exitCode = 1;
}
