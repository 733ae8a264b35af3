import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { KeptPages } from "./kept-pages.ts";
import { type Spliced, splicedGzip, splicedOf } from "./spliced-bytes.ts";

/** A page of `kb` KB that does not compress (random letters): its gzip copy is as big again. */
function noisyPage(kb: number): Spliced {
  const letters = new Uint8Array(kb * 1024);
  // getRandomValues fills at most 64 KB a call.
  for (let at = 0; at < letters.length; at += 65_536) {
    crypto.getRandomValues(letters.subarray(at, at + 65_536));
  }
  const text = Array.from(letters, (b) => String.fromCharCode(33 + (b % 90))).join("");
  return splicedOf([text.slice(0, 100), text.slice(100)]);
}

/** What the kept pages really hold in buffers, counted from the pages themselves. */
function held(kept: KeptPages<Spliced>, pages: Map<string, Spliced>): number {
  let n = 0;
  for (const [key, page] of pages) {
    if (kept.get(key) !== page) continue;
    for (const p of page.parts) n += p.byteLength;
    for (const d of page.deflated ?? []) n += d.byteLength;
  }
  return n;
}

Deno.test("kept pages answered gzipped stay within the byte bound, their deflated copies counted", () => {
  const MB = 1024 * 1024;
  const kept = new KeptPages<Spliced>(200, MB);
  const pages = new Map<string, Spliced>();
  for (let i = 0; i < 4; i++) {
    const page = noisyPage(200);
    pages.set(`p${i}`, page);
    kept.keep(`p${i}`, page);
  }
  // 800 KB of pages fit.
  assert.equal(kept.size, 4);
  // Every page answered gzipped, as browsers ask: each makes its deflated copy (~200 KB more).
  for (const [key, page] of pages) {
    const body = splicedGzip(page, ["nonce"]);
    kept.recount(key, page);
    assert.equal(gunzipSync(body).length, 200 * 1024 + 5);
  }
  assert.ok(held(kept, pages) <= MB, `kept pages hold ${held(kept, pages)} bytes over ${MB}`);
  assert.equal(kept.bytes, held(kept, pages));
  // The oldest left; the page just answered is still kept.
  assert.equal(kept.get("p0"), undefined);
  assert.equal(kept.get("p3"), pages.get("p3"));
  // A page kept after its deflated copies exist is counted with them from the start.
  const again = pages.get("p0")!;
  kept.keep("p0", again);
  assert.ok(held(kept, pages) <= MB, `kept pages hold ${held(kept, pages)} bytes over ${MB}`);
  assert.equal(kept.bytes, held(kept, pages));
});

Deno.test("kept pages: the oldest unused leaves first, by count and by bytes; a page kept again replaces itself", () => {
  const kept = new KeptPages<Spliced>(3, 10 * 1024);
  const page = () => splicedOf(["x".repeat(2 * 1024)]);
  for (const key of ["a", "b", "c"]) kept.keep(key, page());
  kept.touch("a");
  kept.keep("d", page());
  // By count: "b" was the oldest unused.
  assert.deepEqual(["a", "b", "c", "d"].map((k) => !!kept.get(k)), [true, false, true, true]);
  kept.keep("c", page());
  assert.equal(kept.size, 3);
  assert.equal(kept.bytes, 6 * 1024);
  // By bytes: a 7 KB page pushes out the two oldest ("a", then "d").
  kept.keep("e", splicedOf(["y".repeat(7 * 1024)]));
  assert.deepEqual(["a", "c", "d", "e"].map((k) => !!kept.get(k)), [false, true, false, true]);
  assert.equal(kept.bytes, 9 * 1024);
  kept.forget("e");
  assert.equal(kept.bytes, 2 * 1024);
});
