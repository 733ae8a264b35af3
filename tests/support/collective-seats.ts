/**
 * A collective seated class for the seat tests (services/team-seat-*.test.ts): a team, its event
 * type, seats booked by guests, and the store's invariants checked as a whole.
 */
import assert from "node:assert/strict";
import { memoryApp } from "./memory-app.ts";
import { guest, seedTeam, seedTeamEventType } from "./teams.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { getSeatLedger } from "../../src/lib/server/store/seats.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { liveSeats } from "../../src/lib/server/domain/seats.ts";
import { isLiveBooking } from "../../src/lib/server/domain/booking.ts";
import { contendedKv } from "./kv-contention.ts";
import { KeyedLock } from "../../src/lib/server/services/keyed-lock.ts";
import type { App } from "../../src/lib/server/app.ts";
import type {
  BookingRecord,
  BusyEntryRecord,
  CoordinatorRecord,
  OutboxRecord,
  SeatLedgerRecord,
  UserRecord,
} from "../../src/lib/server/domain/model/records.ts";

export const HOUR = 3_600_000;
export const T0 = Date.parse("2026-11-23T00:00:00Z");
export const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
export const A = T0 + 10 * HOUR;
export const B = T0 + 13 * HOUR;
export const C = T0 + 16 * HOUR;
export { guest };

/**
 * A two-member collective class with `perTime` seats. With `servers`, that many Apps share one
 * store held quiet before every commit (tests/support/kv-contention.ts): every request racing a
 * commit has read what it reads first, so only the checks decide — one server's lanes would
 * otherwise queue its seat writes of one time behind each other.
 */
export async function setup(
  perTime: number,
  opts: {
    members?: number;
    intervalMin?: number;
    servers?: number;
    requiresConfirmation?: boolean;
  } = {},
) {
  const kv = opts.servers ? contendedKv(await Deno.openKv(":memory:")) : undefined;
  const app = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" }, kv });
  const { team, users } = await seedTeam(app, {
    members: Array.from({ length: opts.members ?? 2 }, (_, i) => ({ username: `m${i}` })),
  });
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    teamMode: "collective",
    durationMin: 60,
    intervalMin: opts.intervalMin ?? null,
    ...(opts.requiresConfirmation !== undefined
      ? { requiresConfirmation: opts.requiresConfirmation }
      : {}),
    seats: { perTime, showAttendees: false, hideCount: false },
  });
  const servers: App[] = [app];
  for (let i = 1; i < (opts.servers ?? 1); i++) {
    const other = await memoryApp({ env: { INVITO_RATE_LIMIT: "off" }, kv });
    other.hostLock = new KeyedLock();
    servers.push(other);
  }
  const close = () => {
    app.close();
    kv?.close();
  };
  return { app, servers, team, users, et, close };
}

export async function seat(app: App, startMs: number, who: number | string) {
  const r = await bookTeamSlot(app, {
    team: "crew",
    slug: "class",
    start: at(startMs),
    ...guest(who),
  });
  assert.ok(r.ok, JSON.stringify(r));
  return { id: r.bookingId, token: r.guestToken };
}

export async function busyOf(kv: Deno.Kv, personId: string): Promise<BusyEntryRecord[]> {
  const out: BusyEntryRecord[] = [];
  for await (const e of kv.list<BusyEntryRecord>({ prefix: ["busy", personId] })) {
    out.push(e.value);
  }
  return out;
}

/**
 * The store as a whole after a crowd: every ledger lists exactly the live seats of its time (each
 * live seat in one ledger, of that ledger's meeting), every meeting with a live seat has its
 * coordinator committed and every other released, and each member's busy time is exactly the
 * meetings with a live seat — nothing held for a meeting that has none, nothing missing.
 */
export async function assertConsistent(app: App, etId: string, users: UserRecord[]) {
  const nowMs = app.now();
  const ledgers: SeatLedgerRecord[] = [];
  for await (const e of app.kv.list<SeatLedgerRecord>({ prefix: keys.seatLedgerPrefix(etId) })) {
    ledgers.push(e.value);
  }
  const live: BookingRecord[] = [];
  for await (const e of app.kv.list<BookingRecord>({ prefix: ["booking"] })) {
    if (e.value.eventTypeId === etId && isLiveBooking(e.value, nowMs)) live.push(e.value);
  }
  const seated = new Map<string, string>();
  const meetings = new Set<string>();
  for (const l of ledgers) {
    const seats = liveSeats(l, nowMs);
    if (seats.length > 0) meetings.add(l.meetingId);
    for (const x of seats) {
      assert.ok(!seated.has(x.id), `${x.id} is counted twice`);
      seated.set(x.id, l.meetingId);
    }
    const c = (await app.kv.get<CoordinatorRecord>(keys.coordinator(l.coordinatorId!))).value;
    assert.equal(c?.state, seats.length > 0 ? "committed" : "released", `${at(l.startMs)}`);
  }
  assert.deepEqual(
    live.map((b) => b.id).sort(),
    [...seated.keys()].sort(),
    "the ledgers list exactly the live seats",
  );
  for (const b of live) {
    assert.equal(b.seat?.meetingId, seated.get(b.id), `${b.id} is a seat of its time's meeting`);
    const l = ledgers.find((x) => x.meetingId === b.seat!.meetingId)!;
    assert.equal(l.startMs, b.startMs);
    assert.equal(b.coordinatorId, l.coordinatorId);
  }
  for (const u of users) {
    const mine = new Set((await busyOf(app.kv, u.id)).map((e) => e.bookingId));
    assert.deepEqual([...mine].sort(), [...meetings].sort(), `${u.username}: the live meetings`);
  }
  return { ledgers, live };
}

export const ledgerIds = async (app: App, etId: string, startMs: number) =>
  liveSeats(await getSeatLedger(app.kv, etId, startMs), app.now()).map((x) => x.id).sort();

export async function jobsOf(app: App, bookingId: string): Promise<OutboxRecord["payload"][]> {
  const out: OutboxRecord["payload"][] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) {
    const p = e.value?.payload as { bookingId?: string } | undefined;
    if (p?.bookingId === bookingId) out.push(e.value.payload);
  }
  return out;
}
