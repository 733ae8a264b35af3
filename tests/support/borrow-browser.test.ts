import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./app.ts";
import { runDenoTest } from "./deno-test.ts";

// The browser files of `npm test` borrow one Chromium per module (tests/support/browser.ts).
Deno.test("borrowBrowser: a module's tests share one Chromium but no cookies, and it is gone after the module's last test", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-borrow-" });
  try {
    const write = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
    const head = `import assert from "node:assert/strict";\n` +
      `import { borrowBrowser } from "${join(repoRoot, "tests/support/browser.ts")}";\n` +
      `const opts = { sanitizeOps: false, sanitizeResources: false };\n` +
      // The Chromium processes this test process started itself.
      `const chromiums = () => new TextDecoder().decode(new Deno.Command("pgrep", { args: ["-P", String(Deno.pid)] }).outputSync().stdout).trim();\n`;
    await write(
      "a.test.ts",
      head + `Deno.test({ name: "a sets a cookie", ...opts, fn: async () => {
  const browser = await borrowBrowser();
  const ctx = await browser.newContext();
  await ctx.addCookies([{ name: "seen", value: "a", url: "http://example.test/" }]);
  assert.equal((await ctx.cookies()).length, 1);
  await browser.newPage();
  assert.equal(browser.contexts().length, 2);
  await browser.close();
  assert.equal(browser.contexts().length, 0);
  await assert.rejects(browser.newPage(), /closed/);
  Deno.writeTextFileSync(${JSON.stringify(join(dir, "pids"))}, chromiums());
}});\n`,
    );
    await write(
      "b.test.ts",
      head + `Deno.test({ name: "b sees no cookie, in the same Chromium", ...opts, fn: async () => {
  const browser = await borrowBrowser();
  const ctx = await browser.newContext();
  assert.deepEqual(await ctx.cookies(), []);
  const page = await ctx.newPage();
  await page.setContent("<p>b</p>");
  assert.equal(await page.textContent("p"), "b");
  assert.equal(chromiums(), Deno.readTextFileSync(${JSON.stringify(join(dir, "pids"))}));
  await browser.close();
}});\n`,
    );
    await write(
      "c.test.ts",
      head + `Deno.test("c, the next module, finds no Chromium left", () => {
  assert.equal(chromiums(), "");
});\n`,
    );
    await write(
      "group.test.ts",
      `import { loadGroup } from "${join(repoRoot, "tests/support/test-group.ts")}";\n` +
        `await loadGroup(${JSON.stringify([join(dir, "a.test.ts"), join(dir, "b.test.ts")])});\n`,
    );
    const { log } = await runDenoTest([join(dir, "group.test.ts"), join(dir, "c.test.ts")]);
    assert.match(log, /ok \| 3 passed \| 0 failed/, log);
    assert.notEqual((await Deno.readTextFile(join(dir, "pids"))).trim(), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
