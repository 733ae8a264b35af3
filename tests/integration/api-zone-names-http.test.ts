/**
 * A zone sent in another spelling (lower case, an old name such as Asia/Calcutta) is answered
 * under its current IANA name (ADR 033), as every zone that comes in is kept: the slots answer
 * echoed it as sent, so a client comparing zones met two names for one.
 */
import assert from "node:assert/strict";
import { api, opts, withServer } from "../support/integrator.ts";

Deno.test(
  "api: slots and a booking asked in 'europe/berlin' or 'Asia/Calcutta' answer Europe/Berlin and Asia/Kolkata",
  opts,
  async () => {
    await withServer(async (app) => {
      const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      // Two days after today's UTC date: tomorrow or later in every zone. From day(1), Kolkata's
      // evening asked for its today, whose next time can pass between the two answers compared.
      const slots = (zone: string) =>
        api(
          app,
          "GET",
          `/users/ann/event-types/chat/slots?start=${day(2)}&end=${day(3)}&timeZone=${zone}`,
        );
      for (
        const [sent, name] of [["europe/berlin", "Europe/Berlin"], [
          "Asia/Calcutta",
          "Asia/Kolkata",
        ]]
      ) {
        const res = await slots(sent);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.timeZone, name, sent);
        // The same times as asked under the current name.
        assert.deepEqual(res.body.slots, (await slots(name)).body.slots, sent);
      }
      const start = (await slots("UTC")).body.slots[0].start;
      const booked = await api(app, "POST", "/bookings", {
        headers: { "idempotency-key": crypto.randomUUID() },
        body: {
          username: "ann",
          eventType: "chat",
          start,
          timeZone: "asia/calcutta",
          name: "Guest",
          email: "guest@example.test",
        },
      });
      assert.equal(booked.status, 201, JSON.stringify(booked.body));
      assert.equal(booked.body.guest.timeZone, "Asia/Kolkata");
      assert.match(booked.body.guestStart, /\[Asia\/Kolkata\]$/);
    });
  },
);
