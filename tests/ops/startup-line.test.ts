/**
 * The built server's first line names the address it really listens on: started on a port of
 * its own without INVITO_BASE_URL, it must not send the operator to http://localhost:8080/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name: "startup line: without INVITO_BASE_URL it says to open the address it listens on",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "invito-startup-" });
    const port = freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      if (!k.startsWith("INVITO_")) env[k] = v;
    }
    const child = new Deno.Command(denoBin, {
      args: ["run", "-A", "server.ts"],
      cwd: repoRoot,
      env: {
        ...env,
        NO_COLOR: "1",
        INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
        INVITO_DB_PATH: join(dataDir, "invito.kv"),
        INVITO_SESSION_SECRET: "startup-line-test-".padEnd(48, "x"),
        INVITO_DISABLE_CRON: "true",
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const pump = async (s: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of s) out += decoder.decode(chunk, { stream: true });
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    try {
      const line = await waitFor(() => /Invito listening on .*/.exec(out)?.[0], {
        timeoutMs: 30_000,
        message: () => `the startup line in:\n${out}`,
      });
      assert.equal(
        line,
        `Invito listening on http://127.0.0.1:${port} — open http://127.0.0.1:${port}/`,
      );
      assert.equal(
        await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }),
        200,
      );
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await pumps;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
