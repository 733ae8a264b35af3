/**
 * A method an address does not answer is 405 naming those it does, also where the address
 * could read as another route's id: `GET /bookings/for-guest` was a 404 "nothing at this
 * address" (read as the booking "for-guest"), though the address books with POST.
 */
import assert from "node:assert/strict";
import { api, opts, withServer } from "../support/integrator.ts";

Deno.test(
  "api: GET or DELETE /bookings/for-guest is 405 with Allow: POST, not a missing booking",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      for (const method of ["GET", "DELETE"]) {
        const res = await api(app, method, "/bookings/for-guest", { key: keys.writeKey });
        assert.equal(res.status, 405, `${method}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers.get("allow"), "POST", method);
        assert.equal(res.body.reason, "method_not_allowed");
      }
      // A real id still reads as one: a booking that is not there is 404.
      const missing = await api(app, "GET", `/bookings/${"0".repeat(26)}`, { key: keys.writeKey });
      assert.equal(missing.status, 404);
    });
  },
);
