/**
 * Teams, on one file KV in one temp dir:
 *
 * 1. A team's booking page through the built server: GET /team/{team}/{event}?tz=…&date=… for
 *    a team of 10 and one of 20 members, each member with 1,000 busy windows (firm bookings in
 *    the store) over the 30 days of the month shown, Mon–Fri 09:00–12:00 + 13:00–17:00 in
 *    Europe/Berlin; round robin (union) and collective (intersection). Every request names
 *    another guest time zone, so neither the rendered-page cache nor the month cache can answer
 *    it: each one computes every member's month. Members' busy lists are kept while their busy
 *    revision is unchanged (store/busy-cache.ts), as between bookings. Sequential requests;
 *    p50/p95. Beside them, one member's own page over the same store. Target: team of 10 p95
 *    ≤ 60 ms; 20 members ≤ 2.5× the 10-member p95.
 * 2. Collective bookings of 5 members through the service (the multi-person protocol: open, five
 *    holds, commit), 20 at a time on distinct slots, next to single bookings of one host at the
 *    same concurrency on the same store: commits per second of each (informational).
 *
 *   node_modules/.bin/deno run -A bench/teams.ts      (needs `npm run build` first)
 */
import { indexOnlyExpiringKeys } from "../src/lib/server/store/kv.ts";
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import { bookSlot } from "../src/lib/server/services/book-slot.ts";
import { bookTeamSlot } from "../src/lib/server/services/team-bookings.ts";
import { keys } from "../src/lib/server/store/keys.ts";
import { utcDaysTouched } from "../src/lib/server/domain/booking.ts";
import { newId } from "../src/lib/server/store/users.ts";
import type { BusyEntryRecord, FenceRecord } from "../src/lib/server/domain/model/records.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import { createEventType, memoryApp, recordingMailer } from "../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../tests/support/teams.ts";
import { startApp } from "../tests/support/app.ts";
import { closeStores, fmtMs, percentile, prng, round, type Row, table } from "./lib.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const TARGET_TEAM10_P95_MS = 60;
const TARGET_GROWTH = 2.5;
const REQUESTS = 120;
const WARMUP = 10;
const SECRET = "bench-secret-".padEnd(48, "x");

const workday = () => [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }];
const WEEKLY: WeeklyRules = {
  1: workday(),
  2: workday(),
  3: workday(),
  4: workday(),
  5: workday(),
  6: [],
  7: [],
};
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

/** 1,000 firm busy windows of 10–30 minutes for one person over [fromMs, fromMs + 30 days). */
async function seedBusy(kv: Deno.Kv, personId: string, fromMs: number, seed: number) {
  const random = prng(seed);
  const entries: [Deno.KvKey, BusyEntryRecord][] = [];
  const longest = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const startMs = fromMs + Math.floor(random() * 30 * 24 * 12) * 5 * MINUTE;
    const endMs = startMs + (10 + Math.floor(random() * 5) * 5) * MINUTE;
    const id = newId(startMs);
    const value: BusyEntryRecord = {
      v: 1,
      bookingId: id,
      startMs,
      endMs,
      holdUntilMs: null,
      eventTypeId: "seed",
    };
    for (const day of utcDaysTouched(startMs, endMs)) {
      entries.push([keys.busy(personId, day, startMs, id), value]);
      longest.set(day, Math.max(longest.get(day) ?? 0, endMs - startMs));
    }
  }
  for (let i = 0; i < entries.length; i += 500) {
    const op = kv.atomic();
    for (const [k, v] of entries.slice(i, i + 500)) op.set(k, v);
    await op.commit();
  }
  const op = kv.atomic();
  for (const [day, maxBlockMs] of longest) {
    op.set(keys.busyFence(personId, day), { v: 1, maxBlockMs } satisfies FenceRecord);
  }
  await op.commit();
}

/** Zones to cycle through: each request a guest somewhere else (a miss in every cache). */
const ZONES = Intl.supportedValuesOf("timeZone");

async function timePage(
  url: (i: number) => string,
  n: number,
  expectSlots = true,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t = performance.now();
    const res = await fetch(url(i));
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url(i)} answered ${res.status}`);
    if (i === 0 && expectSlots && !/data-slot="/.test(text)) {
      throw new Error(`${url(i)} shows no slots`);
    }
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export async function teamRows(): Promise<Row[]> {
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-teams-" });
  const dbPath = join(dir, "invito.kv");
  const rows: Row[] = [];
  try {
    // Next month, the one the page shows: its busy windows fall in the 30 days from the 1st.
    const now = new Date();
    const fromMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const date = new Date(fromMs + 14 * DAY).toISOString().slice(0, 10);
    {
      const kv = await Deno.openKv(dbPath);
      const seed = await memoryApp({ kv, nowIso: new Date().toISOString(), guard: false });
      const members = Array.from({ length: 20 }, (_, i) => ({
        username: `m${i}`,
        timeZone: "Europe/Berlin",
        weekly: WEEKLY,
      }));
      const big = await seedTeam(seed, { slug: "twenty", members });
      for (const [i, u] of big.users.entries()) {
        await seedBusy(kv, u.id, fromMs, 1_000 + i);
        await createEventType(seed, u, { slug: "own", durationMin: 30, bookingWindowDays: 60 });
      }
      await seedTeamEventType(seed, big.team, { slug: "any", teamMode: "round_robin" });
      await seedTeamEventType(seed, big.team, { slug: "all", teamMode: "collective" });
      const small = await seedTeam(seed, {
        slug: "ten",
        members: [],
      });
      // The team of ten: the first ten of the same people (same busy windows).
      await kv.set(keys.team(small.team.id), {
        ...small.team,
        members: big.team.members.slice(0, 10),
      });
      const ten = { ...small.team, members: big.team.members.slice(0, 10) };
      await seedTeamEventType(seed, ten, { slug: "any", teamMode: "round_robin" });
      await seedTeamEventType(seed, ten, { slug: "all", teamMode: "collective" });
      kv.close();
    }
    const app = await startApp({
      dataDir: dir,
      env: { INVITO_RATE_LIMIT: "off", INVITO_DISABLE_CRON: "true" },
    });
    try {
      const page = (path: string) => (i: number) =>
        app.url(`${path}?tz=${encodeURIComponent(ZONES[i % ZONES.length])}&date=${date}`);
      const single = await timePage(page("/calendar/m0/own"), REQUESTS);
      const measured: Record<string, number[]> = {};
      for (const team of ["ten", "twenty"]) {
        for (const et of ["any", "all"]) {
          // Ten people's random busy hours leave no time all of them share (as in bench/slots.ts).
          measured[`${team}/${et}`] = await timePage(
            page(`/team/${team}/${et}`),
            REQUESTS,
            et === "any",
          );
        }
      }
      const p = (xs: number[], q: number) => percentile(xs, q);
      const singleP95 = p(single, 95);
      for (
        const [et, mode] of [["any", "union (round robin)"], ["all", "intersection (collective)"]]
      ) {
        const ten = measured[`ten/${et}`];
        const twenty = measured[`twenty/${et}`];
        const growth = p(twenty, 95) / p(ten, 95);
        rows.push({
          group: "team page",
          name: `GET /team/ten/${et}, 10 members × 1,000 busy, ${mode}`,
          measured: `p50 ${fmtMs(p(ten, 50))} · p95 ${fmtMs(p(ten, 95))}`,
          limit: `one member's page: p95 ${fmtMs(singleP95)} (× 10 = ${fmtMs(singleP95 * 10)})`,
          ratio: `${(p(ten, 95) / (singleP95 * 10)).toFixed(2)}× ten pages`,
          target: `p95 ≤ ${TARGET_TEAM10_P95_MS} ms`,
          pass: p(ten, 95) <= TARGET_TEAM10_P95_MS,
          metrics: {
            p50Ms: round(p(ten, 50)),
            p95Ms: round(p(ten, 95)),
            singleP95Ms: round(singleP95),
            requests: REQUESTS,
          },
        });
        rows.push({
          group: "team page",
          name: `GET /team/twenty/${et}, 20 members × 1,000 busy, ${mode}`,
          measured: `p50 ${fmtMs(p(twenty, 50))} · p95 ${fmtMs(p(twenty, 95))}`,
          limit: `10 members: p95 ${fmtMs(p(ten, 95))}`,
          ratio: `${growth.toFixed(2)}× 10 members`,
          target: `≤ ${TARGET_GROWTH}× 10 members`,
          pass: growth <= TARGET_GROWTH,
          metrics: {
            p50Ms: round(p(twenty, 50)),
            p95Ms: round(p(twenty, 95)),
            growth: round(growth),
            requests: REQUESTS,
          },
        });
      }
    } finally {
      await app.stop({ keepData: true });
    }
    rows.push(...await commitRows(join(dir, "commits.kv")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

/** Collective bookings of five members next to single bookings, 20 at a time, distinct slots. */
async function commitRows(path: string): Promise<Row[]> {
  const kv = await Deno.openKv(path);
  indexOnlyExpiringKeys(path);
  try {
    const app = await buildApp({
      INVITO_DB_PATH: path,
      INVITO_SESSION_SECRET: SECRET,
      INVITO_DISABLE_CRON: "true",
      INVITO_RATE_LIMIT: "off",
    }, { kv, mailer: recordingMailer() });
    const seedApp = Object.assign(app, {});
    const { team, users } = await seedTeam(seedApp, {
      slug: "five",
      members: Array.from({ length: 5 }, (_, i) => ({ username: `c${i}`, weekly: EVERY_DAY })),
    });
    await seedTeamEventType(seedApp, team, {
      slug: "panel",
      teamMode: "collective",
      durationMin: 15,
      bookingWindowDays: 60,
    });
    await createEventType(seedApp, users[0], {
      slug: "solo",
      durationMin: 15,
      requiresConfirmation: false,
      bookingWindowDays: 60,
    });
    const base = Math.ceil(Date.now() / DAY) * DAY + DAY;
    const N = 400;
    const C = 20;
    const run = async (fn: (i: number) => Promise<{ ok: boolean }>) => {
      let next = 0;
      let ok = 0;
      const lat: number[] = [];
      const t0 = performance.now();
      await Promise.all(Array.from({ length: C }, async () => {
        while (true) {
          const i = next++;
          if (i >= N) return;
          const s = performance.now();
          if ((await fn(i)).ok) ok++;
          lat.push(performance.now() - s);
        }
      }));
      const elapsed = performance.now() - t0;
      lat.sort((a, b) => a - b);
      return {
        ok,
        perSec: ok / (elapsed / 1000),
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
      };
    };
    const guest = (i: number) => ({
      name: `Guest ${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    // Distinct 15-minute slots: the collective on day 1–5, the single host's on day 6–10.
    const at = (day: number, i: number) =>
      new Date(base + day * DAY + i * 15 * MINUTE).toISOString();
    const singles = await run((i) =>
      bookSlot(app, {
        username: "c0",
        slug: "solo",
        start: at(6 + Math.floor(i / 96), i % 96),
        ...guest(i),
      })
    );
    const teams = await run((i) =>
      bookTeamSlot(app, {
        team: "five",
        slug: "panel",
        start: at(Math.floor(i / 96), i % 96),
        ...guest(i),
      })
    );
    if (teams.ok !== N || singles.ok !== N) {
      throw new Error(`not every booking landed: team ${teams.ok}, single ${singles.ok} of ${N}`);
    }
    return [{
      group: "team commits",
      name: `collective of 5 (open, 5 holds, commit), c=${C}, distinct slots`,
      measured: `${teams.perSec.toFixed(0)} bookings/s, p50 ${fmtMs(teams.p50)}, p99 ${
        fmtMs(teams.p99)
      }`,
      limit: `single bookings, same run: ${singles.perSec.toFixed(0)}/s, p99 ${fmtMs(singles.p99)}`,
      ratio: `${(teams.perSec / singles.perSec).toFixed(2)}× single`,
      target: "—",
      pass: null,
      metrics: {
        teamPerSec: round(teams.perSec),
        singlePerSec: round(singles.perSec),
        teamP99Ms: round(teams.p99),
        singleP99Ms: round(singles.p99),
        bookings: N,
        concurrency: C,
      },
    }];
  } finally {
    await closeStores(kv);
  }
}

if (import.meta.main) {
  console.log(table(await teamRows()));
}
