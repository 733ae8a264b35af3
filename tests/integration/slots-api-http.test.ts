/**
 * The slots API as browsers and scripts ask for it over HTTP: a browser says it takes brotli and
 * gzip, a script often takes nothing. Every one of them gets the same slots; a browser gets them
 * compressed with their length known (a kept answer's copy compressed once, http/compress.ts
 * KeptBody), and a booking changes what every encoding shows on the very next request.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { postEnhanced } from "../support/http.ts";
import { fullDay, slotsIn } from "../support/slots.ts";

const BROWSER = "gzip, deflate, br";

async function slotsAnswer(base: string, date: string, acceptEncoding: string) {
  const res = await fetch(
    `${base}/api/v1/users/demo/event-types/intro-call/slots?start=${date}&end=${date}&timeZone=UTC`,
    { headers: { "accept-encoding": acceptEncoding } },
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  return {
    encoding: res.headers.get("content-encoding"),
    length: res.headers.get("content-length"),
    vary: res.headers.get("vary") ?? "",
    starts: (body.slots as { start: string }[]).map((s) => s.start),
  };
}

Deno.test({
  name:
    "slots API: a browser gets the answer brotli-compressed with its length, the same slots as a script taking it plain, and a booking shows in every encoding at once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const day = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 2 })).path;
    const page = await (await fetch(app.baseUrl + day)).text();
    const [taken] = slotsIn(page);
    const date = taken.slice(0, 10);

    const plain = await slotsAnswer(app.baseUrl, date, "identity");
    assert.equal(plain.encoding, null);
    assert.ok(plain.starts.includes(taken), "the API offers the page's first time");
    // Twice for a browser: the first answer makes the kept copy, the second is answered from it.
    for (const round of [1, 2]) {
      const browser = await slotsAnswer(app.baseUrl, date, BROWSER);
      assert.equal(browser.encoding, "br", `round ${round}`);
      assert.match(browser.length ?? "", /^\d+$/, `a compressed answer says its length (${round})`);
      assert.match(browser.vary, /accept-encoding/i);
      assert.deepEqual(browser.starts, plain.starts, `the same slots (${round})`);
    }
    const gzip = await slotsAnswer(app.baseUrl, date, "gzip");
    assert.equal(gzip.encoding, "gzip");
    assert.deepEqual(gzip.starts, plain.starts);

    const booked = await postEnhanced(app.baseUrl, "/calendar/demo/intro-call?/book", {
      name: "Guest",
      email: "guest@example.test",
      note: "",
      start: taken,
      tz: "UTC",
    });
    assert.equal(booked.type, "redirect", JSON.stringify(booked));
    const left = plain.starts.filter((s) => s !== taken);
    for (const accept of [BROWSER, "gzip", "identity"]) {
      const after = await slotsAnswer(app.baseUrl, date, accept);
      assert.deepEqual(after.starts, left, `the booked time is gone for "${accept}"`);
    }
  },
});
