/**
 * Slot engine benchmark.
 *
 * One host: Europe/Berlin, Mon–Fri 09:00–12:00 + 13:00–17:00, 30-minute slots over 30 days
 * (crossing the 2026-03-29 DST change), 1,000 random busy intervals of 10–30 minutes at any hour
 * from a seeded PRNG (about a third of the candidate slots stay free). Target: p50 ≤ 5 ms. Two
 * baselines measured in the same run stand beside it: sorting the 1,000 busy intervals (work any
 * engine must do) and a naive loop that checks every candidate slot against every busy interval.
 *
 * Teams (src/lib/server/domain/team.ts): 10 and 20 members, each with the same hours and their
 * own 1,000 busy intervals, combined as union (any member free) and intersection (all free).
 * Target: p95 ≤ 60 ms for 10 members. Beside each: the members' slots computed one by one (the
 * work the combination cannot avoid), so the ratio shows what combining costs on top.
 *
 *   node_modules/.bin/deno run -A bench/slots.ts
 */
import { Temporal } from "../src/lib/server/domain/temporal.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { type Interval, overlaps } from "../src/lib/server/domain/interval.ts";
import { computeDayWindows, computeSlots, type SlotQuery } from "../src/lib/server/domain/slots.ts";
import { computeTeamSlots, type TeamMember, type TeamMode } from "../src/lib/server/domain/team.ts";
import { fmtMs, percentile, prng, round, type Row, table, verdict } from "./lib.ts";

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

const TARGET_P50_MS = 5;
const TARGET_TEAM10_P95_MS = 60;
const WARMUP_RUNS = 50;
const RUNS = 200;
const MINUTE = 60_000;
const FROM = Temporal.Instant.from("2026-03-16T00:00:00Z");

const workday = () => [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }];
const WEEKLY: WeeklyRules = {
  1: workday(),
  2: workday(),
  3: workday(),
  4: workday(),
  5: workday(),
  6: [],
  7: [],
};

function randomBusy(seed: number, count = 1000): Interval[] {
  const random = prng(seed);
  const busy: Interval[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = FROM.epochMilliseconds + Math.floor(random() * 30 * 24 * 12) * 5 * MINUTE;
    busy.push({ startMs, endMs: startMs + (10 + Math.floor(random() * 5) * 5) * MINUTE });
  }
  return busy;
}

function buildQuery(seed = 20261122): SlotQuery {
  return {
    timeZone: "Europe/Berlin",
    weekly: WEEKLY,
    from: FROM,
    until: FROM.add({ hours: 30 * 24 }),
    durationMin: 30,
    busy: randomBusy(seed),
    now: FROM,
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

function measure(run: () => unknown, runs: number, warmup = WARMUP_RUNS): number[] {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export function runSlotsBench(): Promise<BenchResult> {
  const q = buildQuery();
  if (computeSlots(q).length !== naiveSlotCount(q)) {
    throw new Error("engine and naive loop disagree");
  }
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

export type TeamResult = {
  members: number;
  mode: TeamMode;
  slots: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** p50 of computing the members' slots one after another (no combining) */
  membersOneByOneP50Ms: number;
  targetP95Ms: number | null;
  pass: boolean | null;
};

export function runTeamBench(sizes = [10, 20], runs = 100): TeamResult[] {
  const out: TeamResult[] = [];
  for (const size of sizes) {
    const members: TeamMember[] = Array.from({ length: size }, (_, i) => ({
      timeZone: "Europe/Berlin",
      weekly: WEEKLY,
      busy: randomBusy(1000 + i),
    }));
    const shared = { from: FROM, until: FROM.add({ hours: 30 * 24 }), durationMin: 30, now: FROM };
    const oneByOne = () => members.map((m) => computeSlots({ ...shared, ...m }));
    const combined = (mode: TeamMode) => () => computeTeamSlots({ ...shared, members, mode });
    // Warm every path up first, so the one measured first does not pay for the JIT.
    for (let i = 0; i < 10; i++) [oneByOne(), combined("union")(), combined("intersection")()];
    const baseline = measure(oneByOne, runs, 0);
    for (const mode of ["union", "intersection"] as const) {
      const times = measure(combined(mode), runs, 0);
      const p95Ms = round(percentile(times, 95));
      const target = size === 10 ? TARGET_TEAM10_P95_MS : null;
      out.push({
        members: size,
        mode,
        slots: combined(mode)().length,
        p50Ms: round(percentile(times, 50)),
        p95Ms,
        p99Ms: round(percentile(times, 99)),
        membersOneByOneP50Ms: round(percentile(baseline, 50)),
        targetP95Ms: target,
        pass: target === null ? null : p95Ms <= target,
      });
    }
  }
  return out;
}

/** Both benchmarks as table rows. */
export async function slotRows(): Promise<Row[]> {
  const one = await runSlotsBench();
  const sort = one.baselines[0];
  const naive = one.baselines[1];
  const rows: Row[] = [{
    group: "slot engine",
    name: "1 host × 30 days × 1,000 busy",
    measured: `p50 ${fmtMs(one.p50Ms)} · p95 ${fmtMs(one.p95Ms)}`,
    limit: `sort of the busy list ${fmtMs(sort.p50Ms)}; naive loop ${fmtMs(naive.p50Ms)}`,
    ratio: `${(one.p50Ms / sort.p50Ms).toFixed(1)}× sort, ${
      (one.p50Ms / naive.p50Ms).toFixed(2)
    }× naive`,
    target: one.target,
    pass: one.pass,
    metrics: {
      p50Ms: one.p50Ms,
      p95Ms: one.p95Ms,
      p99Ms: one.p99Ms,
      sortP50Ms: sort.p50Ms,
      naiveP50Ms: naive.p50Ms,
    },
  }];
  for (const t of runTeamBench()) {
    rows.push({
      group: "slot engine",
      name: `team of ${t.members}, ${t.mode} (${t.slots} slots)`,
      measured: `p50 ${fmtMs(t.p50Ms)} · p95 ${fmtMs(t.p95Ms)}`,
      limit: `members one by one ${fmtMs(t.membersOneByOneP50Ms)}`,
      ratio: `${(t.p50Ms / t.membersOneByOneP50Ms).toFixed(2)}×`,
      target: t.targetP95Ms === null ? "— (growth)" : `p95 ≤ ${t.targetP95Ms} ms`,
      pass: t.pass,
      metrics: { ...t, targetP95Ms: t.targetP95Ms ?? "none", pass: String(t.pass) },
    });
  }
  return rows;
}

if (import.meta.main) {
  const rows = await slotRows();
  console.log(table(rows));
  if (rows.some((r) => r.pass === false)) {
    console.log(
      rows.filter((r) => r.pass === false).map((r) => `${verdict(r.pass)}: ${r.name}`).join("\n"),
    );
    Deno.exitCode = 1;
  }
}
