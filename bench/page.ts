/**
 * Booking page SSR under load: the built server (demo host, rate limits off) answering
 * GET /calendar/demo/intro-call?tz=UTC at 10 and 50 connections, next to Deno.serve answering
 * the same bytes from memory (bench/static-server.ts), both driven by the same load generator on
 * the same machine. Target at c=50: ≥ 5,000 req/s (or ≥ 0.2× Deno.serve in the same run) and
 * p99 ≤ 50 ms (issue 26). Also a guest's click within the page (the data of a client-side
 * navigation to the next month), with the same target.
 *
 *   node_modules/.bin/deno run -A bench/page.ts      (needs `npm run build` first)
 */
import { join } from "node:path";
import { startApp } from "../tests/support/app.ts";
import {
  fmtInt,
  fmtMs,
  freePort,
  type LoadGenerator,
  loadGenerator,
  type LoadResult,
  round,
  type Row,
  rssOf,
  spawnUntilHealthy,
  table,
} from "./lib.ts";

const PAGE = "/calendar/demo/intro-call?tz=UTC";
const TARGET_RPS = 5_000;
const TARGET_P99_MS = 50;
/** On a loaded box the rate next to bare Deno.serve in the same run is what counts (issue 26). */
const TARGET_RATIO = 0.2;

export async function pageRows(
  gen: LoadGenerator,
  opts: { seconds?: number } = {},
): Promise<Row[]> {
  const seconds = opts.seconds ?? 5;
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-page-" });
  const app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
  const refs: Awaited<ReturnType<typeof spawnUntilHealthy>>[] = [];
  /** Deno.serve answering `body` from memory at `path` (bench/static-server.ts). */
  const reference = async (file: string, body: Uint8Array, type: string, path: string) => {
    await Deno.writeFile(join(dir, file), body);
    const port = freePort();
    const ref = await spawnUntilHealthy(
      ["bench/static-server.ts", String(port), join(dir, file), type],
      {},
      `http://127.0.0.1:${port}/healthz`,
    );
    refs.push(ref);
    return { ref, url: `http://127.0.0.1:${port}${path}` };
  };
  /** The app at `path` and its reference, warmed and measured at `c` connections. */
  const row = async (
    name: string,
    path: string,
    refUrl: string,
    bytes: number,
    c: number,
    hasTarget: boolean,
  ): Promise<Row> => {
    // Warm both (JIT, connection pools), then measure.
    await gen.run(app.url(path), c, 1);
    await gen.run(refUrl, c, 1);
    const a = await gen.run(app.url(path), c, seconds);
    const r = await gen.run(refUrl, c, seconds);
    return {
      group: "booking page SSR",
      name,
      measured: describe(a, bytes),
      limit: `Deno.serve, same bytes: ${fmtInt(r.requestsPerSec)} req/s, p99 ${fmtMs(r.p99Ms)}`,
      ratio: `${(a.requestsPerSec / r.requestsPerSec).toFixed(2)}× req/s`,
      target: hasTarget
        ? `≥ ${fmtInt(TARGET_RPS)} req/s (≥ ${TARGET_RATIO}× Deno.serve), p99 ≤ ${TARGET_P99_MS} ms`
        : "—",
      pass: hasTarget
        ? (a.requestsPerSec >= TARGET_RPS || a.requestsPerSec >= TARGET_RATIO * r.requestsPerSec) &&
          a.p99Ms <= TARGET_P99_MS && a.non2xx === 0 && a.errors === 0
        : null,
      metrics: {
        connections: c,
        seconds,
        bytes,
        rps: round(a.requestsPerSec, 1),
        p50Ms: round(a.p50Ms, 2),
        p99Ms: round(a.p99Ms, 2),
        requests: a.requests,
        non2xx: a.non2xx,
        socketErrors: a.errors,
        refRps: round(r.requestsPerSec, 1),
        refP50Ms: round(r.p50Ms, 2),
        refP99Ms: round(r.p99Ms, 2),
      },
    };
  };
  try {
    const res = await fetch(app.url(PAGE));
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || !/data-slot="/.test(new TextDecoder().decode(body))) {
      throw new Error(`the booking page did not render slots (${res.status})`);
    }
    const page = await reference(
      "page.html",
      body,
      res.headers.get("content-type") ?? "text/html",
      PAGE,
    );
    const rows: Row[] = [];
    for (const c of [10, 50]) {
      rows.push(await row(`GET ${PAGE}, c=${c}`, PAGE, page.url, body.length, c, c === 50));
    }
    // A guest's click through days and months: SvelteKit's page data for a client-side
    // navigation (next month, so not the page's own first view), beside Deno.serve sending it.
    const next = new Date(Date.now() + 32 * 86_400_000).toISOString().slice(0, 7);
    const click = `/calendar/demo/intro-call/__data.json?tz=UTC&month=${next}` +
      "&x-sveltekit-invalidated=001";
    const clickRes = await fetch(app.url(click));
    const clickBody = new Uint8Array(await clickRes.arrayBuffer());
    if (clickRes.status !== 200 || !/"type":"data"/.test(new TextDecoder().decode(clickBody))) {
      throw new Error(`the booking page's data did not answer (${clickRes.status})`);
    }
    const data = await reference("data.json", clickBody, "application/json", click);
    rows.push(
      await row(
        "a guest's click: GET …/__data.json?tz=UTC&month=(next), c=50",
        click,
        data.url,
        clickBody.length,
        50,
        true,
      ),
    );
    const appRss = await rssOf(app.pid()!);
    const refRss = await rssOf(page.ref.child.pid);
    rows[1].metrics.appRssAfterMb = round(appRss.rssMb, 1);
    rows[1].metrics.refRssAfterMb = round(refRss.rssMb, 1);
    return rows;
  } finally {
    for (const ref of refs) await ref.stop();
    await app.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function describe(a: LoadResult, bytes: number): string {
  const bad = a.non2xx + a.errors ? `, ${a.non2xx} non-2xx, ${a.errors} socket errors` : "";
  return `${fmtInt(a.requestsPerSec)} req/s, p50 ${fmtMs(a.p50Ms)}, p99 ${fmtMs(a.p99Ms)}, ${
    fmtInt(bytes)
  } B${bad}`;
}

if (import.meta.main) {
  const gen = await loadGenerator();
  console.log(table(await pageRows(gen)));
}
