/**
 * Booking throughput, contention and footprint, on one file KV in one temp dir, every limit
 * on a store set up as the server sets up its own (its expiry index holding only the keys that
 * expire, ADR 063: each new key was otherwise written twice):
 *
 * 1. raw Deno KV at 100 concurrent writers: commits of exactly a booking's shape — the engine's
 *    own plans for the 10,000 bookings of step 2 (their writes and outbox jobs under their own
 *    keys, as many checks), the limit the booking rows are compared with; for context, the same
 *    writes with each plan's keys side by side (one booking's keys then share a page of the
 *    store's B-tree, which real bookings' keys never do: 2–3× faster), and one check + one set;
 * 2. the service layer: `bookSlot` over a file KV, 100 concurrent requests on distinct slots of
 *    100 hosts, until 10,000 bookings are stored (the same file then serves 4–6);
 * 3. cold start: spawn → GET /healthz 200 of the built server on that store, next to Deno.serve;
 * 4. RSS of the server with those 10,000 bookings, at start and after a round of page views, next
 *    to Deno.serve and to the same server with the demo host only after the same views; then
 *    after a crawl of 2,000 pages none of which is kept yet (every host on 20 days), by default
 *    and with the low-memory setting: what a box needs once V8's collections have found their
 *    rhythm, which the 200 views, a snapshot of a young process, do not show (ADR 053);
 * 5. HTTP end to end: POST /calendar/{host}/call?/book at 100 connections on distinct slots, for
 *    five seconds from wrk (bench/wrk-book-posts.lua) when it is installed, else 3,000 posts
 *    from this process;
 * 6. 200 concurrent POSTs on one slot, as a form post without JavaScript (accept: text/html) and
 *    as the page's use:enhance post: exactly one 303 each round, and the latency of all 200.
 *
 * Hosts work every day 00:00–24:00 UTC; event type "call" is 15 minutes and needs confirmation
 * (the longer write: three link tokens and the per-guest hold cap). Background jobs are off in
 * the server (INVITO_DISABLE_CRON) so the outbox drain does not compete with the figure measured;
 * every guest has its own email address (the per-guest cap is not what is measured).
 *
 *   node_modules/.bin/deno run -A bench/bookings.ts      (needs `npm run build` first)
 */
import { indexOnlyExpiringKeys } from "../src/lib/server/store/kv.ts";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { type App, buildApp } from "../src/lib/server/app.ts";
import { bookSlot } from "../src/lib/server/services/book-slot.ts";
import { engineRules } from "../src/lib/server/services/transaction.ts";
import {
  type Change,
  type Plan,
  planChange,
} from "../src/lib/server/domain/booking-engine/index.ts";
import { newBookingRecord } from "../src/lib/server/domain/booking.ts";
import { readSnapshot } from "../src/lib/server/store/booking-snapshot.ts";
import { newOutboxRecord } from "../src/lib/server/store/outbox.ts";
import { newId } from "../src/lib/server/store/users.ts";
import { randomToken } from "../src/lib/server/integrations/crypto.ts";
import { createEventType, createHost, recordingMailer } from "../tests/support/memory-app.ts";
import { type AppHandle, LOW_MEMORY_V8_FLAGS, startApp } from "../tests/support/app.ts";
import { postEnhanced, postPlain } from "../tests/support/http.ts";
import type {
  BookingRecord,
  EventTypeRecord,
  IdempotencyCommitRecord,
  UserRecord,
} from "../src/lib/server/domain/model/records.ts";
import { guestResourceNow } from "../src/lib/server/services/booking-resource.ts";
import { anonymousScope, requestFingerprint } from "../src/lib/server/services/idempotency.ts";
import { commitWithAnswer, IDEMPOTENCY_TTL_MS } from "../src/lib/server/store/idempotency.ts";
import { keys } from "../src/lib/server/store/keys.ts";
import type { WeeklyRules } from "../src/lib/server/domain/availability.ts";
import {
  closeStores,
  fmtInt,
  fmtMs,
  freePort,
  percentile,
  profileText,
  profileThreads,
  round,
  type Row,
  rssOf,
  runWrkScript,
  spawnUntilHealthy,
  table,
  waitIdle,
  wrkPath,
} from "./lib.ts";

const CONCURRENCY = 100;
const HOSTS = 100;
const SEED_BOOKINGS = 10_000;
const SLOT_MS = 15 * 60_000;
/** Posts of the API row, and of the form-post row when wrk is missing. */
const HTTP_TOTAL = 3_000;
/** How long wrk posts booking forms. */
const HTTP_SECONDS = 5;
const TARGET_RATIO = 0.5;
const TARGET_COMMITS = 1_000;
const TARGET_CONTENTION_P99_MS = 250;
const TARGET_RSS_MB = 150;
const TARGET_COLD_START_MS = 1_000;
/** The crawl's days per host (row 4): its views are HOSTS × CRAWL_DAYS pages rendered anew. */
const CRAWL_DAYS = 20;
const SECRET = "bench-secret-".padEnd(48, "x");
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

type Timed = { ok: boolean; ms: number; status: string };

/** Runs `total` calls of `fn(i)` with at most `c` in flight; returns per-call results and elapsed ms. */
async function runConcurrent(
  total: number,
  c: number,
  fn: (i: number) => Promise<{ ok: boolean; status: string }>,
) {
  const results: Timed[] = new Array(total);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(c, total) }, async () => {
    while (true) {
      const i = next++;
      if (i >= total) return;
      const s = performance.now();
      let r: { ok: boolean; status: string };
      try {
        r = await fn(i);
      } catch (e) {
        r = { ok: false, status: `error: ${e instanceof Error ? e.message.slice(0, 60) : e}` };
      }
      results[i] = { ...r, ms: performance.now() - s };
    }
  }));
  return { results, elapsedMs: performance.now() - t0 };
}

type Summary = ReturnType<typeof summarize>;

function summarize(results: Timed[], elapsedMs: number) {
  const lat = results.map((r) => r.ms).sort((a, b) => a - b);
  const ok = results.filter((r) => r.ok).length;
  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
  return {
    ok,
    perSec: ok / (elapsedMs / 1000),
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    maxMs: lat[lat.length - 1],
    outcomes,
    elapsedMs,
  };
}

/** Raw commits: one absent-check and one set of a value about the size of a booking. */
async function rawCommits(path: string, total: number) {
  const kv = await Deno.openKv(path);
  indexOnlyExpiringKeys(path);
  const value = { v: 1, payload: "x".repeat(1_200) };
  try {
    const { results, elapsedMs } = await runConcurrent(total, CONCURRENCY, async (i) => {
      const key = ["raw", i];
      const res = await kv.atomic().check({ key, versionstamp: null }).set(key, value).commit();
      return { ok: res.ok, status: res.ok ? "committed" : "conflict" };
    });
    return summarize(results, elapsedMs);
  } finally {
    kv.close();
  }
}

/**
 * The plans the engine makes for `total` distinct bookings of the service-layer run below (host
 * `i % HOSTS`, its `⌊i / HOSTS⌋`-th slot, guest `i`, each with its own id, link tokens and
 * receipt), planned on an empty store: the keys and values a booking really writes, without the
 * reads and decisions around them.
 */
async function bookingPlans(
  total: number,
  dayStartMs: number,
): Promise<{ plans: Plan[]; keyRecords: KeyRecord[][] }> {
  const kv = await Deno.openKv(":memory:");
  try {
    const app = await benchApp(kv, ":memory:");
    const hosts = [];
    for (let h = 0; h < HOSTS; h++) {
      const host = await createHost(app, { username: `p${h}`, timeZone: "UTC", weekly: EVERY_DAY });
      const et = await createEventType(app, host, {
        slug: "call",
        durationMin: 15,
        requiresConfirmation: true,
        bookingWindowDays: 60,
      });
      hosts.push({ host, et, rules: engineRules(app, et) });
    }
    const nowMs = app.now();
    const plans: Plan[] = [];
    const keyRecords: KeyRecord[][] = [];
    for (let i = 0; i < total; i++) {
      const { host, et, rules } = hosts[i % HOSTS];
      const id = { id: newId(nowMs), tokenSalt: randomToken(16) };
      const change: Change = {
        kind: "create",
        booking: newBookingRecord(
          {
            ...id,
            host,
            eventType: et,
            startMs: dayStartMs + Math.floor(i / HOSTS) * SLOT_MS,
            durationMin: 15,
            name: `Guest ${i}`,
            email: `guest${i}@example.test`,
            note: "",
            guestTimeZone: "UTC",
            by: "guest",
          },
          nowMs,
          app.config.bookingTtlMs,
        ),
      };
      const snap = await readSnapshot(
        kv,
        change,
        rules,
        () => Promise.resolve({ busy: [], unknown: [] }),
      );
      const res = planChange(snap, change, rules, nowMs, crypto.randomUUID());
      if (!res.ok) throw new Error(`no plan: ${res.reason}`);
      plans.push(res.plan);
      keyRecords.push(await apiKeyRecords(app, change.booking, et, i, nowMs));
    }
    return { plans, keyRecords };
  } finally {
    kv.close();
  }
}

/** A record the API's commit adds: set (checked absent when `checked`), or only checked absent. */
type KeyRecord = { key: Deno.KvKey; value: unknown; checked: boolean; checkOnly?: boolean };

/**
 * The records an API booking under an Idempotency-Key adds to the booking's own commit
 * (services/idempotency.ts): the key's commit record, checked absent and carrying the answer kept
 * for a retry (the booking as the API answers it, with the guest's links), kept a day; and the
 * key's run record, checked absent (another request's claim of the key). Made by the code the
 * API runs, for a guest posting from one address.
 */
async function apiKeyRecords(
  app: App,
  booking: BookingRecord,
  eventType: EventTypeRecord,
  i: number,
  nowMs: number,
): Promise<KeyRecord[]> {
  const scope = await anonymousScope("127.0.0.1", null, booking.guestEmail);
  const key = `bench-api-${i}`;
  const fingerprint = await requestFingerprint("POST", "/bookings", {
    username: "host",
    eventType: eventType.slug,
    start: new Date(booking.startMs).toISOString(),
    timeZone: "UTC",
    name: booking.guestName,
    email: booking.guestEmail,
  });
  const commit: IdempotencyCommitRecord = {
    v: 1,
    fingerprint,
    atMs: nowMs,
    target: {
      kind: "new_booking",
      hostId: booking.hostId,
      startMs: booking.startMs,
      email: booking.guestEmail,
    },
  };
  const body = guestResourceNow(app, booking, eventType, nowMs);
  return [
    { key: keys.idempotency(scope, key), value: null, checked: true, checkOnly: true },
    {
      key: keys.idempotencyCommit(scope, key),
      value: commitWithAnswer(commit, { status: 201, body }),
      checked: true,
    },
  ];
}

/**
 * Raw commits of a booking's shape: plan `i`'s writes and outbox jobs under their own keys, and
 * as many checks (of a fresh key beside each checked one, so they pass). With `adjacent`, every
 * key of plan `i` is put under `["shape", i]` instead — side by side in the store, which no
 * booking's keys are (the limit this benchmark used up to round 3, for comparison). With
 * `keyRecords`, each commit also checks and writes the API's Idempotency-Key records: an API
 * booking's writes.
 */
async function rawBookingShapedCommits(
  path: string,
  plans: Plan[],
  adjacent = false,
  keyRecords?: KeyRecord[][],
) {
  const kv = await Deno.openKv(path);
  indexOnlyExpiringKeys(path);
  const nowMs = Date.now();
  try {
    const { results, elapsedMs } = await runConcurrent(plans.length, CONCURRENCY, async (i) => {
      const plan = plans[i];
      const op = kv.atomic();
      const at = (k: readonly unknown[]) => (adjacent ? ["shape", i, ...k] : k) as Deno.KvKey;
      for (const c of plan.checks) {
        op.check({
          key: adjacent ? at(c.key) : [...c.key, "raw", i] as Deno.KvKey,
          versionstamp: null,
        });
      }
      for (const w of plan.writes) {
        if (w.op === "set") op.set(at(w.key), w.value);
        else op.delete(at(w.key));
      }
      for (const j of plan.jobs) {
        const job = newOutboxRecord(j.payload, nowMs, j.dueMs);
        op.set(at(["outbox", job.dueMs, job.id]), job);
        if (j.payload.kind === "booking_mail" || j.payload.kind === "writeback") {
          op.set(at(["outbox_by_booking", job.id]), job.dueMs);
        }
      }
      for (const r of keyRecords?.[i] ?? []) {
        if (r.checked) op.check({ key: r.key, versionstamp: null });
        if (!r.checkOnly) op.set(r.key, r.value, { expireIn: IDEMPOTENCY_TTL_MS });
      }
      const res = await op.commit();
      return { ok: res.ok, status: res.ok ? "committed" : "conflict" };
    });
    return summarize(results, elapsedMs);
  } finally {
    kv.close();
  }
}

/**
 * Both raw limits, on fresh stores. The 10,000 plans live only in here: the service layer below
 * runs in this process, and keeping them would make its garbage collector (and the HTTP
 * client's) work through them for the rest of the run.
 */
async function shapedLimits(dir: string, dayStartMs: number) {
  const { plans, keyRecords } = await bookingPlans(SEED_BOOKINGS, dayStartMs);
  const shapeText = `${plans[0].budget.checks} checks, ${plans[0].budget.mutations} mutations`;
  // The two limits the HTTP rows are held to are the better of two passes, each on a fresh
  // store: on a box whose disk stalls now and then, one pass read 644/s for these writes and
  // 1,084/s for the heavier API writes half a minute later, and the next run 1,061 and 739/s
  // (2026-12-02), which moved every ratio below with it.
  const better = async (name: string, run: (path: string) => Promise<Summary>) => {
    const a = await run(join(dir, `${name}-1.kv`));
    const b = await run(join(dir, `${name}-2.kv`));
    return a.perSec >= b.perSec ? a : b;
  };
  const shaped = await better("shaped", (path) => rawBookingShapedCommits(path, plans));
  const adjacent = await rawBookingShapedCommits(join(dir, "adjacent.kv"), plans, true);
  const apiShaped = await better(
    "api-shaped",
    (path) => rawBookingShapedCommits(path, plans, false, keyRecords),
  );
  // As the store keeps it: the answer's JSON deflated (store/idempotency.ts).
  const bodyZ = (keyRecords[0][1].value as IdempotencyCommitRecord).answer!.bodyZ;
  const answerBytes = { json: inflateRawSync(bodyZ).byteLength, stored: bodyZ.byteLength };
  return { shaped, adjacent, apiShaped, answerBytes, shapeText };
}

/** The `k`-th bookable start of every host: tomorrow 00:00 UTC plus k quarter hours. */
function slotStart(k: number, dayStartMs: number): string {
  return new Date(dayStartMs + k * SLOT_MS).toISOString().replace(".000Z", "Z");
}

async function benchApp(kv: Deno.Kv, dbPath: string, readKv?: Deno.Kv): Promise<App> {
  return await buildApp(
    {
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: SECRET,
      INVITO_BASE_URL: "http://127.0.0.1",
      INVITO_DISABLE_CRON: "true",
    },
    { kv, readKv, mailer: recordingMailer() },
  );
}

async function seedHosts(app: App): Promise<UserRecord[]> {
  const hosts: UserRecord[] = [];
  for (let h = 0; h < HOSTS; h++) {
    const host = await createHost(app, {
      username: `host${h}`,
      timeZone: "UTC",
      weekly: EVERY_DAY,
    });
    await createEventType(app, host, {
      slug: "call",
      durationMin: 15,
      requiresConfirmation: true,
      bookingWindowDays: 60,
    });
    hosts.push(host);
  }
  return hosts;
}

export async function bookingRows(): Promise<Row[]> {
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-bookings-" });
  const dataDir = join(dir, "data");
  await Deno.mkdir(dataDir);
  const dbPath = join(dataDir, "invito.kv");
  const dayStartMs = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
  const rows: Row[] = [];
  try {
    // 1. raw KV
    const raw = await rawCommits(join(dir, "raw.kv"), 20_000);
    const { shaped, adjacent, apiShaped, answerBytes, shapeText } = await shapedLimits(
      dir,
      dayStartMs,
    );
    const shapeLimit =
      `raw KV commits of the same bookings' writes (${shapeText}, their own keys; the better of two passes): ${
        fmtInt(shaped.perSec)
      }/s (the same writes side by side in the store: ${
        fmtInt(adjacent.perSec)
      }/s; 1 check + 1 set: ${fmtInt(raw.perSec)}/s)`;

    // 2. service layer, seeding 10,000 bookings
    const kv = await Deno.openKv(dbPath);
    indexOnlyExpiringKeys(dbPath);
    // Reads beside the writer on a second connection, as the server has them (App.readKv).
    const readKv = await Deno.openKv(dbPath);
    let service;
    try {
      const app = await benchApp(kv, dbPath, readKv);
      const hosts = await seedHosts(app);
      const prof = profileThreads(Deno.pid);
      const { results, elapsedMs } = await runConcurrent(SEED_BOOKINGS, CONCURRENCY, async (i) => {
        const r = await bookSlot(app, {
          username: hosts[i % HOSTS].username,
          slug: "call",
          start: slotStart(Math.floor(i / HOSTS), dayStartMs),
          name: `Guest ${i}`,
          email: `guest${i}@example.test`,
          note: "",
          timeZone: "UTC",
        });
        return { ok: r.ok, status: r.ok ? "booked" : r.reason };
      });
      const sum = summarize(results, elapsedMs);
      service = { ...sum, profile: profileText(prof.stop(), sum.ok) };
    } finally {
      await closeStores(readKv, kv);
    }
    // The target compares with commits of the same shape (the limit any booking write has).
    const serviceRatio = service.perSec / shaped.perSec;
    rows.push({
      group: "booking commits",
      name: `bookSlot (service layer), c=${CONCURRENCY}, distinct slots`,
      measured: `${fmtInt(service.perSec)} commits/s, p50 ${fmtMs(service.p50Ms)}, p99 ${
        fmtMs(service.p99Ms)
      }`,
      limit: shapeLimit,
      ratio: `${serviceRatio.toFixed(2)}× shaped (${
        (service.perSec / raw.perSec).toFixed(2)
      }× raw)`,
      target: `≥ ${TARGET_RATIO * 100} % of shaped and ≥ ${fmtInt(TARGET_COMMITS)}/s`,
      pass: serviceRatio >= TARGET_RATIO && service.perSec >= TARGET_COMMITS &&
        service.ok === SEED_BOOKINGS,
      metrics: {
        commitsPerSec: round(service.perSec, 1),
        profile: service.profile,
        p50Ms: round(service.p50Ms, 2),
        p99Ms: round(service.p99Ms, 2),
        booked: service.ok,
        outcomes: JSON.stringify(service.outcomes),
        rawCommitsPerSec: round(raw.perSec, 1),
        bookingShapedCommitsPerSec: round(shaped.perSec, 1),
        adjacentShapedCommitsPerSec: round(adjacent.perSec, 1),
        rawP50Ms: round(raw.p50Ms, 2),
        rawP99Ms: round(raw.p99Ms, 2),
      },
    });

    // 3. cold start on the 10,000-booking store, next to Deno.serve's own cold start
    const env = (port: number) => ({
      INVITO_BASE_URL: `http://127.0.0.1:${port}`,
      INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: SECRET,
      INVITO_RATE_LIMIT: "off",
      INVITO_DISABLE_CRON: "true",
    });
    const appStarts: number[] = [];
    const refStarts: number[] = [];
    const bodyFile = join(dir, "body.txt");
    await Deno.writeTextFile(bodyFile, "ok");
    for (let i = 0; i < 3; i++) {
      const port = freePort();
      const s = await spawnUntilHealthy(
        ["server.ts"],
        env(port),
        `http://127.0.0.1:${port}/healthz`,
      );
      appStarts.push(s.readyMs);
      await s.stop();
      const rp = freePort();
      const r = await spawnUntilHealthy(
        ["bench/static-server.ts", String(rp), bodyFile, "text/plain"],
        {},
        `http://127.0.0.1:${rp}/healthz`,
      );
      refStarts.push(r.readyMs);
      await r.stop();
    }
    const coldMs = [...appStarts].sort((a, b) => a - b)[1];
    const refColdMs = [...refStarts].sort((a, b) => a - b)[1];
    rows.push({
      group: "footprint",
      name: "cold start: spawn → GET /healthz 200 (median of 3)",
      measured: fmtMs(coldMs),
      limit: `Deno.serve hello: ${fmtMs(refColdMs)}`,
      ratio: `${(coldMs / refColdMs).toFixed(1)}×`,
      target: `≤ ${fmtInt(TARGET_COLD_START_MS)} ms`,
      pass: coldMs <= TARGET_COLD_START_MS,
      metrics: {
        medianMs: round(coldMs, 1),
        runsMs: appStarts.map((x) => round(x, 1)).join(" "),
        refMedianMs: round(refColdMs, 1),
      },
    });

    // The same server with an almost empty store (the demo host only), after the same page views:
    // what the code costs, apart from the data.
    let emptyRss = { rssMb: NaN, peakMb: NaN, anonMb: NaN };
    {
      const empty = await startApp({
        demo: true,
        env: { INVITO_DISABLE_CRON: "true", INVITO_RATE_LIMIT: "off" },
      });
      try {
        await runConcurrent(2 * HOSTS, 10, async () => {
          const res = await fetch(empty.url("/calendar/demo/intro-call?tz=UTC"));
          await res.body?.cancel();
          return { ok: res.status === 200, status: String(res.status) };
        });
        emptyRss = await rssOf(empty.pid()!);
      } finally {
        await empty.stop();
      }
    }

    // The built server on the bench's store; `env` adds to what every one of them gets.
    const onStore = (env: Record<string, string> = {}) =>
      startApp({
        dataDir,
        env: {
          INVITO_SESSION_SECRET: SECRET,
          INVITO_DISABLE_CRON: "true",
          INVITO_RATE_LIMIT: "off",
          ...env,
        },
      });
    // `views` booking pages, every host in turn, on the day `dayOf(i)` after `dayStartMs`. Every
    // one must be the page: a memory row measured over refusals or errors would say nothing.
    const viewPages = async (server: AppHandle, views: number, dayOf: (i: number) => number) => {
      const { results } = await runConcurrent(views, 10, async (i) => {
        const day = new Date(dayStartMs + dayOf(i) * 86_400_000).toISOString().slice(0, 10);
        const res = await fetch(server.url(`/calendar/host${i % HOSTS}/call?tz=UTC&date=${day}`));
        await res.body?.cancel();
        return { ok: res.status === 200, status: String(res.status) };
      });
      const failed = results.filter((r) => !r.ok);
      if (failed.length) {
        throw new Error(`${failed.length} of ${views} page views failed: ${failed[0].status}`);
      }
    };
    // A round of page views across every host (each reads its ledgers and computes slots).
    const viewEveryHost = (server: AppHandle) => viewPages(server, 2 * HOSTS, () => 0);
    // Every host on CRAWL_DAYS days after the day the views above show, none of them kept yet:
    // each view is a render. Peak and current RSS once it ends.
    const crawlEveryHost = async (server: AppHandle) => {
      await viewPages(server, CRAWL_DAYS * HOSTS, (i) => 1 + Math.floor(i / HOSTS));
      return await rssOf(server.pid()!);
    };
    let crawled = { rssMb: NaN, peakMb: NaN, anonMb: NaN };
    {
      const crawler = await onStore();
      try {
        crawled = await crawlEveryHost(crawler);
      } finally {
        await crawler.stop({ keepData: true });
      }
    }

    // The operator's low-memory setting (README, Operations; ADR 053) on the same store, after
    // the same views: what the V8 flag buys. Its cost shows in the rows it slows (ADR 053), so it
    // is measured here and not the default.
    let lowMemory = { rssMb: NaN, peakMb: NaN, anonMb: NaN };
    let lowCrawled = { rssMb: NaN, peakMb: NaN, anonMb: NaN };
    {
      const low = await onStore({ DENO_V8_FLAGS: LOW_MEMORY_V8_FLAGS });
      try {
        await viewEveryHost(low);
        lowMemory = await rssOf(low.pid()!);
        lowCrawled = await crawlEveryHost(low);
      } finally {
        await low.stop({ keepData: true });
      }
    }

    // 4–6 against the running server on the same store
    const app = await onStore();
    const rp = freePort();
    const ref = await spawnUntilHealthy(
      ["bench/static-server.ts", String(rp), bodyFile, "text/plain"],
      {},
      `http://127.0.0.1:${rp}/healthz`,
    );
    try {
      const atStart = await rssOf(app.pid()!);
      await viewEveryHost(app);
      await runConcurrent(2 * HOSTS, 10, async () => {
        const res = await fetch(`http://127.0.0.1:${rp}/`);
        await res.body?.cancel();
        return { ok: res.status === 200, status: String(res.status) };
      });
      const mem = await rssOf(app.pid()!);
      const refMem = await rssOf(ref.child.pid);
      // What the burst leaves once V8 has had a quiet moment: its memory reducer gives unused heap
      // back some seconds after allocation stops. The target still judges the number right after
      // the burst (what a box must have room for); this one tells garbage from data kept.
      const settled = await settledRss(app.pid()!, mem.rssMb);
      rows.push({
        group: "footprint",
        name: `server RSS, ${fmtInt(SEED_BOOKINGS)} bookings stored, after ${2 * HOSTS} page views`,
        measured: `${mem.rssMb.toFixed(1)} MB (peak ${mem.peakMb.toFixed(0)} MB; ${
          atStart.rssMb.toFixed(0)
        } MB before the views; ${settled.rssMb.toFixed(0)} MB after ${settled.idleS} s idle)`,
        limit: `Deno.serve hello: ${refMem.rssMb.toFixed(0)} MB; same server, demo host only: ${
          emptyRss.rssMb.toFixed(0)
        } MB`,
        ratio: `${(mem.rssMb / refMem.rssMb).toFixed(1)}×`,
        target: `≤ ${TARGET_RSS_MB} MB`,
        pass: mem.rssMb <= TARGET_RSS_MB,
        metrics: {
          rssMb: round(mem.rssMb, 1),
          peakMb: round(mem.peakMb, 1),
          anonMb: round(mem.anonMb, 1),
          rssAtStartMb: round(atStart.rssMb, 1),
          settledRssMb: round(settled.rssMb, 1),
          settledAfterS: settled.idleS,
          refRssMb: round(refMem.rssMb, 1),
          emptyStoreRssMb: round(emptyRss.rssMb, 1),
          emptyStoreAnonMb: round(emptyRss.anonMb, 1),
        },
      });
      rows.push({
        group: "footprint",
        name: `the same, with the low-memory setting DENO_V8_FLAGS=${LOW_MEMORY_V8_FLAGS}`,
        measured: `${lowMemory.rssMb.toFixed(1)} MB (peak ${lowMemory.peakMb.toFixed(0)} MB)`,
        limit: `the row above: ${mem.rssMb.toFixed(0)} MB`,
        ratio: `${(lowMemory.rssMb / mem.rssMb).toFixed(2)}×`,
        target: "—",
        // Not the default: it slows the heavier pages and the crowds (ADR 053).
        pass: null,
        metrics: { rssMb: round(lowMemory.rssMb, 1), anonMb: round(lowMemory.anonMb, 1) },
      });
      rows.push({
        group: "footprint",
        name: `server RSS after a crawl of ${
          fmtInt(CRAWL_DAYS * HOSTS)
        } pages rendered anew (every host on ${CRAWL_DAYS} days), c=10`,
        measured: `${crawled.rssMb.toFixed(1)} MB (peak ${crawled.peakMb.toFixed(0)} MB); ${
          lowCrawled.rssMb.toFixed(1)
        } MB (peak ${lowCrawled.peakMb.toFixed(0)} MB) with the low-memory setting`,
        limit: `after the 200 views: ${mem.rssMb.toFixed(0)} MB; with the low-memory setting ${
          lowMemory.rssMb.toFixed(0)
        } MB`,
        ratio: `${(crawled.peakMb / mem.rssMb).toFixed(2)}×, ${
          (lowCrawled.peakMb / lowMemory.rssMb).toFixed(2)
        }×`,
        target: "—",
        // What a box needs; the target judges the young process above (ADR 053).
        pass: null,
        metrics: {
          rssMb: round(crawled.rssMb, 1),
          peakMb: round(crawled.peakMb, 1),
          lowMemoryRssMb: round(lowCrawled.rssMb, 1),
          lowMemoryPeakMb: round(lowCrawled.peakMb, 1),
        },
      });

      const post = async (host: string, start: string, i: number) => {
        const { status } = await postPlain(app.baseUrl, `/calendar/${host}/call?/book`, {
          name: `Web ${i}`,
          email: `web${i}@example.test`,
          note: "",
          start,
          tz: "UTC",
        });
        return { ok: status === 303, status: String(status) };
      };

      // 5. HTTP end to end, distinct slots (after the 100 per host the service layer took). The
      // posts come from wrk, as the page rows' requests do: a C client whose cost per request is
      // small beside the server's, so the row measures the server on the two cores it shares
      // with its load (a JavaScript client in this process took 14–25 % of them). Without wrk,
      // from this process with fetch, and the row says so.
      const wrk = await wrkPath();
      let nextSlot = 200;
      if (wrk) {
        // One second first, not counted: the server's first posts compile its code.
        nextSlot = (await wrkBookPosts(wrk, app.baseUrl, nextSlot, 1, dayStartMs)).nextSlot;
      }
      const httpProf = profileThreads(app.pid()!);
      let h: HttpPosts;
      if (wrk) {
        h = await wrkBookPosts(wrk, app.baseUrl, nextSlot, HTTP_SECONDS, dayStartMs);
      } else {
        const http = await runConcurrent(
          HTTP_TOTAL,
          CONCURRENCY,
          (i) =>
            post(`host${i % HOSTS}`, slotStart(nextSlot + Math.floor(i / HOSTS), dayStartMs), i),
        );
        const sum = summarize(http.results, http.elapsedMs);
        h = {
          ...sum,
          total: HTTP_TOTAL,
          client: "this process, fetch",
          nextSlot: nextSlot + Math.ceil(HTTP_TOTAL / HOSTS),
        };
      }
      nextSlot = h.nextSlot;
      const httpProfile = profileText(httpProf.stop(), h.ok);
      const httpRatio = h.perSec / shaped.perSec;
      rows.push({
        group: "booking commits",
        name: `POST ?/book over HTTP, c=${CONCURRENCY}, distinct slots (load: ${h.client})`,
        measured: `${fmtInt(h.perSec)} commits/s, p50 ${fmtMs(h.p50Ms)}, p99 ${fmtMs(h.p99Ms)}`,
        limit: shapeLimit,
        ratio: `${httpRatio.toFixed(2)}× shaped (${(h.perSec / raw.perSec).toFixed(2)}× raw)`,
        target: `≥ ${TARGET_RATIO * 100} % of shaped and ≥ ${fmtInt(TARGET_COMMITS)}/s`,
        pass: httpRatio >= TARGET_RATIO && h.perSec >= TARGET_COMMITS && h.ok === h.total,
        metrics: {
          commitsPerSec: round(h.perSec, 1),
          profile: httpProfile,
          p50Ms: round(h.p50Ms, 2),
          p99Ms: round(h.p99Ms, 2),
          booked: h.ok,
          posts: h.total,
          client: h.client,
          outcomes: JSON.stringify(h.outcomes),
        },
      });

      // 5b. The JSON API on the same server and store: POST /api/v1/bookings, each with an
      // Idempotency-Key of its own (its record committed in the booking's own atomic write).
      // From wrk as the form posts, so the two rows differ by the server's work only (with
      // fetch from this process the client took a share of the two cores: 709–755/s).
      let a: HttpPosts;
      let apiProfile: string | undefined;
      if (wrk) {
        nextSlot = (await wrkBookPosts(wrk, app.baseUrl, nextSlot, 1, dayStartMs, "api"))
          .nextSlot;
        const apiProf = profileThreads(app.pid()!);
        a = await wrkBookPosts(wrk, app.baseUrl, nextSlot, HTTP_SECONDS, dayStartMs, "api");
        apiProfile = profileText(apiProf.stop(), a.ok);
      } else {
        const apiPost = async (host: string, start: string, i: number) => {
          const res = await fetch(app.url("/api/v1/bookings"), {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": `bench-${i}` },
            body: JSON.stringify({
              username: host,
              eventType: "call",
              start,
              timeZone: "UTC",
              name: `Api ${i}`,
              email: `api${i}@example.test`,
            }),
          });
          await res.body?.cancel();
          return { ok: res.status === 201, status: String(res.status) };
        };
        const apiRun = await runConcurrent(
          HTTP_TOTAL,
          CONCURRENCY,
          (i) =>
            apiPost(`host${i % HOSTS}`, slotStart(nextSlot + Math.floor(i / HOSTS), dayStartMs), i),
        );
        a = {
          ...summarize(apiRun.results, apiRun.elapsedMs),
          total: HTTP_TOTAL,
          client: "this process, fetch",
          nextSlot: nextSlot + Math.ceil(HTTP_TOTAL / HOSTS),
        };
      }
      nextSlot = a.nextSlot;
      // Its shape is the booking's writes and the key's two records (services/idempotency.ts).
      const apiRatio = a.perSec / apiShaped.perSec;
      rows.push({
        group: "booking commits",
        name:
          `POST /api/v1/bookings over HTTP, c=${CONCURRENCY}, distinct slots (load: ${a.client})`,
        measured: `${fmtInt(a.perSec)} commits/s, p50 ${fmtMs(a.p50Ms)}, p99 ${fmtMs(a.p99Ms)}`,
        limit: `raw KV commits of the same bookings' writes with the Idempotency-Key's records ` +
          `(its commit record, checked absent, carrying the answer kept for a retry, ${
            fmtInt(answerBytes.json)
          } B of JSON deflated to ${
            fmtInt(answerBytes.stored)
          } B, and its run record checked absent; one commit each; the better of two passes): ${
            fmtInt(apiShaped.perSec)
          }/s; without them: ${fmtInt(shaped.perSec)}/s; the form post above: ${
            fmtInt(h.perSec)
          }/s`,
        ratio: `${apiRatio.toFixed(2)}× shaped (${(a.perSec / h.perSec).toFixed(2)}× form)`,
        target: `≥ ${TARGET_RATIO * 100} % of shaped and ≥ ${fmtInt(TARGET_COMMITS)}/s`,
        pass: apiRatio >= TARGET_RATIO && a.perSec >= TARGET_COMMITS && a.ok === a.total,
        metrics: {
          commitsPerSec: round(a.perSec, 1),
          apiShapedCommitsPerSec: round(apiShaped.perSec, 1),
          ...(apiProfile ? { profile: apiProfile } : {}),
          keptAnswerJsonBytes: answerBytes.json,
          keptAnswerStoredBytes: answerBytes.stored,
          p50Ms: round(a.p50Ms, 2),
          p99Ms: round(a.p99Ms, 2),
          booked: a.ok,
          posts: a.total,
          client: a.client,
          outcomes: JSON.stringify(a.outcomes),
        },
      });

      // 6. 200-way contention on one slot, three rounds on fresh slots: as a form post without
      // JavaScript (accept: text/html; every 409 is the page again with the error and what the
      // guest typed, filled into a template rendered once per round: ADR 014)
      // and as the page's own use:enhance post (x-sveltekit-action: the 409 is a JSON answer).
      const enhanced = async (host: string, start: string, i: number) => {
        const body = await postEnhanced(app.baseUrl, `/calendar/${host}/call?/book`, {
          name: `Web ${i}`,
          email: `web${i}@example.test`,
          note: "",
          start,
          tz: "UTC",
        });
        return {
          ok: body.type === "redirect" && body.status === 303,
          status: String(body.status),
        };
      };
      let slotIndex = nextSlot;
      // The crowds start once the server has finished what the bookings above left running
      // (their mail jobs, kept answers, garbage): each measures its own 200 requests.
      const idleAfterS = await waitIdle(app.pid()!);
      for (
        const [variant, send] of [["form post, accept: text/html", post], [
          "use:enhance post (JSON answer)",
          enhanced,
        ]] as const
      ) {
        const rounds = [];
        for (let r = 0; r < 3; r++) {
          const start = slotStart(slotIndex++, dayStartMs);
          const res = await runConcurrent(
            200,
            200,
            (i) => send("host0", start, 100_000 + slotIndex * 1_000 + i),
          );
          rounds.push(summarize(res.results, res.elapsedMs));
        }
        const worstP99 = Math.max(...rounds.map((x) => x.p99Ms));
        const oneWinner = rounds.every((x) => x.ok === 1 && x.outcomes["409"] === 199);
        rows.push({
          group: "contention",
          name: `200 concurrent bookings of one slot, ${variant} (3 rounds)`,
          measured: `winners ${
            rounds.map((x) => x.ok).join("/")
          }, 409s ${rounds.map((x) => x.outcomes["409"] ?? 0).join("/")}; ` +
            `p50 ${
              fmtMs(Math.max(...rounds.map((x) => x.p50Ms)))
            }, p99 ${fmtMs(worstP99)}`,
          limit: `raw KV commit p99 at c=100: ${fmtMs(raw.p99Ms)}`,
          ratio: "",
          target: `exactly 1 winner, p99 ≤ ${TARGET_CONTENTION_P99_MS} ms`,
          pass: oneWinner && worstP99 <= TARGET_CONTENTION_P99_MS,
          metrics: {
            rounds: JSON.stringify(
              rounds.map((x) => ({
                outcomes: x.outcomes,
                p50Ms: round(x.p50Ms, 1),
                p99Ms: round(x.p99Ms, 1),
              })),
            ),
            worstP99Ms: round(worstP99, 1),
            startedAfterIdleWaitS: round(idleAfterS, 1),
          },
        });
      }
      const after = await rssOf(app.pid()!);
      rows.find((r) => r.group === "footprint" && r.name.startsWith("server RSS"))!.metrics
        .rssAfterBookingLoadMb = round(after.rssMb, 1);
    } finally {
      await ref.stop();
      await app.stop({ keepData: true });
    }
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

type HttpPosts = {
  ok: number;
  total: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  outcomes: Record<string, number>;
  client: string;
  /** The first slot index no post of this run asked for. */
  nextSlot: number;
};

/**
 * Booking form posts from wrk (bench/wrk-book-posts.lua) for `seconds` at CONCURRENCY
 * connections, from slot `slotBase` on: every post its own host's slot and its own guest.
 */
async function wrkBookPosts(
  wrk: string,
  baseUrl: string,
  slotBase: number,
  seconds: number,
  dayStartMs: number,
  kind: "form" | "api" = "form",
): Promise<HttpPosts> {
  const { result, text } = await runWrkScript(wrk, `${baseUrl}/`, CONCURRENCY, seconds, {
    path: join(import.meta.dirname!, "wrk-book-posts.lua"),
    env: {
      BENCH_KIND: kind,
      BENCH_ORIGIN: new URL(baseUrl).origin,
      BENCH_HOSTS: String(HOSTS),
      BENCH_SLOT_BASE: String(slotBase),
      BENCH_DAY0_S: String(dayStartMs / 1000),
      BENCH_SLOT_S: String(SLOT_MS / 1000),
    },
  });
  const tally = /BOOKED (\d+) OTHER (\d+)/.exec(text);
  if (!tally) throw new Error(`wrk printed no tally:\n${text}`);
  const ok = Number(tally[1]);
  const other = Number(tally[2]);
  const outcomes: Record<string, number> = { [kind === "api" ? "201" : "303"]: ok };
  if (other) outcomes[/FIRST_OTHER (.*)/.exec(text)?.[1].slice(0, 60) ?? "other"] = other;
  if (result.errors) outcomes["socket errors"] = result.errors;
  // Posts still in flight when wrk stopped were sent (their slots are taken) but not counted.
  const sent = ok + other + result.errors + CONCURRENCY;
  return {
    ok,
    total: ok + other + result.errors,
    perSec: ok / seconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    outcomes,
    client: "wrk",
    nextSlot: slotBase + Math.ceil(sent / HOSTS) + 1,
  };
}

if (import.meta.main) {
  console.log(table(await bookingRows()));
}

/**
 * RSS once it stops falling: sampled each second while the process is idle, until two samples
 * in a row no longer drop by 1 MB after it fell below the busy value, or 30 s have passed.
 */
async function settledRss(pid: number, busyMb: number): Promise<{ rssMb: number; idleS: number }> {
  let last = busyMb;
  let fell = false;
  let still = 0;
  for (let s = 1; s <= 30; s++) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = (await rssOf(pid)).rssMb;
    if (now < busyMb - 1) fell = true;
    still = last - now < 1 ? still + 1 : 0;
    last = now;
    if (fell && still >= 2) return { rssMb: now, idleS: s };
  }
  return { rssMb: last, idleS: 30 };
}
