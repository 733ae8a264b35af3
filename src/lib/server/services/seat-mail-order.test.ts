/**
 * A seat booked just before its host cancels the meeting (ADR 040, amended): the guest gets
 * their confirmation, then their cancellation — never the cancellation first, also when the
 * confirmation's first hand-off failed (it waits for its retry) or the two are due together.
 * Over a real SMTP peer, in the order the peer received them.
 */
import assert from "node:assert/strict";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { mailerTo, startSmtp } from "../../../../tests/support/smtp.ts";
import { bookSlot } from "./book-slot.ts";
import { cancelSeatedMeeting } from "./cancel-meeting.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import type { OutboxRecord } from "../domain/model/records.ts";
import type { App } from "../app.ts";

const AT = "2026-11-23T10:00:00Z";
const allDay = [{ start: "00:00", end: "24:00" }];

async function queued(app: App): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) out.push(e.value);
  return out.filter((j) => j && typeof j === "object" && "payload" in j);
}

Deno.test({
  name:
    "seats: a guest seated just before the host cancels the meeting gets the confirmation first and then the cancellation, also when the confirmation's first hand-off failed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
    app.mailer = mailerTo(smtp);
    try {
      const host = await createHost(app, {
        username: "hank",
        timeZone: "UTC",
        weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
      });
      await createEventType(app, host, {
        slug: "class",
        title: "Class",
        durationMin: 60,
        requiresConfirmation: false,
        seats: { perTime: 5, showAttendees: false, hideCount: false },
      });
      const book = (name: string) =>
        bookSlot(app, {
          username: "hank",
          slug: "class",
          start: AT,
          name,
          email: `${name.toLowerCase()}@example.test`,
          note: "",
          timeZone: "UTC",
        });
      const anne = await book("Anne");
      assert.ok(anne.ok);
      await deliverOutbox(app, app.now());
      // Bea takes a seat; the mail server turns the hand-offs away for now (they retry later).
      const bea = await book("Bea");
      assert.ok(bea.ok);
      smtp.setMode("refuse-421");
      await deliverOutbox(app, app.now());
      const retrying = (await queued(app)).filter((j) =>
        j.payload.kind === "booking_mail" && j.payload.bookingId === bea.bookingId
      );
      assert.ok(retrying.length > 0 && retrying.every((j) => j.attempts > 0), "Bea's mails retry");
      // The host cancels the class meanwhile; the mail server is back.
      smtp.setMode("ok");
      const res = await cancelSeatedMeeting(app, host.id, anne.bookingId, "Teacher is ill");
      assert.ok(res.ok && res.cancelled === 2, JSON.stringify(res));
      // Drains as the cron would run them, the clock moving on, until nothing is left queued.
      for (let i = 0; i < 40 && (await queued(app)).length > 0; i++) {
        await deliverOutbox(app, app.now());
        app.clock.ms += 15_000;
      }
      const beas = smtp.mails.filter((m) => m.to.includes("bea@example.test"));
      assert.deepEqual(
        beas.map((m) => /^METHOD:(\w+)/m.exec(m.calendar ?? "")?.[1] ?? m.subject),
        ["REQUEST", "CANCEL"],
        beas.map((m) => m.subject).join(" | "),
      );
    } finally {
      await settleCounts();
      app.close();
    }
  },
});

Deno.test({
  name:
    "seats: the host cancels on a second server whose clock is two seconds behind — the guest seated just before still gets the confirmation first",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const kv = await Deno.openKv(":memory:");
    const a = await memoryApp({ kv, nowIso: "2026-11-20T08:00:02Z" });
    const b = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
    a.mailer = mailerTo(smtp);
    try {
      const host = await createHost(a, {
        username: "hank",
        timeZone: "UTC",
        weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
      });
      await createEventType(a, host, {
        slug: "class",
        title: "Class",
        durationMin: 60,
        requiresConfirmation: false,
        seats: { perTime: 5, showAttendees: false, hideCount: false },
      });
      const bea = await bookSlot(a, {
        username: "hank",
        slug: "class",
        start: AT,
        name: "Bea",
        email: "bea@example.test",
        note: "",
        timeZone: "UTC",
      });
      assert.ok(bea.ok);
      const res = await cancelSeatedMeeting(b, host.id, bea.bookingId, "");
      assert.ok(res.ok, JSON.stringify(res));
      for (let i = 0; i < 10 && (await queued(a)).length > 0; i++) {
        await deliverOutbox(a, a.now());
        a.clock.ms += 15_000;
      }
      const beas = smtp.mails.filter((m) => m.to.includes("bea@example.test"));
      assert.deepEqual(
        beas.map((m) => /^METHOD:(\w+)/m.exec(m.calendar ?? "")?.[1] ?? m.subject),
        ["REQUEST", "CANCEL"],
        beas.map((m) => m.subject).join(" | "),
      );
    } finally {
      await settleCounts();
      kv.close();
    }
  },
});
