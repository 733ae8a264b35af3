/**
 * The JSON API's answers over HTTP say their length, whatever their size, encoding or script:
 * a small one goes as it is, a larger one compressed whole — not streamed through a compressor
 * of unknown length, which cost every API booking a CompressionStream (issue 26). A booking's
 * answer is gzipped for a browser: brotli cost it ~3× the CPU for ~100 bytes (http/compress.ts
 * BROTLI_MIN_BYTES); a large answer, the OpenAPI document, gets brotli.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { fullDay } from "../support/slots.ts";

const BROWSER = "gzip, deflate, br";

Deno.test({
  name:
    "API answers over HTTP say their length: a booking's 201 (gzipped for a browser) and a refusal, plain and for a browser, with names in any script; a large answer in brotli",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const slots = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 3 })).slots
      .map((start) => ({ start }));
    const book = (start: string, name: string, acceptEncoding: string) =>
      fetch(app.url("/api/v1/bookings"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "accept-encoding": acceptEncoding,
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify({
          username: "demo",
          eventType: "intro-call",
          start,
          timeZone: "UTC",
          name,
          email: `${start.slice(11, 13)}${start.slice(14, 16)}@example.test`,
        }),
      });

    // As it is: the length is the bytes sent, for a name written in three scripts.
    const plain = await book(slots[0].start, "Zoë Ångström 日本 😀", "identity");
    const plainBytes = new Uint8Array(await plain.arrayBuffer());
    assert.equal(plain.status, 201);
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(plain.headers.get("content-length"), String(plainBytes.length));
    const booking = JSON.parse(new TextDecoder().decode(plainBytes));
    assert.equal(booking.name ?? booking.guest?.name, "Zoë Ångström 日本 😀");
    // The guest's links in the answer open this booking, as the guest would follow them (its
    // invitation, `links.ics`, waits for the host's confirmation).
    for (const link of [booking.links.manage, booking.links.cancel, booking.links.reschedule]) {
      const page = await fetch(new URL(new URL(link).pathname, app.baseUrl));
      assert.equal(page.status, 200, link);
      assert.ok((await page.text()).includes("Zoë Ångström 日本 😀"), link);
    }

    // For a browser: a booking's answer (over 1 KB) compressed whole, its length known.
    const browser = await book(slots[1].start, "Ann Browser", BROWSER);
    assert.equal(browser.status, 201);
    const encoding = browser.headers.get("content-encoding");
    const length = browser.headers.get("content-length");
    assert.ok(
      length !== null,
      `a ${encoding ?? "plain"} answer without its length (${
        browser.headers.get("transfer-encoding")
      })`,
    );
    const text = await browser.text();
    assert.equal(JSON.parse(text).status, booking.status);
    assert.equal(encoding, "gzip");

    // A large answer: brotli, its length known, the same document as plain.
    const docPlain = await fetch(app.url("/api/v1/openapi.json"), {
      headers: { "accept-encoding": "identity" },
    });
    const docText = await docPlain.text();
    assert.ok(docText.length >= 64 * 1024, `the OpenAPI document is ${docText.length} characters`);
    const docBr = await fetch(app.url("/api/v1/openapi.json"), {
      headers: { "accept-encoding": BROWSER },
    });
    assert.equal(docBr.headers.get("content-encoding"), "br");
    assert.match(docBr.headers.get("content-length") ?? "", /^\d+$/);
    assert.ok(Number(docBr.headers.get("content-length")) < docText.length / 4);
    assert.deepEqual(await docBr.json(), JSON.parse(docText));

    // A refusal (the time just taken) says its length too.
    const taken = await book(slots[1].start, "Late", BROWSER);
    assert.equal(taken.status, 409);
    assert.match(taken.headers.get("content-length") ?? "", /^\d+$/);
    assert.equal((await taken.json()).reason, "slot_taken");
  },
});
