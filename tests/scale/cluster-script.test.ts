/**
 * `npm run cluster`: the KV Connect test server, N processes and the round-robin proxy start,
 * serve the demo host through the proxy from every process, and stop on SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot, SERVER_DENO_FLAGS } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name:
    "npm run cluster: two processes behind one port serve the demo host in turns, announced once both answer, and stop on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-cluster-" });
    const port = freePort();
    const child = new Deno.Command(denoBin, {
      args: [
        "run",
        "-A",
        "scripts/cluster.ts",
        "--processes",
        "2",
        "--port",
        String(port),
        "--data",
        join(dir, "cluster.kv"),
        "--latency",
        "1-3",
        "--demo",
      ],
      cwd: repoRoot,
      env: { NO_COLOR: "1", INVITO_RATE_LIMIT: "off" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const read = async (s: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      for await (const c of s) out += dec.decode(c, { stream: true });
    };
    const pumps = Promise.all([read(child.stdout), read(child.stderr)]);
    // One process is held (SIGSTOP) before it can listen, as a slow start on a busy box would:
    // the cluster is not announced while it does not answer.
    let held: number | null = null;
    try {
      held = await waitFor(() => {
        const pids = childProcesses(child.pid).filter((c) => c.argv.includes("server.ts"));
        return pids.length === 2 ? Math.max(...pids.map((c) => c.pid)) : null;
      }, { timeoutMs: 30_000, intervalMs: 5, message: () => `two processes\n${out}` });
      Deno.kill(held, "SIGSTOP");
      const base = `http://127.0.0.1:${port}`;
      // (each try bounded: a held process that had bound its port would never answer)
      const page = () =>
        fetch(`${base}/calendar/demo/intro-call`, { signal: AbortSignal.timeout(5_000) });
      await waitFor(async () => (await page()).status === 200, {
        timeoutMs: 30_000,
        message: () => `the demo page through the proxy\n${out}`,
      });
      assert.equal(out.match(/Invito listening/g)?.length, 1, out);
      assert.doesNotMatch(out, /Invito cluster:/, "not announced while a process does not answer");
      Deno.kill(held, "SIGCONT");
      held = null;
      await waitFor(() => out.includes("Invito cluster: 2 processes"), {
        timeoutMs: 30_000,
        message: () => `the start line\n${out}`,
      });
      // Requests take turns: each process answers one of two consecutive requests.
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${base}/calendar/demo/intro-call`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /Intro call/);
      }
      // Each process runs as production starts it, with its flags (runtime-flags.test.ts).
      const servers = childProcesses(child.pid).map((c) => c.argv).filter((argv) =>
        argv.includes("server.ts")
      );
      assert.equal(servers.length, 2, JSON.stringify(servers));
      for (const argv of servers) {
        for (const flag of SERVER_DENO_FLAGS) assert.ok(argv.includes(flag), argv.join(" "));
      }
      // Announced once both answer, so the requests took turns from the first: each process
      // logged one of them (its log line follows its answer, hence the wait).
      await waitFor(
        () =>
          [1, 2].every((p) =>
            out.slice(out.indexOf("Invito cluster:")).includes(
              `[p${p}] request method=GET path=/calendar/demo/intro-call `,
            )
          ),
        { timeoutMs: 10_000, message: () => `a request served by each process\n${out}` },
      );
      assert.match(out, /in production use Deno Deploy KV or denokv/);
    } finally {
      if (held !== null) Deno.kill(held, "SIGCONT");
      child.kill("SIGTERM");
      const status = await child.status;
      await pumps;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      assert.equal(status.code, 0, out);
    }
  },
});

/** A process's children and their command lines, from /proc. */
function childProcesses(parent: number): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      out.push({
        pid: Number(e.name),
        argv: Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").filter(Boolean),
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * `npm run cluster` with `args`, run to its end: each case ends by itself, and one that keeps
 * running is stopped (SIGTERM, which stops its processes too) so that it fails, not hangs.
 */
async function cluster(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(denoBin, {
    args: ["run", "-A", "scripts/cluster.ts", ...args],
    cwd: repoRoot,
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(60_000),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name:
    "npm run cluster: --help prints the usage and starts nothing; an unknown option, a stray argument or an option without its value is refused with the usage (exit 2)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-cluster-usage-" });
    try {
      const data = join(dir, "cluster.kv");
      for (const help of ["--help", "-h"]) {
        const out = await cluster([help, "--data", data]);
        assert.equal(out.code, 0, out.stderr);
        assert.match(out.stdout, /^usage: npm run cluster -- \[options\]/m);
        assert.match(out.stdout, /--processes N/);
        assert.doesNotMatch(out.stdout + out.stderr, /Invito cluster:|\[p1\]/, "nothing started");
      }
      assert.deepEqual([...Deno.readDirSync(dir)], [], "no data file was made");
      const cases: [string[], RegExp][] = [
        [
          ["--procesess", "1"],
          /^cluster: unknown option --procesess \(did you mean --processes\?\)/,
        ],
        [["--verbose"], /^cluster: unknown option --verbose$/m],
        [["three"], /^cluster: unexpected argument: three/],
        [["--port"], /^cluster: --port needs a value/],
        [["--processes", "--demo"], /^cluster: --processes needs a value/],
        [["--processes", "0"], /^cluster: --processes must be a whole number from 1 to 16/],
      ];
      for (const [args, message] of cases) {
        const out = await cluster([...args, "--data", data]);
        assert.equal(out.code, 2, `${args.join(" ")}: ${out.stdout}${out.stderr}`);
        assert.match(out.stderr, message, args.join(" "));
        assert.match(out.stderr, /usage: npm run cluster -- \[options\]/, "with the usage");
        assert.doesNotMatch(out.stdout, /Invito cluster:/, "nothing started");
      }
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "npm run cluster: a proxy port in use is said in one line (exit 1, no stack trace), before anything starts; a process that fails ends the cluster with a non-zero exit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-cluster-fail-" });
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (taken.addr as Deno.NetAddr).port;
      const busy = await cluster(["--port", String(port), "--data", join(dir, "a.kv")]);
      assert.equal(busy.code, 1, busy.stdout + busy.stderr);
      assert.match(busy.stderr, new RegExp(`^cluster: port ${port} is in use`, "m"));
      assert.doesNotMatch(busy.stderr, /^\s+at /m, "no stack trace");
      assert.doesNotMatch(busy.stdout, /Invito cluster:/);

      // Every process refuses its configuration and exits: so does the cluster, not with 0.
      const failed = await cluster(
        ["--processes", "1", "--port", String(freePort()), "--data", join(dir, "b.kv")],
        { INVITO_ADMINS: "not-an-address" },
      );
      assert.notEqual(failed.code, 0, failed.stdout + failed.stderr);
      assert.match(failed.stderr, /cluster: process p1 exited \(code \d+\); stopping/);
    } finally {
      taken.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
