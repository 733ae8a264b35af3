/**
 * ICS fuzz under a time and memory cap: generated calendars (odd dates, zones, RRULE parts in
 * and out of range), real exports mutated (lines deleted, duplicated, truncated, huge numbers,
 * unbalanced BEGIN/END) and the known bombs (ical.js BYSETPOS walks, a two-billion COUNT,
 * SECONDLY rules, missing END) go through the CalDAV busy parser (busyFromIcs); whatever a guest
 * types goes through buildIcs and back through ical.js unchanged.
 *
 * The fuzz runs in a child process (ics-fuzz-worker.ts) with a 256 MB heap and a wall-clock
 * limit: a parser loop that never returns, or one that eats memory, fails this test instead of
 * hanging the run. Every call has a 1-second deadline and must come back within 2.5 s.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";

const CASES = Number(Deno.env.get("ICS_FUZZ_CASES") ?? 150);
const SEEDS = (Deno.env.get("ICS_FUZZ_SEEDS") ?? "20261122").split(",").map(Number);
const WALL_MS = 60_000;
const HEAP_MB = 256;

for (const seed of SEEDS) {
  Deno.test({
    name:
      `ICS fuzz (seed ${seed}): generated and mutated calendars never throw, stay within a 1-second deadline and a ${HEAP_MB} MB heap, and buildIcs round-trips`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const child = new Deno.Command(denoBin, {
        args: [
          "run",
          "-A",
          "--no-check",
          `--v8-flags=--max-old-space-size=${HEAP_MB}`,
          join("tests", "reliability", "ics-fuzz-worker.ts"),
          String(seed),
          String(CASES),
        ],
        cwd: repoRoot,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, WALL_MS);
      const out = await child.output();
      clearTimeout(timer);
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr).slice(-2_000);
      assert.ok(
        !timedOut,
        `the fuzz did not finish within ${WALL_MS / 1000} s (a parser loop?)\n${stderr}`,
      );
      assert.equal(out.code, 0, `the fuzz process died (out of memory?):\n${stderr}`);
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        cases: number;
        maxMs: number;
        slowest: string;
        peakRssMb: number;
        problems: string[];
      };
      assert.deepEqual(
        report.problems,
        [],
        "busyFromIcs never throws, windows are intervals inside the range, buildIcs round-trips",
      );
      assert.ok(report.cases >= 4 * CASES, `ran ${report.cases} cases`);
      assert.ok(report.maxMs <= 2_500, `slowest call ${report.maxMs} ms (${report.slowest})`);
    },
  });
}
