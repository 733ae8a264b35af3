import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { keptHeaders, splicedBytes, splicedGzip, splicedOf } from "./spliced-bytes.ts";

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

Deno.test("kept headers: each response's own nonce in the CSP; a gzipped one says so and varies by Accept-Encoding, without repeating either", () => {
  const kept: [string, string][] = [
    ["content-security-policy", "script-src 'nonce-OLD' 'self'; style-src 'nonce-OLD'"],
    ["content-type", "text/html; charset=utf-8"],
    ["vary", "accept-language"],
  ];
  const plain = new Headers(keptHeaders(kept, "OLD", "NEW", false));
  assert.equal(
    plain.get("content-security-policy"),
    "script-src 'nonce-NEW' 'self'; style-src 'nonce-NEW'",
  );
  assert.equal(plain.get("content-encoding"), null);
  assert.equal(plain.get("vary"), "accept-language");
  const gz = new Headers(keptHeaders(kept, "OLD", "NEW", true));
  assert.equal(gz.get("content-encoding"), "gzip");
  assert.equal(gz.get("vary"), "accept-language, accept-encoding");
  assert.equal(gz.get("content-type"), "text/html; charset=utf-8");
  // Already marked (a list taken from a gzipped answer): nothing doubles.
  const again = new Headers(keptHeaders([...gz], null, "", true));
  assert.equal(again.get("content-encoding"), "gzip");
  assert.equal(again.get("vary"), "accept-language, accept-encoding");
  // No vary at all: one is added.
  assert.equal(
    new Headers(keptHeaders([["content-type", "text/html"]], null, "", true)).get("vary"),
    "accept-encoding",
  );
  // No nonce kept: the policy stays as it is.
  assert.equal(
    new Headers(keptHeaders(kept, null, "NEW", false)).get("content-security-policy"),
    kept[0][1],
  );
});
