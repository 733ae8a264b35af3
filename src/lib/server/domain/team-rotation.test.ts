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

/**
 * Assigns `n` bookings to always-free candidates and counts them. `takingPart`: everyone in the
 * rotation at these bookings (members not offering the time included); the candidates by default.
 */
function run(
  cands: Candidate[],
  n: number,
  start: RotationRecord | null = null,
  takingPart: string[] = cands.map((x) => x.personId),
) {
  let rot = start;
  const counts = new Map(cands.map((x) => [x.personId, 0]));
  for (let i = 0; i < n; i++) {
    const pick = rotationOrder(rot, cands)[0];
    counts.set(pick.personId, counts.get(pick.personId)! + 1);
    rot = advanceRotation(rot, cands, pick, takingPart);
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
    rot = advanceRotation(rot, cands, pick, ["a", "b", "c"]);
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
  busy = run([ab[0]], 4, busy, ["a", "b"]).rot;
  assert.equal(rotationOrder(busy, ab)[0].personId, "b");
  const { rot } = run(ab, 10);
  // Cleo joins after ten bookings: she is due next, but does not take the next ten.
  const abc = [...ab, c("c")];
  const { counts } = run(abc, 9, rot);
  assert.deepEqual([...counts.values()], [3, 3, 3]);
});

Deno.test("rotation: a member who left and is back starts level with the group, not behind by every booking made while away", () => {
  const abc = [c("ann"), c("ben"), c("cleo")];
  const ab = abc.slice(0, 2);
  // Cleo has 5 of 15, leaves; 13 go to Ann and Ben (she takes no part: not in the rotation).
  let rot = run(abc, 15).rot;
  rot = run(ab, 13, rot, ["ann", "ben"]).rot;
  // She is back, all three free: 9 bookings share out 3/3/3, not a burst for her.
  const { counts } = run(abc, 9, rot);
  assert.deepEqual(Object.fromEntries(counts), { ann: 3, ben: 3, cleo: 3 });
});

Deno.test("rotation: a member who takes part but does not offer a time keeps their place; one who left is forgotten, so the record never grows with former members", () => {
  const ab = [c("a"), c("b")];
  // Ben takes part but offers none of these four times: he stays behind and is due.
  const rot = run([ab[0]], 4, run(ab, 2).rot, ["a", "b"]).rot;
  assert.equal(rotationOrder(rot, ab)[0].personId, "b");
  assert.ok("b" in rot.pass);
  // Gone from the rotation: the next booking forgets him.
  const after = run([ab[0]], 1, rot, ["a"]).rot;
  assert.deepEqual(Object.keys(after.pass), ["a"]);
  assert.deepEqual(Object.keys(after.last), ["a"]);
  assert.deepEqual(Object.keys(after.count), ["a"]);
});

Deno.test("rotation: a booking moved to another member counts for them and is given back by the first", () => {
  const cands = [c("a"), c("b")];
  let rot = advanceRotation(null, cands, cands[0], ["a", "b"]);
  rot = transferRotation(rot, cands, cands[0], cands[1], ["a", "b"]);
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
