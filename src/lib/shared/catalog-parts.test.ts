/**
 * Public pages download only the public part of their catalog (catalog-parts.ts): no code a
 * public page runs may read a message of a signed-in namespace, or the guest would see a key.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { CATALOGS } from "../server/i18n.ts";
import { LANGUAGES } from "./i18n.ts";
import {
  catalogPartFor,
  isPublicKey,
  publicPart,
  SIGNED_IN_NAMESPACES,
  SIGNED_IN_ROUTES,
} from "./catalog-parts.ts";

const src = join(import.meta.dirname!, "..", "..");
const namespaces = new Set(Object.keys(CATALOGS.en).map((k) => k.split(".")[0]));

Deno.test("catalog parts: every signed-in namespace exists; the public part is the rest, in every language", () => {
  for (const ns of SIGNED_IN_NAMESPACES) assert.ok(namespaces.has(ns), `no messages "${ns}.*"`);
  for (const lang of LANGUAGES) {
    const all = CATALOGS[lang];
    const pub = publicPart(all);
    assert.deepEqual(Object.keys(pub), Object.keys(all).filter(isPublicKey));
    for (const key of Object.keys(pub)) assert.equal(pub[key], all[key]);
    for (const ns of SIGNED_IN_NAMESPACES) {
      assert.ok(!Object.keys(pub).some((k) => k.startsWith(`${ns}.`)), `${lang}: ${ns}.* public`);
    }
    // Most of the catalog is dashboard and mail text: the public part is a fraction of it.
    assert.ok(JSON.stringify(pub).length < JSON.stringify(all).length * 0.35, lang);
  }
  assert.ok(isPublicKey("booking.pick_time"));
  assert.ok(!isPublicKey("et.title"));
});

Deno.test("catalog parts: dashboard routes get the whole catalog, every other route the public part", () => {
  assert.equal(catalogPartFor("/dashboard"), "full");
  assert.equal(catalogPartFor("/dashboard/event-types/[id]"), "full");
  assert.equal(catalogPartFor("/calendar/[username]/[slug]"), "public");
  assert.equal(catalogPartFor("/widget/[username]/[slug]"), "public");
  assert.equal(catalogPartFor("/dashboardx"), "public");
  assert.equal(catalogPartFor("/team-invitation/[token]"), "full");
  assert.equal(catalogPartFor("/team/[team]/[slug]"), "public");
  assert.equal(catalogPartFor("/widget/team/[team]/[slug]"), "public");
  assert.equal(catalogPartFor(null), "public");
});

// ---------------------------------------------------------------------------------------------
// What public pages can reach: every route file outside /dashboard, and what their browser-side
// code imports (components, shared modules), followed to the end. Server-only modules are read
// for their own keys where they are a route's (a load returns a message reference the page
// translates), not followed: mails and jobs use signed-in namespaces on the server, where the
// whole catalog is.

const IMPORT =
  /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|import\s*["']([^"']+)["']/g;
/** A quoted key ("booking.pick_time") or the start of one built at run time (`refusal.${…}`). */
const KEY = /["'`]([a-z][a-z0-9_]*\.[a-z0-9_.]*)(\$\{)?/g;
const keys = Object.keys(CATALOGS.en);
const isKey = (text: string, prefix: boolean) =>
  prefix ? keys.some((k) => k.startsWith(text)) : text in CATALOGS.en;

function resolveImport(from: string, spec: string): string | null {
  let path: string;
  if (spec.startsWith("$lib/")) path = join(src, "lib", spec.slice(5));
  else if (spec.startsWith(".")) path = join(dirname(from), spec);
  else return null; // packages, $app/*, $env/*
  if (!/\.(svelte|ts|js)$/.test(path)) return null; // css, json
  if (path.includes(`${join(src, "lib", "server")}/`) || /\.server\.ts$/.test(path)) return null;
  return path;
}

async function* routeFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (!SIGNED_IN_ROUTES.some((r) => path === join(src, "routes", r))) yield* routeFiles(path);
    } else if (/^\+(page|layout|error)(\.server)?\.(svelte|ts)$/.test(e.name)) yield path;
  }
}

Deno.test("catalog parts: no code of a public page reads a signed-in namespace", async () => {
  const seen = new Set<string>();
  const queue: string[] = [];
  for await (const f of routeFiles(join(src, "routes"))) queue.push(f);
  const offenders: string[] = [];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(KEY)) {
      if (isKey(m[1], m[2] !== undefined) && !isPublicKey(m[1])) {
        offenders.push(`${relative(src, file)}: ${m[1]}`);
      }
    }
    if (file.endsWith(".server.ts")) continue;
    for (const m of text.matchAll(IMPORT)) {
      const next = resolveImport(file, m[1] ?? m[2] ?? m[3]);
      if (next && !seen.has(next)) queue.push(next);
    }
  }
  // The walk reached the booking page's components (a broken walk would prove nothing).
  for (const must of ["BookingPanel.svelte", "MonthCalendar.svelte", "TimeZoneField.svelte"]) {
    assert.ok([...seen].some((f) => f.endsWith(must)), must);
  }
  assert.deepEqual(offenders, [], "move the namespace out of SIGNED_IN_NAMESPACES");
});
