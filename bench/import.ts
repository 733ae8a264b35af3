/**
 * Importing a host's bookings (services/host-import.ts → services/import-bookings.ts): a file of
 * 5,000 bookings — 60 % confirmed ahead, 20 % pending requests still held, 10 % cancelled, 10 %
 * confirmed in the past — made by a source server and imported into a fresh one on a file KV,
 * through the whole path (file validation, then one guarded engine write per booking).
 *
 * The limit beside it, measured in the same run on the same disk: raw atomic commits of an
 * import's shape (the booking checked absent, its day's fence checked, and the booking, its
 * index, busy entry, fence, cap entries and fences and the host's busy revision written; since
 * ADR 054 no link-token hash) under fresh keys at the same concurrency — the writes any import
 * must make, without reading anything first.
 *
 *   node_modules/.bin/deno run -A bench/import.ts
 */
import { indexOnlyExpiringKeys } from "../src/lib/server/store/kv.ts";
import { join } from "node:path";
import { buildApp } from "../src/lib/server/app.ts";
import { importHostData } from "../src/lib/server/services/host-import.ts";
import { EXPORT_FORMAT, EXPORT_VERSION } from "../src/lib/server/services/host-data.ts";
import { newBookingRecord } from "../src/lib/server/domain/booking.ts";
import { keys } from "../src/lib/server/store/keys.ts";
import { listEventTypes } from "../src/lib/server/store/event-types.ts";
import { newId } from "../src/lib/server/store/users.ts";
import { createEventType, createHost, recordingMailer } from "../tests/support/memory-app.ts";
import type { BookingRecord } from "../src/lib/server/domain/model/records.ts";
import { closeStores, fmtInt, round, type Row } from "./lib.ts";

const BOOKINGS = 5_000;
const IN_FLIGHT = 8;
const SECRET = "bench-secret-".padEnd(48, "x");
/** Target: at least half the rate of the raw writes alone (the snapshot reads cost the rest). */
const TARGET_RATIO = 0.5;

/**
 * An app on a KV file as the server opens it: the engine's reads beside the writer on a second
 * connection (ADR 052, `App.readKv`), opened before anything is written.
 */
async function appOn(path: string, nowMs: number) {
  const kv = await Deno.openKv(path);
  indexOnlyExpiringKeys(path);
  const readKv = await Deno.openKv(path);
  const app = await buildApp({
    INVITO_DB_PATH: path,
    INVITO_SESSION_SECRET: SECRET,
    INVITO_BASE_URL: "http://bench.test",
    INVITO_DISABLE_CRON: "true",
  }, { kv, readKv, mailer: recordingMailer(), now: () => nowMs });
  return { app, close: () => closeStores(readKv, kv) };
}

/** The export file of a host with BOOKINGS bookings, every 30 minutes around the clock. */
async function exportFile(dir: string, nowMs: number): Promise<string> {
  const { app, close } = await appOn(join(dir, "source.kv"), nowMs);
  const host = await createHost(app, { username: "mover", timeZone: "Europe/Berlin" });
  const confirmed = await createEventType(app, host, {
    slug: "call",
    durationMin: 15,
    requiresConfirmation: false,
  });
  const pending = await createEventType(app, host, { slug: "request", durationMin: 15 });
  const firstMs = nowMs - BOOKINGS * 0.1 * 30 * 60_000;
  const bookings: Omit<BookingRecord, "tokenSalt">[] = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const startMs = firstMs + i * 30 * 60_000;
    const kind = i % 10;
    const past = startMs < nowMs;
    const et = !past && kind < 2 ? pending : confirmed;
    const b = newBookingRecord(
      {
        id: newId(nowMs),
        tokenSalt: "x",
        host,
        eventType: et,
        startMs,
        durationMin: 15,
        name: `Guest ${i}`,
        email: `g${i}@example.test`,
        note: "",
        guestTimeZone: "America/New_York",
        by: "guest",
      },
      past ? startMs - 86_400_000 : nowMs - 60_000,
      86_400_000,
    );
    const { tokenSalt: _s, ...rest } = !past && kind === 9
      ? { ...b, status: "CANCELLED" as const, endReason: "cancelled_by_guest" }
      : b;
    bookings.push(rest);
  }
  const file = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    source: "http://old.example/",
    profile: { username: "mover", name: "Mover", timeZone: "Europe/Berlin", clock: "24h" },
    eventTypes: await listEventTypes(app.kv, host.id),
    bookings,
  };
  await close();
  return JSON.stringify(file);
}

/** Raw commits of an import's shape under fresh keys, IN_FLIGHT at a time. */
async function rawImportCommits(path: string, n: number): Promise<number> {
  const kv = await Deno.openKv(path);
  indexOnlyExpiringKeys(path);
  const value = { v: 1, pad: "x".repeat(700) };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < n) {
      const i = next++;
      const id = `b${i}`;
      const fence = ["busy_fence", "h", `d${i}`];
      const op = kv.atomic()
        .check({ key: keys.booking(id), versionstamp: null })
        .check({ key: fence, versionstamp: null })
        .set(keys.booking(id), value)
        .set(keys.bookingByHostStart("h", i, id), id)
        .set(["busy", "h", `d${i}`, i, id], { v: 1, startMs: i, endMs: i + 1 })
        .set(fence, { v: 1, maxBlockMs: 1 })
        .set(["cap_entry", "e", "day", `d${i}`, id], { v: 1 })
        .set(["cap_entry", "e", "week", `w${i}`, id], { v: 1 })
        .set(["cap_fence", "e", "day", `d${i}`], { v: 1 })
        .set(["cap_fence", "e", "week", `w${i}`], { v: 1 })
        .set(keys.busyRev("h"), { v: 1 });
      if (!(await op.commit()).ok) throw new Error("raw commit failed");
    }
  }));
  const perS = n / ((performance.now() - t0) / 1000);
  kv.close();
  return perS;
}

export async function importRows(): Promise<Row[]> {
  const dir = await Deno.makeTempDir({ prefix: "invito-bench-import-" });
  try {
    const nowMs = Date.parse("2026-11-20T08:00:00Z");
    const text = await exportFile(dir, nowMs);
    const { app, close } = await appOn(join(dir, "target.kv"), nowMs);
    const user = await createHost(app, { username: "fresh" });
    const t0 = performance.now();
    const r = await importHostData(app, user, text, undefined, { budgetMs: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    await close();
    if (!r.ok) throw new Error(r.error);
    const c = r.bookings!;
    if (c.imported !== BOOKINGS) throw new Error(`imported ${JSON.stringify(c)}`);
    const perS = BOOKINGS / seconds;
    const rawPerS = await rawImportCommits(join(dir, "raw.kv"), BOOKINGS);
    return [{
      group: "host import",
      name: `${
        fmtInt(BOOKINGS)
      } bookings from an export file (validation + one guarded write each)`,
      measured: `${fmtInt(perS)} bookings/s (${round(seconds, 2)} s, ${
        fmtInt(text.length / 1024)
      } KiB file)`,
      limit: `raw KV commits of an import's shape, ${IN_FLIGHT} at once: ${fmtInt(rawPerS)}/s`,
      ratio: `${round(perS / rawPerS, 2)}× raw`,
      target: `≥ ${TARGET_RATIO}× raw`,
      pass: perS / rawPerS >= TARGET_RATIO,
      metrics: { bookings: BOOKINGS, seconds, perS, rawPerS, bytes: text.length },
    }];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const row of await importRows()) console.log(row);
}
