/**
 * `npm run check:deno`: `deno check` over the TypeScript of src/lib, as Deno sees it when it
 * runs or tests these files. svelte-check reads tsconfig.json (SvelteKit's generated types and
 * `src/app.d.ts`); Deno reads deno.json, whose `compilerOptions.types` names `src/app.d.ts`, so
 * `App.Locals` is the same interface in both (without it every `locals.app` was an error here).
 *
 * Not checked here, and why:
 * - routes (`src/routes`): they import SvelteKit's generated `./$types` through `rootDirs`, which
 *   Deno does not read; svelte-check checks them.
 * - files that reach the MCP SDK's subpaths (`@modelcontextprotocol/sdk/server/index.js`…): its
 *   `./*` export maps their types to `*.js.d.ts`, which tsc forgives and Deno does not
 *   (modelcontextprotocol/typescript-sdk#2701); svelte-check checks them.
 *
 *   deno run -A scripts/deno-check.ts      (exit status: deno check's)
 */
import { join, relative } from "node:path";

const root = join(import.meta.dirname!, "..");
const MCP_SDK = /["']@modelcontextprotocol\/sdk\//;
const RELATIVE = /(?:import|export)\s[^"';]*?["'](\.{1,2}\/[^"']+\.ts)["']/g;

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) yield p;
  }
}

/**
 * The .ts files of src/lib that Deno can check: those whose imports never reach the MCP SDK,
 * followed outside src/lib too (a test's helper in tests/support may reach it).
 */
export async function denoCheckedFiles(): Promise<string[]> {
  const imports = new Map<string, string[]>();
  const reachesSdk = new Set<string>();
  const own: string[] = [];
  for await (const file of walk(join(root, "src", "lib"))) own.push(file);
  for (const queue = [...own]; queue.length;) {
    const file = queue.pop()!;
    if (imports.has(file)) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      imports.set(file, []); // no such file: deno check says so for the file importing it
      continue;
    }
    if (MCP_SDK.test(text)) reachesSdk.add(file);
    const deps = [...text.matchAll(RELATIVE)].map((m) => join(file, "..", m[1]));
    imports.set(file, deps);
    queue.push(...deps);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const [file, deps] of imports) {
      if (!reachesSdk.has(file) && deps.some((d) => reachesSdk.has(d))) {
        reachesSdk.add(file);
        grew = true;
      }
    }
  }
  return own.filter((f) => !reachesSdk.has(f)).map((f) => relative(root, f)).sort();
}

/** Runs `deno check` on them: its exit code and what it printed. */
export async function denoCheck(): Promise<{ code: number; output: string }> {
  const files = await denoCheckedFiles();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...files],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text.split("\n").filter((l) => !/^Check /.test(l)).join("\n") };
}

if (import.meta.main) {
  const { code, output } = await denoCheck();
  console.log(output.trim() || `deno check: ${(await denoCheckedFiles()).length} files, clean`);
  Deno.exit(code);
}
