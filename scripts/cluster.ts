/**
 * `npm run cluster -- [options]`: scale-out on one machine, to try it. Starts
 *
 * - the KV Connect test server (tests/support/kv-connect-server.ts; data in one local file),
 * - N Invito processes on N ports, each opening that server with Deno's remote KV client
 *   (INVITO_DB_PATH=http://…, DENO_KV_ACCESS_TOKEN), exactly as they would open Deno Deploy KV
 *   or a self-hosted denokv,
 * - a tiny round-robin HTTP proxy on one port in front of them,
 *
 * and stops them all on Ctrl-C. This is a way to see several processes share one store; it is
 * not a production setup: in production point INVITO_DB_PATH at Deno Deploy KV or at denokv.
 *
 * Options (all optional):
 *   --processes N     Invito processes (default 3)
 *   --port P          the proxy's port (default 8080; every process's INVITO_BASE_URL names it
 *                     unless INVITO_BASE_URL is set)
 *   --data FILE       the KV server's data file (default ./data/cluster.kv)
 *   --latency MS      delay added to each KV request, e.g. 5 or 5-20 (default none)
 *   --demo            seed the demo host (INVITO_DEMO=1)
 * Every other INVITO_* setting in the environment is passed to each process. The session secret
 * (INVITO_SESSION_SECRET, shared by all processes) is kept beside the data file unless set.
 * `--help` prints the usage; an unknown option or a stray word is refused with it (exit 2); a
 * proxy port in use (exit 1) is said before anything starts; a process that ends on its own ends
 * the cluster with exit 1 (a signal: 0).
 */
import { dirname, join } from "node:path";
import { startKvConnect } from "../tests/support/kv-connect-server.ts";
import { roundRobinProxy } from "../tests/support/cluster.ts";
import { SERVER_DENO_FLAGS } from "../tests/support/app.ts";

const root = join(import.meta.dirname!, "..");
const deno = Deno.execPath();

const USAGE = `usage: npm run cluster -- [options]

Starts a KV Connect test server, N Invito processes on it and a round-robin proxy in front
(to try scaling out on one machine; not a production setup).

  --processes N     Invito processes (default 3, at most 16)
  --port P          the proxy's port (default 8080)
  --data FILE       the KV server's data file (default ./data/cluster.kv)
  --latency MS      delay added to each KV request, e.g. 5 or 5-20 (default none)
  --demo            seed the demo host
  --help, -h        this text

Every other INVITO_* setting in the environment is passed to each process. Ctrl-C stops them
all. Exit codes: 0 stopped by a signal, 1 failed (a process ended on its own, the port is in
use), 2 wrong usage.`;

const VALUED = ["--processes", "--port", "--data", "--latency"];
const FLAGS = ["--demo", "--help", "-h"];

/** A usage error: the mistake, then the usage (exit 2). */
function fail(msg: string): never {
  console.error(`cluster: ${msg}\n\n${USAGE}`);
  Deno.exit(2);
}

/** The options given, each checked: unknown ones, stray words and missing values are refused. */
function readArgs(args: string[]): Map<string, string | true> {
  const given = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUED.includes(a)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("-")) fail(`${a} needs a value`);
      given.set(a, value);
      i++;
    } else if (FLAGS.includes(a)) given.set(a, true);
    else if (a.startsWith("-")) {
      const near = [...VALUED, ...FLAGS].find((k) => k.length > 2 && closeTo(a, k));
      fail(`unknown option ${a}${near ? ` (did you mean ${near}?)` : ""}`);
    } else fail(`unexpected argument: ${a}`);
  }
  return given;
}

/** Two words at most two edits apart (a typo). */
function closeTo(a: string, b: string): boolean {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] <= 2;
}

const given = readArgs(Deno.args);
if (given.has("--help") || given.has("-h")) {
  console.log(USAGE);
  Deno.exit(0);
}
const arg = (name: string) => {
  const v = given.get(`--${name}`);
  return typeof v === "string" ? v : undefined;
};
const demo = given.has("--demo");

const processes = Number(arg("processes") ?? 3);
if (!Number.isInteger(processes) || processes < 1 || processes > 16) {
  fail("--processes must be a whole number from 1 to 16");
}
const port = Number(arg("port") ?? 8080);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail("--port must be a port number");
const dataFile = arg("data") ?? join(root, "data", "cluster.kv");
const latencyArg = arg("latency");
const latencyMs: number | [number, number] | undefined = latencyArg === undefined
  ? undefined
  : latencyArg.includes("-")
  ? latencyArg.split("-").map(Number) as [number, number]
  : Number(latencyArg);
if (
  latencyMs !== undefined &&
  ![latencyMs].flat().every((n) => Number.isFinite(n) && n >= 0 && n <= 10_000)
) {
  fail("--latency takes milliseconds: 5, or a range like 5-20");
}

// The proxy's port first: taken, nothing else is started.
const ports: number[] = [];
let proxy: ReturnType<typeof roundRobinProxy>;
try {
  proxy = roundRobinProxy(() => ports.map((p) => `http://127.0.0.1:${p}`), { port });
} catch (err) {
  if (!(err instanceof Deno.errors.AddrInUse)) throw err;
  console.error(
    `cluster: port ${port} is in use (another server, or a cluster already running); choose another with --port`,
  );
  Deno.exit(1);
}

// Build first when there is no build.
try {
  await Deno.stat(join(root, ".deno-deploy", "handler.ts"));
} catch {
  console.error("cluster: building (npm run build)");
  const built = await new Deno.Command("npm", { args: ["run", "--silent", "build"], cwd: root })
    .output();
  if (!built.success) {
    console.error(`cluster: the build failed:\n${new TextDecoder().decode(built.stderr)}`);
    await proxy.close();
    Deno.exit(1);
  }
}

await Deno.mkdir(dirname(dataFile), { recursive: true, mode: 0o700 });
const secretFile = `${dataFile}.session-secret`;
let secret = Deno.env.get("INVITO_SESSION_SECRET");
if (!secret) {
  try {
    secret = (await Deno.readTextFile(secretFile)).trim();
  } catch {
    secret = Array.from(
      crypto.getRandomValues(new Uint8Array(32)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    await Deno.writeTextFile(secretFile, secret + "\n", { mode: 0o600 });
  }
}

const kv = await startKvConnect({
  path: dataFile,
  faults: latencyMs === undefined ? {} : { latencyMs },
});
for (let i = 0; i < processes; i++) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  ports.push((l.addr as Deno.NetAddr).port);
  l.close();
}
const baseUrl = Deno.env.get("INVITO_BASE_URL") ?? proxy.baseUrl;

const children = ports.map((p, i) => {
  const child = new Deno.Command(deno, {
    // Started as production starts it (the Dockerfile's CMD; tests/ops/runtime-flags.test.ts).
    args: [
      "run",
      ...SERVER_DENO_FLAGS,
      "-A",
      "server.ts",
      ...(demo ? ["--demo"] : []),
    ],
    cwd: root,
    env: {
      INVITO_DB_PATH: kv.url,
      DENO_KV_ACCESS_TOKEN: kv.token,
      INVITO_LISTEN_ADDR: `127.0.0.1:${p}`,
      INVITO_BASE_URL: baseUrl,
      INVITO_SESSION_SECRET: secret!,
      ...(demo ? { INVITO_DEMO: "1" } : {}),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const prefix = new TextEncoder().encode(`[p${i + 1}] `);
  const pipe = async (from: ReadableStream<Uint8Array>, to: typeof Deno.stdout) => {
    let atStart = true;
    for await (const chunk of from) {
      // each line of a process's output starts with its name
      let start = 0;
      for (let j = 0; j < chunk.length; j++) {
        if (atStart) {
          to.writeSync(prefix);
          atStart = false;
        }
        if (chunk[j] === 10) {
          to.writeSync(chunk.subarray(start, j + 1));
          start = j + 1;
          atStart = true;
        }
      }
      if (start < chunk.length) to.writeSync(chunk.subarray(start));
    }
  };
  void pipe(child.stdout, Deno.stdout).catch(() => {});
  void pipe(child.stderr, Deno.stderr).catch(() => {});
  return child;
});

let stopping = false;
/** Stops everything; exits 0 when asked to (a signal), 1 when a process ended on its own. */
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {
      // gone
    }
  }
  await Promise.all(children.map((c) => c.status));
  await proxy.close();
  await kv.close();
  Deno.exit(code);
};
Deno.addSignalListener("SIGINT", () => stop(0));
Deno.addSignalListener("SIGTERM", () => stop(0));
// A process that exits on its own ends the cluster (its output says why), as a failure.
const exited = Promise.race(children.map((c, i) => c.status.then((s) => ({ s, i }))));
// The cluster is announced once every process answers: the proxy passes over one still starting,
// so until then every request went to the first one up and "take turns" was not yet true.
if (await Promise.race([everyProcessAnswers(), exited.then(() => false)])) {
  console.log(
    `Invito cluster: ${processes} process${processes === 1 ? "" : "es"} (${
      ports.map((p) => `127.0.0.1:${p}`).join(", ")
    }) on one KV over KV Connect (${kv.url}, data in ${dataFile}).\n` +
      `Open ${proxy.baseUrl}/ — requests take turns across the processes.\n` +
      `This KV server is a test stand-in: in production use Deno Deploy KV or denokv.`,
  );
}
const first = await exited;
if (!stopping) {
  console.error(`cluster: process p${first.i + 1} exited (code ${first.s.code}); stopping`);
  await stop(1);
}

/** Resolves (true) once each process answers GET /healthz with 200. */
async function everyProcessAnswers(): Promise<true> {
  await Promise.all(ports.map(async (p) => {
    while (!stopping) {
      try {
        const res = await fetch(`http://127.0.0.1:${p}/healthz`);
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }));
  return true;
}
