/**
 * How `npm test` deals the test files over its `deno test` processes (shards,
 * scripts/test-all.sh): by weight, so that the shards end together. A run's wall time is its
 * longest shard, and the cores idle once the others have ended.
 *
 * The weights are each file's summed test time in a fresh-clone run (`test-weights.json` beside
 * this file). Dealt by directory or in turn, the shards of one run ended minutes apart (24.9 /
 * 21.8 / 26.0 min on the slower 2-core box, 2026-12-01). A file missing from the table weighs what
 * its directory's files weigh on average, so a new file is dealt at once and the table can be
 * refreshed when the shards drift apart:
 *
 *   INVITO_TEST_JUNIT_DIR=/tmp/j npm test
 *   deno run --allow-read tests/support/test-shards.ts --weights-from /tmp/j/junit-*.xml \
 *     > tests/support/test-weights.json
 *
 * One rule besides the weights: every file that starts a cluster of server processes
 * (tests/support/cluster.ts) runs in the last shard, one after another. Two clusters at once on
 * a 2-core box starve each other's processes past the seconds their holds and leases last (seen
 * when the files were dealt in turn, 2026-11-28).
 *
 * CLI: `deno run --allow-read tests/support/test-shards.ts --shards N` prints `I<TAB>FILE` for
 * every test file under src/ and tests/ (I the shard, from 0), each shard's files in path order,
 * and each shard's expected seconds on stderr.
 */
import { parseJunit } from "./test-summary.ts";

/** The test files `deno test` finds ({*_,*.,}test.{ts,tsx,mts,js,mjs,jsx}). */
export const testFilePattern = /(^|\/|_|\.)test\.(ts|tsx|mts|js|mjs|jsx)$/;

/** A test file that imports the cluster helper starts server processes of its own. */
const clusterImport = /from\s+["'][^"']*support\/cluster(\.ts)?["']/;

export function startsCluster(source: string): boolean {
  return clusterImport.test(source);
}

export interface DealInput {
  files: string[];
  shards: number;
  /** seconds per file (paths relative to the repository, as in `files`) */
  weights: Record<string, number>;
  /** files that all run in the last shard */
  pinned: Set<string>;
  /** seconds a file costs beyond its tests' own time (its loading; 0 unless given) */
  perFile?: number;
}

export interface Deal {
  /** each shard's files, in path order (a group module holds one directory's files) */
  shards: string[][];
  /** each shard's expected seconds */
  loads: number[];
}

/** Path order (code units, as `LC_ALL=C sort` orders them; not the locale's). */
const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const dirOf = (file: string) => file.slice(0, Math.max(0, file.lastIndexOf("/")));

/** Each file's weight: its own, else the mean of the known files in its directory (or above). */
export function weighFiles(files: string[], weights: Record<string, number>): Map<string, number> {
  const byDir = new Map<string, { sum: number; n: number }>();
  for (const [file, w] of Object.entries(weights)) {
    for (let d = dirOf(file); d; d = dirOf(d)) {
      const s = byDir.get(d) ?? { sum: 0, n: 0 };
      s.sum += w;
      s.n++;
      byDir.set(d, s);
    }
  }
  const out = new Map<string, number>();
  for (const f of files) {
    let w = weights[f];
    for (let d = dirOf(f); w === undefined && d; d = dirOf(d)) {
      const s = byDir.get(d);
      if (s) w = s.sum / s.n;
    }
    out.set(f, w ?? 1);
  }
  return out;
}

/**
 * The pinned files go to the last shard; the others, heaviest first, each to the shard that
 * has the least so far (the longest-processing-time rule: within 4/3 of the best deal).
 */
export function dealShards(input: DealInput): Deal {
  const n = Math.max(1, Math.floor(input.shards));
  const extra = input.perFile ?? 0;
  const weight = new Map(
    [...weighFiles(input.files, input.weights)].map(([f, w]) => [f, w + extra]),
  );
  const shards: string[][] = Array.from({ length: n }, () => []);
  const loads = new Array<number>(n).fill(0);
  const free: string[] = [];
  for (const f of input.files) {
    if (input.pinned.has(f)) {
      shards[n - 1].push(f);
      loads[n - 1] += weight.get(f)!;
    } else {
      free.push(f);
    }
  }
  free.sort((a, b) => weight.get(b)! - weight.get(a)! || byPath(a, b));
  for (const f of free) {
    let i = 0;
    for (let j = 1; j < n; j++) if (loads[j] < loads[i]) i = j;
    shards[i].push(f);
    loads[i] += weight.get(f)!;
  }
  for (const s of shards) s.sort(byPath);
  return { shards, loads };
}

/** Each file's summed top-level test time from JUnit reports, for test-weights.json. */
export function weightsFromJunit(xmls: string[]): Record<string, number> {
  const sums = new Map<string, number>();
  for (const c of xmls.flatMap(parseJunit)) {
    if (c.step) continue;
    const file = c.suite.replace(/^\.\//, "");
    if (!testFilePattern.test(file)) continue;
    sums.set(file, (sums.get(file) ?? 0) + c.time);
  }
  return Object.fromEntries(
    [...sums].sort(([a], [b]) => byPath(a, b)).map(([f, s]) => [f, Math.round(s * 10) / 10]),
  );
}

/** The test files under `dir` (relative to the working directory), in path order. */
export function testFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile && testFilePattern.test(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort(byPath);
}

if (import.meta.main) {
  const args = Deno.args;
  if (args[0] === "--weights-from") {
    const xmls = args.slice(1).map((f) => Deno.readTextFileSync(f));
    console.log(JSON.stringify(weightsFromJunit(xmls), null, 2));
    Deno.exit(0);
  }
  const at = args.indexOf("--shards");
  const shards = at >= 0 ? Number(args[at + 1]) : NaN;
  if (!(shards >= 1)) {
    console.error("usage: test-shards.ts --shards N | --weights-from JUNIT...");
    Deno.exit(2);
  }
  const here = new URL(".", import.meta.url).pathname;
  const weights = JSON.parse(Deno.readTextFileSync(`${here}test-weights.json`));
  const files = [...testFilesIn("src"), ...testFilesIn("tests")];
  const pinned = new Set(
    files.filter((f) => f.startsWith("tests/") && startsCluster(Deno.readTextFileSync(f))),
  );
  // A shard's wall time was its files' JUnit time and ~0.2 s a file more (the three shards of
  // a fresh-clone run, 2026-12-02: 53 s over 319 files, 18 over 75, 34 over 154).
  const deal = dealShards({ files, shards, weights, pinned, perFile: 0.2 });
  console.log(deal.shards.flatMap((s, i) => s.map((f) => `${i}\t${f}`)).join("\n"));
  console.error(
    `test-shards: expected ${deal.loads.map((l) => `${Math.round(l)} s`).join(" / ")} ` +
      `(${pinned.size} cluster files in the last)`,
  );
}
