/**
 * The JSON API's public slots endpoint under load: the built server (demo host, rate limits off)
 * answering 30 days of slots, next to Deno.serve answering the same bytes from memory
 * (bench/static-server.ts), with the same clients on the same machine.
 *
 * - c=1: 2,000 requests one after another from a Deno fetch client → p50/p95/p99. Target p95 ≤ 5 ms.
 * - c=50: the load generator (wrk) → requests per second, as a script asks (no Accept-Encoding)
 *   and as a browser does (brotli). Target ≥ 10,000 req/s.
 *
 *   node_modules/.bin/deno run -A bench/run.ts --only api     (needs `npm run build` first)
 */
import { join } from "node:path";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { startApp } from "../tests/support/app.ts";
import {
  fmtInt,
  fmtMs,
  freePort,
  type LoadGenerator,
  percentile,
  round,
  type Row,
  spawnUntilHealthy,
} from "./lib.ts";

const TARGET_P95_MS = 5;
const TARGET_RPS = 10_000;
const SEQUENTIAL = 2_000;

/** Sequential GETs of `url`: latency percentiles as one client sees them. */
async function sequential(url: string, n: number) {
  const lat: number[] = [];
  for (let i = 0; i < n + 100; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= 100) lat.push(performance.now() - t); // the first 100 warm up
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) };
}

export async function apiRows(gen: LoadGenerator, opts: { seconds?: number } = {}): Promise<Row[]> {
  const seconds = opts.seconds ?? 5;
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-api-" });
  const app = await startApp({
    demo: true,
    env: { INVITO_RATE_LIMIT: "off", INVITO_DISABLE_CRON: "true" },
  });
  let ref: Awaited<ReturnType<typeof spawnUntilHealthy>> | null = null;
  let refBr: Awaited<ReturnType<typeof spawnUntilHealthy>> | null = null;
  try {
    const today = new Date().toISOString().slice(0, 10);
    const end = new Date(Date.now() + 29 * 86_400_000).toISOString().slice(0, 10);
    const path =
      `/api/v1/users/demo/event-types/intro-call/slots?start=${today}&end=${end}&timeZone=America/New_York`;
    const res = await fetch(app.url(path));
    const body = new Uint8Array(await res.arrayBuffer());
    const slots = JSON.parse(new TextDecoder().decode(body)).slots?.length ?? 0;
    if (res.status !== 200 || slots < 100) {
      throw new Error(
        `the slots endpoint did not answer 30 days of slots (${res.status}, ${slots})`,
      );
    }
    const bodyFile = join(dir, "slots.json");
    await Deno.writeFile(bodyFile, body);
    const port = freePort();
    ref = await spawnUntilHealthy(
      ["bench/static-server.ts", String(port), bodyFile, "application/json; charset=utf-8"],
      {},
      `http://127.0.0.1:${port}/healthz`,
    );
    const refUrl = `http://127.0.0.1:${port}${path}`;
    const rows: Row[] = [];

    const mine = await sequential(app.url(path), SEQUENTIAL);
    const theirs = await sequential(refUrl, SEQUENTIAL);
    rows.push({
      group: "API slots JSON",
      name: `GET …/slots, 30 days (${slots} slots, ${fmtInt(body.length)} B), c=1`,
      measured: `p50 ${fmtMs(mine.p50)} · p95 ${fmtMs(mine.p95)} · p99 ${fmtMs(mine.p99)}`,
      limit: `Deno.serve, same bytes: p95 ${fmtMs(theirs.p95)}`,
      ratio: `${(mine.p95 / theirs.p95).toFixed(1)}× p95`,
      target: `p95 ≤ ${TARGET_P95_MS} ms`,
      pass: mine.p95 <= TARGET_P95_MS,
      metrics: {
        p50Ms: round(mine.p50, 3),
        p95Ms: round(mine.p95, 3),
        p99Ms: round(mine.p99, 3),
        refP95Ms: round(theirs.p95, 3),
        slots,
        bytes: body.length,
      },
    });

    // As a script asks (no Accept-Encoding), and as a browser does: the answer brotli-compressed,
    // beside Deno.serve sending the same compressed bytes (quality 5, as compress.ts makes them).
    const brFile = join(dir, "slots.json.br");
    await Deno.writeFile(
      brFile,
      brotliCompressSync(body, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: 5,
          [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
    );
    const brPort = freePort();
    refBr = await spawnUntilHealthy(
      ["bench/static-server.ts", String(brPort), brFile, "application/json; charset=utf-8", "br"],
      {},
      `http://127.0.0.1:${brPort}/healthz`,
    );
    const cases: { label: string; headers: Record<string, string>; refUrl: string }[] = [
      { label: "c=50", headers: {}, refUrl },
      {
        label: "c=50, as a browser asks (Accept-Encoding: gzip, deflate, br)",
        headers: { "accept-encoding": "gzip, deflate, br" },
        refUrl: `http://127.0.0.1:${brPort}${path}`,
      },
    ];
    for (const c of cases) {
      await gen.run(app.url(path), 50, 1, c.headers);
      await gen.run(c.refUrl, 50, 1, c.headers);
      const m = await gen.run(app.url(path), 50, seconds, c.headers);
      const r = await gen.run(c.refUrl, 50, seconds, c.headers);
      rows.push({
        group: "API slots JSON",
        name: `GET …/slots, 30 days, ${c.label}`,
        measured: `${fmtInt(m.requestsPerSec)} req/s, p50 ${fmtMs(m.p50Ms)}, p99 ${fmtMs(m.p99Ms)}`,
        limit: `Deno.serve, same bytes: ${fmtInt(r.requestsPerSec)} req/s, p99 ${fmtMs(r.p99Ms)}`,
        ratio: `${(m.requestsPerSec / r.requestsPerSec).toFixed(2)}× req/s`,
        target: `≥ ${fmtInt(TARGET_RPS)} req/s`,
        pass: m.requestsPerSec >= TARGET_RPS && m.errors === 0 && m.non2xx === 0,
        metrics: {
          requestsPerSec: round(m.requestsPerSec, 1),
          p50Ms: round(m.p50Ms, 2),
          p99Ms: round(m.p99Ms, 2),
          errors: m.errors,
          non2xx: m.non2xx,
          refRequestsPerSec: round(r.requestsPerSec, 1),
        },
      });
    }
    return rows;
  } finally {
    await ref?.stop();
    await refBr?.stop();
    await app.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
