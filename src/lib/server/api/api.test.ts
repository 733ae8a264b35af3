/**
 * The JSON API in-process (the handler server.ts mounts) on a memory app: what a program sees.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey, revokeApiKey } from "../services/api-keys.ts";
import { getSlotPage } from "../services/slot-page.ts";
import { listHostBookings } from "../store/bookings.ts";
import { bookingForToken } from "../services/booking-links.ts";
import { readCounts } from "../store/insights.ts";
import { settleCounts } from "../services/insights-count.ts";
import type { UserRecord } from "../domain/model/records.ts";

async function setup(opts: { requiresConfirmation?: boolean; nowIso?: string } = {}) {
  const app = await memoryApp({
    nowIso: opts.nowIso ?? "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  const other = await createHost(app, { username: "bob", weekly: WORKDAYS });
  const et = await createEventType(app, host, {
    slug: "intro",
    requiresConfirmation: opts.requiresConfirmation ?? true,
    questions: [{ id: "company", label: "Company", type: "short", required: true }],
  });
  await createEventType(app, other, { slug: "chat", requiresConfirmation: false });
  const key = async (u: UserRecord, scopes: ("read" | "write")[] = ["read", "write"]) => {
    const res = await createApiKey(app, u, { name: "test", scopes, expiresAtMs: null });
    assert.ok(res.ok);
    return res.secret;
  };
  const api = apiClient(app);
  return { app, host, other, et, key, api, ...api };
}

const bookingBody = (start: string, over: Record<string, unknown> = {}) => ({
  username: "ann",
  eventType: "intro",
  start,
  timeZone: "America/New_York",
  name: "Guest One",
  email: "guest@example.com",
  answers: { company: "ACME" },
  ...over,
});

async function close(app: TestApp) {
  await new Promise((r) => setTimeout(r, 0));
  app.close();
}

Deno.test("API slots: the same slots the booking page offers, on every date, in the guest's zone", async () => {
  const { app, call } = await setup();
  const res = await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-20&end=2026-12-19&timeZone=America/New_York",
  );
  assert.equal(res.status, 200);
  const fromApi = new Map<string, string[]>();
  for (const s of res.body.slots) {
    const date = s.local.slice(0, 10);
    fromApi.set(date, [...(fromApi.get(date) ?? []), s.start]);
  }
  let dates = 0;
  for (let d = new Date("2026-11-20T00:00:00Z"); d <= new Date("2026-12-19T00:00:00Z");) {
    const date = d.toISOString().slice(0, 10);
    const page = await getSlotPage(app, {
      username: "ann",
      slug: "intro",
      timeZone: "America/New_York",
      date,
    });
    assert.ok(page.ok);
    assert.deepEqual(fromApi.get(date) ?? [], page.slots.map((s) => s.start), date);
    if (page.slots.length) dates++;
    d = new Date(d.getTime() + 86_400_000);
  }
  assert.ok(dates >= 15, "a month of weekdays");
  // Berlin 09:00 on a Monday is 03:00 in New York, written with its offset.
  assert.equal(
    res.body.slots.find((s: { start: string }) => s.start === "2026-11-23T08:00:00Z")
      ?.local,
    "2026-11-23T03:00:00-05:00",
  );
  await close(app);
});

Deno.test("API slots: wall times follow the guest's zone across its DST change", async () => {
  const { app, call } = await setup({ nowIso: "2027-03-10T08:00:00Z" });
  // New York starts summer time on Sunday 2027-03-14; Berlin only on 2027-03-28.
  const res = await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2027-03-12&end=2027-03-15&timeZone=America/New_York",
  );
  assert.equal(res.status, 200);
  const first = (date: string) =>
    res.body.slots.find((s: { local: string }) => s.local.startsWith(date));
  assert.deepEqual(first("2027-03-12"), {
    start: "2027-03-12T08:00:00Z",
    end: "2027-03-12T08:30:00Z",
    local: "2027-03-12T03:00:00-05:00",
  });
  assert.equal(first("2027-03-15").local, "2027-03-15T04:00:00-04:00");
  await close(app);
});

Deno.test("API slots: bad ranges, zones and lengths are 400 with the field named", async () => {
  const { app, call } = await setup();
  const cases: [string, string][] = [
    ["start=2026-11-20&end=2026-11-19&timeZone=UTC", "end"],
    ["start=2026-11-20&end=2027-03-19&timeZone=UTC", "end"],
    ["start=2026-13-01&end=2026-12-01&timeZone=UTC", "start"],
    ["start=2026-11-20&end=2026-11-21&timeZone=Mars/Olympus", "timeZone"],
    ["start=2026-11-20&end=2026-11-21&timeZone=UTC&duration=45", "duration"],
    ["end=2026-11-21&timeZone=UTC", "start"],
  ];
  for (const [query, field] of cases) {
    const res = await call("GET", `/users/ann/event-types/intro/slots?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), query);
  }
  assert.equal(
    (await call(
      "GET",
      "/users/nobody/event-types/intro/slots?start=2026-11-20&end=2026-11-21&timeZone=UTC",
    ))
      .status,
    404,
  );
  await close(app);
});

Deno.test("API booking: books like the page; the same Idempotency-Key replays the first answer", async () => {
  const { app, call } = await setup();
  const body = bookingBody("2026-11-23T08:00:00Z");
  const first = await call("POST", "/bookings", { body, idem: "key-1" });
  assert.equal(first.status, 201);
  assert.equal(first.body.status, "PENDING");
  assert.equal(first.body.guest.timeZone, "America/New_York");
  assert.deepEqual(first.body.answers, [{
    questionId: "company",
    label: "Company",
    value: "ACME",
  }]);
  assert.match(first.body.links.manage, /^http:\/\/invito\.test\/booking\/[A-Za-z0-9_-]+$/);
  // The guest's links open this booking, each for what it says.
  const token = first.body.links.manage.split("/").pop();
  assert.equal((await bookingForToken(app, token, "guest"))?.id, first.body.id);
  assert.equal(first.body.links.cancel, `${first.body.links.manage}/cancel`);
  assert.equal(first.body.links.reschedule, `${first.body.links.manage}/reschedule`);
  assert.equal(first.body.links.ics, `${first.body.links.manage}/invite.ics`);
  assert.equal(await bookingForToken(app, token, "confirm"), null);
  const again = await call("POST", "/bookings", { body: { ...body }, idem: "key-1" });
  assert.equal(again.status, 201);
  assert.equal(again.text, first.text);
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  // Reusing the key for another request is refused; nothing is booked by it.
  const other = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T09:00:00Z"),
    idem: "key-1",
  });
  assert.equal(other.status, 409);
  assert.equal(other.body.reason, "idempotency_key_reused");
  assert.match(other.body.type, /#problem-idempotency-key-reused$/);
  assert.equal(
    (await listHostBookings(app.kv, first.body.hostId ?? (await hostId(app)))).length,
    1,
  );
  // Without a key nothing happens.
  const none = await call("POST", "/bookings", { body: bookingBody("2026-11-23T10:00:00Z") });
  assert.equal(none.status, 400);
  assert.equal(none.body.reason, "idempotency_key_missing");
  await close(app);
});

async function hostId(app: TestApp) {
  const { getUserByUsername } = await import("../store/users.ts");
  return (await getUserByUsername(app.kv, "ann"))!.id;
}

Deno.test("API booking: 30 concurrent requests with one Idempotency-Key make exactly one booking, and each is answered with it", async () => {
  const { app, call } = await setup();
  const body = bookingBody("2026-11-23T08:00:00Z");
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => call("POST", "/bookings", { body, idem: "same" })),
  );
  // A client that retried while its first request ran learns it was booked, not that the time
  // was taken (by its own booking) or that it should try again later.
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 201));
  assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, "one booking id");
  assert.equal(answers.filter((a) => a.headers.get("idempotent-replayed") !== "true").length, 1);
  for (const a of answers) assert.deepEqual(a.body.links, answers[0].body.links);
  assert.equal((await listHostBookings(app.kv, await hostId(app))).length, 1);
  // Later, the stored answer.
  const later = await call("POST", "/bookings", { body, idem: "same" });
  assert.equal(later.status, 201);
  assert.equal(later.body.id, answers[0].body.id);
  await close(app);
});

Deno.test("API booking: 12 concurrent requests under one Idempotency-Key for different times book one of them; the rest are told the key was used", async () => {
  const { app, call } = await setup();
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      call("POST", "/bookings", {
        body: bookingBody(
          `2026-11-23T${String(8 + Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}:00Z`,
        ),
        idem: "shared",
      })),
  );
  assert.equal(
    answers.filter((a) => a.status === 201).length,
    1,
    JSON.stringify(answers.map((a) => a.status)),
  );
  for (const a of answers.filter((a) => a.status !== 201)) {
    assert.equal(a.status, 409);
    assert.equal(a.body.reason, "idempotency_key_reused");
  }
  assert.equal((await listHostBookings(app.kv, await hostId(app))).length, 1);
  await close(app);
});

Deno.test("API booking: a refusal kept under a key stays its answer when the time frees up; the retry books nothing", async () => {
  const { app, host, call, key } = await setup();
  const first = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T08:00:00Z"),
    idem: "first",
  });
  assert.equal(first.status, 201);
  const late = bookingBody("2026-11-23T08:00:00Z", { email: "late@example.com" });
  const taken = await call("POST", "/bookings", { body: late, idem: "late" });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.reason, "slot_taken");
  const hostKey = await key(host);
  const cancelled = await call("POST", `/bookings/${first.body.id}/cancel`, {
    key: hostKey,
    idem: "cancel",
  });
  assert.equal(cancelled.status, 200);
  // The time is free again, but this key already has its answer: the same request replays it
  // (the booking's own commit checks the key unused, without a read of its own first).
  const retry = await call("POST", "/bookings", { body: late, idem: "late" });
  assert.equal(retry.status, 409);
  assert.equal(retry.text, taken.text);
  assert.equal(retry.headers.get("idempotent-replayed"), "true");
  const live = (await listHostBookings(app.kv, host.id)).filter((b) => b.status !== "CANCELLED");
  assert.deepEqual(live, []);
  // A new key for it books the freed time.
  const again = await call("POST", "/bookings", { body: late, idem: "late-2" });
  assert.equal(again.status, 201);
  await close(app);
});

Deno.test("API booking: refusals carry the page's words and a stable problem type", async () => {
  const { app, call, api } = await setup();
  const ok = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T08:00:00Z"),
    idem: "a",
  });
  assert.equal(ok.status, 201);
  const taken = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T08:00:00Z", { email: "other@example.com" }),
    idem: "b",
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.type, "http://invito.test/docs/api#problem-slot-taken");
  assert.equal(taken.body.detail, "That time was just taken — please pick another.");
  const off = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T08:10:00Z"),
    idem: "c",
  });
  assert.equal(off.body.reason, "slot_unavailable");
  const answers = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T09:00:00Z", { answers: {} }),
    idem: "d",
  });
  assert.equal(answers.status, 400);
  assert.deepEqual(answers.body.errors, [{
    field: "answers.company",
    message: "This answer is required",
  }]);
  const fields = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T09:00:00Z", { name: " ", email: "not-an-email", extra: 1 }),
    idem: "e",
  });
  assert.equal(fields.status, 400);
  assert.deepEqual(fields.body.errors.map((e: { field: string }) => e.field), ["extra"]);
  const form = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T09:00:00Z", { name: " ", email: "not-an-email" }),
    idem: "f",
  });
  assert.deepEqual(form.body.errors.map((e: { field: string }) => e.field).sort(), [
    "email",
    "name",
  ]);
  // Refusals that may pass later are not kept under the key.
  assert.equal(api.recorded.filter((r) => r.status >= 500).length, 0);
  await close(app);
});

Deno.test("API booking: when the engine stays contended it answers 503 busy with Retry-After; the key is not kept, so the same request books later", async () => {
  const { app, call } = await setup();
  const real = app.kv;
  // Every booking commit loses its race, as if another writer always won the host's day.
  app.kv = new Proxy(real, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const check = op.check.bind(op);
          op.check = (...checks: Deno.AtomicCheck[]) => {
            if (checks.some((c) => c.key[0] === "busy_fence")) {
              check({ key: ["never"], versionstamp: "00000000000000000000" });
            }
            return check(...checks);
          };
          return op;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const body = bookingBody("2026-11-23T08:00:00Z");
  const busy = await call("POST", "/bookings", { body, idem: "busy-1" });
  assert.equal(busy.status, 503);
  assert.equal(busy.body.reason, "busy");
  assert.equal(busy.body.type, "http://invito.test/docs/api#problem-busy");
  assert.equal(busy.headers.get("retry-after"), "5");
  app.kv = real;
  const later = await call("POST", "/bookings", { body, idem: "busy-1" });
  assert.equal(later.status, 201, JSON.stringify(later.body));
  assert.equal(later.headers.get("idempotent-replayed"), null);
  await close(app);
});

Deno.test("API keys: unknown and revoked keys get the same 401; scopes give 403; others' bookings 404", async () => {
  const { app, call, host, other, key } = await setup({ requiresConfirmation: true });
  const annKey = await key(host);
  const readOnly = await key(host, ["read"]);
  const bobKey = await key(other);
  const me = await call("GET", "/me", { key: annKey });
  assert.equal(me.status, 200);
  assert.equal(me.body.username, "ann");
  const unknown = await call("GET", "/me", { key: "inv_" + "A".repeat(43) });
  const res = await createApiKey(app, host, { name: "gone", scopes: ["read"], expiresAtMs: null });
  assert.ok(res.ok);
  assert.ok(await revokeApiKey(app, host, res.key.id));
  const revoked = await call("GET", "/me", { key: res.secret });
  const missing = await call("GET", "/me");
  for (const r of [unknown, revoked, missing]) {
    assert.equal(r.status, 401);
    assert.equal(r.headers.get("www-authenticate"), 'Bearer realm="invito"');
  }
  assert.equal(unknown.text, revoked.text);
  const expiring = await createApiKey(app, host, {
    name: "soon",
    scopes: ["read"],
    expiresAtMs: app.now() + 1000,
  });
  assert.ok(expiring.ok);
  assert.equal((await call("GET", "/me", { key: expiring.secret })).status, 200);
  app.clock.ms += 2000;
  assert.equal((await call("GET", "/me", { key: expiring.secret })).text, unknown.text);

  const booked = await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T12:00:00Z"),
    idem: "x",
  });
  const id = booked.body.id;
  const forbidden = await call("POST", `/bookings/${id}/confirm`, { key: readOnly, idem: "c1" });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.reason, "forbidden_scope");
  const foreign = await call("GET", `/bookings/${id}`, { key: bobKey });
  const absent = await call("GET", `/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { key: bobKey });
  assert.equal(foreign.status, 404);
  assert.equal(foreign.text, absent.text);
  assert.equal(
    (await call("POST", `/bookings/${id}/cancel`, { key: bobKey, idem: "z" })).status,
    404,
  );
  await close(app);
});

Deno.test("API host actions: confirm, reject, cancel and reschedule go through the booking services", async () => {
  const { app, call, host, key } = await setup({ requiresConfirmation: true });
  const k = await key(host);
  const book = async (start: string, email: string) =>
    (await call("POST", "/bookings", {
      body: bookingBody(start, { email }),
      idem: `book-${start}`,
    })).body;
  const a = await book("2026-11-23T08:00:00Z", "a@example.com");
  const b = await book("2026-11-23T09:00:00Z", "b@example.com");
  const confirmed = await call("POST", `/bookings/${a.id}/confirm`, { key: k, idem: "1" });
  assert.equal(confirmed.status, 200);
  assert.equal(confirmed.body.status, "CONFIRMED");
  const replay = await call("POST", `/bookings/${a.id}/confirm`, { key: k, idem: "1" });
  assert.equal(replay.text, confirmed.text);
  const twice = await call("POST", `/bookings/${a.id}/confirm`, { key: k, idem: "2" });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.reason, "already_confirmed");
  assert.equal(twice.body.detail, "This booking is already confirmed.");
  const rejected = await call("POST", `/bookings/${b.id}/reject`, {
    key: k,
    idem: "3",
    body: { reason: "Out that day" },
  });
  assert.equal(rejected.body.status, "REJECTED");
  assert.equal(rejected.body.cancelReason, "Out that day");
  const moved = await call("POST", `/bookings/${a.id}/reschedule`, {
    key: k,
    idem: "4",
    body: { start: "2026-11-24T08:00:00Z" },
  });
  assert.equal(moved.status, 201);
  assert.equal(moved.body.status, "CONFIRMED", "the host chose the time");
  assert.equal(moved.body.rescheduledFromId, a.id);
  const old = await call("GET", `/bookings/${a.id}`, { key: k });
  assert.equal(old.body.status, "CANCELLED");
  assert.equal(old.body.endReason, "rescheduled");
  const cancelled = await call("POST", `/bookings/${moved.body.id}/cancel`, {
    key: k,
    idem: "5",
    body: { reason: "Sick" },
  });
  assert.equal(cancelled.body.state, "cancelled");
  // The freed time is offered again.
  const slots = await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-24&end=2026-11-24&timeZone=UTC",
  );
  assert.ok(slots.body.slots.some((s: { start: string }) => s.start === "2026-11-24T08:00:00Z"));
  // Mails went out as they do for the dashboard's buttons (queued in the outbox).
  await close(app);
});

Deno.test("API host reschedule and request reschedule: outside hours needs outsideHours; the reason reaches the booking; a request frees the time for the guest's link", async () => {
  const { app, call, host, key } = await setup({ requiresConfirmation: true });
  const k = await key(host);
  const a = (await call("POST", "/bookings", {
    body: bookingBody("2026-11-23T08:00:00Z", { email: "a@example.com" }),
    idem: "book-a",
  })).body;
  const late = await call("POST", `/bookings/${a.id}/reschedule`, {
    key: k,
    idem: "1",
    body: { start: "2026-11-24T21:00:00Z", reason: "Only evenings now" },
  });
  assert.equal(late.status, 409, late.text);
  assert.equal(late.body.reason, "outside_hours");
  const meant = await call("POST", `/bookings/${a.id}/reschedule`, {
    key: k,
    idem: "2",
    body: { start: "2026-11-24T21:00:00Z", reason: "Only evenings now", outsideHours: true },
  });
  assert.equal(meant.status, 201, meant.text);
  assert.equal(meant.body.start, "2026-11-24T21:00:00Z");
  const old = await call("GET", `/bookings/${a.id}`, { key: k });
  assert.equal(old.body.cancelReason, "Only evenings now");
  const notBool = await call("POST", `/bookings/${meant.body.id}/reschedule`, {
    key: k,
    idem: "3",
    body: { start: "2026-11-24T08:00:00Z", outsideHours: "yes" },
  });
  assert.equal(notBool.status, 400);

  const asked = await call("POST", `/bookings/${meant.body.id}/request-reschedule`, {
    key: k,
    idem: "4",
    body: { reason: "Travel" },
  });
  assert.equal(asked.status, 200, asked.text);
  assert.equal(asked.body.endReason, "reschedule_requested");
  assert.equal(asked.body.cancelReason, "Travel");
  const again = await call("POST", `/bookings/${meant.body.id}/request-reschedule`, {
    key: k,
    idem: "5",
    body: {},
  });
  assert.equal(again.status, 409);
  // Said as it is: the guest was already asked (the booking ended), not "no longer open".
  assert.equal(again.body.reason, "cancelled", again.text);
  // A request still waiting for the host's decision has no time to give up: confirm or reject it.
  const pending = (await call("POST", "/bookings", {
    body: bookingBody("2026-11-25T08:00:00Z", { email: "p@example.com" }),
    idem: "book-p",
  })).body;
  const early = await call("POST", `/bookings/${pending.id}/request-reschedule`, {
    key: k,
    idem: "6",
    body: {},
  });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.body.reason, "not_confirmed");
  assert.match(early.body.detail, /confirm.*or reject/i);
  assert.equal((await call("GET", `/bookings/${pending.id}`, { key: k })).body.status, "PENDING");
  await close(app);
});

Deno.test("API bookings and host actions count in the host's insights like the page's", async () => {
  const { app, call, host, key } = await setup({ requiresConfirmation: true });
  const k = await key(host);
  const book = async (start: string, email: string) =>
    (await call("POST", "/bookings", {
      body: bookingBody(start, { email }),
      idem: `book-${start}`,
    })).body;
  const a = await book("2026-11-23T08:00:00Z", "a@example.com");
  const b = await book("2026-11-23T09:00:00Z", "b@example.com");
  const c = await book("2026-11-23T10:00:00Z", "c@example.com");
  assert.equal(
    (await call("POST", `/bookings/${a.id}/confirm`, { key: k, idem: "1" })).status,
    200,
  );
  assert.equal(
    (await call("POST", `/bookings/${b.id}/reject`, { key: k, idem: "2", body: {} })).status,
    200,
  );
  assert.equal(
    (await call("POST", `/bookings/${c.id}/confirm`, { key: k, idem: "3" })).status,
    200,
  );
  const moved = await call("POST", `/bookings/${c.id}/reschedule`, {
    key: k,
    idem: "4",
    body: { start: "2026-11-24T10:00:00Z" },
  });
  assert.equal(moved.status, 201, moved.text);
  await settleCounts();
  const total: Record<string, number> = {};
  for (const r of await readCounts(app.kv, host.id, "ev", "2026-01-01", "2027-12-31")) {
    total[r.metric] = (total[r.metric] ?? 0) + r.n;
  }
  assert.equal(total.submitted, 3, JSON.stringify(total));
  assert.equal(total.confirmed, 2, JSON.stringify(total));
  assert.equal(total.rejected, 1, JSON.stringify(total));
  assert.equal(total.rescheduled, 1, JSON.stringify(total));
  await close(app);
});

Deno.test("API bookings list: filters and a cursor that pages through every booking once", async () => {
  const { app, call, host, key } = await setup({ requiresConfirmation: false });
  const k = await key(host);
  const starts = [
    "2026-11-23T08:00:00Z",
    "2026-11-23T09:00:00Z",
    "2026-11-24T08:00:00Z",
    "2026-11-24T09:00:00Z",
    "2026-11-25T08:00:00Z",
  ];
  for (const [i, s] of starts.entries()) {
    const r = await call("POST", "/bookings", {
      body: bookingBody(s, { email: `g${i}@example.com` }),
      idem: s,
    });
    assert.equal(r.status, 201);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 5; page++) {
    const q: string = cursor ? `&cursor=${cursor}` : "";
    const res = await call("GET", `/bookings?limit=2${q}`, { key: k });
    assert.equal(res.status, 200);
    seen.push(...res.body.data.map((b: { start: string }) => b.start));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, starts);
  const day = await call("GET", "/bookings?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", {
    key: k,
  });
  assert.deepEqual(day.body.data.map((b: { start: string }) => b.start), starts.slice(2, 4));
  const pending = await call("GET", "/bookings?status=pending", { key: k });
  assert.deepEqual(pending.body.data, []);
  const bySlug = await call("GET", "/bookings?eventType=intro&limit=1", { key: k });
  assert.equal(bySlug.body.data.length, 1);
  assert.equal((await call("GET", "/bookings?cursor=bogus", { key: k })).status, 400);
  assert.equal((await call("GET", "/bookings?limit=0", { key: k })).status, 400);
  await close(app);
});

Deno.test("API event types: create, read, change and delete with the editor's own rules", async () => {
  const { app, call, host, key } = await setup();
  const k = await key(host);
  const made = await call("POST", "/event-types", {
    key: k,
    body: {
      title: "Deep dive",
      slug: "deep-dive",
      durationMin: 60,
      durations: [30, 60],
      location: { kind: "video", value: "https://meet.example/deep" },
      questions: [{ label: "Topic", type: "choice", required: true, options: ["A", "B"] }],
      reminders: [{ minutesBefore: 60, toHost: true }],
    },
  });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(made.body.durations, [30, 60]);
  assert.equal(made.body.questions[0].options.length, 2);
  assert.match(made.body.questions[0].id, /^[a-z0-9]{8}$/);
  const bad = await call("POST", "/event-types", {
    key: k,
    body: {
      title: "Bad",
      slug: "bad",
      durationMin: 30,
      durations: [45],
      location: { kind: "video", value: "http://insecure" },
    },
  });
  assert.equal(bad.status, 400);
  const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
  assert.deepEqual(fields, ["durations", "location.value"]);
  const dup = await call("POST", "/event-types", {
    key: k,
    body: { title: "Again", slug: "deep-dive", durationMin: 30 },
  });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.reason, "slug_taken");
  const patched = await call("PATCH", `/event-types/${made.body.id}`, {
    key: k,
    body: { title: "Deeper dive", active: false },
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.title, "Deeper dive");
  assert.deepEqual(patched.body.durations, [30, 60], "untouched fields stay");
  const publicList = await call("GET", "/users/ann/event-types");
  assert.ok(!publicList.body.eventTypes.some((e: { slug: string }) => e.slug === "deep-dive"));
  assert.equal((await call("DELETE", `/event-types/${made.body.id}`, { key: k })).status, 204);
  assert.equal((await call("GET", `/event-types/${made.body.id}`, { key: k })).status, 404);
  await close(app);
});

Deno.test("API availability: all parts saved at once, or none when one is wrong", async () => {
  const { app, call, host, key } = await setup();
  const k = await key(host);
  const before = await call("GET", "/availability", { key: k });
  assert.equal(before.status, 200);
  assert.deepEqual(before.body.weekly["1"], [{ start: "09:00", end: "17:00" }]);
  const bad = await call("PUT", "/availability", {
    key: k,
    body: {
      weekly: { ...before.body.weekly, "1": [{ start: "10:00", end: "12:00" }] },
      timeOff: [{ from: "2026-12-10", to: "2026-12-01" }],
    },
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field), ["timeOff.0.to"]);
  assert.deepEqual((await call("GET", "/availability", { key: k })).body, before.body);
  const good = await call("PUT", "/availability", {
    key: k,
    body: {
      weekly: { ...before.body.weekly, "1": [{ start: "10:00", end: "12:00" }] },
      overrides: [{ date: "2026-11-24", ranges: [] }],
      timeOff: [{ from: "2026-12-01", to: "2026-12-10", reason: "Holiday" }],
    },
  });
  assert.equal(good.status, 200, good.text);
  assert.deepEqual(good.body.weekly["1"], [{ start: "10:00", end: "12:00" }]);
  const slots = await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-23&end=2026-11-24&timeZone=Europe/Berlin",
  );
  const dates = new Set(slots.body.slots.map((s: { local: string }) => s.local.slice(0, 13)));
  assert.deepEqual([...dates], ["2026-11-23T10", "2026-11-23T11"]);
  await close(app);
});

Deno.test("API bodies: 413 when too large, 415 for other content types, 400 for broken JSON", async () => {
  const { app, call, host, key } = await setup();
  const k = await key(host);
  const big = await call("POST", "/event-types", {
    key: k,
    rawBody: JSON.stringify({ title: "x".repeat(200_000) }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(big.status, 413);
  const form = await call("POST", "/bookings", {
    rawBody: "username=ann",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    idem: "q",
  });
  assert.equal(form.status, 415);
  const broken = await call("POST", "/bookings", {
    rawBody: "{not json",
    headers: { "content-type": "application/json" },
    idem: "q",
  });
  assert.equal(broken.status, 400);
  assert.equal(broken.body.reason, "invalid_json");
  assert.equal((await call("DELETE", "/bookings")).status, 405);
  assert.equal((await call("GET", "/nothing-here")).status, 404);
  const pre = await call("OPTIONS", "/bookings");
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  await close(app);
});

Deno.test("API rate limits: per key and per address, with Retry-After", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "api=3/1m,api_public=2/1m" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  const res = await createApiKey(app, host, { name: "k", scopes: ["read"], expiresAtMs: null });
  assert.ok(res.ok);
  const { call } = apiClient(app);
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await call("GET", "/me", { key: res.secret })).status);
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  const limited = await call("GET", "/me", { key: res.secret });
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal(limited.body.reason, "rate_limited");
  const pub = [];
  for (let i = 0; i < 3; i++) pub.push((await call("GET", "/users/ann/event-types")).status);
  assert.deepEqual(pub, [200, 200, 429]);
  // Another address is counted apart.
  assert.equal(
    (await apiClient(app, { ip: "198.51.100.9" }).call("GET", "/users/ann/event-types")).status,
    200,
  );
  await close(app);
});
