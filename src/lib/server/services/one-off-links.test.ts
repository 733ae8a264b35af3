import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { dateSpans, mintOneOffLink, oneOffSlotPage } from "./one-off-links.ts";
import { bookWithSingleUseLink, openSingleUseLink, removeLink } from "./single-use-links.ts";
import { cancelByGuest, decideBooking, rescheduleByGuest } from "./decide-booking.ts";
import { expireHolds } from "../jobs/expire-holds.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getBooking } from "../store/bookings.ts";
import { getSingleUseLink, getSingleUseLinkUse } from "../store/single-use-links.ts";
import { settleCounts } from "../ops/counts-in-flight.ts";

const isoOf = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

Deno.test("one-off link: 1–10 free times; books only those; expires at the last offered time", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: false } as never);
  const mint = (starts: string[]) => mintOneOffLink(app, host, { slug: "chat", starts, note: "" });
  assert.equal(((await mint([])) as { reason: string }).reason, "no_times");
  const eleven = Array.from(
    { length: 11 },
    (_, i) => `2026-11-23T${String(9 + i % 8).padStart(2, "0")}:${i < 8 ? "00" : "30"}:00Z`,
  );
  assert.equal(((await mint(eleven)) as { reason: string }).reason, "too_many_times");
  assert.equal(((await mint(["2026-11-21T10:00:00Z"])) as { reason: string }).reason, "not_free");
  const made = await mint(["2026-11-24T10:00:00Z", "2026-11-23T10:00:00Z"]);
  assert.ok(made.ok);
  assert.equal(made.link.expiresAtMs, Date.parse("2026-11-24T10:00:00Z"));
  const token = made.url.split("/").pop()!;
  const input = (start: string) => ({
    start,
    name: "Guest",
    email: "g@example.test",
    note: "",
    timeZone: "UTC",
  });
  const other = await bookWithSingleUseLink(app, "ann", token, input("2026-11-23T11:00:00Z"));
  assert.equal(other.ok ? "booked" : other.reason, "slot_unavailable");
  // At the last offered time the link is expired.
  app.clock.ms = Date.parse("2026-11-24T10:00:00Z");
  const open = await openSingleUseLink(app, "ann", token);
  assert.equal(open.ok ? "open" : open.reason, "expired");
  app.close();
});

Deno.test("one-off link page: times offered more than 62 days apart are all listed while free", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "chat",
    requiresConfirmation: false,
    bookingWindowDays: 200,
  } as never);
  // A Monday this week and a Monday 98 days on: more than the slot range's 62 days apart.
  const near = "2026-11-23T10:00:00Z";
  const far = "2027-03-01T10:00:00Z";
  const made = await mintOneOffLink(app, host, { slug: "chat", starts: [near, far], note: "" });
  assert.ok(made.ok, JSON.stringify(made));
  const open = (date: string | null) =>
    oneOffSlotPage(app, made.link, "ann", "chat", { timeZone: "UTC", month: null, date });
  const first = await open(null);
  assert.ok(
    first.ok,
    `the page opens on the first free time, not "no longer free": ${JSON.stringify(first)}`,
  );
  assert.deepEqual(first.slots.map((s) => s.start), [near]);
  const later = await open("2027-03-01");
  assert.ok(later.ok);
  assert.equal(later.date, "2027-03-01");
  assert.deepEqual(later.slots.map((s) => s.start), [far]);
  app.close();
});

Deno.test("dateSpans: dates in as few spans as the slot range takes, each at most 62 dates", () => {
  assert.deepEqual(dateSpans([]), []);
  assert.deepEqual(dateSpans(["2026-12-01", "2026-11-23", "2026-12-01"]), [
    { start: "2026-11-23", end: "2026-12-01" },
  ]);
  // 2026-11-23 + 61 days = 2027-01-23 (62 dates): one span; a day more opens a second one.
  assert.deepEqual(dateSpans(["2026-11-23", "2027-01-23"]), [
    { start: "2026-11-23", end: "2027-01-23" },
  ]);
  assert.deepEqual(dateSpans(["2026-11-23", "2027-01-24", "2027-03-01", "2027-11-01"]), [
    { start: "2026-11-23", end: "2026-11-23" },
    { start: "2027-01-24", end: "2027-03-01" },
    { start: "2027-11-01", end: "2027-11-01" },
  ]);
});

Deno.test("one-off link: a request through it that the host rejects or that expires unanswered gives it back for its other times; a cancel or a confirmed meeting keeps it spent", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: true });
  await createEventType(app, host, { slug: "quick", requiresConfirmation: false });
  const mint = async (slug: string, starts: string[]) => {
    const made = await mintOneOffLink(app, host, { slug, starts, note: "" });
    assert.ok(made.ok, JSON.stringify(made));
    return { id: made.link.id, token: made.url.split("/").pop()! };
  };
  const book = async (token: string, start: string) => {
    const res = await bookWithSingleUseLink(app, "ann", token, {
      start,
      name: "Rita",
      email: "rita@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(res.ok, JSON.stringify(res));
    return res;
  };
  /** What the guest's link opens now: "open" with the times it offers, or why not. */
  const state = async (token: string) => {
    const open = await openSingleUseLink(app, "ann", token);
    return open.ok ? { open: (open.link.offeredStarts ?? []).map(isoOf) } : open.reason;
  };
  const MON10 = "2026-11-23T10:00:00Z", MON14 = "2026-11-23T14:00:00Z";
  const TUE10 = "2026-11-24T10:00:00Z", TUE14 = "2026-11-24T14:00:00Z";

  // Rejected: open again for the times the host did not turn down, until the last of them.
  const link = await mint("chat", [MON10, MON14, TUE10]);
  const first = await book(link.token, MON10);
  assert.equal(await state(link.token), "used");
  assert.ok((await decideBooking(app, first.bookingId, "reject", "host", { hostId: host.id })).ok);
  assert.deepEqual(await state(link.token), { open: [MON14, TUE10] });
  /** Where the guest's last mail with `subject` says to pick another time. */
  const pickAnother = async (subject: RegExp) => {
    await deliverOutbox(app, app.now());
    const mail = app.mailer.sent.findLast((m) => subject.test(m.subject));
    assert.ok(mail, app.mailer.sent.map((m) => m.subject).join(" | "));
    return /Pick another time:?\s+(\S+)/.exec(mail.text ?? "")?.[1] ?? "";
  };
  assert.match(await pickAnother(/^Not accepted/), new RegExp(`/calendar/ann/once/${link.token}`));
  assert.equal(
    (await getSingleUseLink(app.kv, host.id, link.id))?.expiresAtMs,
    Date.parse(TUE10),
  );
  // Expired unanswered: the same (the guest asked on Friday; the hold lapses a day later).
  const second = await book(link.token, MON14);
  assert.equal(await state(link.token), "used");
  app.clock.ms = Date.parse("2026-11-21T09:00:00Z");
  assert.equal((await expireHolds(app, app.now())).expired, 1);
  assert.equal((await getBooking(app.kv, second.bookingId))?.endReason, "expired");
  assert.deepEqual(await state(link.token), { open: [TUE10] });
  // The guest's mail about the lapsed request leads back to the link.
  assert.match(
    await pickAnother(/^Request expired/),
    new RegExp(`/calendar/ann/once/${link.token}`),
  );
  // With no other time left ahead, the link stays spent by the request that ended.
  const third = await book(link.token, TUE10);
  assert.ok((await decideBooking(app, third.bookingId, "reject", "host", { hostId: host.id })).ok);
  assert.equal(await state(link.token), "used");
  assert.equal((await getSingleUseLinkUse(app.kv, link.id))?.kind, "used");
  // …and its guest picks another time on the host's page, as before.
  assert.equal(new URL(await pickAnother(/^Not accepted/)).pathname, "/calendar/ann/");

  // A guest who cancels their own request or meeting, a host who cancels a meeting, and a
  // meeting that takes place: the link stays spent.
  const mine = await mint("chat", [TUE10, TUE14]);
  const withdrawn = await book(mine.token, TUE14);
  assert.ok((await cancelByGuest(app, withdrawn.guestToken, "")).ok);
  assert.equal(await state(mine.token), "used");
  const kept = await mint("quick", [MON10, MON14]);
  const meeting = await book(kept.token, MON14);
  assert.ok((await cancelByGuest(app, meeting.guestToken, "")).ok);
  assert.equal(await state(kept.token), "used");
  const theirs = await mint("quick", ["2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z"]);
  const cancelled = await book(theirs.token, "2026-11-25T10:00:00Z");
  assert.ok(
    (await decideBooking(app, cancelled.bookingId, "cancel", "host", { hostId: host.id })).ok,
  );
  assert.equal(await state(theirs.token), "used");
  const held = await mint("chat", ["2026-11-26T10:00:00Z", "2026-11-26T14:00:00Z"]);
  const confirmed = await book(held.token, "2026-11-26T10:00:00Z");
  assert.ok(
    (await decideBooking(app, confirmed.bookingId, "confirm", "host", { hostId: host.id })).ok,
  );
  app.clock.ms = Date.parse("2026-11-26T12:00:00Z");
  assert.equal(await state(held.token), "used");

  // A request the guest moved (to another offered time) and the host rejected there: given
  // back too, without the time the host turned down.
  app.clock.ms = Date.parse("2026-11-21T10:00:00Z");
  const moved = await mint("chat", [
    "2026-11-27T10:00:00Z",
    "2026-11-27T14:00:00Z",
    "2026-11-30T10:00:00Z",
  ]);
  const before = await book(moved.token, "2026-11-27T10:00:00Z");
  const after = await rescheduleByGuest(app, before.guestToken, "2026-11-27T14:00:00Z");
  assert.ok(after.ok, JSON.stringify(after));
  assert.ok((await decideBooking(app, after.booking.id, "reject", "host", { hostId: host.id })).ok);
  assert.deepEqual(await state(moved.token), {
    open: ["2026-11-27T10:00:00Z", "2026-11-30T10:00:00Z"],
  });
  await settleCounts();
  app.close();
});

Deno.test("one-off link: a link the host took off their list is not given back by a rejection", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "chat", requiresConfirmation: true });
  const made = await mintOneOffLink(app, host, {
    slug: "chat",
    starts: ["2026-11-23T10:00:00Z", "2026-11-23T14:00:00Z"],
    note: "",
  });
  assert.ok(made.ok);
  const token = made.url.split("/").pop()!;
  const res = await bookWithSingleUseLink(app, "ann", token, {
    start: "2026-11-23T10:00:00Z",
    name: "Rita",
    email: "rita@example.test",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(res.ok);
  assert.ok(await removeLink(app, host, made.link.id));
  assert.ok((await decideBooking(app, res.bookingId, "reject", "host", { hostId: host.id })).ok);
  assert.equal(await getSingleUseLink(app.kv, host.id, made.link.id), null);
  assert.equal((await getSingleUseLinkUse(app.kv, made.link.id))?.kind, "used");
  const open = await openSingleUseLink(app, "ann", token);
  assert.equal(open.ok ? "open" : open.reason, "not_found");
  await settleCounts();
  app.close();
});
