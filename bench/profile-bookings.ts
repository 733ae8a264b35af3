/**
 * Where the time of booking posts goes (the HTTP rows of bench/bookings.ts, issue 26): 100 hosts,
 * N posts at c=100 on distinct slots (after 500 to warm up), the server started with `--cpu-prof`.
 * Prints posts/s; each thread's CPU and run-queue wait (from /proc: the JavaScript thread "deno",
 * the store's SQLite threads "sw-0" (the writer's and the reader's connection, summed), V8's GC
 * helpers), the client's own; the server's I/O per post (/proc/<pid>/io: bytes it had written to
 * disk, read calls — SQLite's page reads past its cache); and the functions and files with the
 * most self time. `--v8 FLAGS` adds V8 flags to the server's. `--cookie`: each form post carries
 * a booker cookie of its own, as a browser that opened the booking page does (ADR 060: its
 * booking stores the cookie's tag). `--alloc`: instead of the CPU profile, what the server
 * allocates per post and where (V8's sampling heap profiler over the inspector, counting objects
 * the collector has freed too): the garbage behind the collector's share of the thread.
 * `--bare`: no profiler at all, for an A/B of two builds (its JavaScript-thread time per post is
 * the figure to compare: posts/s wait for the run queue of a busy box). `--crowd`: the bench's
 * contention rows instead, rounds of 200 posts at once on one slot of one host (one wins, 199 are
 * refused), as form posts without scripts or, with `--enhanced`, as the page's own posts; prints
 * each round's p99 (the first round after the warm-up's distinct slots runs the refusal's code
 * cold, as the bench's first crowd does).
 *
 *   node_modules/.bin/deno run -A bench/profile-bookings.ts [--api] [--cookie] [--alloc | --bare] [--crowd [--enhanced]] [--total N] [--v8 FLAGS]
 *   (after `npm run build`)
 */
import { parseArgs } from "node:util";
import { createEventType, createHost, seedStore } from "../tests/support/memory-app.ts";
import { startApp } from "../tests/support/app.ts";
import { postEnhanced, postPlain } from "../tests/support/http.ts";
import { EVERY_DAY_ALL_DAY } from "../tests/support/teams.ts";
import { freePort } from "../tests/support/ports.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    api: { type: "boolean", default: false },
    cookie: { type: "boolean", default: false },
    alloc: { type: "boolean", default: false },
    bare: { type: "boolean", default: false },
    total: { type: "string", default: "3000" },
    out: { type: "string", default: "" },
    v8: { type: "string", default: "" },
    crowd: { type: "boolean", default: false },
    enhanced: { type: "boolean", default: false },
  },
});
const TOTAL = Number(values.total);
const HOSTS = 100;
const C = 100;
const CROWD = 200;
/** Set after the warm-up when `--crowd`. */
let crowding = false;
const dayStartMs = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
const slot = (k: number) => new Date(dayStartMs + k * 900_000).toISOString().replace(".000Z", "Z");

const seeded = await seedStore("invito-profile-");
for (let h = 0; h < HOSTS; h++) {
  const host = await createHost(seeded.app, {
    username: `host${h}`,
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(seeded.app, host, {
    slug: "call",
    durationMin: 15,
    requiresConfirmation: true,
    bookingWindowDays: 60,
  });
}
seeded.kv.close();
const outDir = values.out || await Deno.makeTempDir({ prefix: "invito-cpuprof-" });
const inspectPort = freePort();
const app = await startApp({
  dataDir: seeded.dataDir,
  denoFlags: [
    ...(values.bare
      ? []
      : values.alloc
      ? [`--inspect=127.0.0.1:${inspectPort}`]
      : ["--cpu-prof", `--cpu-prof-dir=${outDir}`]),
    ...(values.v8 ? [`--v8-flags=${values.v8}`] : []),
  ],
  env: { INVITO_DISABLE_CRON: "true", INVITO_RATE_LIMIT: "off" },
});

const post = async (i: number, base: number) => {
  const host = crowding ? "host0" : `host${i % HOSTS}`;
  const start = slot(base + Math.floor(i / (crowding ? CROWD : HOSTS)));
  if (!values.api) {
    const form = {
      name: `Web ${i}`,
      email: `w${base}-${i}@example.test`,
      note: "",
      start,
      tz: "UTC",
    };
    if (values.enhanced) {
      return (await postEnhanced(app.baseUrl, `/calendar/${host}/call?/book`, form)).status;
    }
    // A browser's own cookie: 22 characters of base64url, as the booking page gives them.
    const headers: Record<string, string> = values.cookie
      ? { cookie: `invito_booker=${`c${base}x${i}`.padEnd(22, "0")}` }
      : {};
    return (await postPlain(app.baseUrl, `/calendar/${host}/call?/book`, form, headers)).status;
  }
  const res = await fetch(app.url("/api/v1/bookings"), {
    method: "POST",
    // As the bench's wrk asks: without Accept-Encoding (fetch would add gzip and br).
    headers: {
      "content-type": "application/json",
      "idempotency-key": `p-${base}-${i}`,
      "accept-encoding": "identity",
    },
    body: JSON.stringify({
      username: host,
      eventType: "call",
      start,
      timeZone: "UTC",
      name: `A ${i}`,
      email: `a${base}-${i}@example.test`,
    }),
  });
  await res.body?.cancel();
  return res.status;
};
async function run(total: number, base: number) {
  if (crowding) return await crowds(total, base);
  let next = 0;
  const statuses: Record<number, number> = {};
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < total) {
      const s = await post(next++, base);
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
  }));
  return { perSec: total / ((performance.now() - t0) / 1000), statuses };
}
/** Rounds of CROWD posts at once, each round on a slot of its own; prints each round's p99. */
async function crowds(total: number, base: number) {
  const statuses: Record<number, number> = {};
  const p99s: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r * CROWD < total; r++) {
    const times = await Promise.all(Array.from({ length: CROWD }, async (_, k) => {
      const t = performance.now();
      const s = await post(r * CROWD + k, base);
      statuses[s] = (statuses[s] ?? 0) + 1;
      return performance.now() - t;
    }));
    times.sort((a, b) => a - b);
    p99s.push(Math.round(times[Math.floor(CROWD * 0.99)]));
  }
  console.log("crowd p99 per round (ms):", p99s.join(" "));
  return { perSec: total / ((performance.now() - t0) / 1000), statuses };
}
function threads(pid: number | "self") {
  const m = new Map<string, number>();
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const st = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/stat`);
      const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      const [, wait] = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")
        .map(Number);
      m.set(`${name}#${t.name}`, Number(f[11]) + Number(f[12]));
      m.set(`${name}#${t.name} runq-wait`, wait / 1e7);
    } catch { /* gone */ }
  }
  return m;
}
// The warm-up on distinct slots, as the bench's booking rows run before its crowds.
await run(500, 0);
crowding = values.crowd;
const sampling = values.alloc ? await startAllocationSampling(inspectPort) : null;
const before = threads(app.pid()!), selfBefore = threads("self");
const io = () =>
  Object.fromEntries(
    Deno.readTextFileSync(`/proc/${app.pid()}/io`).trim().split("\n").map((l) => {
      const [k, v] = l.split(": ");
      return [k, Number(v)];
    }),
  ) as Record<string, number>;
const ioBefore = io();
const t0 = performance.now();
const r = await run(TOTAL, 20);
const secs = (performance.now() - t0) / 1000;
const cpu = (a: Map<string, number>, b: Map<string, number>) => {
  const by = new Map<string, number>();
  for (const [k, v] of b) {
    const n = k.replace(/#\d+/, "");
    by.set(n, (by.get(n) ?? 0) + v - (a.get(k) ?? 0));
  }
  return [...by].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).map(([k, v]) =>
    `${k} ${(v / secs).toFixed(0)} %`
  ).join(", ");
};
const serverAfter = threads(app.pid()!);
console.log("server threads:", cpu(before, serverAfter));
{
  // The JavaScript thread's CPU per post (clock ticks of 10 ms): what a change to the post's
  // code costs, less blurred by a busy box than posts/s, which waits for the run queue.
  let ticks = 0;
  for (const [k, v] of serverAfter) {
    if (/^deno#\d+$/.test(k)) ticks += v - (before.get(k) ?? 0);
  }
  console.log(`JavaScript thread per post: ${(ticks * 10_000 / TOTAL).toFixed(0)} µs`);
}
console.log("client threads:", cpu(selfBefore, threads("self")));
{
  const ioAfter = io();
  const per = (k: string) => (ioAfter[k] - ioBefore[k]) / TOTAL;
  console.log(
    `server I/O per post: ${(per("write_bytes") / 1024).toFixed(1)} KiB written to disk, ${
      per("syscr").toFixed(1)
    } read calls (${(per("rchar") / 1024).toFixed(1)} KiB), ${per("syscw").toFixed(1)} write calls`,
  );
}
console.log(`${Math.round(r.perSec)} posts/s`, JSON.stringify(r.statuses));
if (sampling || values.bare) {
  if (sampling) printAllocations(await sampling.stop(), TOTAL);
  await app.stop();
  Deno.exit(0);
}
await app.stop();

const file = [...Deno.readDirSync(outDir)].find((e) => e.name.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile in ${outDir}`);
type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
};
const prof = JSON.parse(Deno.readTextFileSync(`${outDir}/${file.name}`)) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const short = url.replace(/^.*\/(node_modules|\.deno-deploy|src|ext:)/, "$1");
  fn.set(
    `${functionName || "(anon)"} ${short}:${lineNumber + 1}`,
    (fn.get(`${functionName || "(anon)"} ${short}:${lineNumber + 1}`) ?? 0) + us,
  );
  const f = short.replace(/:\d+$/, "") || functionName;
  files.set(f, (files.get(f) ?? 0) + us);
}
const top = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) =>
    `${(100 * us / total).toFixed(1).padStart(5)} %  ${k}`
  ).join("\n");
console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled, ${outDir}/${file.name}`);
console.log("— functions (self) —\n" + top(fn, 45));
console.log("— files (self) —\n" + top(files, 30));

type HeapNode = {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
};

/**
 * V8's sampling heap profiler on the server, over its inspector's WebSocket (Chrome DevTools
 * Protocol): every sampled allocation is kept, also those the collector freed since.
 */
async function startAllocationSampling(port: number) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.onopen = ok;
    ws.onerror = fail;
  });
  let id = 0;
  const waiting = new Map<number, (r: unknown) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    waiting.get(m.id)?.(m.result);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((ok) => {
      waiting.set(++id, ok);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("HeapProfiler.enable");
  await send("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop(): Promise<HeapNode> {
      const r = (await send("HeapProfiler.stopSampling")) as { profile: { head: HeapNode } };
      ws.close();
      return r.profile.head;
    },
  };
}

function printAllocations(head: HeapNode, posts: number) {
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(/^.*\/(node_modules|\.deno-deploy|src|ext:)/, "$1");
    const k = `${functionName || "(anon)"} ${short}:${lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + n.selfSize);
    const f = short || functionName || "(root)";
    files.set(f, (files.get(f) ?? 0) + n.selfSize);
    total += n.selfSize;
    n.children.forEach(walk);
  };
  walk(head);
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, b]) =>
      `${(b / posts / 1024).toFixed(1).padStart(6)} KiB  ${
        (100 * b / total).toFixed(1).padStart(5)
      } %  ${k}`
    ).join("\n");
  console.log(`allocated per post: ${(total / posts / 1024).toFixed(1)} KiB (sampled)`);
  console.log("— functions (self) —\n" + top(fn, 45));
  console.log("— files (self) —\n" + top(files, 25));
}
