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
 */
import { dirname, join } from "node:path";
import { startKvConnect } from "../tests/support/kv-connect-server.ts";
import { roundRobinProxy } from "../tests/support/cluster.ts";
import { SERVER_V8_FLAGS } from "../tests/support/app.ts";

const root = join(import.meta.dirname!, "..");
const deno = Deno.execPath();

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}
function fail(msg: string): never {
  console.error(`cluster: ${msg}`);
  Deno.exit(2);
}

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

// Build first when there is no build.
try {
  await Deno.stat(join(root, ".deno-deploy", "handler.ts"));
} catch {
  console.error("cluster: building (npm run build)");
  const built = await new Deno.Command("npm", { args: ["run", "--silent", "build"], cwd: root })
    .output();
  if (!built.success) fail("the build failed");
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
const ports: number[] = [];
for (let i = 0; i < processes; i++) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  ports.push((l.addr as Deno.NetAddr).port);
  l.close();
}
const proxy = roundRobinProxy(() => ports.map((p) => `http://127.0.0.1:${p}`), { port });
const baseUrl = Deno.env.get("INVITO_BASE_URL") ?? proxy.baseUrl;

const children = ports.map((p, i) => {
  const child = new Deno.Command(deno, {
    // Started as production starts it (the Dockerfile's CMD; tests/ops/runtime-flags.test.ts).
    args: [
      "run",
      SERVER_V8_FLAGS,
      "-A",
      "server.ts",
      ...(Deno.args.includes("--demo") ? ["--demo"] : []),
    ],
    cwd: root,
    env: {
      INVITO_DB_PATH: kv.url,
      DENO_KV_ACCESS_TOKEN: kv.token,
      INVITO_LISTEN_ADDR: `127.0.0.1:${p}`,
      INVITO_BASE_URL: baseUrl,
      INVITO_SESSION_SECRET: secret!,
      ...(Deno.args.includes("--demo") ? { INVITO_DEMO: "1" } : {}),
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

console.log(
  `Invito cluster: ${processes} process${processes === 1 ? "" : "es"} (${
    ports.map((p) => `127.0.0.1:${p}`).join(", ")
  }) on one KV over KV Connect (${kv.url}, data in ${dataFile}).\n` +
    `Open ${proxy.baseUrl}/ — requests take turns across the processes.\n` +
    `This KV server is a test stand-in: in production use Deno Deploy KV or denokv.`,
);

let stopping = false;
const stop = async () => {
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
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
// A process that exits on its own ends the cluster (its output says why).
const first = await Promise.race(children.map((c, i) => c.status.then((s) => ({ s, i }))));
if (!stopping) {
  console.error(`cluster: process p${first.i + 1} exited (code ${first.s.code}); stopping`);
  await stop();
}
