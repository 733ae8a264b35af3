/**
 * History check for teams: the running server takes personal, round-robin and collective
 * bookings (two overlapping collectives, one holding its time as pending requests) of the same
 * members, with guests cancelling and rescheduling, for several seconds. Every request and
 * answer is logged; afterwards the store is checked against the log:
 * - no member's live bookings overlap, whichever mix of event types made them;
 * - exactly one winner per contested slot (bursts of collective, personal and round-robin
 *   requests fired at once at fresh times);
 * - every success exists, and no booking exists that no successful request made;
 * - the store is whole (indexes, busy entries, team lists).
 * Run on one process by tests/reliability/team-history.test.ts and on three processes sharing
 * a remote KV by tests/scale/cluster-team-history.test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createEventType, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../support/teams.ts";
import { tokenBookingId } from "../../src/lib/server/services/booking-links.ts";
import { overlaps } from "../../src/lib/server/domain/interval.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import { bookingsOf, readStore, RequestLog, storeProblems } from "./harness.ts";
import { prng } from "../../bench/lib.ts";

export const TEAM_MEMBERS = ["m0", "m1", "m2"];

/** The team, its members' own event types and the team's three event types, written to `kv`. */
export async function seedTeamHistory(kv: Deno.Kv): Promise<void> {
  const usernames = TEAM_MEMBERS;
  const seed = await memoryApp({ kv, nowIso: new Date().toISOString() });
  const { team, users } = await seedTeam(seed, {
    members: usernames.map((username) => ({ username, weekly: EVERY_DAY_ALL_DAY })),
  });
  const rules = { durationMin: 30, intervalMin: 15 };
  for (const u of users) {
    await createEventType(seed, u, { slug: "own", requiresConfirmation: false, ...rules });
  }
  await seedTeamEventType(seed, team, { slug: "rr", teamMode: "round_robin", ...rules });
  await seedTeamEventType(seed, team, {
    slug: "pair",
    teamMode: "collective",
    hostIds: users.slice(0, 2).map((u) => u.id),
    requiresConfirmation: true,
    ...rules,
  });
  await seedTeamEventType(seed, team, { slug: "trio", teamMode: "collective", ...rules });
}

export type TeamHistoryTarget = {
  /** where requests go (one process, or a proxy in front of several) */
  base: string;
  /** the store: a KV file, or a remote KV URL (with DENO_KV_ACCESS_TOKEN set) */
  dbPath: string;
  /** the servers' output so far */
  logs(): string;
  /** stops every server, keeping the data */
  stop(): Promise<void>;
};

/** Runs the team history check against servers on a store seeded by `seedTeamHistory`. */
export async function teamHistoryCheck(t: TeamHistoryTarget): Promise<void> {
  const usernames = TEAM_MEMBERS;
  const base = t.base;
  const day = Date.parse(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10));
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const log = new RequestLog();
  const tokens = new Map<string, { path: string }>();
  const book = async (base: string, path: string, start: string, i: number) => {
    const r = await log.send("book", base, `${path}?/book`, {
      form: { name: `Guest ${i}`, email: `g${i}@example.test`, note: `#${i}`, start, tz: "UTC" },
      note: start,
    });
    if (r.status === 303 && r.location) {
      tokens.set(new URL(r.location, base).pathname.split("/")[2], { path });
    }
    return r;
  };
  const own = (m: string) => `/calendar/${m}/own`;
  const team = (slug: string) => `/team/crew/${slug}`;

  // ── bursts at fresh times: every request needs m0, so exactly one may win each ──
  let i = 0;
  const bursts: { start: string; results: Awaited<ReturnType<typeof book>>[] }[] = [];
  for (let k = 0; k < 4; k++) {
    const start = iso(day + (14 + k) * HOUR);
    const paths = [
      ...Array(8).fill(team("trio")),
      ...Array(8).fill(own("m0")),
      ...Array(8).fill(team("pair")),
    ];
    const results = await Promise.all(paths.map((p) => book(base, p, start, i++)));
    bursts.push({ start, results });
  }
  // Round robin at a fresh time: one booking per member, then the time is taken.
  const rrStart = iso(day + 19 * HOUR);
  const rrBurst = await Promise.all(
    Array.from({ length: 12 }, () => book(base, team("rr"), rrStart, i++)),
  );

  // Every kind of booking and change once where nothing competes (fresh times of their own),
  // so each surely happens: in the bursts and the mix, who wins is up to the scheduler (a
  // collective of all three members can lose every race on a loaded machine).
  const calm: Record<string, Awaited<ReturnType<typeof book>>> = {};
  for (const [k, path] of [own("m1"), team("rr"), team("pair"), team("trio")].entries()) {
    calm[path] = await book(base, path, iso(day + (20 + k) * HOUR), i++);
  }
  const calmToken = (path: string) =>
    new URL(calm[path].location ?? "/booking/none", base).pathname.split("/")[2];
  const calmMove = await log.send(
    "reschedule",
    base,
    `/booking/${calmToken(team("trio"))}/reschedule`,
    { form: { start: iso(day + 23 * HOUR + 30 * 60_000) } },
  );
  if (calmMove.status === 303 && calmMove.location) {
    tokens.set(new URL(calmMove.location, base).pathname.split("/")[2], { path: team("trio") });
  }
  const calmCancel = await log.send(
    "cancel",
    base,
    `/booking/${calmToken(own("m1"))}/cancel`,
    { form: { reason: "x" } },
  );

  // ── a mix for several seconds over a small space of overlapping times ──
  const space = Array.from({ length: 8 }, (_, k) => iso(day + 10 * HOUR + k * 15 * 60_000));
  const deadline = Date.now() + RUN_MS;
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    const random = prng(2_000 + w);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    while (Date.now() < deadline) {
      const roll = random();
      if (roll < 0.6) {
        const path = roll < 0.2
          ? own(pick(usernames))
          : roll < 0.35
          ? team("rr")
          : roll < 0.5
          ? team("pair")
          : team("trio");
        await book(base, path, pick(space), i++);
      } else if (roll < 0.8) {
        const token = pick([...tokens.keys()]);
        if (!token) continue;
        const r = await log.send("reschedule", base, `/booking/${token}/reschedule`, {
          form: { start: pick(space) },
        });
        if (r.status === 303 && r.location) {
          tokens.set(new URL(r.location, base).pathname.split("/")[2], tokens.get(token)!);
        }
      } else {
        const token = pick([...tokens.keys()]);
        if (token) {
          await log.send("cancel", base, `/booking/${token}/cancel`, { form: { reason: "x" } });
        }
      }
    }
  }));
  const serverErrors = t.logs().split("\n").filter((l) => /\[error|Error|panic/i.test(l))
    .slice(0, 20).join("\n");
  await t.stop();

  const store = await readStore(t.dbPath);
  const nowMs = Date.now();
  const all = bookingsOf(store);
  const byId = new Map(all.map((x) => [x.id, x]));
  const outDir = await Deno.makeTempDir({ prefix: "invito-team-history-log-" });
  const logFile = await log.dump(join(outDir, "requests.jsonl"));
  const where = `request log: ${logFile}`;

  // No server error, ever.
  assert.deepEqual(
    log.entries.filter((e) => e.status === null || e.status >= 500).map((e) => e.n),
    [],
    `${where}\n${serverErrors}`,
  );
  // Every successful booking or move exists; no booking exists that no request made.
  const made = new Set<string>();
  for (const t of tokens.keys()) {
    const id = tokenBookingId(t);
    assert.ok(id && byId.has(id), `the booking of token ${t} exists (${where})`);
    made.add(id!);
  }
  assert.deepEqual(all.filter((x) => !made.has(x.id)).map((x) => x.id), [], where);

  // No member's live bookings overlap.
  const liveOnes = all.filter((x) => live(x, nowMs));
  for (let p = 0; p < liveOnes.length; p++) {
    for (let q = p + 1; q < liveOnes.length; q++) {
      const x = liveOnes[p];
      const y = liveOnes[q];
      const shared = persons(x).filter((m) => persons(y).includes(m));
      const ov = overlaps(
        { startMs: x.blockStartMs, endMs: x.blockEndMs },
        { startMs: y.blockStartMs, endMs: y.blockEndMs },
      );
      assert.ok(!(shared.length && ov), `${x.id} and ${y.id} overlap for ${shared} (${where})`);
    }
  }

  // Exactly one winner per contested burst; round robin gives each member one.
  for (const burst of bursts) {
    const won = burst.results.filter((r) => r.status === 303);
    assert.equal(won.length, 1, `one winner at ${burst.start}: ${won.length} (${where})`);
    assert.ok(
      burst.results.every((r) => r.status === 303 || r.status === 409),
      `the others are told the time was taken (${where})`,
    );
  }
  const rrWon = rrBurst.filter((r) => r.status === 303);
  assert.equal(rrWon.length, 3, `three round-robin winners (${where})`);
  const rrHosts = all.filter((x) => x.startMs === Date.parse(rrStart) && x.teamId)
    .map((x) => x.hostId);
  assert.equal(new Set(rrHosts).size, rrHosts.length, "each member once");

  assert.deepEqual(storeProblems(store, { nowMs, ttlMs: HOUR }), [], where);
  // Uncontested, every kind books, moves and cancels.
  for (const [path, r] of Object.entries(calm)) {
    assert.equal(r.status, 303, `${path} books a time nobody else wants (${where})`);
  }
  assert.equal(calmMove.status, 303, `the collective moves to a free time (${where})`);
  assert.ok([200, 303].includes(calmCancel.status ?? 0), `a guest cancels (${where})`);
  // Every kind of booking won somewhere.
  for (const kind of ["/calendar/", "/team/crew/rr", "/team/crew/pair", "/team/crew/trio"]) {
    assert.ok(
      log.entries.some((e) => e.op === "book" && e.path.startsWith(kind) && e.status === 303),
      `some ${kind} booking succeeded`,
    );
  }
  // Every kind of change happened.
  for (const op of ["book", "reschedule", "cancel"]) {
    assert.ok(
      log.entries.some((e) => e.op === op && (e.status === 303 || e.status === 200)),
      `some ${op} succeeded`,
    );
  }
  await Deno.remove(outDir, { recursive: true });
}

const RUN_MS = 6_000;
const WORKERS = 8;
const HOUR = 3_600_000;
const live = (b: BookingRecord, nowMs: number) =>
  b.status === "CONFIRMED" || (b.status === "PENDING" && b.reservedUntilMs! > nowMs);
const persons = (b: BookingRecord) => b.personIds ?? [b.hostId];
