import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { hostBookView } from "./host-book.ts";
import { hostMoveView } from "./host-reschedule.ts";
import { getSlotPage } from "./slot-page.ts";
import { createEventType, createHost, memoryApp } from "../../../../tests/support/memory-app.ts";

const allDay = () => [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: allDay(),
  2: allDay(),
  3: allDay(),
  4: allDay(),
  5: allDay(),
  6: allDay(),
  7: allDay(),
};
const AT = "2026-11-23T10:00:00Z";

Deno.test("seats: a host who hides the count from guests still sees it in their own book-for-a-guest and move pickers", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: EVERY_DAY });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: true },
  });
  const book = (i: number, start = AT) =>
    bookSlot(app, {
      username: "host",
      slug: "class",
      start,
      name: `G${i}`,
      email: `g${i}@example.test`,
      note: "",
      timeZone: "UTC",
    });
  const first = await book(1);
  assert.ok(first.ok);
  const mover = await book(2, "2026-11-23T12:00:00Z");
  assert.ok(mover.ok);
  // The guest's page keeps the count hidden.
  const guest = await getSlotPage(app, {
    username: "host",
    slug: "class",
    timeZone: "UTC",
    date: "2026-11-23",
  });
  assert.ok(guest.ok);
  assert.equal(guest.slots.find((s) => s.start === AT)?.seatsLeft, undefined);
  // The host's "book for a guest" picker shows it.
  const bookView = await hostBookView(app, host, {
    slug: "class",
    date: "2026-11-23",
    month: null,
    locale: "en",
  });
  assert.equal(bookView.page?.slots.find((s) => s.start === AT)?.seatsLeft, 2);
  assert.equal(bookView.page?.slots.find((s) => s.start === "2026-11-23T14:00:00Z")?.seatsLeft, 3);
  // And the "move" picker.
  const moveView = await hostMoveView(app, host, mover.bookingId, {
    date: "2026-11-23",
    month: null,
    locale: "en",
  });
  assert.ok(moveView.ok);
  assert.equal(moveView.page?.slots.find((s) => s.start === AT)?.seatsLeft, 2);
  app.close();
});
