/**
 * Shared pieces of the benchmarks: result rows, percentiles, a seeded PRNG, the machine
 * description, the load generator (wrk, or autocannon when wrk is missing) and the table.
 *
 * Every row carries a figure and, beside it, a limit measured in the same run on the same
 * machine (the work any implementation must do, or the same request served from memory), so a
 * slower machine moves both numbers and the ratio stays meaningful.
 */
import { join } from "node:path";
import { SERVER_DENO_FLAGS } from "../tests/support/app.ts";
import { settleCounts } from "../src/lib/server/services/insights-count.ts";

export type Row = {
  /** "slot engine", "booking page SSR", … */
  group: string;
  /** the case, e.g. "1 host × 30 days × 1,000 busy" */
  name: string;
  /** the figure, human-readable */
  measured: string;
  /** the limit measured in the same run, human-readable */
  limit: string;
  /** measured relative to the limit, e.g. "0.42× of raw"; "" when not meaningful */
  ratio: string;
  /** the target as text; "—" when the row only shows how cost grows */
  target: string;
  /** null: informational row without a target */
  pass: boolean | null;
  /** the raw numbers, for results.json */
  metrics: Record<string, number | string>;
  note?: string;
};

export const repoRoot: string = join(import.meta.dirname!, "..");
export const denoBin: string = join(repoRoot, "node_modules", ".bin", "deno");

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const fmtMs = (ms: number): string =>
  ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
export const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");

export type Machine = {
  cpus: number;
  model: string;
  memoryMb: number;
  os: string;
  deno: string;
  v8: string;
  loadavg: string;
  loadGenerator: string;
};

export async function describeMachine(loadGenerator: string): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const memKb = Number(/^MemTotal:\s*(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const loadavg = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ").slice(0, 3)
    .join(" ");
  return {
    cpus: navigator.hardwareConcurrency,
    model,
    memoryMb: Math.round(memKb / 1024),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    loadavg,
    loadGenerator,
  };
}

// --- load generator --------------------------------------------------------------------------

export type LoadResult = {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  transferPerSecMb: number;
};

export type LoadGenerator = {
  name: string;
  /** `headers`: sent with every request (e.g. a browser's Accept-Encoding) */
  run(
    url: string,
    connections: number,
    seconds: number,
    headers?: Record<string, string>,
  ): Promise<LoadResult>;
};

const autocannonBin = join(repoRoot, "bench", ".tools", "node_modules", ".bin", "autocannon");

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function which(cmd: string): Promise<string | null> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && await exists(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** wrk when installed (BENCH_LOADGEN=autocannon forces the other), else autocannon from bench/.tools. */
export async function loadGenerator(): Promise<LoadGenerator> {
  const wrk = await wrkPath();
  if (wrk) return { name: "wrk", run: (url, c, s, h) => runWrk(wrk, url, c, s, h) };
  if (await exists(autocannonBin)) {
    return {
      name: "autocannon",
      run: (url, c, s, h) => runAutocannon(url, c, s, h),
    };
  }
  throw new Error(
    "no load generator: install wrk (apt-get install -y wrk) or run scripts/bench.sh, which does",
  );
}

function wrkDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

function wrkSize(text: string): number {
  const m = /^([\d.]+)([KMG]?B)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) *
    ({ B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 } as Record<string, number>)[m[2]];
}

/** wrk's path when it is installed and not overridden by BENCH_LOADGEN=autocannon. */
export async function wrkPath(): Promise<string | null> {
  return Deno.env.get("BENCH_LOADGEN") === "autocannon" ? null : await which("wrk");
}

async function runWrk(
  bin: string,
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  return (await runWrkScript(bin, url, connections, seconds, undefined, headers)).result;
}

/**
 * wrk at `connections` for `seconds`, optionally with a Lua `script` (its inputs in `env`): the
 * parsed figures and wrk's whole output (a script's `done()` prints there).
 */
export async function runWrkScript(
  bin: string,
  url: string,
  connections: number,
  seconds: number,
  script?: { path: string; env: Record<string, string> },
  headers: Record<string, string> = {},
): Promise<{ result: LoadResult; text: string; threads: number }> {
  const threads = Math.min(connections, Math.max(1, navigator.hardwareConcurrency));
  const out = await new Deno.Command(bin, {
    args: [
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "--latency",
      ...(script ? ["-s", script.path] : []),
      ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
      url,
    ],
    env: { ...script?.env, BENCH_THREADS: String(threads) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}\n${text}`);
  const rps = Number(/Requests\/sec:\s*([\d.]+)/.exec(text)?.[1]);
  const p50 = wrkDuration(/^\s*50%\s+(\S+)/m.exec(text)?.[1] ?? "");
  const p99 = wrkDuration(/^\s*99%\s+(\S+)/m.exec(text)?.[1] ?? "");
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const transfer = wrkSize(/Transfer\/sec:\s*(\S+)/.exec(text)?.[1] ?? "");
  if (!Number.isFinite(rps) || !Number.isFinite(p99)) {
    throw new Error(`could not read wrk's output:\n${text}`);
  }
  return {
    result: {
      requestsPerSec: rps,
      p50Ms: p50,
      p99Ms: p99,
      requests,
      errors,
      non2xx,
      transferPerSecMb: transfer,
    },
    text,
    threads,
  };
}

async function runAutocannon(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const out = await new Deno.Command(autocannonBin, {
    args: [
      "--json",
      "-c",
      String(connections),
      "-d",
      String(seconds),
      "--timeout",
      "10",
      ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]),
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`autocannon failed: ${new TextDecoder().decode(out.stderr)}`);
  const r = JSON.parse(text.slice(text.indexOf("{")));
  return {
    requestsPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    transferPerSecMb: r.throughput.average / 1048576,
  };
}

/**
 * Closes the stores an in-process app wrote to, once the insight counts its bookings started have
 * landed: closed under them, they are dropped with "Bad resource ID" on the bench's stderr.
 */
export async function closeStores(...kvs: Deno.Kv[]): Promise<void> {
  await settleCounts();
  for (const kv of kvs) kv.close();
}

// --- processes --------------------------------------------------------------------------------

/** VmRSS and VmHWM (peak) of a process, in MB, and how much of the RSS is anonymous (heap, not mapped files). */
export async function rssOf(
  pid: number,
): Promise<{ rssMb: number; peakMb: number; anonMb: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024, anonMb: kb("RssAnon") / 1024 };
}

/** One thread's share of a measured stretch, in % of wall time. */
export type ThreadShare = {
  cpu: number;
  /** Sampled states; null for the sampling process's own JS thread (always running then). */
  running: number | null;
  disk: number | null;
  waiting: number | null;
};
export type ThreadProfile = {
  /** The thread that runs JavaScript, the event loop and Deno.serve. */
  js: ThreadShare;
  /**
   * The KV handle's SQLite thread (Deno KV's "sw-0", the first one: the writer's handle). Every
   * commit, and every read on that handle, goes through it.
   */
  store: ThreadShare | null;
  /** CPU of the other handles' SQLite threads (the server's reader connection, App.readKv). */
  readersCpu: number;
  /** V8's helper threads (concurrent marking, sweeping, compilation). */
  v8HelpersCpu: number;
  /**
   * The process's disk I/O (/proc/<pid>/io): bytes it caused to be written to disk (SQLite's WAL
   * and checkpoints) and its read calls (SQLite's page reads past its own cache).
   */
  io: { writtenBytes: number; readCalls: number } | null;
};

/**
 * Where a process's time goes while `stop` is pending: CPU per thread from /proc (exact), and
 * the JS and store threads' states sampled every ~5 ms — running, in disk wait (D: the kernel
 * throttling or waiting on writeback), or waiting (asleep: no work, or a lock). It tells a
 * saturated thread from one that waits on another (issue 26: "the profile that explains them").
 */
export function profileThreads(pid: number): { stop(): ThreadProfile } {
  const comm = (tid: string) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/task/${tid}/comm`).trim();
    } catch {
      return null;
    }
  };
  const fields = (tid: string) => {
    try {
      const st = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/stat`);
      return st.slice(st.lastIndexOf(")") + 2).split(" ");
    } catch {
      return null;
    }
  };
  const cpuOf = (tid: string) => {
    const f = fields(tid);
    return f ? (Number(f[11]) + Number(f[12])) / 100 : 0;
  };
  const tids = () => [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) => e.name);
  const storeTids = tids().filter((t) => comm(t) === "sw-0").sort((a, b) => Number(a) - Number(b));
  const storeTid = storeTids[0] ?? null;
  const jsTid = String(pid);
  const cpu0 = new Map(tids().map((t) => [t, cpuOf(t)]));
  const io = () => {
    try {
      const f = Object.fromEntries(
        Deno.readTextFileSync(`/proc/${pid}/io`).trim().split("\n").map((l) => l.split(": ")),
      );
      return { writtenBytes: Number(f.write_bytes), readCalls: Number(f.syscr) };
    } catch {
      return null;
    }
  };
  const io0 = io();
  const t0 = performance.now();
  const states = { js: { R: 0, D: 0, S: 0 }, store: { R: 0, D: 0, S: 0 } };
  const tally = (tid: string | null, into: { R: number; D: number; S: number }) => {
    const state = tid ? fields(tid)?.[0] : undefined;
    if (state === "R") into.R++;
    else if (state === "D") into.D++;
    else if (state) into.S++;
  };
  const timer = setInterval(() => {
    if (pid !== Deno.pid) tally(jsTid, states.js);
    tally(storeTid, states.store);
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      const wallS = (performance.now() - t0) / 1000;
      const pct = (x: number) => round((100 * x) / wallS, 1);
      // CPU seconds a thread used since the start.
      const used = (tid: string) => cpuOf(tid) - (cpu0.get(tid) ?? 0);
      const share = (tid: string, st: { R: number; D: number; S: number }): ThreadShare => {
        const n = st.R + st.D + st.S;
        const of = (k: number) => (n === 0 ? null : round((100 * k) / n, 1));
        return { cpu: pct(used(tid)), running: of(st.R), disk: of(st.D), waiting: of(st.S) };
      };
      const sum = (ts: string[]) => ts.reduce((a, t) => a + used(t), 0);
      return {
        js: share(jsTid, states.js),
        store: storeTid ? share(storeTid, states.store) : null,
        readersCpu: pct(sum(storeTids.slice(1))),
        v8HelpersCpu: pct(sum(tids().filter((t) => comm(t)?.startsWith("V8 ")))),
        io: ((end) =>
          io0 && end
            ? {
              writtenBytes: end.writtenBytes - io0.writtenBytes,
              readCalls: end.readCalls - io0.readCalls,
            }
            : null)(io()),
      };
    },
  };
}

/** A profile in one line, for a row's metrics; with `bookings`, the disk I/O per booking. */
export function profileText(p: ThreadProfile, bookings?: number): string {
  const s = p.store;
  const js = p.js.running === null
    ? `JS thread ${p.js.cpu}% CPU; `
    : `JS thread ${p.js.cpu}% CPU (running ${p.js.running}%, waiting ${p.js.waiting}%); `;
  return js +
    (s
      ? `store thread ${s.cpu}% CPU (running ${s.running}%, disk wait ${s.disk}%, waiting ${s.waiting}%); `
      : "") +
    (p.readersCpu > 0 ? `reader connection ${p.readersCpu}% CPU; ` : "") +
    `V8 helpers ${p.v8HelpersCpu}% CPU` +
    (p.io && bookings
      ? `; per booking ${round(p.io.writtenBytes / 1024 / bookings, 1)} KiB written to disk, ${
        round(p.io.readCalls / bookings, 1)
      } read calls`
      : "");
}

/**
 * Spawns `deno run -A <args>` and returns how long until GET `healthUrl` answered 200 (polled
 * every 5 ms), with the child to stop later.
 */
export async function spawnUntilHealthy(
  args: string[],
  env: Record<string, string>,
  healthUrl: string,
  timeoutMs = 20_000,
): Promise<{ child: Deno.ChildProcess; readyMs: number; stop(): Promise<void> }> {
  const t0 = performance.now();
  const child = new Deno.Command(denoBin, {
    // The server as it runs in production (its flags); the reference as plain Deno.serve.
    args: ["run", ...(args[0] === "server.ts" ? SERVER_DENO_FLAGS : []), "-A", ...args],
    cwd: repoRoot,
    env: { ...env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const errText = new Response(child.stderr).text();
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 5_000);
      await status;
      clearTimeout(timer);
    }
    await errText.catch(() => "");
  };
  while (true) {
    if (exited) throw new Error(`process exited before it was healthy:\n${await errText}`);
    try {
      const res = await fetch(healthUrl);
      await res.body?.cancel();
      if (res.status === 200) return { child, readyMs: performance.now() - t0, stop };
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > timeoutMs) {
      await stop();
      throw new Error(`not healthy within ${timeoutMs} ms:\n${await errText}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

// --- output -----------------------------------------------------------------------------------

export function verdict(pass: boolean | null): string {
  return pass === null ? "info" : pass ? "PASS" : "FAIL";
}

/** A plain-text table (also valid Markdown). */
export function table(rows: Row[]): string {
  const head = ["group", "case", "measured", "limit (same run)", "ratio", "target", "result"];
  const body = rows.map((
    r,
  ) => [r.group, r.name, r.measured, r.limit, r.ratio, r.target, verdict(r.pass)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)]
    .join("\n");
}

/** CPU seconds a process has used (all its threads: user + system, from /proc). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // Fields after the command name (which may hold spaces) start at ")"; utime and stime are the
  // 14th and 15th fields, in clock ticks (100 a second on Linux).
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Waits until a process is idle (under `maxShare` of one core over a whole second) or
 * `timeoutS` has passed, and says how long it took: a row then measures its own requests, not
 * what the previous row left running (mail jobs, batched writes, garbage collection).
 */
export async function waitIdle(pid: number, maxShare = 0.1, timeoutS = 30): Promise<number> {
  const t0 = performance.now();
  let last = await cpuSecondsOf(pid);
  while (performance.now() - t0 < timeoutS * 1000) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await cpuSecondsOf(pid);
    if (now - last < maxShare) break;
    last = now;
  }
  return (performance.now() - t0) / 1000;
}
