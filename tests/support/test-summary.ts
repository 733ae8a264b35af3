/**
 * Turns one `deno test` run into the final `N passed, N failed` line of `npm test`.
 *
 * What counts: top-level tests (`Deno.test`), the same unit as Deno's own summary line. Steps
 * (`t.step`) are not counted separately; a failed step fails its test. Ignored tests count
 * neither way. Failures that are not a test also count as one failure each, so a broken run can
 * never print `0 failed`:
 * - a module that throws while loading or from a dangling promise ("Uncaught error from …"): Deno
 *   counts it in its summary line, but it is absent from the JUnit file;
 * - a run that ended without a summary (timeout, crash) or exited non-zero with nothing failed
 *   (e.g. a flag error): +1;
 * - `extraFailures` from the caller (the build step).
 *
 * Source of the numbers: Deno's summary line (`ok | 3 passed (2 steps) | 0 failed (1s)`) when the
 * run printed one, else the top-level testcases of the JUnit file, else (a killed run writes no
 * JUnit) the top-level `... ok` / `... FAILED` result lines of the output.
 *
 * CLI: `deno run -A tests/support/test-summary.ts --log FILE --junit FILE --exit CODE
 * [--extra-failed N --extra-reason TEXT]` prints the failed tests' names, then the final line
 * (nothing after it), and exits 1 when anything failed. A suite run as several `deno test`
 * processes at once (shards) gives `--log/--junit/--exit` once per shard, in that order; each
 * shard is judged on its own (a shard that timed out counts its failure) and the counts add up.
 */

export interface JunitCase {
  suite: string;
  name: string;
  failed: boolean;
  skipped: boolean;
  /** true for a `t.step` (its name is "<parent> > <step>") */
  step: boolean;
  /** seconds, as Deno measured the test */
  time: number;
}

export interface SummaryInput {
  /** the combined stdout/stderr of `deno test` (NO_COLOR=1) */
  denoLog: string;
  /** the JUnit XML written by `--junit-path`, or null when the file is missing */
  junitXml: string | null;
  /** exit code of `deno test` (124/137 from `timeout`) */
  denoExit: number;
  extraFailures?: { count: number; reason: string }[];
}

export interface Summary {
  passed: number;
  failed: number;
  /** human-readable notes to print before the final line: failed tests and other failures */
  notes: string[];
  line: string;
}

const decodeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_m, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" } as Record<string, string>)[
      String(name).toLowerCase()
    ];
  });

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeXml(m[1]) : "";
};

/** Parses Deno's JUnit output into test cases, marking steps. */
export function parseJunit(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  const suiteRe = /<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g;
  for (const suite of xml.matchAll(suiteRe)) {
    const suiteName = attr(suite[1], "name");
    const inSuite: JunitCase[] = [];
    const caseRe = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
    for (const c of suite[2].matchAll(caseRe)) {
      const body = c[3] ?? "";
      inSuite.push({
        suite: suiteName,
        name: attr(c[1], "name"),
        failed: /<(failure|error)\b/.test(body),
        skipped: /<skipped\b/.test(body),
        step: false,
        time: Number(attr(c[1], "time")) || 0,
      });
    }
    const names = new Set(inSuite.map((c) => c.name));
    for (const c of inSuite) {
      // "a > b" is a step when a test (or step) named "a" exists in the same file
      const parts = c.name.split(" > ");
      for (let i = 1; i < parts.length && !c.step; i++) {
        if (names.has(parts.slice(0, i).join(" > "))) c.step = true;
      }
    }
    cases.push(...inSuite);
  }
  return cases;
}

/**
 * The files whose tests took longest, slowest first (a test's steps are within its own time):
 * what to move between shards when one of them grows (scripts/test-all.sh).
 */
export function slowestFiles(cases: JunitCase[], most = 10): string[] {
  const byFile = new Map<string, number>();
  for (const c of cases) if (!c.step) byFile.set(c.suite, (byFile.get(c.suite) ?? 0) + c.time);
  return [...byFile].sort((a, b) => b[1] - a[1]).slice(0, most)
    .map(([file, s]) => `${Math.round(s)} s  ${file.replace(/^\.\//, "")}`);
}

/** Deno's final summary line, e.g. `FAILED | 2 passed (1 step) | 3 failed | 1 ignored (152ms)`. */
export function parseDenoSummary(log: string): { passed: number; failed: number } | null {
  // deno-lint-ignore no-control-regex
  const plain = log.replace(/\x1b\[[0-9;]*m/g, "");
  const re = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed\b.*$/gm;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(plain); m; m = re.exec(plain)) last = m;
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : null;
}

export function summarize(input: SummaryInput): Summary {
  const notes: string[] = [];
  const cases = input.junitXml ? parseJunit(input.junitXml) : [];
  const fromLog = parseDenoSummary(input.denoLog);

  let passed: number;
  let failed: number;
  if (fromLog) {
    ({ passed, failed } = fromLog);
  } else if (input.junitXml) {
    const top = cases.filter((c) => !c.step && !c.skipped);
    passed = top.filter((c) => !c.failed).length;
    failed = top.filter((c) => c.failed).length + 1;
  } else {
    // Deno writes JUnit only at the end: count the finished top-level tests from the live output
    // (steps are indented, top-level results start at column 0)
    passed = input.denoLog.match(/^\S.* \.\.\. ok \(/gm)?.length ?? 0;
    failed = (input.denoLog.match(/^\S.* \.\.\. FAILED\b/gm)?.length ?? 0) + 1;
  }
  if (!fromLog) {
    notes.push(
      input.denoExit === 124 || input.denoExit === 137
        ? `deno test timed out (exit ${input.denoExit}); counted as 1 failure`
        : `deno test ended without a summary (exit ${input.denoExit}); counted as 1 failure`,
    );
  }

  for (const c of cases.filter((c) => c.failed)) {
    notes.push(`FAILED ${c.suite} :: ${c.name}`);
  }
  for (const m of input.denoLog.matchAll(/^Uncaught error from (\S+)/gm)) {
    notes.push(`FAILED ${m[1]} :: uncaught error (module load or dangling promise)`);
  }

  if (fromLog && input.denoExit !== 0 && failed === 0) {
    failed = 1;
    notes.push(`deno test exited ${input.denoExit} with no failed test; counted as 1 failure`);
  }
  for (const extra of input.extraFailures ?? []) {
    if (extra.count > 0) {
      failed += extra.count;
      notes.push(
        `${extra.reason}; counted as ${extra.count} failure${extra.count === 1 ? "" : "s"}`,
      );
    }
  }
  return { passed, failed, notes, line: `${passed} passed, ${failed} failed` };
}

/** The counts of several shards' summaries, as one (their notes in order). */
export function combine(parts: Summary[]): Summary {
  const passed = parts.reduce((n, p) => n + p.passed, 0);
  const failed = parts.reduce((n, p) => n + p.failed, 0);
  return {
    passed,
    failed,
    notes: parts.flatMap((p) => p.notes),
    line: `${passed} passed, ${failed} failed`,
  };
}

function parseArgs(args: string[]) {
  const out = {
    logs: [] as string[],
    junits: [] as string[],
    exits: [] as number[],
    extraFailed: 0,
    extraReason: "extra failure",
  };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    switch (args[i]) {
      case "--log":
        out.logs.push(v);
        i++;
        break;
      case "--junit":
        out.junits.push(v);
        i++;
        break;
      case "--exit":
        out.exits.push(Number(v));
        i++;
        break;
      case "--extra-failed":
        out.extraFailed = Number(v);
        i++;
        break;
      case "--extra-reason":
        out.extraReason = v;
        i++;
        break;
      default:
        throw new Error(`test-summary: unknown argument ${args[i]}`);
    }
  }
  if (out.logs.length !== out.junits.length || out.logs.length !== out.exits.length) {
    throw new Error("test-summary: give --log, --junit and --exit once per shard");
  }
  return out;
}

const readOrNull = (path: string) => {
  try {
    return path ? Deno.readTextFileSync(path) : null;
  } catch {
    return null;
  }
};

if (import.meta.main) {
  const a = parseArgs(Deno.args);
  const s = combine(a.logs.map((log, i) =>
    summarize({
      denoLog: readOrNull(log) ?? "",
      junitXml: readOrNull(a.junits[i]),
      denoExit: a.exits[i],
      // the build counts once, with the first shard
      extraFailures: i === 0 ? [{ count: a.extraFailed, reason: a.extraReason }] : [],
    })
  ));
  const xmls = a.junits.map((j) => readOrNull(j) ?? "");
  const slow = slowestFiles(xmls.flatMap(parseJunit));
  // Each shard's own time (the run's wall time is the longest one): the 20-minute aim.
  const shards = xmls.map((x) => Number(/<testsuites\b[^>]*\stime="([\d.]+)"/.exec(x)?.[1]));
  if (slow.length) {
    console.log(["", "Slowest test files:", ...slow.map((l) => `  ${l}`)].join("\n"));
    console.log(`Shards: ${shards.map((t) => `${(t / 60).toFixed(1)} min`).join(", ")}`);
  }
  if (s.notes.length) console.log(["", "Summary:", ...s.notes.map((n) => `  ${n}`)].join("\n"));
  console.log(s.line);
  Deno.exit(s.failed > 0 || a.exits.some((e) => e !== 0) ? 1 : 0);
}
