import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot as root } from "./app.ts";
import {
  dealShards,
  startsCluster,
  testFilesIn,
  weighFiles,
  weightsFromJunit,
} from "./test-shards.ts";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// How `npm test` deals its files over the shards (scripts/test-all.sh): a run lasts as long
// as its longest shard.
Deno.test("dealShards: the shards end together, every file runs once, and the cluster files share the last shard", () => {
  const weights: Record<string, number> = {
    "tests/e2e/a.test.ts": 90,
    "tests/e2e/b.test.ts": 80,
    "tests/e2e/c.test.ts": 40,
    "tests/e2e/d.test.ts": 40,
    "tests/e2e/e.test.ts": 30,
    "tests/integration/x.test.ts": 50,
    "tests/scale/c1.test.ts": 60,
    "tests/integration/c2.test.ts": 20,
    "src/a.test.ts": 5,
    "src/b.test.ts": 5,
  };
  const files = Object.keys(weights).sort();
  const pinned = new Set(["tests/scale/c1.test.ts", "tests/integration/c2.test.ts"]);
  const deal = dealShards({ files, shards: 3, weights, pinned });
  assert.deepEqual(deal.shards.flat().sort(), files);
  assert.ok(deal.shards[2].includes("tests/scale/c1.test.ts"));
  assert.ok(deal.shards[2].includes("tests/integration/c2.test.ts"));
  // 150 s is the best any deal of these does (the cluster files' 80 s plus the e2e files' 30 and
  // 40); in directory order (the e2e files in turn over two, src beside the first, the rest in
  // the third) the longest shard had 170 s.
  assert.equal(Math.max(...deal.loads), 150);
  assert.deepEqual(deal.loads, deal.shards.map((s) => sum(s.map((f) => weights[f]))));
  // Each shard's files in path order, so a group module holds one directory's files.
  for (const s of deal.shards) assert.deepEqual(s, [...s].sort());
  // A file's loading counts beside its tests' time.
  const loaded = dealShards({ files, shards: 3, weights, pinned, perFile: 1 });
  assert.equal(sum(loaded.loads), sum(Object.values(weights)) + files.length);
  // One shard runs everything.
  assert.deepEqual(dealShards({ files, shards: 1, weights, pinned }).shards, [files]);
});

Deno.test("weighFiles: a file missing from the table weighs its directory's mean, or its parent's", () => {
  const w = weighFiles(
    [
      "tests/e2e/new.test.ts",
      "tests/fresh/new.test.ts",
      "other/new.test.ts",
      "tests/e2e/a.test.ts",
    ],
    { "tests/e2e/a.test.ts": 10, "tests/e2e/b.test.ts": 30, "tests/scale/s.test.ts": 80 },
  );
  assert.equal(w.get("tests/e2e/new.test.ts"), 20);
  assert.equal(w.get("tests/fresh/new.test.ts"), 40);
  assert.equal(w.get("other/new.test.ts"), 1);
  assert.equal(w.get("tests/e2e/a.test.ts"), 10);
});

Deno.test("weightsFromJunit: each file's top-level test time, steps not counted twice, a group module's own suite left out", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="4" failures="0" errors="0" time="9.5">
  <testsuite name="./tests/e2e/a.e2e.test.ts" tests="3" disabled="0" errors="0" failures="0">
    <testcase name="books" classname="./tests/e2e/a.e2e.test.ts" time="4.25"></testcase>
    <testcase name="books &gt; picks a day" classname="./tests/e2e/a.e2e.test.ts" time="2"></testcase>
    <testcase name="cancels" classname="./tests/e2e/a.e2e.test.ts" time="1.5"></testcase>
  </testsuite>
  <testsuite name="/tmp/invito-test.x/groups/shard0-000.ts" tests="1" disabled="0" errors="0" failures="0">
    <testcase name="x" classname="/tmp/invito-test.x/groups/shard0-000.ts" time="3"></testcase>
  </testsuite>
</testsuites>`;
  assert.deepEqual(weightsFromJunit([xml]), { "tests/e2e/a.e2e.test.ts": 5.8 });
});

Deno.test("test-shards: the table covers today's files, and the cluster files are the ones that import the cluster helper", () => {
  const files = [...testFilesIn(join(root, "src")), ...testFilesIn(join(root, "tests"))]
    .map((f) => f.slice(root.length + 1));
  const weights = JSON.parse(
    Deno.readTextFileSync(join(root, "tests/support/test-weights.json")),
  ) as Record<string, number>;
  // A table that lost most of the suite would deal by guesses: refresh it (see test-shards.ts).
  const missing = files.filter((f) => !(f in weights));
  assert.ok(missing.length < files.length / 10, `${missing.length} files not in the table`);
  const cluster = files.filter((f) => startsCluster(Deno.readTextFileSync(join(root, f))));
  assert.ok(cluster.includes("tests/scale/cluster.test.ts"), cluster.join(", "));
  assert.ok(!cluster.includes("tests/scale/remote-polls.test.ts"), "in-process remote apps");
  assert.ok(startsCluster(`import { startCluster } from "../support/cluster.ts";`));
  assert.ok(!startsCluster(`// like tests/support/cluster.ts, but in one process`));
});
