/**
 * The Docker image without Docker (no daemon on these machines): the runtime stage's files are
 * made by scripts/assemble-runtime.sh, the very script the Dockerfile's build stage runs, and the
 * stage's ENV, WORKDIR, CMD and HEALTHCHECK are read from the Dockerfile and run as written, with
 * /app, /data and /tmp mapped to temporary folders. So the test breaks when the Dockerfile copies
 * something else, runs something else, or the runtime misses a package the server imports.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { parseDockerfile } from "./dockerfile.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "Docker runtime stage: the assembled files, started by the Dockerfile's CMD (USER non-root, /data a volume), serve /healthz, a booking page and a booking; HEALTHCHECK passes; SIGTERM exits 0",
  async fn() {
    const stages = parseDockerfile(await Deno.readTextFile(join(repoRoot, "Dockerfile")));
    const build = stages.find((s) => s.name === "build");
    const runtime = stages.at(-1)!;
    assert.ok(build, "a build stage named build");

    // The two agree: the build stage assembles /runtime, the runtime stage copies exactly that.
    assert.ok(
      build.instructions.some((i) =>
        i.op === "RUN" && /bash scripts\/assemble-runtime\.sh \/runtime\b/.test(i.args)
      ),
      "the build stage runs scripts/assemble-runtime.sh /runtime",
    );
    const copies = runtime.instructions.filter((i) => i.op === "COPY" || i.op === "ADD");
    assert.deepEqual(copies.map((c) => c.args), ["--from=build /runtime /app"]);
    const user = runtime.instructions.findLast((i) => i.op === "USER")?.args;
    assert.ok(user && user !== "root" && user !== "0", `runs as a non-root user (${user})`);
    assert.ok(
      runtime.instructions.some((i) => i.op === "VOLUME" && i.args.includes('"/data"')),
      "/data is a volume",
    );
    const workdir = runtime.instructions.findLast((i) => i.op === "WORKDIR")?.args;
    const cmd = runtime.instructions.findLast((i) => i.op === "CMD");
    const health = runtime.instructions.findLast((i) => i.op === "HEALTHCHECK");
    assert.ok(workdir && cmd && health, "WORKDIR, CMD and HEALTHCHECK are set");
    const cmdArgv = JSON.parse(cmd.args) as string[];
    const healthArgv = JSON.parse(health.args.replace(/^.*?\bCMD\s+/s, "")) as string[];
    assert.ok(/--interval=\S+/.test(health.args), "HEALTHCHECK has an interval");

    const tmp = await Deno.makeTempDir({ prefix: "invito-docker-" });
    const map = { "/app": join(tmp, "app"), "/data": join(tmp, "data"), "/tmp": join(tmp, "tmp") };
    const mapped = (s: string) =>
      s.replace(
        /(^|[=,\s])(\/app|\/data|\/tmp)(?=$|[/,\s])/g,
        (_, pre: string, p: keyof typeof map) => pre + map[p],
      );
    let child: Deno.ChildProcess | null = null;
    let output = "";
    try {
      const assemble = await new Deno.Command("bash", {
        args: ["scripts/assemble-runtime.sh", map["/app"]],
        cwd: repoRoot,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(
        assemble.code,
        0,
        `assemble-runtime.sh failed:\n${new TextDecoder().decode(assemble.stderr)}`,
      );
      await Deno.mkdir(map["/data"], { recursive: true });
      await Deno.mkdir(map["/tmp"], { recursive: true });

      // Production packages only, and nothing from the development toolchain.
      const nm = join(map["/app"], "node_modules");
      for (const dev of ["vite", "typescript", "lighthouse", "playwright-core", "svelte-check"]) {
        assert.equal(await exists(join(nm, dev)), false, `${dev} is not in the image`);
      }
      for (const prod of ["@sveltejs/kit", "@deno/svelte-adapter", "urlpattern-polyfill"]) {
        assert.ok(await exists(join(nm, prod)), `${prod} is in the image`);
      }
      assert.ok(await exists(join(map["/app"], "bin", "deno")), "bin/deno is in the image");

      const port = freePort();
      const base = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = { PATH: "/usr/bin:/bin" };
      for (const i of runtime.instructions.filter((i) => i.op === "ENV")) {
        for (const [k, v] of parseEnv(i.args)) env[k] = mapped(v);
      }
      // Only what a `docker run -p … -e …` would add: the address and the public URL.
      Object.assign(env, {
        INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
        INVITO_BASE_URL: base,
        INVITO_DEMO: "1",
        INVITO_RATE_LIMIT: "off",
        INVITO_MIN_FILL_TIME: "0s",
      });
      const argv = cmdArgv.map(mapped);
      child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        cwd: mapped(workdir),
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const pump = async (s: ReadableStream<Uint8Array>) => {
        const text = s.pipeThrough(
          new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
        );
        for await (const chunk of text) output += chunk;
      };
      const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
      let exited: Deno.CommandStatus | null = null;
      const status = child.status.then((s) => (exited = s));

      await waitFor(async () => {
        if (exited) throw new Error(`exited ${JSON.stringify(exited)}\n${output}`);
        const r = await fetch(`${base}/healthz`);
        await r.body?.cancel();
        return r.status === 200;
      }, { timeoutMs: 30_000, message: () => `GET /healthz → 200\n${output}` });

      const page = await fetch(`${base}/calendar/demo/intro-call`);
      const html = await page.text();
      assert.equal(page.status, 200, "the booking page renders");
      const asset = /\/_app\/immutable\/[^"'\s]+\.(js|css)/.exec(html)?.[0];
      assert.ok(asset, "the page links its assets");
      const assetRes = await fetch(base + asset, { headers: { "accept-encoding": "br" } });
      await assetRes.body?.cancel();
      assert.equal(assetRes.status, 200, `${asset} is served`);

      const slot = (await slotsAhead(base, "demo", "quick-chat", 14))[0];
      assert.ok(slot, "the demo host offers a slot");
      const booked = await fetch(`${base}/calendar/demo/quick-chat?/book`, {
        method: "POST",
        redirect: "manual",
        headers: { origin: base, accept: "text/html" },
        body: new URLSearchParams({
          name: "Docker Guest",
          email: "docker@example.test",
          note: "",
          start: slot,
          tz: "UTC",
        }),
      });
      await booked.body?.cancel();
      assert.equal(booked.status, 303, "a booking is stored in /data");
      assert.ok(await exists(join(map["/data"], "invito.kv")), "the store lives in the volume");

      // INVITO_BACKUP_DIR from the Dockerfile: a first backup is taken at start, within the
      // permissions of the CMD (SQLite reads the store, writes only under /data).
      const backups = await waitFor(async () => {
        const names: string[] = [];
        for await (const e of Deno.readDir(mapped("/data/backups"))) names.push(e.name);
        return names.find((n) => /^invito-.*\.backup\.gz$/.test(n));
      }, { timeoutMs: 20_000, message: () => `a scheduled backup in /data/backups\n${output}` });
      assert.ok(backups);

      const hc = await new Deno.Command(mapped(healthArgv[0]), {
        args: healthArgv.slice(1).map(mapped),
        cwd: mapped(workdir),
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(hc.code, 0, `HEALTHCHECK passes: ${new TextDecoder().decode(hc.stderr)}`);

      child.kill("SIGTERM");
      const done = await Promise.race([
        status,
        new Promise<null>((r) => setTimeout(() => r(null), 15_000)),
      ]);
      await pumps;
      assert.ok(done, `the server exits after SIGTERM\n${output}`);
      assert.equal(done.code, 0, `exit code 0 after SIGTERM\n${output}`);
      assert.match(output, /shutdown: done/);
      child = null;
    } finally {
      if (child) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
      }
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** `ENV A=1 B="x y"` (the form our Dockerfile uses) → pairs. */
function parseEnv(args: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) {
    out.push([m[1], m[3] ?? m[2]]);
  }
  return out;
}
