/**
 * Recurring series (issue 25): 12-date weekly series booked per second at c=10 over HTTP against
 * the built server, beside single bookings of the same host at c=10 in the same run — the limit
 * the series figure is compared with (a series is twelve bookings, taken in several writes:
 * ADR 048). Every series and single lands on free times, so each post is a success.
 *
 *   node_modules/.bin/deno run -A bench/series.ts      (needs `npm run build` first)
 */
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import { createEventType, createHost, recordingMailer } from "../tests/support/memory-app.ts";
import { startApp } from "../tests/support/app.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { fmtMs, percentile, round, type Row, table } from "./lib.ts";

const CONCURRENCY = 10;
const SERIES = 60;
const SINGLES = 300;
const DATES = 12;
const allDay = () => [{ start: "00:00", end: "24:00" }];
const EVERY_DAY: WeeklyRules = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};

async function post(base: string, path: string, form: Record<string, string>) {
  const t0 = performance.now();
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  await res.body?.cancel();
  return { status: res.status, ms: performance.now() - t0 };
}

/** `n` posts of `starts[i]`, `c` at a time: rate per second, latencies, statuses. */
async function load(base: string, slug: string, starts: string[], c: number) {
  let next = 0;
  const out: { status: number; ms: number }[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < starts.length) {
      const i = next++;
      out.push(
        await post(base, `/calendar/bench/${slug}?/book`, {
          name: `Guest ${slug} ${i}`,
          email: `g-${slug}-${i}@example.test`,
          note: "",
          start: starts[i],
          tz: "UTC",
        }),
      );
    }
  }));
  const s = (performance.now() - t0) / 1000;
  const lat = out.map((o) => o.ms).sort((a, b) => a - b);
  return {
    perS: out.filter((o) => o.status === 303).length / s,
    ok: out.filter((o) => o.status === 303).length,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
  };
}

export async function seriesRows(): Promise<Row[]> {
  const dataDir = await Deno.makeTempDir({ prefix: "invito-bench-series-" });
  try {
    const dbPath = join(dataDir, "invito.kv");
    const kv = await Deno.openKv(dbPath);
    const seed = await buildApp({
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: "bench-secret-".padEnd(48, "x"),
      INVITO_DISABLE_CRON: "true",
    }, { kv, mailer: recordingMailer() });
    const host = await createHost(seed, { username: "bench", timeZone: "UTC", weekly: EVERY_DAY });
    const common = { durationMin: 15, requiresConfirmation: false, bookingWindowDays: 60 };
    await createEventType(seed, host, {
      slug: "weekly",
      ...common,
      series: { everyWeeks: 1, count: DATES, freeOnly: false },
    });
    await createEventType(seed, host, { slug: "call", ...common });
    kv.close();
    await using app = await startApp({
      dataDir,
      env: { INVITO_RATE_LIMIT: "off", INVITO_DISABLE_CRON: "true" },
    });
    const day0 =
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) +
      2 * 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
    // Series start on day0 (every quarter hour), singles on the next days: no two collide.
    const seriesStarts = Array.from({ length: SERIES }, (_, i) => iso(day0 + i * 15 * 60_000));
    const singleStarts = Array.from(
      { length: SINGLES },
      (_, i) => iso(day0 + 86_400_000 + i * 15 * 60_000),
    );
    const singles = await load(app.baseUrl, "call", singleStarts, CONCURRENCY);
    const series = await load(app.baseUrl, "weekly", seriesStarts, CONCURRENCY);
    const datesPerS = series.perS * DATES;
    return [{
      group: "series",
      name: `${DATES}-date weekly series booked at c=${CONCURRENCY}, form post (${SERIES} series)`,
      measured: `${series.perS.toFixed(1)} series/s (${
        datesPerS.toFixed(0)
      } dates/s), ${series.ok}/${SERIES} booked; p50 ${fmtMs(series.p50)}, p99 ${
        fmtMs(series.p99)
      }`,
      limit: `single bookings at c=${CONCURRENCY}, same run: ${singles.perS.toFixed(1)}/s, p99 ${
        fmtMs(singles.p99)
      }`,
      ratio: `${(datesPerS / singles.perS).toFixed(2)}× single bookings (dates/s)`,
      target: `every series booked; dates/s ≥ single bookings/s`,
      pass: series.ok === SERIES && singles.ok === SINGLES && datesPerS >= singles.perS,
      metrics: {
        seriesPerS: round(series.perS, 2),
        singlesPerS: round(singles.perS, 2),
        seriesP99Ms: round(series.p99, 1),
        singlesP99Ms: round(singles.p99, 1),
      },
    }];
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(table(await seriesRows()));
