/**
 * `npm run cluster`: the KV Connect test server, N processes and the round-robin proxy start,
 * serve the demo host through the proxy from every process, and stop on SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot, SERVER_V8_FLAGS } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name: "npm run cluster: two processes behind one port serve the demo host, and stop on SIGTERM",
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
    try {
      await waitFor(() => out.includes("Invito cluster: 2 processes"), {
        timeoutMs: 30_000,
        message: () => `the start line\n${out}`,
      });
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/calendar/demo/intro-call`)).status === 200, {
        timeoutMs: 30_000,
        message: () => `the demo page through the proxy\n${out}`,
      });
      // Requests take turns: each process answers one of two consecutive requests.
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${base}/calendar/demo/intro-call`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /Intro call/);
      }
      // Each process runs as production starts it, with its V8 flags (runtime-flags.test.ts).
      const servers = childArgv(child.pid).filter((argv) => argv.includes("server.ts"));
      assert.equal(servers.length, 2, JSON.stringify(servers));
      for (const argv of servers) assert.ok(argv.includes(SERVER_V8_FLAGS), argv.join(" "));
      assert.match(out, /\[p1\] /);
      assert.match(out, /\[p2\] /);
      assert.match(out, /in production use Deno Deploy KV or denokv/);
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      await pumps;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      assert.equal(status.code, 0, out);
    }
  },
});

/** The command lines of a process's children, from /proc. */
function childArgv(parent: number): string[][] {
  const out: string[][] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      out.push(Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").filter(Boolean));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
