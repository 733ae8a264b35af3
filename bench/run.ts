/**
 * `npm run bench` (through scripts/bench.sh): every benchmark, one table, bench/results.json.
 *
 *   node_modules/.bin/deno run -A bench/run.ts [--only slots,page,api,bookings,insights,import,lighthouse,teams,seats,series] [--seconds N]
 *                                              [--write-readme] [--strict]
 *
 * --write-readme  replaces the table between the bench markers in README.md's Performance section
 * --strict        exits 1 when any target fails (default: the table says FAIL, the exit code is 0)
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { slotRows } from "./slots.ts";
import { pageRows } from "./page.ts";
import { bookingRows } from "./bookings.ts";
import { importRows } from "./import.ts";
import { importPageRows } from "./import-pages.ts";
import { apiRows } from "./api.ts";
import { lighthouseRows } from "./lighthouse.ts";
import { insightsRows } from "./insights.ts";
import { teamRows } from "./teams.ts";
import { seatRows } from "./seats.ts";
import { seriesRows } from "./series.ts";
import { describeMachine, loadGenerator, repoRoot, type Row, table, wrkPath } from "./lib.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    seconds: { type: "string", default: "5" },
    "write-readme": { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
  },
});
const only = new Set(
  (values.only ?? "slots,page,api,bookings,insights,import,lighthouse,teams,seats,series").split(
    ",",
  ).map((
    s,
  ) => s.trim()),
);
const seconds = Number(values.seconds);

const gen = only.has("page") || only.has("api") ? await loadGenerator() : { name: "none" };
// The booking rows post from wrk when it is installed even when no page or API row runs: a run
// of `--only bookings` named "none" here above rows that said "load: wrk".
const machine = await describeMachine(
  gen.name === "none" && only.has("bookings") && await wrkPath() ? "wrk" : gen.name,
);
const startedAt = new Date();
const rows: Row[] = [];
const t0 = performance.now();

if (only.has("slots")) {
  console.error("bench: slot engine …");
  rows.push(...await slotRows());
}
if (only.has("page")) {
  console.error(`bench: booking page SSR with ${gen.name} (${seconds} s per run) …`);
  rows.push(...await pageRows(gen as Awaited<ReturnType<typeof loadGenerator>>, { seconds }));
}
if (only.has("api")) {
  console.error(`bench: JSON API slots with ${gen.name} (${seconds} s per run) …`);
  rows.push(...await apiRows(gen as Awaited<ReturnType<typeof loadGenerator>>, { seconds }));
}
if (only.has("bookings")) {
  console.error("bench: booking commits, footprint, contention …");
  rows.push(...await bookingRows());
}
if (only.has("insights")) {
  console.error("bench: insights page of a host with 10,000 bookings …");
  rows.push(...await insightsRows());
}

if (only.has("import")) {
  console.error("bench: importing 5,000 bookings from a host's export …");
  rows.push(...await importRows());
  console.error("bench: page loads while a 60 MB export is read …");
  rows.push(...await importPageRows());
}

if (only.has("teams")) {
  console.error("bench: team pages and collective commits …");
  rows.push(...await teamRows());
}

if (only.has("seats")) {
  console.error("bench: seats per time under a crowd …");
  rows.push(...await seatRows());
}
if (only.has("series")) {
  console.error("bench: recurring series beside single bookings …");
  rows.push(...await seriesRows());
}

if (only.has("lighthouse")) {
  console.error("bench: Lighthouse mobile performance (booking page, widget) …");
  rows.push(...await lighthouseRows());
}

const elapsedS = Math.round((performance.now() - t0) / 1000);
const machineLine =
  `${machine.cpus} × ${machine.model}, ${(machine.memoryMb / 1024).toFixed(1)} GiB RAM, ` +
  `${machine.os}, Deno ${machine.deno} (V8 ${machine.v8}), load generator: ${machine.loadGenerator}, ` +
  `load average before the run: ${machine.loadavg}`;
const output = [
  `Invito benchmarks, ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ${elapsedS} s`,
  machineLine,
  "",
  table(rows),
  "",
  // Where the time of a row that measures throughput went (bench/lib.ts profileThreads).
  ...rows.filter((r) => typeof r.metrics.profile === "string").map((r) =>
    `profile, ${r.name}: ${r.metrics.profile}`
  ),
  "",
  `${rows.filter((r) => r.pass === true).length} PASS, ${
    rows.filter((r) => r.pass === false).length
  } FAIL, ` +
  `${rows.filter((r) => r.pass === null).length} informational`,
].join("\n");
console.log(output);

const resultsPath = join(repoRoot, "bench", "results.json");
await Deno.writeTextFile(
  resultsPath,
  JSON.stringify({ startedAt: startedAt.toISOString(), elapsedS, machine, rows }, null, 2) + "\n",
);
console.error(`bench: wrote ${resultsPath}`);

if (values["write-readme"]) {
  const readmePath = join(repoRoot, "README.md");
  const readme = await Deno.readTextFile(readmePath);
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) {
    console.error("bench: README.md has no bench markers; not updated");
  } else {
    const block = [
      start,
      "",
      `Measured ${startedAt.toISOString().slice(0, 10)} on ${machineLine}.`,
      "",
      table(rows),
      "",
      end,
    ].join("\n");
    await Deno.writeTextFile(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
    console.error("bench: updated the table in README.md");
  }
}

if (values.strict && rows.some((r) => r.pass === false)) Deno.exitCode = 1;
