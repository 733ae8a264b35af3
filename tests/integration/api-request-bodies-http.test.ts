/**
 * A request body the API cannot read is refused saying why: a compressed body (a client whose
 * HTTP library gzips requests) is 415 naming the encoding, not a 400 "not valid JSON" that sends
 * its author looking for a mistake in their JSON.
 */
import assert from "node:assert/strict";
import { api, opts, slotsPath, withServer } from "../support/integrator.ts";

Deno.test(
  "api: a gzip- or br-compressed body is 415 asking for it uncompressed; identity is read as usual",
  opts,
  async () => {
    await withServer(async (app) => {
      const slots = (await api(app, "GET", slotsPath("chat"))).body.slots;
      const booking = (i: number) =>
        JSON.stringify({
          username: "ann",
          eventType: "chat",
          start: slots[i].start,
          timeZone: "UTC",
          name: "Guest",
          email: `guest${i}@example.test`,
        });
      const gzip = async (text: string) =>
        new Uint8Array(
          await new Response(
            new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
          ).arrayBuffer(),
        );
      const post = (body: BodyInit, encoding: string) =>
        fetch(app.url("/api/v1/bookings"), {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-encoding": encoding,
            "idempotency-key": crypto.randomUUID(),
          },
          body,
        });
      for (const encoding of ["gzip", "br", "deflate, gzip"]) {
        const res = await post(await gzip(booking(0)), encoding);
        assert.equal(res.status, 415, encoding);
        assert.equal(res.headers.get("accept-encoding"), "identity", encoding);
        const problem = await res.json();
        assert.equal(problem.reason, "unsupported_content_encoding", encoding);
        assert.match(problem.detail, /uncompressed/, encoding);
      }
      // Nothing was booked by those: the time is still free.
      const plain = await post(booking(0), "identity");
      assert.equal(plain.status, 201, await plain.text());
    });
  },
);
