/**
 * The built server checks its configuration before it does anything else: a setting it cannot
 * work with stops it at start with the variable's name, not at the first request with an error
 * from deep inside (here: a remote store without its access token).
 */
import assert from "node:assert/strict";
import { denoBin, repoRoot } from "../support/app.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name:
    "server start: a remote INVITO_DB_PATH without DENO_KV_ACCESS_TOKEN exits 1 at once, naming both variables",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      // Other test files in this process set the token for their own stores.
      if (!k.startsWith("INVITO_") && k !== "DENO_KV_ACCESS_TOKEN") env[k] = v;
    }
    const port = freePort();
    const child = new Deno.Command(denoBin, {
      args: ["run", "-A", "server.ts"],
      cwd: repoRoot,
      env: {
        ...env,
        NO_COLOR: "1",
        INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
        // Nothing listens there: the server must not get as far as asking.
        INVITO_DB_PATH: `http://127.0.0.1:${freePort()}/`,
        INVITO_SESSION_SECRET: "startup-config-test-".padEnd(48, "x"),
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
    let exited: Deno.CommandStatus | null = null;
    const status = child.status.then((s) => (exited = s));
    try {
      await waitFor(() => exited, {
        timeoutMs: 30_000,
        message: () => `the server to stop at start; it said:\n${out}`,
      });
    } finally {
      if (!exited) child.kill("SIGKILL");
      await status;
      await pumps;
    }
    assert.equal(exited!.code, 1, out);
    assert.match(out, /Invito cannot start; fix these settings/);
    assert.match(
      out,
      /INVITO_DB_PATH names a remote KV: set DENO_KV_ACCESS_TOKEN to its access token/,
    );
    assert.doesNotMatch(out, /listening/);
  },
});
