import assert from "node:assert/strict";
import {
  bookWithSingleUseLink,
  listLinks,
  mintSingleUseLink,
  openSingleUseLink,
  revokeLink,
} from "./single-use-links.ts";
import { getHostPage } from "./public-calendar.ts";
import { getSlotPage } from "./slot-page.ts";
import { bookSlot } from "./book-slot.ts";
import { listHostBookings } from "../store/bookings.ts";
import { isListed } from "../domain/event-visibility.ts";
import { listEventTypes } from "../store/event-types.ts";
import {
  createEventType,
  createHost,
  guestOf,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

const guest = (i: number, start: string) => ({ start, ...guestOf(i, "Europe/Berlin") });
const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

Deno.test("single-use link: 20 guests racing on one link give exactly one booking and 19 'link used' refusals", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "call",
    durationMin: 30,
    requiresConfirmation: false,
  });
  const minted = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "",
    guestEmail: "",
    label: "for the crowd",
  });
  assert.ok(minted.ok);
  const token = tokenOf(minted.url);
  // Every guest picks a different free time, so nothing but the link stands between them.
  const starts = Array.from(
    { length: 20 },
    (_, i) =>
      new Date(
        Date.parse("2026-11-23T08:00:00Z") + Math.floor(i / 10) * 86_400_000 + (i % 10) * 1_800_000,
      ).toISOString(),
  );
  const results = await Promise.all(
    starts.map((s, i) => bookWithSingleUseLink(app, "host", token, guest(i, s))),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal(results.filter((r) => !r.ok && r.reason === "link_used").length, 19);
  assert.equal((await listHostBookings(app.kv, host.id)).length, 1);
  const winner = results.findIndex((r) => r.ok);
  const [view] = await listLinks(app, host, et.id);
  assert.equal(view.state.kind, "used");
  assert.ok(view.state.kind === "used" && view.state.guestEmail === `g${winner}@example.test`);
  const spent = await openSingleUseLink(app, "host", token);
  assert.ok(!spent.ok && spent.reason === "used" && spent.host.id === host.id);
  app.close();
});

Deno.test("single-use link: the same slot raced by 20 guests on one link is one booking; losers hear the link is used", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "call", requiresConfirmation: true });
  const minted = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(minted.ok);
  const token = tokenOf(minted.url);
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => bookWithSingleUseLink(app, "host", token, guest(i, "2026-11-23T09:00:00Z")),
    ),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.deepEqual(
    [...new Set(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason))],
    ["link_used"],
  );
  app.close();
});

Deno.test("single-use link: two processes on one KV still spend a link once", async () => {
  const kv = await Deno.openKv(":memory:");
  const a = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  const b = await memoryApp({ kv, nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(a, { weekly: WORKDAYS });
  const et = await createEventType(a, host, { slug: "call", requiresConfirmation: false });
  const minted = await mintSingleUseLink(a, host, et.id, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(minted.ok);
  const token = tokenOf(minted.url);
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    bookWithSingleUseLink(
      i % 2 ? a : b,
      "host",
      token,
      guest(i, new Date(Date.parse("2026-11-24T08:00:00Z") + i * 3_600_000).toISOString()),
    )));
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal((await listHostBookings(kv, host.id)).length, 1);
  kv.close();
});

Deno.test("single-use link: expiry ends it at the end of the chosen day in the host's zone; revoke and a fixed email refuse", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS, timeZone: "America/New_York" });
  const et = await createEventType(app, host, { slug: "call", requiresConfirmation: false });
  const expiring = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "2026-11-21",
    guestEmail: "",
    label: "",
  });
  assert.ok(expiring.ok);
  // End of 21 Nov in New York is 22 Nov 05:00Z.
  assert.equal(expiring.link.expiresAtMs, Date.parse("2026-11-22T05:00:00Z"));
  app.clock.ms = Date.parse("2026-11-22T04:59:59Z");
  assert.equal((await openSingleUseLink(app, "host", tokenOf(expiring.url))).ok, true);
  app.clock.ms = Date.parse("2026-11-22T05:00:00Z");
  const late = await bookWithSingleUseLink(
    app,
    "host",
    tokenOf(expiring.url),
    guest(1, "2026-11-23T15:00:00Z"),
  );
  assert.deepEqual(late, { ok: false, reason: "link_expired" });
  assert.equal((await listLinks(app, host))[0].state.kind, "expired");

  const forAnn = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "",
    guestEmail: "Ann@Example.test",
    label: "Ann",
  });
  assert.ok(forAnn.ok);
  const wrong = await bookWithSingleUseLink(
    app,
    "host",
    tokenOf(forAnn.url),
    guest(2, "2026-11-23T15:00:00Z"),
  );
  assert.deepEqual(wrong, { ok: false, reason: "wrong_email" });
  const right = await bookWithSingleUseLink(app, "host", tokenOf(forAnn.url), {
    ...guest(2, "2026-11-23T15:00:00Z"),
    email: "ann@example.test",
  });
  assert.ok(right.ok);
  assert.deepEqual(await revokeLink(app, host, forAnn.link.id), {
    ok: false,
    reason: "already_used",
  });

  const revoked = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(revoked.ok);
  assert.deepEqual(await revokeLink(app, host, revoked.link.id), { ok: true });
  const after = await bookWithSingleUseLink(
    app,
    "host",
    tokenOf(revoked.url),
    guest(3, "2026-11-23T16:00:00Z"),
  );
  assert.deepEqual(after, { ok: false, reason: "link_used" });
  assert.equal((await openSingleUseLink(app, "host", tokenOf(revoked.url))).ok, false);

  const bad = await mintSingleUseLink(app, host, et.id, {
    expiresOn: "2026-11-19",
    guestEmail: "not an email",
    label: "x".repeat(101),
  });
  assert.ok(!bad.ok && bad.reason === "invalid");
  assert.deepEqual(Object.keys(bad.errors).sort(), ["expiresOn", "guestEmail", "label"]);
  assert.deepEqual(await openSingleUseLink(app, "host", "garbage"), {
    ok: false,
    reason: "not_found",
  });
  app.close();
});

Deno.test("secret event type: absent from the host page and every listing, bookable by its own link and by a single-use link", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { weekly: WORKDAYS });
  await createEventType(app, host, { slug: "public", requiresConfirmation: false });
  const secret = await createEventType(app, host, {
    slug: "vip",
    requiresConfirmation: false,
    secret: true,
  });
  const page = await getHostPage(app, "host");
  assert.deepEqual(page?.eventTypes.map((t) => t.slug), ["public"]);
  // The predicate every listing uses.
  assert.deepEqual(
    (await listEventTypes(app.kv, host.id)).filter(isListed).map((t) => t.slug),
    ["public"],
  );
  const own = await getSlotPage(app, { username: "host", slug: "vip", date: "2026-11-23" });
  assert.ok(own.ok && own.slots.length > 0 && own.listed === false);
  const listedPage = await getSlotPage(app, {
    username: "host",
    slug: "public",
    date: "2026-11-23",
  });
  assert.ok(listedPage.ok && listedPage.listed === true);
  const booked = await bookSlot(app, {
    ...guest(1, own.slots[0].start),
    username: "host",
    slug: "vip",
  });
  assert.ok(booked.ok);
  const minted = await mintSingleUseLink(app, host, secret.id, {
    expiresOn: "",
    guestEmail: "",
    label: "",
  });
  assert.ok(minted.ok);
  assert.ok(!minted.url.includes("vip"), "a single-use link does not reveal the secret address");
  const viaLink = await bookWithSingleUseLink(
    app,
    "host",
    tokenOf(minted.url),
    guest(2, own.slots[1].start),
  );
  assert.ok(viaLink.ok);
  app.close();
});
