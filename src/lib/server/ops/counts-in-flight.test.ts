import assert from "node:assert/strict";
import { settleCounts } from "./counts-in-flight.ts";

Deno.test("counts in flight: server.ts's copy of the module waits for a count the SvelteKit build's copy started (shutdown closes KV only after it)", async () => {
  // server.ts imports src/; the build bundles its own copy. Another specifier is another module
  // instance, as the bundle's is.
  const specifier = "./counts-in-flight.ts?copy=bundle";
  const build = (await import(specifier)) as typeof import("./counts-in-flight.ts");
  let written = false;
  let write!: () => void;
  void build.trackCount(new Promise<void>((r) => (write = r)).then(() => void (written = true)));
  let settled = false;
  const settling = settleCounts().then(() => (settled = true));
  // A settle with nothing to wait for is done within microtasks: one macrotask is past it.
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(settled, false, "shutdown went on while a count was still being written");
  write();
  await settling;
  assert.equal(written, true);
});
