import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { splicedBytes, splicedGzip, splicedOf } from "./spliced-bytes.ts";

const text = new TextDecoder();

Deno.test("spliced bytes: plain and gzipped answers hold the parts and each response's values, whatever their size", () => {
  const page = splicedOf([
    "<p>a page in Deutsch: Grüße ",
    '</p><input value="',
    '"><script>const x = "',
    '";</script>',
  ]);
  const cases = [
    ["", "", ""],
    ["nonce1", "Zoë “quoted” ✓", "line\\nbreak"],
    // Longer than one stored deflate block (65,535 bytes) holds.
    ["n", "ü".repeat(40_000), "x".repeat(70_000)],
  ];
  for (const values of cases) {
    const want = "<p>a page in Deutsch: Grüße " + values[0] + '</p><input value="' + values[1] +
      '"><script>const x = "' + values[2] + '";</script>';
    assert.equal(text.decode(splicedBytes(page, values)), want);
    assert.equal(text.decode(gunzipSync(splicedGzip(page, values))), want);
  }
});
