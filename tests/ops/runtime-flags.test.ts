/**
 * The server's flags (its V8 flags, ADR 049; no code cache, ADR 053) are spelled once for tests
 * and benchmarks (tests/support/app.ts) and must match how production starts it: the
 * Dockerfile's CMD and scripts/start.sh. A benchmark of a server started otherwise would measure something else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LOW_MEMORY_V8_FLAGS, repoRoot, SERVER_DENO_FLAGS } from "../support/app.ts";

Deno.test("runtime flags: the Dockerfile's CMD and scripts/start.sh start the server with the flags tests use", async () => {
  const dockerfile = await Deno.readTextFile(join(repoRoot, "Dockerfile"));
  const cmd = dockerfile.split("\n").findLast((l) => l.startsWith("CMD "))!;
  const argv = JSON.parse(cmd.slice(4)) as string[];
  const start = await Deno.readTextFile(join(repoRoot, "scripts", "start.sh"));
  const exec = start.split("\n").find((l) => l.startsWith("exec ") && l.includes("server.ts"))!;
  const execArgv = exec.split(" ");
  for (const flag of SERVER_DENO_FLAGS) {
    assert.ok(argv.includes(flag), `${flag}: ${cmd}`);
    assert.ok(argv.indexOf(flag) < argv.indexOf("server.ts"), cmd);
    assert.ok(execArgv.includes(flag), `${flag}: ${exec}`);
    assert.ok(execArgv.indexOf(flag) < execArgv.indexOf("server.ts"), exec);
  }
});

Deno.test("runtime flags: the README's low-memory setting is the one the benchmark measures", async () => {
  const readme = await Deno.readTextFile(join(repoRoot, "README.md"));
  assert.ok(readme.includes(`DENO_V8_FLAGS=${LOW_MEMORY_V8_FLAGS}`));
});
