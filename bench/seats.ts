/**
 * Seats per time (issue 25): 200 simultaneous guests on one 10-seat time over HTTP against the
 * built server, three rounds on fresh times, beside the same crowd on a plain (one-guest) time of
 * the same host in the same run — the limit the seated figure is compared with.
 *
 *   node_modules/.bin/deno run -A bench/seats.ts      (needs `npm run build` first)
 */
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import { createEventType, createHost, recordingMailer } from "../tests/support/memory-app.ts";
import { startApp } from "../tests/support/app.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { fmtMs, percentile, round, type Row, table } from "./lib.ts";

const SEATS = 10;
const CROWD = 200;
const ROUNDS = 3;
const TARGET_P99_MS = 300;
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

export async function seatRows(): Promise<Row[]> {
  const dataDir = await Deno.makeTempDir({ prefix: "invito-bench-seats-" });
  try {
    const dbPath = join(dataDir, "invito.kv");
    const kv = await Deno.openKv(dbPath);
    const seed = await buildApp({
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: "bench-secret-".padEnd(48, "x"),
      INVITO_DISABLE_CRON: "true",
    }, { kv, mailer: recordingMailer() });
    const host = await createHost(seed, { username: "seats", timeZone: "UTC", weekly: EVERY_DAY });
    for (const [slug, seats] of [["class", SEATS], ["call", 0]] as const) {
      await createEventType(seed, host, {
        slug,
        durationMin: 30,
        requiresConfirmation: false,
        bookingWindowDays: 60,
        ...(seats ? { seats: { perTime: seats, showAttendees: false, hideCount: false } } : {}),
      });
    }
    kv.close();
    await using app = await startApp({
      dataDir,
      env: { INVITO_RATE_LIMIT: "off", INVITO_DISABLE_CRON: "true" },
    });
    const day =
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) +
      3 * 86_400_000;
    let slot = 0;
    const round_ = async (slug: string) => {
      const start = new Date(day + slot++ * 60 * 60_000).toISOString().replace(".000Z", "Z");
      const out = await Promise.all(
        Array.from({ length: CROWD }, (_, i) =>
          post(app.baseUrl, `/calendar/seats/${slug}?/book`, {
            name: `Guest ${i}`,
            email: `g${slot}-${i}@example.test`,
            note: "",
            start,
            tz: "UTC",
          })),
      );
      const lat = out.map((o) => o.ms).sort((a, b) => a - b);
      const tally: Record<number, number> = {};
      for (const o of out) tally[o.status] = (tally[o.status] ?? 0) + 1;
      return { tally, p50: percentile(lat, 50), p99: percentile(lat, 99) };
    };
    const plain = [];
    const seated = [];
    for (let r = 0; r < ROUNDS; r++) {
      plain.push(await round_("call"));
      seated.push(await round_("class"));
    }
    const worst = (xs: { p99: number }[]) => Math.max(...xs.map((x) => x.p99));
    const exact = seated.every((x) => x.tally[303] === SEATS && x.tally[409] === CROWD - SEATS);
    return [{
      group: "contention",
      name: `${CROWD} simultaneous guests on one ${SEATS}-seat time, form post (${ROUNDS} rounds)`,
      measured: `winners ${
        seated.map((x) => x.tally[303] ?? 0).join("/")
      }, 409s ${seated.map((x) => x.tally[409] ?? 0).join("/")}, 5xx ${
        seated.map((x) => CROWD - (x.tally[303] ?? 0) - (x.tally[409] ?? 0)).join("/")
      }; ` +
        `p50 ${
          fmtMs(Math.max(...seated.map((x) => x.p50)))
        }, p99 ${fmtMs(worst(seated))}`,
      limit: `the same crowd on a one-guest time, same run: p99 ${fmtMs(worst(plain))}`,
      ratio: `${(worst(seated) / worst(plain)).toFixed(2)}× one-guest`,
      target: `exactly ${SEATS} winners, p99 ≤ ${TARGET_P99_MS} ms`,
      pass: exact && worst(seated) <= TARGET_P99_MS,
      metrics: {
        seatedWorstP99Ms: round(worst(seated), 1),
        plainWorstP99Ms: round(worst(plain), 1),
        rounds: JSON.stringify(seated),
      },
    }];
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(table(await seatRows()));
