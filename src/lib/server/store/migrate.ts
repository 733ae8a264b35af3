/**
 * Store migrations, run on start before the first request (hooks `init`). Versioned by
 * `["meta", "schema"]`, idempotent (every step can run again after a crash), in bounded atomic
 * batches, and under a KV lease so that two processes never migrate at once; a process that
 * finds another one migrating waits for it.
 *
 * Schema 1 → 2 (docs/decisions/002-booking-engine.md): the guard structures of schema 1 — one
 * ledger per host per UTC day (`host_day`), cap counter lists (`event_type_cap`) and per-guest
 * hold lists (`guest_holds`) — are derived data of the booking records. They are rebuilt from
 * the live bookings as per-entry keys with their fences (busy time, cap entries, guest holds),
 * then the old records are deleted. Processes running schema-1 code must be stopped first: they
 * would keep writing the old keys.
 */
import { keys } from "./keys.ts";
import type {
  BookingRecord,
  BusyEntryRecord,
  CapEntryRecord,
  FenceRecord,
  GuestHoldRecord,
} from "../domain/model/records.ts";
import { acquireLease, releaseLease } from "./leases.ts";
import { commitOrReread } from "./kv.ts";
import { utcDaysTouched } from "../domain/booking.ts";
import { capPeriods } from "../domain/event-rules.ts";
import { guestKey, personsOf } from "../domain/booking-engine/index.ts";

export const SCHEMA = 2;
export type SchemaRecord = {
  v: 1;
  version: number;
  migratedAtMs: number;
  /** the run that wrote it: a lost answer is settled by reading it back (ADR 038) */
  attempt?: string;
};

/** Mutations per atomic write (remote KV allows 1,000). */
const BATCH = 400;
const LEASE = "migrate";
const LEASE_MS = 60_000;

export type MigrationReport = { from: number; to: number; bookings: number; removed: number };

type Write = { key: Deno.KvKey; value: unknown } | { key: Deno.KvKey; delete: true };

/** The schema-2 guard entries a live booking needs (the same keys the engine writes). */
export function guardEntries(b: BookingRecord): Write[] {
  const hold = b.status === "PENDING" ? b.reservedUntilMs : null;
  const out: Write[] = [];
  const busy: BusyEntryRecord = {
    v: 1,
    bookingId: b.id,
    startMs: b.blockStartMs,
    endMs: b.blockEndMs,
    holdUntilMs: hold,
    eventTypeId: b.eventTypeId,
  };
  for (const p of personsOf(b)) {
    for (const day of utcDaysTouched(b.blockStartMs, b.blockEndMs)) {
      out.push({ key: keys.busyFence(p, day), value: { v: 1 } satisfies FenceRecord });
      out.push({ key: keys.busy(p, day, b.blockStartMs, b.id), value: busy });
    }
  }
  const periods = capPeriods(b.startMs, b.hostTimeZone);
  for (const [period, periodKey] of [["day", periods.day], ["week", periods.week]] as const) {
    out.push({
      key: keys.capFence(b.eventTypeId, period, periodKey),
      value: { v: 1 } satisfies FenceRecord,
    });
    out.push({
      key: keys.capEntry(b.eventTypeId, period, periodKey, b.id),
      value: { v: 1, bookingId: b.id, holdUntilMs: hold } satisfies CapEntryRecord,
    });
  }
  if (b.status === "PENDING" && b.reservedUntilMs !== null) {
    const email = guestKey(b.guestEmail);
    out.push({ key: keys.guestHoldFence(b.hostId, email), value: { v: 1 } satisfies FenceRecord });
    out.push({
      key: keys.guestHold(b.hostId, email, b.id),
      value: { v: 1, bookingId: b.id, untilMs: b.reservedUntilMs } satisfies GuestHoldRecord,
    });
  }
  return out;
}

async function flush(kv: Deno.Kv, writes: Write[]): Promise<void> {
  for (let i = 0; i < writes.length; i += BATCH) {
    const op = kv.atomic();
    for (const w of writes.slice(i, i + BATCH)) {
      if ("delete" in w) op.delete(w.key);
      else op.set(w.key, w.value);
    }
    await op.commit();
  }
}

/** Whether any schema-1 guard record is left. */
async function hasLegacy(kv: Deno.Kv): Promise<boolean> {
  for (
    const prefix of [
      keys.legacyHostDayPrefix(),
      keys.legacyEventTypeCapPrefix(),
      keys.legacyGuestHoldsPrefix(),
    ]
  ) {
    for await (const _ of kv.list({ prefix }, { limit: 1 })) return true;
  }
  return false;
}

async function schemaOf(kv: Deno.Kv): Promise<Deno.KvEntryMaybe<SchemaRecord>> {
  return await kv.get<SchemaRecord>(keys.meta("schema"));
}

export async function migrateStore(
  kv: Deno.Kv,
  opts: { owner: string; now: () => number; waitMs?: number },
): Promise<MigrationReport | null> {
  const deadline = opts.now() + (opts.waitMs ?? 10 * 60_000);
  while (true) {
    const schema = await schemaOf(kv);
    if ((schema.value?.version ?? 1) >= SCHEMA) return null;
    // Even a store that looks new is marked under the lease only: another process's migration,
    // between removing the schema-1 records and writing the mark, looks just like one, and
    // marking it here would make that migration's own final write fail.
    if (await acquireLease(kv, LEASE, opts.owner, LEASE_MS, opts.now())) break;
    if (opts.now() > deadline) throw new Error("the store is being migrated by another process");
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    const schema = await schemaOf(kv);
    const from = schema.value?.version ?? 1;
    if (from >= SCHEMA) return null;
    // No marker and no schema-1 record: a new store, one the current code wrote (tests), or one
    // whose migration stopped after removing the old records; the guards exist, only mark it.
    if (!schema.value && !(await hasLegacy(kv))) {
      await kv.atomic().check(schema).set(
        keys.meta("schema"),
        { v: 1, version: SCHEMA, migratedAtMs: opts.now() } satisfies SchemaRecord,
      ).commit();
      return null;
    }
    const renew = () => acquireLease(kv, LEASE, opts.owner, LEASE_MS, opts.now());
    const nowMs = opts.now();

    // 1. Every live booking's guard entries (a hold already over needs none).
    let bookings = 0;
    let pending: Write[] = [];
    for await (
      const e of kv.list<BookingRecord>({ prefix: keys.bookingPrefix() }, { batchSize: 500 })
    ) {
      const b = e.value;
      const live = b.status === "CONFIRMED" ||
        (b.status === "PENDING" && (b.reservedUntilMs ?? 0) > nowMs);
      if (!live) continue;
      bookings++;
      pending.push(...guardEntries(b));
      if (pending.length >= BATCH) {
        await flush(kv, pending);
        pending = [];
        if (!(await renew())) throw new Error("lost the migration lease");
      }
    }
    await flush(kv, pending);

    // 2. The schema-1 records, now that nothing reads them.
    let removed = 0;
    for (
      const prefix of [
        keys.legacyHostDayPrefix(),
        keys.legacyEventTypeCapPrefix(),
        keys.legacyGuestHoldsPrefix(),
      ]
    ) {
      while (true) {
        const batch: Write[] = [];
        for await (const e of kv.list({ prefix }, { limit: BATCH })) {
          batch.push({ key: e.key, delete: true });
        }
        if (batch.length === 0) break;
        await flush(kv, batch);
        removed += batch.length;
        if (!(await renew())) throw new Error("lost the migration lease");
      }
    }

    // 3. Done: the version moves only if nobody else moved it. A lost answer (remote KV, ADR
    // 038) is settled by reading the mark back: this run moved it when it names this attempt.
    const mark: SchemaRecord = {
      v: 1,
      version: SCHEMA,
      migratedAtMs: opts.now(),
      attempt: crypto.randomUUID(),
    };
    const res = await commitOrReread(
      kv.atomic().check(schema).set(keys.meta("schema"), mark),
      async () => (await schemaOf(kv)).value?.attempt === mark.attempt,
    );
    if (!res.ok) return null;
    return { from, to: SCHEMA, bookings, removed };
  } finally {
    await releaseLease(kv, LEASE, opts.owner);
  }
}
