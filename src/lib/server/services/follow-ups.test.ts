import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { cancelByGuest, rescheduleByGuest } from "./decide-booking.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import {
  createEventType,
  createHost,
  guestInput,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { mailerTo, startSmtp } from "../../../../tests/support/smtp.ts";

const guest = (i: number, start: string) => guestInput(i, start, "call", "host", "Europe/Berlin");
const followUps = (app: { mailer: { sent: { subject: string; to: string }[] } }) =>
  app.mailer.sent.filter((m) => m.subject.startsWith("After your"));

Deno.test("follow-ups: due at the exact instant after the end across the DST change, once, with the host's text", async () => {
  // Berlin leaves summer time on Sunday 2026-10-25. A meeting on Friday 23 Oct, 15:00–15:30 CEST
  // (13:00–13:30Z); "2 days after" is 48 real hours later: Sunday 14:30 CET = 13:30Z.
  const app = await memoryApp({ nowIso: "2026-10-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
    followUps: [
      { minutesAfter: 60, message: "Thanks for your time!", bookAgain: true },
      { minutesAfter: 2 * 1440, message: "How did it go?\nReply any time.", bookAgain: false },
    ],
  });
  const r = await bookSlot(app, guest(1, "2026-10-23T13:00:00Z"));
  assert.ok(r.ok);
  await deliverOutbox(app, app.now());
  app.mailer.sent.length = 0;

  const oneHour = Date.parse("2026-10-23T14:30:00Z");
  await deliverOutbox(app, oneHour - 1);
  assert.equal(followUps(app).length, 0, "not a moment early");
  await deliverOutbox(app, oneHour);
  const first = followUps(app);
  assert.equal(first.length, 1);
  assert.equal(first[0].to, "g1@example.test");
  const mail = app.mailer.sent.find((m) => m.subject.startsWith("After your"))!;
  assert.match(mail.text ?? "", /Thanks for your time!/);
  assert.match(mail.text ?? "", /Book again: http:\/\/invito\.test\/calendar\/host\/call/);
  assert.match(mail.html ?? "", /Book again/);

  const twoDays = Date.parse("2026-10-25T13:30:00Z");
  await deliverOutbox(app, twoDays - 1);
  assert.equal(followUps(app).length, 1);
  await deliverOutbox(app, twoDays);
  assert.equal(followUps(app).length, 2);
  const second = app.mailer.sent.filter((m) => m.subject.startsWith("After your"))[1];
  assert.match(second.text ?? "", /How did it go\?\nReply any time\./);
  assert.doesNotMatch(second.text ?? "", /Book again/);
  await deliverOutbox(app, twoDays + 86_400_000);
  assert.equal(followUps(app).length, 2, "never twice");
  app.close();
});

Deno.test("follow-ups: never after a cancel, never for the old time of a moved booking, and once for the new time", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
    followUps: [{ minutesAfter: 120, message: "Thank you!", bookAgain: true }],
  });
  const cancelled = await bookSlot(app, guest(1, "2026-11-23T09:00:00Z"));
  const moved = await bookSlot(app, guest(2, "2026-11-24T09:00:00Z"));
  assert.ok(cancelled.ok && moved.ok);
  assert.ok((await cancelByGuest(app, cancelled.guestToken, "")).ok);
  assert.ok((await rescheduleByGuest(app, moved.guestToken, "2026-11-25T09:00:00Z")).ok);
  app.mailer.sent.length = 0;
  await deliverOutbox(app, Date.parse("2026-11-24T12:00:00Z"));
  assert.deepEqual(followUps(app), [], "no follow-up for the cancelled or the moved-away time");
  await deliverOutbox(app, Date.parse("2026-11-25T11:30:00Z"));
  assert.deepEqual(followUps(app).map((m) => m.to), ["g2@example.test"]);
  app.close();
});

Deno.test("follow-ups: a request never confirmed gets none", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: true,
    followUps: [{ minutesAfter: 60, message: "Thanks", bookAgain: false }],
  });
  const r = await bookSlot(app, guest(1, "2026-11-23T09:00:00Z"));
  assert.ok(r.ok && r.status === "PENDING");
  app.mailer.sent.length = 0;
  await deliverOutbox(app, Date.parse("2026-11-23T10:30:00Z"));
  assert.deepEqual(followUps(app), []);
  app.close();
});

Deno.test({
  name:
    "follow-ups: “book again” opens the event's page in the guest's language, like every other “pick another time” link (a real SMTP peer)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = mailerTo(smtp);
    try {
      const host = await createHost(app, { weekly: WORKDAYS });
      await createEventType(app, host, {
        slug: "call",
        durationMin: 30,
        requiresConfirmation: false,
        followUps: [{ minutesAfter: 60, message: "Merci !", bookAgain: true }],
      });
      const kept = await bookSlot(app, { ...guest(1, "2026-11-23T09:00:00Z"), locale: "fr" });
      const dropped = await bookSlot(app, { ...guest(1, "2026-11-24T09:00:00Z"), locale: "fr" });
      assert.ok(kept.ok && dropped.ok);
      assert.ok((await cancelByGuest(app, dropped.guestToken, "")).ok);
      await deliverOutbox(app, Date.parse("2026-11-23T10:30:00Z"));
      const linkIn = (m: { text: string }, label: string) =>
        new RegExp(`${label}\\s*:\\s*(\\S+)`).exec(m.text)?.[1];
      const cancelled = await smtp.waitForMail((m) => /^Annulé/.test(m.subject));
      const follow = await smtp.waitForMail((m) => m.text.includes("Merci !"));
      const pickAnother = linkIn(cancelled, "Choisir un autre horaire");
      assert.equal(pickAnother, "http://invito.test/calendar/host/call?lang=fr");
      assert.equal(linkIn(follow, "Réserver à nouveau"), pickAnother);
    } finally {
      app.close();
    }
  },
});
