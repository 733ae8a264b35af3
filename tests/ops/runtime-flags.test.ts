/**
 * The server's V8 flags (ADR 049) are spelled once for tests and benchmarks
 * (tests/support/app.ts) and must match how production starts it: the Dockerfile's CMD and
 * scripts/start.sh. A benchmark of a server started otherwise would measure something else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LOW_MEMORY_V8_FLAGS, repoRoot, SERVER_V8_FLAGS } from "../support/app.ts";

Deno.test("runtime flags: the Dockerfile's CMD and scripts/start.sh start the server with the V8 flags tests use", async () => {
  const dockerfile = await Deno.readTextFile(join(repoRoot, "Dockerfile"));
  const cmd = dockerfile.split("\n").findLast((l) => l.startsWith("CMD "))!;
  const argv = JSON.parse(cmd.slice(4)) as string[];
  assert.ok(argv.includes(SERVER_V8_FLAGS), cmd);
  assert.ok(argv.indexOf(SERVER_V8_FLAGS) < argv.indexOf("server.ts"), cmd);
  const start = await Deno.readTextFile(join(repoRoot, "scripts", "start.sh"));
  const exec = start.split("\n").find((l) => l.startsWith("exec ") && l.includes("server.ts"))!;
  assert.ok(exec.includes(` ${SERVER_V8_FLAGS} `), exec);
});

Deno.test("runtime flags: the README's low-memory setting is the one the benchmark measures", async () => {
  const readme = await Deno.readTextFile(join(repoRoot, "README.md"));
  assert.ok(readme.includes(`DENO_V8_FLAGS=${LOW_MEMORY_V8_FLAGS}`));
});
