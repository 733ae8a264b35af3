/**
 * The round-robin members' moves crowd (tests/support/team-moves.ts) on two processes sharing
 * remote KV through Deno's real KV Connect client, while commit answers are lost after their
 * writes landed and reads' answers break off inside the body: the same outcome as in memory —
 * nobody double-booked, every winning move with its mover, every losing one where it was.
 */
import assert from "node:assert/strict";
import { remoteApps } from "../support/remote-apps.ts";
import { raceMembersMoves } from "../support/team-moves.ts";

Deno.test({
  name:
    "remote KV: round-robin members' own moves race requests and personal bookings for one time on two processes, with lost commit answers and broken read answers: nobody double-booked, each winning move stays with its mover",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using r = await remoteApps({ processes: 2 });
    r.server.faults.set({ loseAnswer: 3, matchKey: "booking", cutReadBody: 3 });
    await raceMembersMoves(r.kv, r.a, r.b);
    const injected = r.server.stats().injected;
    assert.equal(injected.loseAnswer, 3, "answers were lost");
    assert.equal(injected.cutReadBody, 3, "reads were cut");
    assert.deepEqual(r.server.stats().refused, [], "the server refused nothing");
  },
});
