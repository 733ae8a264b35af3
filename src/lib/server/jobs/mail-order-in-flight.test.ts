/**
 * Two drains at once — the minute cron beside a nudge, or two processes of a scaled-out server —
 * and a rejection whose guest's "Request sent" the other drain is handing to the mail server.
 * The rejection follows that mail (domain/mail-order.ts), but only until it has gone: a claimed
 * job's due time is where its claim runs out (two minutes on), which is not when it is sent.
 * Found as a flaky e2e test (decision-other-answer-http): the guest's "Not accepted" came two
 * minutes late.
 */
import assert from "node:assert/strict";
import { deliverOutbox } from "./deliver-outbox.ts";
import { bookSlot } from "../services/book-slot.ts";
import { decideBooking } from "../services/decide-booking.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

Deno.test("mail order: a rejection drained while another drain hands over the guest's 'Request sent' goes out a moment after it, not when that drain's claim would run out", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app, { weekly: WORKDAYS });
    await createEventType(app, host, { slug: "call", requiresConfirmation: true });
    const booked = await bookSlot(app, {
      username: "host",
      slug: "call",
      start: "2026-11-23T09:00:00Z",
      name: "Ann Guest",
      email: "ann@example.test",
      note: "",
      timeZone: "Europe/Berlin",
    });
    assert.ok(booked.ok);
    const toAnn = (subject: RegExp) =>
      app.mailer.sent.filter((m) => m.to === "ann@example.test" && subject.test(m.subject));

    // The mail server takes the guest's "Request sent" only when released.
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    const { promise: handingOver, resolve: handing } = Promise.withResolvers<void>();
    const send = app.mailer.send;
    app.mailer.send = async (mail) => {
      if (mail.to === "ann@example.test" && /^Request sent/.test(mail.subject)) {
        handing();
        await released;
      }
      return await send(mail);
    };
    const first = deliverOutbox(app, app.now());
    await handingOver;

    assert.ok((await decideBooking(app, booked.bookingId, "reject", "host")).ok);
    // The other drain takes the rejection while "Request sent" is still being handed over.
    await deliverOutbox(app, app.now());
    assert.equal(toAnn(/^Not accepted/).length, 0, "not before the mail it follows");
    release();
    await first;
    assert.equal(toAnn(/^Request sent/).length, 1);

    app.clock.ms += 2_000;
    await deliverOutbox(app, app.now());
    assert.equal(toAnn(/^Not accepted/).length, 1, "two seconds later, the rejection has gone");
  } finally {
    app.close();
  }
});
