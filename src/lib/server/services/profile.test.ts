import assert from "node:assert/strict";
import { adoptBrowserTimeZone, updateProfile } from "./profile.ts";
import { getUser, getUserByUsername } from "../store/users.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { bookSlot } from "./book-slot.ts";
import { viewBooking } from "./booking-view.ts";
import { getBooking } from "../store/bookings.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";

Deno.test("updateProfile: saves name, username and zone; the old username no longer resolves", async () => {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  const res = await updateProfile(app, alice, {
    name: "Alice A.",
    username: "alice-a",
    timeZone: "America/New_York",
  });
  assert.ok(res.ok);
  assert.equal(res.user.username, "alice-a");
  assert.equal((await getUserByUsername(app.kv, "alice-a"))?.id, alice.id);
  assert.equal(await getUserByUsername(app.kv, "alice"), null);
  assert.equal((await getUser(app.kv, alice.id))?.timeZone, "America/New_York");
  app.close();
});

Deno.test("updateProfile: another host's username is refused next to the username field", async () => {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  await createHost(app, { username: "bob" });
  const res = await updateProfile(app, alice, {
    name: "Alice",
    username: "bob",
    timeZone: "Europe/Berlin",
  });
  assert.deepEqual(res, { ok: false, field: "username", message: "That username is taken" });
  assert.equal((await getUser(app.kv, alice.id))?.username, "alice");
  app.close();
});

Deno.test("updateProfile: of 10 hosts renaming to one free username at once exactly one gets it", async () => {
  const app = await memoryApp();
  const hosts = [];
  for (let i = 0; i < 10; i++) hosts.push(await createHost(app, { username: `h${i}` }));
  const results = await Promise.all(
    hosts.map((h) => updateProfile(app, h, { name: h.name, username: "wanted", timeZone: "UTC" })),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  app.close();
});

Deno.test("updateProfile: a reserved username and an unknown zone are refused", async () => {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  assert.deepEqual(
    await updateProfile(app, alice, { name: "A", username: "dashboard", timeZone: "UTC" }),
    { ok: false, field: "username", message: "That username is reserved; pick another" },
  );
  assert.deepEqual(
    await updateProfile(app, alice, { name: "A", username: "alice", timeZone: "Mars/Olympus" }),
    { ok: false, field: "timeZone", message: "Choose a time zone from the list" },
  );
  app.close();
});

Deno.test("updateProfile: a zone typed in another case is stored in its canonical spelling", async () => {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  const res = await updateProfile(app, alice, {
    name: "A",
    username: "alice",
    timeZone: "europe/berlin",
  });
  assert.ok(res.ok);
  assert.equal(res.user.timeZone, "Europe/Berlin");
  app.close();
});

Deno.test("adoptBrowserTimeZone: sets the browser's zone only while the host is still on UTC", async () => {
  const app = await memoryApp();
  const fresh = await createHost(app, { username: "fresh", timeZone: "UTC" });
  assert.equal(await adoptBrowserTimeZone(app, fresh, "Europe/Berlin"), true);
  assert.equal((await getUser(app.kv, fresh.id))?.timeZone, "Europe/Berlin");

  const chosen = await createHost(app, { username: "chosen", timeZone: "Asia/Tokyo" });
  assert.equal(await adoptBrowserTimeZone(app, chosen, "Europe/Berlin"), false);
  assert.equal((await getUser(app.kv, chosen.id))?.timeZone, "Asia/Tokyo");

  const other = await createHost(app, { username: "other", timeZone: "UTC" });
  assert.equal(await adoptBrowserTimeZone(app, other, "Not/AZone"), false);
  assert.equal(await adoptBrowserTimeZone(app, other, "+01:00"), false);
  assert.equal((await getUser(app.kv, other.id))?.timeZone, "UTC");
  app.close();
});

Deno.test("clock: a host on 12-hour times reads their mails and bookings that way, while the guest keeps their own", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, {
    username: "sam",
    timeZone: "America/Chicago",
    weekly: WORKDAYS,
  });
  await createEventType(app, host, { slug: "call", durationMin: 30 });
  const saved = await updateProfile(app, host, {
    name: host.name,
    username: "sam",
    timeZone: "America/Chicago",
    clock: "12h",
  });
  assert.ok(saved.ok);
  // A later save from a form without the field keeps the choice.
  const again = await updateProfile(app, saved.user, {
    name: "Sam",
    username: "sam",
    timeZone: "America/Chicago",
  });
  assert.ok(again.ok && again.user.clock === "12h");

  const booked = await bookSlot(app, {
    username: "sam",
    slug: "call",
    start: "2026-11-23T19:00:00Z", // 13:00 in Chicago, 20:00 in Berlin
    name: "Gina",
    email: "gina@example.test",
    note: "",
    timeZone: "Europe/Berlin",
    clock: "24h",
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  await deliverOutbox(app, app.now());
  const toHost = app.mailer.sent.find((m) => m.to === host.email)!;
  const toGuest = app.mailer.sent.find((m) => m.to === "gina@example.test")!;
  assert.match(toHost.text, /1:00\sPM–1:30\sPM \(America\/Chicago/);
  assert.match(toGuest.text, /20:00–20:30 \(Europe\/Berlin/);

  // One clock per reader (issue 35): the guest reads the host's time on their own clock, the
  // host reads the guest's time on theirs.
  const b = (await getBooking(app.kv, booked.bookingId))!;
  const view = await viewBooking(app, b);
  assert.equal(view.hostWhen.time, "13:00–13:30");
  assert.equal(view.when.time, "20:00–20:30");
  const hostView = await viewBooking(app, b, "en", undefined, "confirm");
  assert.match(hostView.hostWhen.time, /^1:00\sPM–1:30\sPM$/);
  assert.match(hostView.when.time, /^8:00\sPM–8:30\sPM$/);
  app.close();
});
