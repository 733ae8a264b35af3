import assert from "node:assert/strict";
import { serialize } from "node:v8";
import fc from "fast-check";
import { keyBytes, valueBytes } from "./kv-budget.ts";

// Plain data as records hold it: strings of any script (emoji, CJK, Latin-1), integers and
// epoch milliseconds, booleans, null, nested objects and arrays.
const arbValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.constantFrom(0, 1_795_476_600_000, -1, 2 ** 31, null, true, false),
    fc.array(tie("value"), { maxLength: 8 }),
    fc.dictionary(fc.string({ maxLength: 20 }), tie("value"), { maxKeys: 8 }),
  ),
})).value;

Deno.test("valueBytes: an upper bound of the V8 serialization Deno KV stores", () => {
  fc.assert(
    fc.property(arbValue, (v) => {
      assert.ok(valueBytes(v) >= serialize(v).length, `${valueBytes(v)} < ${serialize(v).length}`);
    }),
    { numRuns: 500 },
  );
});

Deno.test("valueBytes: a value at the bound's limit is one local Deno KV accepts", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // Two-byte strings are the worst case: 2 bytes per UTF-16 unit.
    let n = 32_000;
    while (valueBytes({ s: "日".repeat(n + 1) }) <= 64 * 1024) n++;
    await kv.set(["x"], { s: "日".repeat(n) });
    assert.ok(n > 32_000);
  } finally {
    kv.close();
  }
});

Deno.test("keyBytes: a guest hold key with the longest email the form accepts stays far under 2 KiB", () => {
  const email = `${"é".repeat(240)}@x.test`;
  assert.ok(keyBytes(["guest_hold", "01K".padEnd(26, "0"), email, "01K".padEnd(26, "0")]) < 2048);
});
