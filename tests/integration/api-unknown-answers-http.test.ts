/**
 * A booking through the API answering a question the event type does not ask (a mistyped id)
 * is refused naming it and the questions asked, as an unknown field is; it was dropped without
 * a word and the host never saw the answer.
 */
import assert from "node:assert/strict";
import { api, opts, slotsPath, withServer } from "../support/integrator.ts";

Deno.test(
  "api: a booking answering questions the event type does not ask is refused with 400 naming them and the questions it asks",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const slots = (await api(app, "GET", slotsPath("chat"))).body.slots;
      const booking = (eventType: string, answers: Record<string, string>, i: number) => ({
        username: "ann",
        eventType,
        start: slots[i].start,
        timeZone: "UTC",
        name: "Guest",
        email: `guest${i}@example.test`,
        answers,
      });
      const book = (body: unknown) =>
        api(app, "POST", "/bookings", {
          headers: { "idempotency-key": crypto.randomUUID() },
          body,
        });

      const typo = await book(booking("chat", { topic: "Pricing", sise: "5", extra: "x" }, 0));
      assert.equal(typo.status, 400, JSON.stringify(typo.body));
      const fields = typo.body.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ["answers.extra", "answers.sise"]);
      for (const e of typo.body.errors) {
        assert.match(e.message, /^Unknown question; this event type asks: topic, size$/);
      }
      // Nothing was booked: the time is still free, and the answers as asked book it.
      const right = await book(booking("chat", { topic: "Pricing", size: "5" }, 0));
      assert.equal(right.status, 201, JSON.stringify(right.body));
      assert.deepEqual(
        right.body.answers.map((
          a: { questionId: string; value: string },
        ) => [a.questionId, a.value]),
        [["topic", "Pricing"], ["size", "5"]],
      );
      // The host booking for a guest: the same rule.
      const forGuest = await api(app, "POST", "/bookings/for-guest", {
        key: keys.writeKey,
        headers: { "idempotency-key": crypto.randomUUID() },
        body: {
          eventType: "chat",
          start: slots[2].start,
          name: "Guest",
          email: "guest2@example.test",
          answers: { topic: "Pricing", sise: "5" },
        },
      });
      assert.equal(forGuest.status, 400, JSON.stringify(forGuest.body));
      assert.deepEqual(forGuest.body.errors, [{
        field: "answers.sise",
        message: "Unknown question; this event type asks: topic, size",
      }]);
      // Answers shaped like the booking's own list (its GET) are told the shape to send, and a
      // key that is no question id says so rather than printing a pattern.
      const listed = await book({
        ...booking("chat", {}, 3),
        answers: [{ questionId: "topic", value: "Pricing" }],
      });
      assert.equal(listed.status, 400, JSON.stringify(listed.body));
      assert.deepEqual(listed.body.errors.map((e: { field: string }) => e.field), ["answers.0"]);
      assert.match(listed.body.errors[0].message, /by question id, like \{"topic": "…"\}/);
      const spaced = await book(booking("chat", { "to pic": "x" }, 3));
      assert.equal(spaced.status, 400);
      assert.equal(spaced.body.errors[0].field, "answers.to pic");
      assert.match(spaced.body.errors[0].message, /^Not a question id/);
      // An event type without questions takes no answers.
      const none = await book(booking("plain", { topic: "x" }, 1));
      assert.equal(none.status, 400);
      assert.deepEqual(none.body.errors, [{
        field: "answers.topic",
        message: "Unknown question; this event type asks none: send no answers",
      }]);
    });
  },
);

// An outside check: a length the event type does not offer was refused 409 `slot_unavailable`
// (the slots endpoint answers the same mistake 400 naming the field), and a place index on an
// event type without places, or dates to `skip` on one that does not repeat, were taken silently.
Deno.test(
  "api: a booking choosing a length, a place or dates to skip that the event type does not offer is refused with 400 naming the field; nothing is booked",
  opts,
  async () => {
    await withServer(async (app) => {
      const slots = (await api(app, "GET", slotsPath("plain"))).body.slots;
      const body = {
        username: "ann",
        eventType: "plain",
        start: slots[0].start,
        timeZone: "UTC",
        name: "Gail",
        email: "gail@example.test",
      };
      const book = (b: unknown) =>
        api(app, "POST", "/bookings", {
          headers: { "idempotency-key": crypto.randomUUID() },
          body: b,
        });
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ durationMin: 720 }, "durationMin", /durations/],
        [{ location: 0 }, "location", /places/],
        [{ skip: [1] }, "skip", /does not repeat/],
      ];
      for (const [extra, field, words] of cases) {
        const res = await book({ ...body, ...extra });
        assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
        const errors = res.body.errors as { field: string; message: string }[];
        assert.deepEqual(errors.map((e) => e.field), [field], JSON.stringify(res.body));
        assert.match(errors[0].message, words);
      }
      // The same request without the wrong choice books the time none of them took.
      const ok = await book(body);
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(ok.body.start, body.start);
    });
  },
);
