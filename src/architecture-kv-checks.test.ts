/**
 * Remote KV takes at most 10 checks in one atomic write (Deno Deploy KV, denokv; ADR 038). The
 * tests' KV guard (tests/support/kv-guard.ts) refuses a write over it at run time, but only for
 * the writes a test happens to make with the data it happens to have. This test reads every
 * `.check(…)` of src/lib/server with the TypeScript parser and holds each atomic write to the
 * limit by construction: counted where it is built (one write per function, or per loop turn
 * when the loop makes its own `atomic()`), and a check whose count depends on data — in a loop
 * over a list, or a spread — only where the list's bound is stated and enforced (`BOUNDED`).
 */
import assert from "node:assert/strict";
import ts from "typescript";
import { MAX_CHECKS } from "./lib/server/store/kv.ts";

const ROOT = decodeURIComponent(new URL("./lib/server", import.meta.url).pathname);

/**
 * Writes whose checks come from a list, with what bounds the list. `file` (under
 * src/lib/server) and the function that builds the write.
 */
const BOUNDED: Record<string, string> = {
  "store/booking-commit.ts addPlan":
    "a plan's checks: the engine's Draft refuses a plan over REMOTE_KV_LIMITS (domain/kv-budget.ts `exceeds`), asserted by the engine's property test over KV Connect",
  "store/calendar-busy.ts commitHead": "throws before building a write of more than MAX_CHECKS",
  "store/webhooks.ts insertMessage":
    "`builtFrom` is one or two entries (services/webhook-delivery.ts): at most 3 checks",
  "store/webhooks.ts releaseHeldDeliveries":
    "a batch is read with `limit: MAX_CHECKS`: at most 10 checks (and 20 mutations)",
  "ops/kv-metrics.ts check": "a wrapper: it forwards the checks its caller passes",
};
/** The booking engine's plans: every check goes through Draft, whose budget is checked. */
const ENGINE = "domain/booking-engine/";

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* sources(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) yield p;
  }
}

const isLoop = (n: ts.Node) =>
  ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) ||
  ts.isWhileStatement(n) || ts.isDoStatement(n);
const method = (n: ts.Node, names: string[]) =>
  ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) &&
  names.includes(n.expression.name.text);
/** An arrow function run per element of a list (`xs.map(x => …)`): a loop. */
const perElement = (n: ts.Node) =>
  ts.isArrowFunction(n) && method(n.parent, ["map", "forEach", "flatMap", "filter"]);

function makesAtomic(n: ts.Node): boolean {
  if (method(n, ["atomic"])) return true;
  return ts.forEachChild(n, makesAtomic) ?? false;
}

type Write = { where: string; checks: number; fromList: number[] };

/** Every function (or loop turn) that adds KV checks, with its count and data-sized sites. */
async function kvChecks(): Promise<Write[]> {
  const out = new Map<ts.Node, Write>();
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(file);
    if (!text.includes(".check(")) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
    const visit = (node: ts.Node) => {
      ts.forEachChild(node, visit);
      if (!method(node, ["check"])) return;
      const call = node as ts.CallExpression;
      const recv = (call.expression as ts.PropertyAccessExpression).expression;
      const first = call.arguments[0];
      // valibot's `v.check(fn, message)` is not a KV check.
      if (ts.isIdentifier(recv) && recv.text === "v") return;
      if (first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first))) return;
      // The write this check joins: built in the nearest loop turn that makes its own
      // `atomic()`, else in the enclosing function. A loop in between, without one, repeats it.
      let scope: ts.Node | undefined;
      let repeated = false;
      let n: ts.Node = call.parent;
      for (; !(ts.isFunctionLike(n) && !perElement(n)) && !ts.isSourceFile(n); n = n.parent) {
        if (scope || !(isLoop(n) || perElement(n))) continue;
        if (makesAtomic(n)) scope = n;
        else repeated = true;
      }
      scope ??= n;
      const fn = ts.isFunctionLike(n) && n.name ? n.name.getText() : `(line ${line(n)})`;
      const w = out.get(scope) ??
        { where: `${file.slice(ROOT.length + 1)} ${fn}`, checks: 0, fromList: [] };
      if (repeated) w.fromList.push(line(call));
      for (const a of call.arguments) {
        if (ts.isSpreadElement(a)) w.fromList.push(line(call));
        else w.checks++;
      }
      out.set(scope, w);
    };
    visit(sf);
  }
  return [...out.values()];
}

const writes = await kvChecks();

Deno.test("architecture: the check scan finds the guarded writes (polls, users, the engine's commit)", () => {
  const where = new Set(writes.map((w) => w.where));
  for (
    const w of [
      "store/polls.ts moveVote",
      "store/polls.ts putVote",
      "store/booking-commit.ts addPlan",
    ]
  ) {
    assert.ok(where.has(w), `${w} not found among ${[...where].join(", ")}`);
  }
});

Deno.test("architecture: every atomic write of src/lib/server carries at most 10 checks by construction", () => {
  const over = writes.filter((w) => w.checks > MAX_CHECKS).map((w) => `${w.where}: ${w.checks}`);
  assert.deepEqual(over, [], `more than ${MAX_CHECKS} checks written out`);
  const unbounded = writes
    .filter((w) => w.fromList.length > 0 && !w.where.startsWith(ENGINE) && !(w.where in BOUNDED))
    .map((w) => `${w.where} (line ${w.fromList.join(", ")})`);
  assert.deepEqual(
    unbounded,
    [],
    "checks added per element of a list: bound the list where the write is built, or state its bound in BOUNDED",
  );
  // No stale entry: each names a write that still takes its checks from a list.
  const listed = new Set(writes.filter((w) => w.fromList.length > 0).map((w) => w.where));
  assert.deepEqual(Object.keys(BOUNDED).filter((k) => !listed.has(k)), []);
});
