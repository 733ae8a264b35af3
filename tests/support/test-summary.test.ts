import assert from "node:assert/strict";
import { combine, parseDenoSummary, parseJunit, slowestFiles, summarize } from "./test-summary.ts";

// Deno 2.9.6 output for: a passing test, a failing test, a test with a passing and a failing
// step, an ignored test, a module that throws on load, and a second file with one passing test.
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="7" failures="3" errors="0" time="0.152">
    <testsuite name="./a.test.ts" tests="6" disabled="1" errors="0" failures="3">
        <testcase name="top ok" classname="./a.test.ts" time="0.000" line="1" col="6">
        </testcase>
        <testcase name="top fail" classname="./a.test.ts" time="0.001" line="2" col="6">
            <failure message="Uncaught Error: boom &lt;x&gt; &amp; y">Error: boom</failure>
        </testcase>
        <testcase name="with steps" classname="./a.test.ts" time="0.001" line="3" col="6">
            <failure message="1 test step failed">1 test step failed.</failure>
        </testcase>
        <testcase name="ignored" classname="./a.test.ts" time="0.000" line="4" col="6">
            <skipped/>
        </testcase>
        <testcase name="with steps &gt; s1" classname="./a.test.ts" time="0.000" line="3" col="48">
        </testcase>
        <testcase name="with steps &gt; s2" classname="./a.test.ts" time="0.000" line="3" col="78">
            <failure message="Uncaught Error: s2">Error: s2</failure>
        </testcase>
    </testsuite>
    <testsuite name="./c_test.ts" tests="1" disabled="0" errors="0" failures="0">
        <testcase name="c ok" classname="./c_test.ts" time="0.001" line="1" col="6">
        </testcase>
    </testsuite>
</testsuites>`;

const LOG = `running 4 tests from ./a.test.ts
top ok ... ok (471µs)
Uncaught error from ./b.test.ts FAILED
running 1 test from ./c_test.ts

FAILED | 2 passed (1 step) | 3 failed (1 step) | 1 ignored (152ms)
`;

Deno.test("parseJunit: marks t.step testcases as steps and decodes names", () => {
  const cases = parseJunit(JUNIT);
  assert.deepEqual(
    cases.filter((c) => c.step).map((c) => c.name),
    ["with steps > s1", "with steps > s2"],
  );
  assert.deepEqual(
    cases.filter((c) => !c.step && c.failed).map((c) => c.name),
    ["top fail", "with steps"],
  );
  assert.equal(cases.find((c) => c.name === "ignored")?.skipped, true);
});

Deno.test("parseDenoSummary: reads the counts of top-level tests from Deno's last summary line", () => {
  assert.deepEqual(parseDenoSummary(LOG), { passed: 2, failed: 3 });
  assert.deepEqual(parseDenoSummary("ok | 12 passed | 0 failed (3s)\n"), { passed: 12, failed: 0 });
  assert.equal(parseDenoSummary("error: Module not found"), null);
});

Deno.test("summarize: counts top-level tests, includes the module that failed to load, names failures", () => {
  const s = summarize({ denoLog: LOG, junitXml: JUNIT, denoExit: 1 });
  assert.equal(s.line, "2 passed, 3 failed");
  assert.ok(s.notes.includes("FAILED ./a.test.ts :: top fail"));
  assert.ok(s.notes.includes("FAILED ./a.test.ts :: with steps > s2"));
  assert.ok(s.notes.some((n) => n.startsWith("FAILED ./b.test.ts :: uncaught error")));
});

Deno.test("summarize: a run that timed out without a summary counts one failure more than JUnit shows", () => {
  const s = summarize({ denoLog: "running 4 tests", junitXml: JUNIT, denoExit: 124 });
  assert.equal(s.line, "2 passed, 3 failed");
  assert.match(s.notes[0], /timed out/);
  assert.equal(
    summarize({ denoLog: "", junitXml: null, denoExit: 137 }).line,
    "0 passed, 1 failed",
  );
  // a killed run writes no JUnit: the finished top-level results in the output still count
  const partial = [
    "running 3 tests from ./x.test.ts",
    "first ... ok (3ms)",
    "second ...",
    "  a step ... ok (1ms)",
    "second ... FAILED (5ms)",
    "third ...",
  ].join("\n");
  assert.equal(
    summarize({ denoLog: partial, junitXml: null, denoExit: 124 }).line,
    "1 passed, 2 failed",
  );
});

Deno.test("summarize: a failed build and a non-zero exit with no failed test are failures", () => {
  const ok = "ok | 5 passed | 0 failed (1s)\n";
  assert.equal(summarize({ denoLog: ok, junitXml: null, denoExit: 0 }).line, "5 passed, 0 failed");
  assert.equal(summarize({ denoLog: ok, junitXml: null, denoExit: 1 }).line, "5 passed, 1 failed");
  const built = summarize({
    denoLog: ok,
    junitXml: null,
    denoExit: 0,
    extraFailures: [{ count: 1, reason: "npm run build failed" }],
  });
  assert.equal(built.line, "5 passed, 1 failed");
  assert.match(built.notes.join("\n"), /npm run build failed; counted as 1 failure/);
});

Deno.test("combine: shards run at once add up, and a shard that timed out still counts its failure", () => {
  const done = summarize({ denoLog: LOG, junitXml: JUNIT, denoExit: 1 });
  const hung = summarize({ denoLog: "running 4 tests", junitXml: null, denoExit: 124 });
  const all = combine([done, hung]);
  assert.equal(all.passed, done.passed + hung.passed);
  assert.equal(all.failed, done.failed + 1);
  assert.equal(all.line, `${all.passed} passed, ${all.failed} failed`);
  assert.ok(all.notes.some((n) => n.includes("timed out")));
});

Deno.test("slowestFiles: each file's top-level tests summed (steps are inside them), slowest first", () => {
  const xml = `<testsuites><testsuite name="./a.test.ts">
    <testcase name="t" time="2.5"></testcase><testcase name="t &gt; s" time="2.0"></testcase>
    <testcase name="u" time="1.0"></testcase></testsuite>
    <testsuite name="./b.test.ts"><testcase name="v" time="7.2"></testcase></testsuite></testsuites>`;
  assert.deepEqual(slowestFiles(parseJunit(xml)), ["7 s  b.test.ts", "4 s  a.test.ts"]);
});
