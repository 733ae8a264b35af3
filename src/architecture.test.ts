/**
 * The layers keep their promises (docs/decisions/029-house-order.md, STYLE.md "Layout"): the
 * domain is pure (it imports neither the store nor integrations), the store does not reach out
 * to integrations, routes get their data through services, and no server module sits on an
 * import circle. The import graph is read from the sources with a regex over import and
 * export-from lines, so a new file is covered without being listed.
 */
import assert from "node:assert/strict";

const SRC = new URL("./", import.meta.url);
const src = decodeURIComponent(SRC.pathname).replace(/\/$/, "");

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (/\.(ts|svelte)$/.test(e.name)) yield p;
  }
}

/** Static imports, `export … from`, `import type`, and `import("…")` type references. */
const SPEC = /(?:^|[\s;}])(?:import|export)\s*(?:type\s+)?(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function resolve(from: string, spec: string): string | null {
  let target: string;
  if (spec.startsWith("$lib/")) target = `${src}/lib/${spec.slice(5)}`;
  else if (spec.startsWith(".")) target = new URL(spec, `file://${from}`).pathname;
  else return null;
  return decodeURIComponent(target);
}

type Graph = Map<string, string[]>;

async function importGraph(): Promise<Graph> {
  const graph: Graph = new Map();
  for await (const file of walk(src)) {
    const text = await Deno.readTextFile(file);
    const out: string[] = [];
    for (const re of [SPEC, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        const t = resolve(file, m[1]);
        if (t) out.push(t);
      }
    }
    graph.set(file, out);
  }
  return graph;
}

const rel = (p: string) => p.slice(src.length + 1);
const under = (p: string, dir: string) => rel(p).startsWith(dir);

function edgesFrom(graph: Graph, fromDir: string, toDirs: string[]): string[] {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    if (!under(file, fromDir)) continue;
    for (const t of targets) {
      if (toDirs.some((d) => under(t, d))) bad.push(`${rel(file)} → ${rel(t)}`);
    }
  }
  return bad.sort();
}

/** Strongly connected components of more than one module (or a module importing itself). */
function circles(graph: Graph, within: (p: string) => boolean): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const next = (v: string) => (graph.get(v) ?? []).filter((w) => within(w) && graph.has(w));
  function connect(v: string) {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(rel(w));
      } while (w !== v);
      if (scc.length > 1 || next(v).includes(v)) found.push(scc.sort());
    }
  }
  for (const v of graph.keys()) if (within(v) && !idx.has(v)) connect(v);
  return found;
}

const graph = await importGraph();

Deno.test("architecture: the import graph is read (the walk finds the engine and its callers)", () => {
  const engine = [...graph.keys()].filter((f) => under(f, "lib/server/domain/booking-engine"));
  assert.deepEqual(engine.length > 0, true);
  const transaction = graph.get(`${src}/lib/server/services/transaction.ts`) ?? [];
  assert.deepEqual(transaction.some((t) => under(t, "lib/server/domain/booking-engine")), true);
});

Deno.test("architecture: domain/ imports neither store/ nor integrations/ (tests included)", () => {
  assert.deepEqual(
    edgesFrom(graph, "lib/server/domain/", ["lib/server/store/", "lib/server/integrations/"]),
    [],
  );
});

Deno.test("architecture: store/ does not import integrations/", () => {
  assert.deepEqual(edgesFrom(graph, "lib/server/store/", ["lib/server/integrations/"]), []);
});

Deno.test("architecture: routes do not import store/ (they call services)", () => {
  assert.deepEqual(edgesFrom(graph, "routes/", ["lib/server/store/"]), []);
});

/**
 * The other doors keep the routes' promise too: the JSON API's resource modules and the MCP
 * tools are routes by another name, and http/ holds the helpers routes call. hooks.server.ts is
 * the composition edge (it migrates the store at start and loads the session's user), like
 * app.ts, and is not a door here.
 */
Deno.test("architecture: the API's routes, MCP and http/ helpers do not import store/ or integrations/ (they call services)", () => {
  const doors = ["lib/server/api/", "lib/server/mcp/", "lib/server/http/"].flatMap((dir) =>
    edgesFrom(graph, dir, ["lib/server/store/", "lib/server/integrations/"])
  ).filter((e) => !/\.test\.ts →/.test(e));
  assert.deepEqual(doors, []);
});

Deno.test("architecture: routes do not import integrations/", () => {
  assert.deepEqual(edgesFrom(graph, "routes/", ["lib/server/integrations/"]), []);
});

Deno.test("architecture: browser code (components, shared) never imports server modules", () => {
  const notTests = (e: string) => !/\.test\.ts →/.test(e);
  assert.deepEqual(edgesFrom(graph, "lib/components/", ["lib/server/"]).filter(notTests), []);
  assert.deepEqual(edgesFrom(graph, "lib/shared/", ["lib/server/"]).filter(notTests), []);
});

Deno.test("architecture: no import circles among src/lib/server modules", () => {
  assert.deepEqual(circles(graph, (p) => under(p, "lib/server/")), []);
});

Deno.test("architecture: no import circles anywhere under src/ (components, shared, routes too)", () => {
  assert.deepEqual(circles(graph, () => true), []);
});

/**
 * No source file grows past ~500 lines (docs/decisions/029-house-order.md): a file that does has
 * taken on a second responsibility; split it by responsibility (a page's forms, a change kind,
 * the host's and the visitor's side), not by line count. Tests are exempt.
 */
const MAX_LINES = 500;
/** Files allowed over the limit, each with its reason (ideally none). */
const OVER_LIMIT_OK: Record<string, string> = {};

Deno.test("architecture: no non-test source file under src/ or scripts/ (nor server.ts) is over 500 lines", async () => {
  const root = src.replace(/\/src$/, "");
  const files: string[] = [`${root}/server.ts`];
  for await (const file of walk(src)) files.push(file);
  // The command line and the operations scripts are the product's code too (bench/ is not).
  for await (const file of walk(`${root}/scripts`)) files.push(file);
  const over: string[] = [];
  for (const file of files) {
    const name = file.slice(root.length + 1);
    if (/\.test\.ts$/.test(file) || name in OVER_LIMIT_OK) continue;
    const lines = (await Deno.readTextFile(file)).split("\n").length - 1;
    if (lines > MAX_LINES) over.push(`${name} (${lines} lines)`);
  }
  assert.deepEqual(over.sort(), []);
});

/** The import graph without type-only imports: what runs, not what is named. */
async function valueGraph(): Promise<Graph> {
  const out: Graph = new Map();
  for await (const file of walk(src)) {
    if (/\.test\.ts$/.test(file)) continue;
    const text = await Deno.readTextFile(file);
    const targets: string[] = [];
    for (const m of text.matchAll(SPEC)) {
      if (/(?:import|export)\s+type\s/.test(m[0])) continue;
      const t = resolve(file, m[1]);
      if (t) targets.push(t);
    }
    out.set(file, targets);
  }
  return out;
}

/** Files on some import path from `from` to `to` (both included) that avoids `avoid`. */
function between(g0: Graph, from: string, to: string, avoid: string[]): string[] {
  const g: Graph = new Map(
    [...g0].filter(([v]) => !avoid.includes(v)).map(([v, ws]) => [
      v,
      ws.filter((w) => !avoid.includes(w)),
    ]),
  );
  const reach = (start: string, next: (v: string) => string[]) => {
    const seen = new Set<string>();
    const todo = [start];
    while (todo.length) {
      const v = todo.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      todo.push(...next(v));
    }
    return seen;
  };
  const back = new Map<string, string[]>();
  for (const [v, ws] of g) for (const w of ws) back.set(w, [...(back.get(w) ?? []), v]);
  const fwd = reach(from, (v) => g.get(v) ?? []);
  const rev = reach(to, (v) => back.get(v) ?? []);
  return [...fwd].filter((f) => rev.has(f)).map(rel).sort();
}

/**
 * The booking path is short (docs/decisions/029-house-order.md): a guest's booking goes from the
 * booking form's action through one service call to snapshot → plan → commit in at most 8 files.
 * Read from the import graph (value imports), per booking service the page's action calls (a
 * host's page books with `bookSlot`, a team's with `bookTeamSlot`; the other page's service is
 * not on this page's path): every file on an import path from the route to that service and from
 * the service to the commit, plus the runner's snapshot and planner modules. Caches, parsing and formatting are helpers of these
 * files: they import nothing that leads to the commit, so they are not stops.
 */
const BOOKING_PATH_MAX = 8;
const STEPS = ["lib/server/store/booking-snapshot.ts", "lib/server/domain/booking-engine/index.ts"];
const COMMIT = "lib/server/store/booking-commit.ts";

Deno.test("architecture: the booking form's action reaches its commit through at most 8 files", async () => {
  const g = await valueGraph();
  const at = (p: string) => `${src}/${p}`;
  const hostPage = "lib/server/services/book-slot.ts";
  const teamPage = "lib/server/services/team-bookings.ts";
  // A repeating event type's booking and a team's seated time are other change kinds with their
  // own services (a series is held, decided and finished over several writes, ADR 048; a
  // collective seat joins its time's meeting, ADR 040): not on the path of one booking.
  const series = "lib/server/services/book-series.ts";
  const teamSeats = "lib/server/services/team-seats.ts";
  const paths = [
    ["routes/calendar/[username]/[slug]/+page.server.ts", hostPage, [teamPage, series]],
    ["routes/team/[team]/[slug]/+page.server.ts", teamPage, [hostPage, series, teamSeats]],
  ] as const;
  for (const [route, service, others] of paths) {
    const avoid = others.map(at);
    const files = [
      ...new Set([
        ...between(g, at(route), at(service), avoid),
        ...between(g, at(service), at(COMMIT), avoid),
        ...STEPS,
      ]),
    ].sort();
    // The route, its one service and the runner's three steps are all on it.
    for (const f of [route, service, COMMIT, "lib/server/services/transaction.ts"]) {
      assert.ok(files.includes(f), `${f} is on the path: ${files.join(", ")}`);
    }
    assert.ok(files.length <= BOOKING_PATH_MAX, `${files.length} files: ${files.join(", ")}`);
  }
});
