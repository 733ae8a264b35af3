/**
 * A meeting across the DST night, as its mails tell it: each reader's line names the offsets
 * their own zone has at its start and end (shared/format.ts formatRange).
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../../../../tests/support/teams.ts";

Deno.test("mails: a 45-minute meeting across Berlin's spring change reads 01:30 GMT+1 – 03:15 GMT+2 to the host; the guest in Tokyo reads one offset", async () => {
  const app = await memoryApp({ nowIso: "2027-03-20T08:00:00Z" });
  const host = await createHost(app, {
    username: "dora",
    email: "dora@example.test",
    timeZone: "Europe/Berlin",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(app, host, {
    slug: "consult",
    title: "Consult",
    durationMin: 45,
    requiresConfirmation: false,
  });
  // 01:30 CET on Sunday 28 March 2027; the clocks jump from 02:00 to 03:00 during it.
  const r = await bookSlot(app, {
    username: "dora",
    slug: "consult",
    start: "2027-03-28T00:30:00Z",
    name: "Ken",
    email: "ken@example.test",
    note: "",
    timeZone: "Asia/Tokyo",
    locale: "en",
  });
  assert.ok(r.ok, JSON.stringify(r));
  await deliverOutbox(app, app.now());
  const to = (who: string) => app.mailer.sent.find((m) => m.to === who)!;
  assert.match(to("dora@example.test").text, /01:30 GMT\+1 – 03:15 GMT\+2 \(Europe\/Berlin\)/);
  assert.doesNotMatch(to("dora@example.test").text, /01:30–03:15/);
  assert.match(to("ken@example.test").text, /09:30–10:15 \(Asia\/Tokyo, GMT\+9\)/);
  app.close();
});
