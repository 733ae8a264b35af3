/**
 * Insights benchmark: the insights page of a host with 10,000 bookings over a year.
 *
 * The history (bookings with their host+start index, and the counters live counting would have
 * written: page views, outcomes, deliveries, syncs) is seeded by tests/support/insights-seed.ts
 * into a KV file. Then:
 *
 * - `getInsights` + chart geometry in-process, for the last 30 and 90 days and a custom year;
 * - the built server answering GET /dashboard/insights (signed in) for the same ranges: the
 *   whole server time of the page — session, KV reads, charts, Svelte SSR — as the client sees
 *   it on 127.0.0.1. Target: p95 ≤ 300 ms for the 30- and 90-day views;
 * - beside them, the limit measured in the same run: a raw KV scan of that host's bookings for
 *   the same range (the host+start index and every booking record, 10 per getMany), the work a
 *   page reading bookings instead of counters could not avoid.
 *
 *   node_modules/.bin/deno run -A bench/insights.ts        (needs `npm run build` first)
 */
import { indexOnlyExpiringKeys } from "../src/lib/server/store/kv.ts";
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import { getInsights } from "../src/lib/server/services/insights.ts";
import { buildChart } from "../src/lib/server/http/insight-charts.ts";
import { keys } from "../src/lib/server/store/keys.ts";
import type { UserRecord } from "../src/lib/server/domain/model/records.ts";
import { recordingMailer } from "../tests/support/memory-app.ts";
import { seedInsightsHost } from "../tests/support/insights-seed.ts";
import {
  closeStores,
  fmtInt,
  fmtMs,
  freePort,
  percentile,
  round,
  type Row,
  spawnUntilHealthy,
} from "./lib.ts";

const BOOKINGS = 10_000;
const DAYS = 365;
const TARGET_P95_MS = 300;
const WARMUP = 3;
const RUNS = 25;

type Case = { name: string; query: string; range: { range: string; from?: string; to?: string } };

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95) };
}

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * CPU time a process has used (user + system), from /proc: unlike wall time it does not grow
 * when other processes crowd the machine, so it shows the work one page costs.
 */
async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The raw scan a booking-reading page would need: index range + every record, 10 per read. */
async function rawScan(kv: Deno.Kv, hostId: string, fromMs: number, toMs: number) {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({
      start: keys.bookingByHostStartFrom(hostId, fromMs),
      end: keys.bookingByHostStartFrom(hostId, toMs),
    }, { batchSize: 1000 })
  ) ids.push(e.value);
  let n = 0;
  for (let i = 0; i < ids.length; i += 10) {
    const got = await kv.getMany(ids.slice(i, i + 10).map((id) => keys.booking(id)));
    n += got.length;
  }
  return n;
}

export async function insightsRows(): Promise<Row[]> {
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-insights-" });
  const dbPath = join(dir, "invito.kv");
  const secret = "bench-secret-".padEnd(48, "x");
  try {
    const kv = await Deno.openKv(dbPath);
    indexOnlyExpiringKeys(dbPath);
    const app = await buildApp({
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: secret,
      INVITO_DISABLE_CRON: "true",
    }, { kv, mailer: recordingMailer() });
    const t0 = performance.now();
    const { host } = await seedInsightsHost(app, {
      username: "busy",
      bookings: BOOKINGS,
      days: DAYS,
      extras: true,
    });
    const seedMs = performance.now() - t0;
    let counters = 0;
    for await (const _ of kv.list({ prefix: ["insights", host.id] })) counters++;
    // A session, as Auth.js would store it, so the server answers the dashboard.
    const token = crypto.randomUUID();
    const expiresMs = Date.now() + 86_400_000;
    await kv.atomic()
      .set(keys.session(token), { v: 1, sessionToken: token, userId: host.id, expiresMs })
      .set(keys.sessionByUser(host.id, token), true)
      .commit();

    const nowMs = app.now();
    const cases: (Case & { days: number })[] = [
      { name: "last 30 days", query: "?range=30", range: { range: "30" }, days: 30 },
      { name: "last 90 days", query: "?range=90", range: { range: "90" }, days: 90 },
    ];
    const today = new Date(nowMs).toISOString().slice(0, 10);
    const yearAgo = new Date(nowMs - 364 * 86_400_000).toISOString().slice(0, 10);
    cases.push({
      name: "custom year",
      query: `?range=custom&from=${yearAgo}&to=${today}`,
      range: { range: "custom", from: yearAgo, to: today },
      days: 365,
    });

    const inProcess = new Map<string, ReturnType<typeof stats>>();
    const raw = new Map<string, ReturnType<typeof stats> & { bookings: number }>();
    for (const c of cases) {
      const q = {
        range: c.range.range,
        from: c.range.from ?? null,
        to: c.range.to ?? null,
        eventType: null,
      };
      inProcess.set(
        c.name,
        stats(
          await timed(async () => {
            const res = await getInsights(app, host as UserRecord, q);
            if (!res.ok) throw new Error(JSON.stringify(res));
            res.data.charts.map((spec) => buildChart(spec));
          }),
        ),
      );
      let bookings = 0;
      const fromMs = nowMs - c.days * 86_400_000;
      raw.set(c.name, {
        ...stats(await timed(async () => (bookings = await rawScan(kv, host.id, fromMs, nowMs)))),
        bookings,
      });
    }
    await closeStores(kv);

    const port = freePort();
    const server = await spawnUntilHealthy(["server.ts"], {
      ...Deno.env.toObject(),
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: secret,
      INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
      INVITO_BASE_URL: `http://127.0.0.1:${port}`,
      INVITO_DISABLE_CRON: "true",
      INVITO_RATE_LIMIT: "off",
    }, `http://127.0.0.1:${port}/healthz`);
    const http = new Map<
      string,
      ReturnType<typeof stats> & { bytes: number; firstMs: number; cpuMs: number }
    >();
    try {
      // Warm the server's code on another dashboard page, so "first view" is the first read of
      // this host's insights, not the first request the process ever served.
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/dashboard/profile`, {
          headers: { cookie: `authjs.session-token=${token}` },
        });
        await res.body?.cancel();
      }
      for (const c of cases) {
        let bytes = 0;
        const get = async () => {
          const res = await fetch(`http://127.0.0.1:${port}/dashboard/insights${c.query}`, {
            headers: { cookie: `authjs.session-token=${token}` },
            redirect: "manual",
          });
          const body = await res.text();
          if (res.status !== 200 || !body.includes('data-chart="funnel"')) {
            throw new Error(`GET /dashboard/insights${c.query} answered ${res.status}`);
          }
          bytes = body.length;
        };
        // The first view of each range reads its old days from KV; later ones from the copy.
        const t = performance.now();
        await get();
        const firstMs = performance.now() - t;
        const samples = await timed(get);
        const cpu0 = await cpuMs(server.child.pid);
        for (let i = 0; i < RUNS; i++) await get();
        const cpu = (await cpuMs(server.child.pid) - cpu0) / RUNS;
        http.set(c.name, { ...stats(samples), bytes, firstMs, cpuMs: cpu });
      }
    } finally {
      await server.stop();
    }

    const rows: Row[] = [];
    for (const c of cases) {
      const h = http.get(c.name)!;
      const p = inProcess.get(c.name)!;
      const r = raw.get(c.name)!;
      const targeted = c.days <= 90;
      rows.push({
        group: "insights",
        name: `GET /dashboard/insights, ${c.name} (10,000 bookings/year)`,
        measured: `p50 ${fmtMs(h.p50)} · p95 ${fmtMs(h.p95)}; first view ${
          fmtMs(h.firstMs)
        }; server CPU ${fmtMs(h.cpuMs)}/page; ${fmtInt(h.bytes)} B`,
        limit: `raw KV scan of its ${fmtInt(r.bookings)} bookings: ${fmtMs(r.p50)}`,
        ratio: `${round(h.p50 / r.p50, 2)}× raw scan`,
        target: targeted ? `first view and p95 ≤ ${TARGET_P95_MS} ms` : "— (info)",
        pass: targeted ? h.p95 <= TARGET_P95_MS && h.firstMs <= TARGET_P95_MS : null,
        metrics: {
          httpP50Ms: round(h.p50),
          httpP95Ms: round(h.p95),
          firstViewMs: round(h.firstMs),
          serverCpuMsPerPage: round(h.cpuMs),
          serviceP50Ms: round(p.p50),
          serviceP95Ms: round(p.p95),
          rawScanP50Ms: round(r.p50),
          rawScanBookings: r.bookings,
          bytes: h.bytes,
          counters,
          seedMs: round(seedMs),
        },
        note: `${fmtInt(counters)} counters for the host; data + charts in-process p50 ${
          fmtMs(p.p50)
        }`,
      });
    }
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { table } = await import("./lib.ts");
  console.log(table(await insightsRows()));
}
