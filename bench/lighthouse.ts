/**
 * Lighthouse 12 mobile performance of the booking page and the widget, against the built server
 * (demo host) on 127.0.0.1, with Debian's Chromium: `lighthouse` comes from the project's npm
 * devDependencies (12.x: 13 needs Node ≥ 22.19), run under Node with CHROME_PATH. Each page is
 * measured three times and the median score counts (Lighthouse's own advice for variance). The
 * row also states Lighthouse's CPU benchmark index of this machine during the run: Lighthouse
 * slows the CPU 4× on top of it, so a loaded 2-core box scores lower than an idle one.
 * Lighthouse's browser is a guest in the host's zone; a guest elsewhere (sent on to their zone's
 * page before it paints, ADR 056) is measured by the "own times on screen" rows, with Chromium
 * throttled as Lighthouse's mobile preset and timed from the click to their zone on screen.
 *
 *   node_modules/.bin/deno run -A bench/lighthouse.ts      (needs `npm run build` first)
 *
 * INVITO_LH_KEEP=DIR keeps every Lighthouse JSON report there (`widget-1.json`, …) to read what
 * costs (bootup time, unused JavaScript, main-thread work).
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type AppHandle, startApp } from "../tests/support/app.ts";
import { launchBrowser } from "../tests/support/browser.ts";
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
async function lighthouse(url: string, out: string, timeZone: string): Promise<Lhr> {
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
      // Chromium takes its zone from TZ, as any program on Linux does.
      env: { CHROME_PATH: Deno.env.get("CHROME_PATH") ?? "/usr/bin/chromium", TZ: timeZone },
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

/** Lighthouse's mobile preset (slow 4G, a mid-range phone), applied by Chromium itself. */
const PHONE = {
  latency: 150,
  downloadThroughput: 1638.4 * 1024 / 8,
  uploadThroughput: 750 * 1024 / 8,
};
const OWN_RUNS = 5;
const OWN_TARGET = 1.5;

/**
 * One visit of a guest in Tokyo (the demo host is in Berlin) on a throttled phone: the ms from
 * asking for the page until it shows times in Tokyo, and the main thread's blocking time (each
 * long task past 50 ms) over every document of the visit until it is hydrated. This is what the
 * guest waits for; Lighthouse cannot say it: it scores the first paint, whichever times it shows,
 * and its simulation does not model a page that goes on to another address.
 */
async function ownTimes(browser: Browser, url: string) {
  const ctx = await browser.newContext({
    timezoneId: "Asia/Tokyo",
    locale: "en-GB",
    viewport: { width: 412, height: 823 },
  });
  try {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...PHONE });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    let shownAt = 0;
    let blockingMs = 0;
    await page.exposeFunction("benchShown", (at: number) => shownAt ||= at);
    await page.exposeFunction("benchBlocked", (ms: number) => blockingMs += ms);
    await page.addInitScript(() => {
      // deno-lint-ignore no-explicit-any
      const g = globalThis as any;
      const look = () => {
        const line = document.querySelector("[data-testid=settings-line]")?.textContent ?? "";
        if (line.includes("Tokyo")) g.benchShown(Date.now());
        else if (performance.now() < 60_000) requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) g.benchBlocked(Math.max(0, e.duration - 50));
      }).observe({ type: "longtask", buffered: true });
    });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: "networkidle" });
    await page.waitForSelector("html[data-hydrated]", { state: "attached" });
    await page.waitForFunction(() =>
      document.querySelector("[data-testid=settings-line]")?.textContent?.includes("Tokyo")
    );
    // The last long task's entry reaches the observer after the task.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    return { shownMs: shownAt - t0, blockingMs: Math.round(blockingMs) };
  } finally {
    await ctx.close();
  }
}

/**
 * A guest abroad opening a plain link (`/calendar/demo/intro-call`: the server can only guess
 * the host's zone) against a link that names their zone (`?tz=Asia/Tokyo`: nothing to correct),
 * alternating, median of OWN_RUNS each.
 */
export async function ownTimesRows(app: AppHandle): Promise<Row[]> {
  const browser = await launchBrowser();
  const rows: Row[] = [];
  try {
    for (const page of PAGES) {
      const plain: { shownMs: number; blockingMs: number }[] = [];
      const named: { shownMs: number; blockingMs: number }[] = [];
      for (let i = 0; i < OWN_RUNS; i++) {
        plain.push(await ownTimes(browser, app.url(page.path)));
        named.push(await ownTimes(browser, app.url(`${page.path}?tz=Asia%2FTokyo`)));
      }
      const shown = median(plain.map((r) => r.shownMs));
      const limit = median(named.map((r) => r.shownMs));
      const blocking = median(plain.map((r) => r.blockingMs));
      rows.push({
        group: "lighthouse",
        name:
          `${page.name}: a guest in Tokyo (host in Berlin) opens a plain link, phone throttled as Lighthouse's mobile (median of ${OWN_RUNS})`,
        measured: `their own times on screen after ${shown} ms (runs ${
          plain.map((r) => r.shownMs).join("/")
        }); blocking time ${blocking} ms`,
        limit: `a link that names their zone: ${limit} ms, blocking ${
          median(named.map((r) => r.blockingMs))
        } ms`,
        ratio: `${(shown / limit).toFixed(2)}×`,
        target: `≤ ${OWN_TARGET}×`,
        pass: shown / limit <= OWN_TARGET,
        metrics: { shownMs: shown, namedMs: limit, blockingMs: blocking },
      });
    }
  } finally {
    await browser.close();
  }
  return rows;
}

export async function lighthouseRows(): Promise<Row[]> {
  const app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
  const dir = await Deno.makeTempDir({ prefix: "invito-lh-" });
  const rows: Row[] = [];
  try {
    // Lighthouse's browser is a guest in the host's zone, whose page shows the right times at
    // once. A guest elsewhere is sent on to the page in their zone before it paints (ADR 056),
    // which Lighthouse's simulation cannot follow (it counted 24 KiB for a page of 108): that
    // guest has rows of their own below.
    const html = await (await fetch(app.url(PAGES[0].path))).text();
    const hostZone = /data-guessed-tz="([^"]+)"/.exec(html)?.[1];
    if (!hostZone) throw new Error("bench: the booking page does not say the zone it guessed");
    for (const page of PAGES) {
      // A visitor meets a server that has served this page before (modules loaded, caches warm).
      for (let i = 0; i < 20; i++) await (await fetch(app.url(page.path))).body?.cancel();
      const runs: Lhr[] = [];
      for (let i = 0; i < RUNS; i++) {
        const keep = Deno.env.get("INVITO_LH_KEEP");
        const file = keep
          ? join(keep, `${page.name.replaceAll(" ", "-")}-${i}.json`)
          : join(dir, `${i}.json`);
        runs.push(await lighthouse(app.url(page.path), file, hostZone));
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
        name: `${page.name} ${page.path}, a guest in the host's zone, mobile (median of ${RUNS})`,
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
    rows.push(...await ownTimesRows(app));
  } finally {
    await app.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return rows;
}

if (import.meta.main) {
  console.log(table(await lighthouseRows()));
}
