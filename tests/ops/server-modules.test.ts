/**
 * server.ts loads its own modules as they are, beside the build's copies of the same code (the
 * build cannot be its entry: ADR 001). What it loads at start is memory every process holds
 * twice, so it takes what the build already holds from the build's init instead (the API's
 * handler, the kept pages, the early translator): the catalogs of all four languages and the
 * message formatter cost ~3 MB at start when server.ts imported them itself (issue 26).
 */
import assert from "node:assert/strict";
import { denoBin, repoRoot } from "../support/app.ts";

type Info = {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
};

/** The modules of src/ that server.ts loads when it starts (its static imports, transitively). */
async function loadedAtStart(): Promise<string[]> {
  const out = await new Deno.Command(denoBin, {
    args: ["info", "--json", "server.ts"],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as Info;
  const byName = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set(info.roots);
  const queue = [...info.roots];
  while (queue.length) {
    for (const dep of byName.get(queue.shift()!)?.dependencies ?? []) {
      const to = dep.code?.specifier;
      // The build's own modules are the one copy; what they load is theirs.
      if (!to || dep.isDynamic || to.includes("/.deno-deploy/") || seen.has(to)) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  const src = `file://${repoRoot}/src/`;
  return [...seen].filter((s) => s.startsWith(src)).map((s) => s.slice(src.length));
}

Deno.test("server.ts loads no second copy of the catalogs or the translator at start", async () => {
  const loaded = await loadedAtStart();
  assert.ok(loaded.includes("lib/server/http/body-limit.ts"), loaded.join("\n"));
  const twice = loaded.filter((m) =>
    m.startsWith("lib/messages/") || m === "lib/server/i18n.ts" || m === "lib/shared/i18n.ts"
  );
  assert.deepEqual(twice, []);
});
