/**
 * Deno type-checks the server's TypeScript as svelte-check does: `App.Locals` (src/app.d.ts) is
 * known to both, so `deno check` on src/lib (routes and the MCP SDK's importers aside, see
 * scripts/deno-check.ts) reports nothing. Before, every `locals.app` of the http helpers was an
 * error to Deno while svelte-check said 0 errors.
 */
import assert from "node:assert/strict";
import { denoCheck, denoCheckedFiles } from "../scripts/deno-check.ts";

Deno.test("deno check: src/lib type-checks under Deno too (App.Locals from src/app.d.ts), http/ included", async () => {
  const files = await denoCheckedFiles();
  assert.ok(files.includes("src/lib/server/http/security-headers.ts"), "the http helpers");
  assert.ok(files.length > 400, `${files.length} files`);
  const { code, output } = await denoCheck();
  assert.equal(code, 0, output);
});
