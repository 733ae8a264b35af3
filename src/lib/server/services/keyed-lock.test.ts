import assert from "node:assert/strict";
import { KeyedLock } from "./keyed-lock.ts";

Deno.test("KeyedLock: a read marked before a turn of its key is out of date, one marked after it or before another key's turn is not", async () => {
  const lock = new KeyedLock();
  const before = lock.mark();
  await lock.run("busy:ann", () => Promise.resolve());
  assert.equal(lock.begunSince("busy:ann", before), true);
  assert.equal(lock.begunSince("busy:ben", before), false);
  assert.equal(lock.begunSince("busy:ann", lock.mark()), false);
});

Deno.test("KeyedLock: after 10,000 other keys' turns a key's turn is forgotten, and a read marked before it counts as out of date", async () => {
  const lock = new KeyedLock();
  const before = lock.mark();
  for (let i = 0; i <= 10_000; i++) await lock.run(`busy:p${i}`, () => Promise.resolve());
  assert.equal(lock.begunSince("busy:nobody", before), true, "unknown: out of date");
  assert.equal(lock.begunSince("busy:nobody", lock.mark()), false);
});
