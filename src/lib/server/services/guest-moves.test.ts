/**
 * Where a guest's move may land (ADR 044, amendment of 2026-11-27): a booking made through a
 * one-off link moves only to the link's other offered times still free; one made through a
 * plain single-use link, a poll's pick or the public page moves within the event type's times.
 * The reschedule page opens on the booking's own day.
 */
import assert from "node:assert/strict";
import { bookSlot } from "./book-slot.ts";
import { rescheduleByGuest, rescheduleByHost } from "./decide-booking.ts";
import { manageState, rescheduleSlots } from "./guest-manage.ts";
import { mintOneOffLink } from "./one-off-links.ts";
import { bookWithSingleUseLink, mintSingleUseLink, removeLink } from "./single-use-links.ts";
import { getBooking } from "../store/bookings.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

const MON = "2026-11-23";
const TUE = "2026-11-24";
const at = (day: string, hm: string) => `${day}T${hm}:00Z`;

async function host(app: TestApp, secret = true) {
  const h = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  const et = await createEventType(app, h, {
    slug: "chat",
    durationMin: 30,
    intervalMin: 30,
    requiresConfirmation: false,
    secret,
  } as never);
  return Object.assign(h, { etId: et.id });
}

/** Books `start` through a one-off link offering `offered`; the guest's token and booking id. */
async function bookOneOff(app: TestApp, h: Awaited<ReturnType<typeof host>>, offered: string[]) {
  const made = await mintOneOffLink(app, h, { slug: "chat", starts: offered, note: "" });
  assert.ok(made.ok, JSON.stringify(made));
  const res = await bookWithSingleUseLink(app, "ann", made.url.split("/").pop()!, {
    start: offered[0],
    name: "Vip",
    email: "vip@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(res.ok, JSON.stringify(res));
  return { token: res.guestToken, id: res.bookingId, linkId: made.link.id };
}

async function pageOf(app: TestApp, token: string, date: string | null, month: string | null) {
  const st = await manageState(app, token, "en");
  assert.ok(st.ok && !st.blocked, JSON.stringify(st.ok && st.blocked));
  return await rescheduleSlots(app, st, { timeZone: "UTC", month, date, locale: "en" });
}

const hms = (slots: { start: string }[]) => slots.map((s) => s.start.slice(11, 16));

Deno.test("one-off booking: the guest's page offers only the link's other times still free, and a move to a time never offered is refused — after a move and with the link removed too; the host moves it anywhere", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const h = await host(app);
  const offered = [at(MON, "10:00"), at(MON, "14:00"), at(TUE, "10:00")];
  const { token, id, linkId } = await bookOneOff(app, h, offered);

  const page = await pageOf(app, token, MON, null);
  assert.ok(page?.ok, JSON.stringify(page));
  // Their own time, marked, and the day's other offered time: not the day's 14 other times.
  assert.deepEqual(hms(page.slots), ["10:00", "14:00"]);
  assert.deepEqual(page.slots.filter((s) => s.current).map((s) => s.start), [at(MON, "10:00")]);
  assert.deepEqual(
    page.days.filter((d) => d.slots > 0).map((d) => [d.date, d.slots]),
    [[MON, 1], [TUE, 1]],
  );
  assert.equal(page.offeredLeft, 2);
  // Another day of the type's hours lists nothing.
  const wed = await pageOf(app, token, "2026-11-25", null);
  assert.ok(wed?.ok);
  assert.deepEqual(wed.slots, []);

  for (const start of [at(MON, "11:00"), at("2026-11-25", "10:00"), "2026-11-23T14:00:00.001Z"]) {
    const res = await rescheduleByGuest(app, token, start);
    assert.equal(res.ok ? "moved" : res.reason, "slot_unavailable", start);
  }
  assert.equal((await getBooking(app.kv, id))!.rescheduledToId ?? null, null);

  // One of the offered times moves it, however many presses at once: one successor.
  const moves = await Promise.all(
    Array.from({ length: 12 }, () => rescheduleByGuest(app, token, at(TUE, "10:00"))),
  );
  const won = moves.filter((m) => m.ok);
  assert.equal(won.length, 1, JSON.stringify(moves.map((m) => m.ok || m.reason)));
  const next = won[0]!;
  assert.ok(next.ok);
  assert.deepEqual(next.booking.offeredStarts, offered.map(Date.parse));

  // The host takes the link off their list: the successor still keeps to the offered times.
  assert.ok(await removeLink(app, h, linkId));
  const off = await rescheduleByGuest(app, next.guestToken, at(TUE, "11:00"));
  assert.equal(off.ok ? "moved" : off.reason, "slot_unavailable");
  const back = await rescheduleByGuest(app, next.guestToken, at(MON, "14:00"));
  assert.ok(back.ok, JSON.stringify(back));

  // The host is not bound by what they offered: they move it to any of their times.
  const byHost = await rescheduleByHost(app, h.id, back.booking.id, at("2026-11-25", "09:00"));
  assert.ok(byHost.ok, JSON.stringify(byHost));
  await settleCounts();
  app.close();
});

Deno.test("one-off booking: with none of the other offered times free, the page says so (no times), and the guest's move is refused", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const h = await host(app);
  const { token } = await bookOneOff(app, h, [at(MON, "10:00"), at(MON, "14:00")]);
  // Someone else takes the other offered time (the type's own link).
  const other = await bookSlot(app, {
    username: "ann",
    slug: "chat",
    start: at(MON, "14:00"),
    name: "Bo",
    email: "bo@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(other.ok, JSON.stringify(other));
  const page = await pageOf(app, token, null, null);
  assert.equal(page && !page.ok ? page.reason : "page", "none_left");
  const res = await rescheduleByGuest(app, token, at(MON, "14:00"));
  assert.equal(res.ok ? "moved" : res.reason, "slot_taken");
  await settleCounts();
  app.close();
});

Deno.test("single-use link booking (no hand-picked times): the guest moves within the event type's times, as the link offered them", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const h = await host(app);
  const link = await mintSingleUseLink(app, h, h.etId, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(link.ok, JSON.stringify(link));
  const res = await bookWithSingleUseLink(app, "ann", link.url.split("/").pop()!, {
    start: at(MON, "10:00"),
    name: "Vip",
    email: "vip@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(res.ok, JSON.stringify(res));
  const page = await pageOf(app, res.guestToken, MON, null);
  assert.ok(page?.ok);
  assert.equal(page.offeredLeft, null);
  assert.equal(page.slots.length, 16, hms(page.slots).join());
  const moved = await rescheduleByGuest(app, res.guestToken, at(MON, "11:00"));
  assert.ok(moved.ok, JSON.stringify(moved));
  await settleCounts();
  app.close();
});

Deno.test("reschedule page: with no day asked it opens on the booking's own day (its month), linked even when it has no other free time; an asked date or month wins", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  await host(app, false);
  const december = "2026-12-15";
  const booked = await bookSlot(app, {
    username: "ann",
    slug: "chat",
    start: at(december, "10:00"),
    name: "Vip",
    email: "vip@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  // Fill the rest of that day, so it has no free time but the guest's own.
  const day = Array.from(
    { length: 16 },
    (_, i) => `${9 + Math.floor(i / 2)}:${i % 2 ? "30" : "00"}`,
  )
    .map((hm) => hm.padStart(5, "0"));
  for (const hm of day.filter((hm) => hm !== "10:00")) {
    const r = await bookSlot(app, {
      username: "ann",
      slug: "chat",
      start: at(december, hm),
      name: "Bo",
      email: `bo${hm.replace(":", "")}@example.test`,
      note: "",
      timeZone: "UTC",
    });
    assert.ok(r.ok, `${hm}: ${JSON.stringify(r)}`);
  }
  const page = await pageOf(app, booked.guestToken, null, null);
  assert.ok(page?.ok);
  assert.equal(page.month, "2026-12");
  assert.equal(page.date, december);
  assert.deepEqual(hms(page.slots), ["10:00"]);
  assert.equal(page.slots[0].current, true);
  const own = page.days.find((d) => d.date === december)!;
  assert.equal(own.slots, 0, "their own time is not a free one");
  assert.equal(own.own, true, "but the day is theirs, and the calendar links it");
  // An address naming a day or month still opens that.
  const asked = await pageOf(app, booked.guestToken, "2026-11-23", null);
  assert.ok(asked?.ok);
  assert.equal(asked.date, "2026-11-23");
  const month = await pageOf(app, booked.guestToken, null, "2026-11");
  assert.ok(month?.ok);
  assert.equal(month.month, "2026-11");
  await settleCounts();
  app.close();
});
