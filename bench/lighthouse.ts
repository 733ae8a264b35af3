/**
 * Lighthouse 12 mobile performance of the booking page and the widget, against the built server
 * (demo host) on 127.0.0.1, with Debian's Chromium: `lighthouse` comes from the project's npm
 * devDependencies (12.x: 13 needs Node ≥ 22.19), run under Node with CHROME_PATH. Each page is
 * measured three times and the median score counts (Lighthouse's own advice for variance). The
 * row also states Lighthouse's CPU benchmark index of this machine during the run: Lighthouse
 * slows the CPU 4× on top of it, so a loaded 2-core box scores lower than an idle one.
 *
 *   node_modules/.bin/deno run -A bench/lighthouse.ts      (needs `npm run build` first)
 *
 * INVITO_LH_KEEP=DIR keeps every Lighthouse JSON report there (`widget-1.json`, …) to read what
 * costs (bootup time, unused JavaScript, main-thread work).
 */
import { join } from "node:path";
import { startApp } from "../tests/support/app.ts";
import { repoRoot, type Row, table } from "./lib.ts";

const PAGES = [
  { name: "booking page", path: "/calendar/demo/intro-call" },
  { name: "widget", path: "/widget/demo/intro-call" },
];
const RUNS = 3;
const TARGET = 95;

type Lhr = {
  categories: { performance: { score: number } };
  audits: Record<
    string,
    {
      numericValue?: number;
      displayValue?: string;
      details?: { items?: { resourceType?: string; transferSize?: number }[] };
    }
  >;
  environment: { benchmarkIndex: number };
};

/**
 * One Lighthouse run. A run that Lighthouse itself asks to repeat (a trace it failed to record,
 * such as NO_NAVSTART: "Please run Lighthouse again") is run again, up to three times in all;
 * any other failure ends the benchmark.
 */
async function lighthouse(url: string, out: string): Promise<Lhr> {
  const cli = join(repoRoot, "node_modules", "lighthouse", "cli", "index.js");
  for (let attempt = 1;; attempt++) {
    const res = await new Deno.Command("node", {
      args: [
        cli,
        url,
        "--output=json",
        `--output-path=${out}`,
        "--only-categories=performance",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--max-wait-for-load=60000",
        "--quiet",
      ],
      env: { CHROME_PATH: Deno.env.get("CHROME_PATH") ?? "/usr/bin/chromium" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (res.code === 0) return JSON.parse(await Deno.readTextFile(out));
    const err = new TextDecoder().decode(res.stderr);
    if (attempt < 3 && /run Lighthouse again/i.test(err)) {
      console.error(`bench: Lighthouse asked to run again (${url}), attempt ${attempt + 1}`);
      continue;
    }
    throw new Error(`lighthouse failed: ${err.slice(-2000)}`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function lighthouseRows(): Promise<Row[]> {
  const app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
  const dir = await Deno.makeTempDir({ prefix: "invito-lh-" });
  const rows: Row[] = [];
  try {
    for (const page of PAGES) {
      // A visitor meets a server that has served this page before (modules loaded, caches warm).
      for (let i = 0; i < 20; i++) await (await fetch(app.url(page.path))).body?.cancel();
      const runs: Lhr[] = [];
      for (let i = 0; i < RUNS; i++) {
        const keep = Deno.env.get("INVITO_LH_KEEP");
        const file = keep
          ? join(keep, `${page.name.replaceAll(" ", "-")}-${i}.json`)
          : join(dir, `${i}.json`);
        runs.push(await lighthouse(app.url(page.path), file));
      }
      const scores = runs.map((r) => Math.round(r.categories.performance.score * 100));
      const mid = runs[scores.indexOf(median(scores))];
      const a = (id: string) => mid.audits[id]?.numericValue ?? NaN;
      const bench = runs.map((r) => Math.round(r.environment.benchmarkIndex));
      // What the phone downloads as scripts (compressed, as sent): the catalog, the runtime, the page.
      const jsBytes = (mid.audits["network-requests"]?.details?.items ?? [])
        .filter((i) => i.resourceType === "Script")
        .reduce((sum, i) => sum + (i.transferSize ?? 0), 0);
      rows.push({
        group: "lighthouse",
        name: `${page.name} ${page.path}, mobile (median of ${RUNS})`,
        measured: `performance ${median(scores)} (runs ${scores.join("/")}); FCP ${
          (a("first-contentful-paint") / 1000).toFixed(1)
        } s, LCP ${(a("largest-contentful-paint") / 1000).toFixed(1)} s, TBT ${
          Math.round(a("total-blocking-time"))
        } ms, CLS ${a("cumulative-layout-shift").toFixed(3)}, ${
          Math.round(a("total-byte-weight") / 1024)
        } KiB (JS ${Math.round(jsBytes / 1024)} KiB)`,
        limit: `Lighthouse CPU benchmark index ${bench.join("/")}`,
        ratio: "",
        target: `≥ ${TARGET}`,
        pass: median(scores) >= TARGET,
        metrics: {
          score: median(scores),
          scores: scores.join("/"),
          fcpMs: Math.round(a("first-contentful-paint")),
          lcpMs: Math.round(a("largest-contentful-paint")),
          tbtMs: Math.round(a("total-blocking-time")),
          ttfbMs: Math.round(a("server-response-time")),
          cls: a("cumulative-layout-shift"),
          bytes: a("total-byte-weight"),
          jsBytes,
          benchmarkIndex: median(bench),
        },
      });
    }
  } finally {
    await app.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return rows;
}

if (import.meta.main) {
  console.log(table(await lighthouseRows()));
}
