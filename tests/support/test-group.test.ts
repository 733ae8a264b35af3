import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./app.ts";
import { runDenoTest } from "./deno-test.ts";
import { parseJunit } from "./test-summary.ts";

// How `npm test` runs the suite (scripts/test-all.sh): a dozen files to a `deno test` module.
Deno.test("loadGroup: each test keeps its own file, and a file that fails to load fails alone while the rest run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-group-" });
  try {
    const write = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
    await write("a.test.ts", `Deno.test("a passes", () => {});\n`);
    await write("broken.test.ts", `import "./missing.ts";\nDeno.test("never", () => {});\n`);
    await write(
      "c.test.ts",
      `Deno.test("c fails", () => { throw new Error("c's own failure"); });\n` +
        `Deno.test("c passes", () => {});\n`,
    );
    const files = ["a.test.ts", "broken.test.ts", "c.test.ts"].map((f) => join(dir, f));
    await write(
      "group.test.ts",
      `import { loadGroup } from "${join(repoRoot, "tests/support/test-group.ts")}";\n` +
        `await loadGroup(${JSON.stringify(files)});\n`,
    );
    const junit = join(dir, "junit.xml");
    const { code, log } = await runDenoTest([`--junit-path=${junit}`, join(dir, "group.test.ts")]);
    assert.equal(code, 1, log);
    assert.match(log, /FAILED \| 2 passed \| 2 failed/, log);
    assert.match(log, /broken\.test\.ts failed to load[\s\S]*missing\.ts/, log);
    // A failure names the line of its own file, not the group's.
    assert.match(log, /c fails => .*c\.test\.ts:1:\d+/, log);
    const bySuite = new Map<string, string[]>();
    for (const c of parseJunit(await Deno.readTextFile(junit))) {
      const file = c.suite.split("/").pop()!;
      bySuite.set(file, [...(bySuite.get(file) ?? []), `${c.name}${c.failed ? " ✗" : ""}`]);
    }
    assert.deepEqual(bySuite.get("a.test.ts"), ["a passes"]);
    assert.deepEqual(bySuite.get("c.test.ts"), ["c fails ✗", "c passes"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
