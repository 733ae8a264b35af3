import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { compressResponse, KeptBody } from "./compress.ts";

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

Deno.test("answers of every size come back whole: compressed in one call up to 1 MB, in steps above", async () => {
  for (const size of [2_000, 200_000, 1_500_000]) {
    const text = JSON.stringify(
      Array.from({ length: Math.ceil(size / 40) }, (_, i) => ({ i, at: i * 900_000 })),
    ).slice(0, size);
    for (const [accept, decode] of [["br", brotliDecompressSync], ["gzip", gunzipSync]] as const) {
      const res = await compressResponse(
        new Request("http://invito.test/x", {
          headers: { "accept-encoding": accept === "br" ? "br, gzip" : accept },
        }),
        new Response(text, {
          headers: { "content-type": "application/json", "content-length": String(text.length) },
        }),
      );
      // Brotli is taken only for large answers (BROTLI_MIN_BYTES); a small one is gzipped.
      const enc = accept === "br" && size < 64 * 1024 ? "gzip" : accept;
      assert.equal(res.headers.get("content-encoding"), enc, `${size} bytes, ${accept}`);
      const bytes = await res.bytes();
      assert.equal(Number(res.headers.get("content-length")), bytes.length);
      const back = (enc === "gzip" ? gunzipSync : decode)(bytes);
      assert.equal(new TextDecoder().decode(back), text, `${size} bytes, ${accept}`);
    }
  }
});

Deno.test("a client's Accept-Encoding, asked about again and again, is answered for what each answer offers", async () => {
  const { acceptedEncoding } = await import("./static-files.ts");
  const cases: [string, ("br" | "gzip")[], "br" | "gzip" | null][] = [
    ["gzip, deflate, br", ["br", "gzip"], "br"],
    ["gzip, deflate, br", ["gzip"], "gzip"],
    ["br;q=0.5, gzip", ["br", "gzip"], "gzip"],
    ["br", ["gzip"], null],
    ["identity", ["br", "gzip"], null],
    ["*", ["gzip"], "gzip"],
    ["gzip;q=0", ["gzip"], null],
  ];
  // Twice over, in this order: the second round is answered from what the first found.
  for (let round = 0; round < 2; round++) {
    for (const [header, offered, expected] of cases) {
      assert.equal(acceptedEncoding(header, offered), expected, `${header} offering ${offered}`);
    }
  }
});
