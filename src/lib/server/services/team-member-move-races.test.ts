/**
 * Round-robin members moving their own meetings (the dashboard's Move: public-calendar.ts
 * `moveHosts`, the engine's `Assignment.only`) race each other, new round-robin requests and the
 * members' own bookings for one time, from two processes at once (tests/support/team-moves.ts;
 * over remote KV: tests/scale/remote-team-moves.test.ts).
 */
import { KeyedLock } from "./keyed-lock.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { contendedKv } from "../../../../tests/support/kv-contention.ts";
import { raceMembersMoves } from "../../../../tests/support/team-moves.ts";

Deno.test("round-robin members' own moves race requests and personal bookings for one time: nobody double-booked, each winning move stays with its mover", async () => {
  const kv = contendedKv(await Deno.openKv(":memory:"));
  const a = await memoryApp({ kv });
  const b = await memoryApp({ kv });
  b.hostLock = new KeyedLock();
  await raceMembersMoves(kv, a, b);
  kv.close();
});
