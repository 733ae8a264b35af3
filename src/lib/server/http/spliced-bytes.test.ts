import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import {
  keptHeaders,
  splicedBytes,
  splicedGzip,
  splicedOf,
  splicedResponse,
} from "./spliced-bytes.ts";

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

Deno.test("a kept page's gzip copy holds its compressed size in memory, not a zlib chunk per part", () => {
  // A booking page is cut at each nonce and its fill token: six parts, ~28 KB, kept for up to
  // 200 pages. node:zlib hands each deflated part back as a view of a 16 KB chunk.
  const part = (i: number) =>
    `<section id="s${i}">${"<p>Slots of the day</p>".repeat(200)}</section>`;
  const page = splicedOf(Array.from({ length: 6 }, (_, i) => part(i)));
  const values = ["n1", "n2", "n3", "n4", "tok"];
  const want = Array.from({ length: 6 }, (_, i) => part(i) + (values[i] ?? "")).join("");
  assert.equal(text.decode(gunzipSync(splicedGzip(page, values))), want);
  const compressed = page.deflated!.reduce((n, d) => n + d.length, 0);
  const held = [...new Set(page.deflated!.map((d) => d.buffer))].reduce(
    (n, b) => n + b.byteLength,
    0,
  );
  assert.ok(compressed < 2_000, `deflated to ${compressed} bytes`);
  assert.equal(held, compressed, `the deflated parts hold ${held} bytes for ${compressed}`);
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

Deno.test("spliced answers are built in one reused buffer: each answer keeps its own bytes after the next is built, plain and gzipped", async () => {
  // What the reuse stands on: Deno's Response copies a body of bytes as it is built.
  const source = new Uint8Array([1, 2, 3]);
  const copied = new Response(source);
  source[0] = 9;
  assert.deepEqual([...new Uint8Array(await copied.arrayBuffer())], [1, 2, 3]);

  const page = splicedOf(["<p>", "</p><i>", "</i>"]);
  const values = [["first guest", "Zoë"], ["", "ü".repeat(30_000)], ["x".repeat(200_000), "n"]];
  for (const gzip of [false, true]) {
    const answers = values.map((v) =>
      splicedResponse(page, v, gzip, 409, [["content-type", "text/html"]])
    );
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 409);
      assert.equal(res.headers.get("content-type"), "text/html");
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(
        text.decode(gzip ? gunzipSync(bytes) : bytes),
        `<p>${values[i][0]}</p><i>${values[i][1]}</i>`,
      );
    }
  }
});
