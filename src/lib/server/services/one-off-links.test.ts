import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { dateSpans, mintOneOffLink, oneOffSlotPage } from "./one-off-links.ts";
import { bookWithSingleUseLink, openSingleUseLink } from "./single-use-links.ts";

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
