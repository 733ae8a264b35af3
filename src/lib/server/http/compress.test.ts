import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { KeptBody } from "./compress.ts";

Deno.test("a kept answer's compressed copies hold their own size in memory, not a zlib chunk each", async () => {
  // A month of slots as the slots API keeps it (up to 500 such answers are kept).
  const text = JSON.stringify(
    Array.from({ length: 300 }, (_, i) => ({ start: new Date(i * 900_000).toISOString(), i })),
  );
  const kept = new KeptBody(text);
  for (const [accept, decode] of [["br", brotliDecompressSync], ["gzip", gunzipSync]] as const) {
    const { body, length, encoding } = await kept.for(accept);
    assert.equal(encoding, accept);
    assert.ok(typeof body !== "string");
    assert.equal(length, body.length);
    assert.equal(new TextDecoder().decode(decode(body)), text);
    assert.equal(
      body.buffer.byteLength,
      body.length,
      `the ${accept} copy holds ${body.buffer.byteLength} bytes for ${body.length}`,
    );
  }
  // Small or not accepted: the text as it is.
  assert.deepEqual(await kept.for(null), { body: text, length: text.length, encoding: null });
});
