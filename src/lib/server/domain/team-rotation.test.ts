import assert from "node:assert/strict";
import fc from "fast-check";
import {
  advanceRotation,
  type Candidate,
  rotationOrder,
  type RotationRecord,
  transferRotation,
  weightedShares,
} from "./team-rotation.ts";

const c = (personId: string, weight = 1, priority = 2): Candidate => ({
  personId,
  weight,
  priority,
});

/** Assigns `n` bookings to always-free candidates and counts them. */
function run(cands: Candidate[], n: number, start: RotationRecord | null = null) {
  let rot = start;
  const counts = new Map(cands.map((x) => [x.personId, 0]));
  for (let i = 0; i < n; i++) {
    const pick = rotationOrder(rot, cands)[0];
    counts.set(pick.personId, counts.get(pick.personId)! + 1);
    rot = advanceRotation(rot, cands, pick);
  }
  return { counts, rot: rot! };
}

Deno.test("rotation: equal members take turns, least recently booked first", () => {
  const cands = [c("a"), c("b"), c("c")];
  let rot: RotationRecord | null = null;
  const order: string[] = [];
  for (let i = 0; i < 6; i++) {
    const pick = rotationOrder(rot, cands)[0];
    order.push(pick.personId);
    rot = advanceRotation(rot, cands, pick);
  }
  assert.deepEqual(order, ["a", "b", "c", "a", "b", "c"]);
});

Deno.test("rotation: priority breaks ties between members equally far behind, never overriding the share", () => {
  const cands = [c("a", 1, 0), c("b", 1, 4), c("c", 1, 2)];
  const first = rotationOrder(null, cands).map((x) => x.personId);
  assert.deepEqual(first, ["b", "c", "a"]);
  const { counts } = run(cands, 30);
  assert.deepEqual([...counts.values()], [10, 10, 10]);
});

Deno.test("rotation: a member busy for a while is offered first when back, and a newcomer starts level rather than at zero", () => {
  const ab = [c("a"), c("b")];
  // Ben is busy for four bookings (not a candidate, but in the rotation): when free, he is due.
  let busy = run(ab, 2).rot;
  busy = run([ab[0]], 4, busy).rot;
  assert.equal(rotationOrder(busy, ab)[0].personId, "b");
  const { rot } = run(ab, 10);
  // Cleo joins after ten bookings: she is due next, but does not take the next ten.
  const abc = [...ab, c("c")];
  const { counts } = run(abc, 9, rot);
  assert.deepEqual([...counts.values()], [3, 3, 3]);
});

Deno.test("rotation: a booking moved to another member counts for them and is given back by the first", () => {
  const cands = [c("a"), c("b")];
  let rot = advanceRotation(null, cands, cands[0]);
  rot = transferRotation(rot, cands, cands[0], cands[1]);
  assert.equal(rot.count.a, 0);
  assert.equal(rot.count.b, 1);
  assert.equal(rotationOrder(rot, cands)[0].personId, "a");
});

Deno.test("rotation: for any weights, always-free members' counts stay within one booking of their weighted share", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 300 }),
      (weights, n) => {
        const cands = weights.map((w, i) => c(`m${i}`, w));
        const { counts } = run(cands, n);
        const shares = weightedShares(cands, n);
        for (const x of cands) {
          const diff = counts.get(x.personId)! - shares.get(x.personId)!;
          if (Math.abs(diff) > 1 + 1e-9) return false;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
});
