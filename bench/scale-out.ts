/**
 * Scale-out: bookings/s and page views/s over HTTP with 1, 2 and 3 Invito processes sharing one
 * remote KV (the KV Connect test server, tests/support/kv-connect-server.ts, with 5 ms added to
 * every KV request, as a nearby remote store would), beside one process on a local KV file.
 * Ratios are taken within the run: N processes against one process on the same remote store.
 *
 * The load generator sends request i to process i mod N (no proxy in the way); 30 hosts with a
 * 15-minute "call" each day around the clock; every booking is for a different slot, request i
 * for host i mod 30, so no two requests contend. Background jobs are off in the servers (the
 * outbox drain would compete with the figure measured). Page views: anonymous GETs of the 30
 * booking pages.
 *
 * Target (issue 24): 3 processes ≥ 2× one process for bookings of different hosts.
 *
 *   node_modules/.bin/deno run -A bench/scale-out.ts      (needs `npm run build` first)
 *   BENCH_SCALE_LATENCY_MS=5 BENCH_SCALE_BOOKINGS=600 BENCH_SCALE_VIEW_S=5 (defaults)
 */
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { createEventType, createHost, recordingMailer } from "../tests/support/memory-app.ts";
import { type AppHandle, startApp } from "../tests/support/app.ts";
import {
  denoBin,
  describeMachine,
  fmtInt,
  fmtMs,
  percentile,
  repoRoot,
  round,
  type Row,
  table,
  verdict,
} from "./lib.ts";

const HOSTS = 30;
const CONCURRENCY = 30;
const LATENCY_MS = Number(Deno.env.get("BENCH_SCALE_LATENCY_MS") ?? 5);
const BOOKINGS = Number(Deno.env.get("BENCH_SCALE_BOOKINGS") ?? 600);
const VIEW_S = Number(Deno.env.get("BENCH_SCALE_VIEW_S") ?? 5);
const SLOT_MS = 15 * 60_000;
const SECRET = "bench-scale-secret-".padEnd(48, "x");
const ALL_DAY = [{ start: "00:00", end: "24:00" }];
const EVERY_DAY: WeeklyRules = {
  1: ALL_DAY,
  2: ALL_DAY,
  3: ALL_DAY,
  4: ALL_DAY,
  5: ALL_DAY,
  6: ALL_DAY,
  7: ALL_DAY,
};

/** CPU time (user + system) a process has used, in ms; null when it cannot be read. */
async function cpuMs(pid: number | null): Promise<number | null> {
  if (pid === null) return null;
  try {
    const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return null;
  }
}

type Setup = { label: string; processes: number; remote: boolean };
type Measured = {
  setup: Setup;
  booked: number;
  bookingsPerSec: number;
  bookP50Ms: number;
  bookP99Ms: number;
  viewsPerSec: number;
  viewP99Ms: number;
  kvRequestsPerBooking: number | null;
  /** CPU ms per booking: the Invito processes together, the KV server, this load generator */
  cpu: { app: number | null; kv: number | null; loadgen: number | null };
  outcomes: Record<string, number>;
};

async function seed(kv: Deno.Kv, dbPath: string) {
  const app = await buildApp({
    INVITO_DB_PATH: dbPath,
    // A remote store's token, as the servers get it: the configuration refuses one without it.
    DENO_KV_ACCESS_TOKEN: Deno.env.get("DENO_KV_ACCESS_TOKEN"),
    INVITO_SESSION_SECRET: SECRET,
    INVITO_BASE_URL: "http://127.0.0.1",
    INVITO_DISABLE_CRON: "true",
  }, { kv, mailer: recordingMailer() });
  for (let h = 0; h < HOSTS; h++) {
    const host = await createHost(app, {
      username: `host${h}`,
      timeZone: "UTC",
      weekly: EVERY_DAY,
    });
    await createEventType(app, host, {
      slug: "call",
      durationMin: 15,
      requiresConfirmation: false,
      bookingWindowDays: 60,
    });
  }
}

async function timed(
  total: number,
  fn: (i: number) => Promise<{ ok: boolean; status: string }>,
  untilMs?: number,
) {
  const lat: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (true) {
      const i = next++;
      if (i >= total || (untilMs !== undefined && performance.now() - t0 > untilMs)) return;
      const s = performance.now();
      const r = await fn(i).catch((e) => ({ ok: false, status: String(e).slice(0, 40) }));
      lat.push(performance.now() - s);
      outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
      if (r.ok) ok++;
    }
  }));
  const elapsed = performance.now() - t0;
  lat.sort((a, b) => a - b);
  return {
    ok,
    perSec: ok / (elapsed / 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    outcomes,
  };
}

/**
 * The KV Connect test server in its own process (not sharing this process's event loop with the
 * load generator), controlled over its HTTP control endpoints.
 */
async function kvServer(dir: string) {
  const child = new Deno.Command(denoBin, {
    args: ["run", "-A", "tests/support/kv-connect-server.ts", "--path", join(dir, "remote.kv")],
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/kv-connect: \S+ \S+/.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the KV Connect server did not start: ${out}`);
    out += value;
  }
  void (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  const [, url, token] = /kv-connect: (\S+) (\S+)/.exec(out)!;
  return {
    url,
    token,
    faults: async (f: Record<string, unknown>) => {
      await (await fetch(`${url}/_faults`, { method: "POST", body: JSON.stringify(f) })).body
        ?.cancel();
    },
    pid: child.pid,
    stats: async () =>
      await (await fetch(`${url}/_stats`)).json() as { reads: number; writes: number },
    close: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function measure(setup: Setup, dayStartMs: number): Promise<Measured> {
  let kvs: Awaited<ReturnType<typeof kvServer>> | null = null;
  const apps: AppHandle[] = [];
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-scale-" });
  try {
    const env: Record<string, string> = {
      INVITO_DISABLE_CRON: "true",
      INVITO_SESSION_SECRET: SECRET,
    };
    if (setup.remote) {
      kvs = await kvServer(dir);
      Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
      const kv = await Deno.openKv(kvs.url);
      await seed(kv, kvs.url);
      kv.close();
      env.INVITO_DB_PATH = kvs.url;
      env.DENO_KV_ACCESS_TOKEN = kvs.token;
    } else {
      const path = join(dir, "invito.kv");
      const kv = await Deno.openKv(path);
      await seed(kv, path);
      kv.close();
    }
    for (let p = 0; p < setup.processes; p++) {
      apps.push(await startApp({ dataDir: setup.remote ? undefined : dir, env }));
    }
    await kvs?.faults({ latencyMs: LATENCY_MS });
    const target = (i: number) => apps[i % apps.length];
    // warm up: each process renders each page once
    for (const app of apps) {
      for (let h = 0; h < HOSTS; h++) {
        await (await fetch(app.url(`/calendar/host${h}/call?tz=UTC`))).body?.cancel();
      }
    }
    const before = kvs ? await kvs.stats() : null;
    const cpuOf = async () => ({
      app: (await Promise.all(apps.map((a) => cpuMs(a.pid())))).reduce<number | null>(
        (n, x) => n === null || x === null ? null : n + x,
        0,
      ),
      kv: kvs ? await cpuMs(kvs.pid) : null,
      loadgen: await cpuMs(Deno.pid),
    });
    const cpu0 = await cpuOf();
    const books = await timed(BOOKINGS, async (i) => {
      const app = target(i);
      const k = Math.floor(i / HOSTS);
      const res = await fetch(app.url(`/calendar/host${i % HOSTS}/call?/book`), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: `Scale ${i}`,
          email: `scale${i}@example.test`,
          note: "",
          start: new Date(dayStartMs + k * SLOT_MS).toISOString().replace(".000Z", "Z"),
          tz: "UTC",
        }),
        redirect: "manual",
      });
      await res.body?.cancel();
      return { ok: res.status === 303, status: String(res.status) };
    });
    const after = kvs ? await kvs.stats() : null;
    const cpu1 = await cpuOf();
    const per = (a: number | null, b: number | null) =>
      a === null || b === null ? null : (b - a) / Math.max(1, books.ok);
    const kvRequests = before && after
      ? (after.reads - before.reads) + (after.writes - before.writes)
      : null;
    const views = await timed(Number.MAX_SAFE_INTEGER, async (i) => {
      const res = await fetch(target(i).url(`/calendar/host${i % HOSTS}/call?tz=UTC`));
      await res.body?.cancel();
      return { ok: res.status === 200, status: String(res.status) };
    }, VIEW_S * 1000);
    return {
      setup,
      booked: books.ok,
      bookingsPerSec: books.perSec,
      bookP50Ms: books.p50,
      bookP99Ms: books.p99,
      viewsPerSec: views.perSec,
      viewP99Ms: views.p99,
      kvRequestsPerBooking: kvRequests === null ? null : kvRequests / Math.max(1, books.ok),
      cpu: {
        app: per(cpu0.app, cpu1.app),
        kv: per(cpu0.kv, cpu1.kv),
        loadgen: per(cpu0.loadgen, cpu1.loadgen),
      },
      outcomes: books.outcomes,
    };
  } finally {
    for (const a of apps) await a.stop({ keepData: true }).catch(() => {});
    await kvs?.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const fmtCpu = (ms: number | null) => ms === null ? "?" : `${ms.toFixed(1)} ms`;

export async function scaleOutRows(): Promise<Row[]> {
  const dayStartMs = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
  const setups: Setup[] = [
    { label: "local KV file, 1 process", processes: 1, remote: false },
    { label: `KV Connect +${LATENCY_MS} ms, 1 process`, processes: 1, remote: true },
    { label: `KV Connect +${LATENCY_MS} ms, 2 processes`, processes: 2, remote: true },
    { label: `KV Connect +${LATENCY_MS} ms, 3 processes`, processes: 3, remote: true },
  ];
  const results: Measured[] = [];
  // Each setup on fresh days (no booking finds its slot taken by a previous setup's).
  for (const [i, s] of setups.entries()) {
    results.push(await measure(s, dayStartMs + i * 10 * 86_400_000));
  }
  const one = results[1];
  const rows: Row[] = [];
  for (const r of results) {
    const vsOne = r.setup.remote ? r.bookingsPerSec / one.bookingsPerSec : null;
    const viewsVsOne = r.setup.remote ? r.viewsPerSec / one.viewsPerSec : null;
    const isTarget = r.setup.remote && r.setup.processes === 3;
    rows.push({
      group: "scale-out",
      name: `${r.setup.label}: POST ?/book, c=${CONCURRENCY}, ${HOSTS} hosts, distinct slots`,
      measured: `${fmtInt(r.bookingsPerSec)} bookings/s, p50 ${fmtMs(r.bookP50Ms)}, p99 ${
        fmtMs(r.bookP99Ms)
      }${
        r.kvRequestsPerBooking === null
          ? ""
          : `; ${r.kvRequestsPerBooking.toFixed(1)} KV requests per booking`
      }; CPU per booking: Invito ${fmtCpu(r.cpu.app)}${
        r.setup.remote ? `, KV server ${fmtCpu(r.cpu.kv)}` : ""
      }, load generator ${fmtCpu(r.cpu.loadgen)}`,
      limit: `1 process on the same remote KV: ${fmtInt(one.bookingsPerSec)}/s`,
      ratio: vsOne === null ? "" : `${vsOne.toFixed(2)}× one process`,
      target: isTarget ? "≥ 2× one process" : "—",
      pass: isTarget ? (vsOne! >= 2 && r.booked === BOOKINGS) : null,
      metrics: {
        bookingsPerSec: round(r.bookingsPerSec, 1),
        p50Ms: round(r.bookP50Ms, 2),
        p99Ms: round(r.bookP99Ms, 2),
        booked: r.booked,
        outcomes: JSON.stringify(r.outcomes),
        cpuAppMsPerBooking: r.cpu.app === null ? "" : round(r.cpu.app, 2),
        cpuKvMsPerBooking: r.cpu.kv === null ? "" : round(r.cpu.kv, 2),
        cpuLoadgenMsPerBooking: r.cpu.loadgen === null ? "" : round(r.cpu.loadgen, 2),
        ...(r.kvRequestsPerBooking === null
          ? {}
          : { kvRequestsPerBooking: round(r.kvRequestsPerBooking, 2) }),
      },
    });
    rows.push({
      group: "scale-out",
      name: `${r.setup.label}: GET booking page, c=${CONCURRENCY}, ${VIEW_S} s`,
      measured: `${fmtInt(r.viewsPerSec)} views/s, p99 ${fmtMs(r.viewP99Ms)}`,
      limit: `1 process on the same remote KV: ${fmtInt(one.viewsPerSec)}/s`,
      ratio: viewsVsOne === null ? "" : `${viewsVsOne.toFixed(2)}× one process`,
      target: "—",
      pass: null,
      metrics: { viewsPerSec: round(r.viewsPerSec, 1), p99Ms: round(r.viewP99Ms, 2) },
    });
  }
  return rows;
}

if (import.meta.main) {
  const machine = await describeMachine("fetch (in-process)");
  console.log(
    `Scale-out on ${machine.cpus} × ${machine.model}, Deno ${machine.deno}, load average before: ${machine.loadavg}`,
  );
  const rows = await scaleOutRows();
  console.log(table(rows));
  for (const r of rows) if (r.pass !== null) console.log(`${verdict(r.pass)}: ${r.name}`);
}
