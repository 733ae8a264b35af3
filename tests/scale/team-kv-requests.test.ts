/**
 * What a team booking costs on remote KV, where every read and every write is a network round
 * trip (20–30 ms on Deno Deploy KV): the KV Connect test server counts the requests Deno's
 * remote client sends, and the client counts rounds — requests that wait for each other, the
 * guest's wait. A collective booking reads every member's planning data in one pass and then
 * writes one hold per member (docs/decisions/016-teams.md, amendment "reads ahead"); a member's
 * hold that read again on its own would add rounds and requests per member.
 */
import assert from "node:assert/strict";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { memoryApp } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { useCopyClock } from "../../src/lib/server/store/settings-cache.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** A booking's requests until the guest's answer, and its rounds (see `countRounds`). */
type Cost = { reads: number; writes: number; rounds: number };

/**
 * Counts rounds: a request sent while none is in flight starts one, so requests sent side by
 * side (a getMany per 10 keys, every member's list) are one round and requests that wait for
 * one another are one each.
 */
function countRounds(kv: Deno.Kv): { rounds: () => number } {
  let inFlight = 0;
  let rounds = 0;
  const track = <T>(p: () => Promise<T>): Promise<T> => {
    if (inFlight++ === 0) rounds++;
    return p().finally(() => inFlight--);
  };
  const getMany = kv.getMany.bind(kv);
  const get = kv.get.bind(kv);
  const list = kv.list.bind(kv);
  const atomic = kv.atomic.bind(kv);
  Object.assign(kv, {
    getMany: (ks: Deno.KvKey[], o?: { consistency?: Deno.KvConsistencyLevel }) =>
      track(() => getMany(ks, o)),
    get: (k: Deno.KvKey, o?: { consistency?: Deno.KvConsistencyLevel }) => track(() => get(k, o)),
    list: (sel: Deno.KvListSelector, o?: Deno.KvListOptions) => {
      const it = list(sel, o);
      const next = it.next.bind(it);
      it.next = () => track(next);
      return it;
    },
    atomic: () => {
      const op = atomic();
      const commit = op.commit.bind(op);
      op.commit = () => track(commit);
      return op;
    },
  });
  return { rounds: () => rounds };
}

/**
 * A team of `n`'s second booking of a day (every member has busy time on it then), with cold
 * settings copies: a process that has not served this team within the last second.
 */
async function secondBooking(n: number, mode: "collective" | "round_robin"): Promise<Cost> {
  await using server = await startKvConnect();
  Deno.env.set("DENO_KV_ACCESS_TOKEN", server.token);
  const kv = await Deno.openKv(server.url);
  const { rounds } = countRounds(kv);
  let copyMs = 0;
  useCopyClock(() => copyMs);
  try {
    const app = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
    const { team } = await seedTeam(app, {
      members: Array.from({ length: n }, (_, i) => ({ username: `m${i}` })),
    });
    await seedTeamEventType(app, team, { slug: "meet", teamMode: mode });
    const book = async (start: string, i: number): Promise<Cost> => {
      copyMs += 10_000;
      await settleCounts();
      const before = { ...server.stats(), rounds: rounds() };
      const res = await bookTeamSlot(app, {
        team: "crew",
        slug: "meet",
        start,
        name: `Guest ${i}`,
        email: `g${i}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(res.ok, JSON.stringify(res));
      const after = server.stats();
      return {
        reads: after.reads - before.reads,
        writes: after.writes - before.writes,
        rounds: rounds() - before.rounds,
      };
    };
    await book("2026-11-23T10:00:00Z", 1);
    const second = await book("2026-11-23T12:00:00Z", 2);
    // Its insights counts (after the answer) are done before the store closes.
    await settleCounts();
    return second;
  } finally {
    useCopyClock();
    kv.close();
  }
}

Deno.test({
  ...opts,
  name:
    "a collective booking of 5 reads every member's time in one pass: 32 KV requests in 19 rounds, where reading per member and step took 40 in 32",
  fn: async () => {
    const cost = await secondBooking(5, "collective");
    // Measured 23 reads + 7 writes in 18 rounds: 11 reads in 7 rounds before the booking opens
    // (team, event type, members, each one's hours), the open write, 12 reads in 3 rounds ahead
    // of the holds (the coordinator; fences and roster; each member's busy list and calendar
    // heads side by side), 5 holds and the commit, one round each. Reading per member and step
    // took 33 reads + 7 writes in 32 rounds: at 25 ms a round, 0.8 s where it is now 0.45 s.
    // The look for an account closed meanwhile after the commit (services/closed-meanwhile.ts,
    // ADR 039's amendment of 2026-12-03) reads one key more: 2 requests in 1 round (its read
    // before rides with the team's).
    assert.ok(cost.reads + cost.writes <= 32, JSON.stringify(cost));
    assert.ok(cost.rounds <= 19, JSON.stringify(cost));
    assert.equal(cost.writes, 7, "one write to open, one hold per member, one commit");
  },
});

Deno.test({
  ...opts,
  name: "KV requests per team booking of 2 and 20 members, and of a round-robin booking of 5",
  fn: async () => {
    // [members, mode, requests, rounds] as measured; reading per member and step, a collective
    // booking of 2 took 22 requests in 20 rounds and one of 20 took 131 in 93 (2.3 s at 25 ms a
    // round). A round-robin booking reads its candidates side by side and writes once. Each
    // includes the look for an account closed meanwhile after the commit (2 requests, 1 round).
    const measured = [
      [2, "collective", 20, 16],
      [20, "collective", 95, 35],
      [5, "round_robin", 21, 12],
    ] as const;
    for (const [n, mode, requests, rounds] of measured) {
      const cost = await secondBooking(n, mode);
      const at = `${mode} of ${n}: ${JSON.stringify(cost)}`;
      assert.ok(cost.reads + cost.writes <= requests, at);
      assert.ok(cost.rounds <= rounds, at);
    }
  },
});
