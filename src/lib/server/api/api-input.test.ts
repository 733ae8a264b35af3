/**
 * What the JSON API takes, as a program sends it: instants by one RFC 3339 rule on every route,
 * list ranges that cannot be turned upside down, text without lone surrogates, and the Location
 * of what a 201 made — also under an Idempotency-Key and on its replay.
 */
import assert from "node:assert/strict";
import { apiClient, apiHost } from "../../../../tests/support/api.ts";
import { votePoll } from "../services/poll-votes.ts";
import { handleApi } from "./handler.ts";

async function setup() {
  const { app, key } = await apiHost({ scopes: ["read", "write"] });
  return { app, key: key!, ...apiClient(app) };
}

const guest = (start: string, over: Record<string, unknown> = {}) => ({
  username: "ann",
  eventType: "intro",
  start,
  timeZone: "UTC",
  name: "Guest",
  email: "guest@example.com",
  ...over,
});

const fieldsOf = (body: { errors?: { field: string }[] }) =>
  (body.errors ?? []).map((e) => e.field);

Deno.test("API instants: one RFC 3339 rule on every route — '+01', '+0100', a space or 31 November are a 400 naming the field, '+01:00' means what it says", async () => {
  const { app, key, call } = await setup();
  const bad = [
    "2026-11-23T10:00:00+01",
    "2026-11-23T10:00:00+0100",
    "2026-11-23 09:00:00Z",
    "2026-11-31T15:45:00Z",
    "2026-11-23T09:00Z",
    "2026-11-23T10:00:00+01:00[Europe/Berlin]",
  ];
  let n = 0;
  for (const start of bad) {
    const forGuest = await call("POST", "/bookings/for-guest", {
      key,
      idem: `fg-${n++}`,
      body: { eventType: "intro", start, name: "Gus", email: "gus@example.com" },
    });
    assert.equal(forGuest.status, 400, `for-guest ${start}: ${forGuest.text}`);
    assert.deepEqual(fieldsOf(forGuest.body), ["start"], start);
    const asGuest = await call("POST", "/bookings", { idem: `g-${n++}`, body: guest(start) });
    assert.equal(asGuest.status, 400, `booking ${start}: ${asGuest.text}`);
    assert.deepEqual(fieldsOf(asGuest.body), ["start"], start);
    for (const field of ["from", "to"]) {
      const list = await call("GET", `/bookings?${field}=${encodeURIComponent(start)}`, { key });
      assert.equal(list.status, 400, `list ${field}=${start}: ${list.text}`);
      assert.deepEqual(fieldsOf(list.body), [field], start);
    }
  }
  // Nothing was booked by any of them (31 November was once booked on 1 December).
  assert.deepEqual((await call("GET", "/bookings", { key })).body.data, []);

  // An offset written in full is read as that offset, on every route.
  const booked = await call("POST", "/bookings", {
    idem: "berlin",
    body: guest("2026-11-23T10:00:00+01:00"),
  });
  assert.equal(booked.status, 201, booked.text);
  assert.equal(booked.body.start, "2026-11-23T09:00:00Z");
  const from = await call(
    "GET",
    `/bookings?from=${encodeURIComponent("2026-11-23T10:00:00+01:00")}`,
    {
      key,
    },
  );
  assert.deepEqual(from.body.data.map((b: { id: string }) => b.id), [booked.body.id]);
  const to = await call("GET", `/bookings?to=${encodeURIComponent("2026-11-23T10:00:00+01:00")}`, {
    key,
  });
  assert.deepEqual(to.body.data, []);
  const forGuest = await call("POST", "/bookings/for-guest", {
    key,
    idem: "fg-ok",
    body: {
      eventType: "intro",
      start: "2026-11-23T11:00:00.000+01:00",
      name: "Gus",
      email: "gus@example.com",
    },
  });
  assert.equal(forGuest.status, 201, forGuest.text);
  assert.equal(forGuest.body.start, "2026-11-23T10:00:00Z");
  const moved = await call("POST", `/bookings/${booked.body.id}/reschedule`, {
    key,
    idem: "mv-bad",
    body: { start: "2026-11-23T13:00:00+01" },
  });
  assert.equal(moved.status, 400, moved.text);
  assert.deepEqual(fieldsOf(moved.body), ["start"]);

  // Polls: the proposed times, the answer date and the pick.
  const times = ["2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"];
  const badTimes = await call("POST", "/polls", {
    key,
    body: { eventType: "intro", times: [times[0], "2026-11-24T11:00:00+01"] },
  });
  assert.equal(badTimes.status, 400, badTimes.text);
  assert.deepEqual(fieldsOf(badTimes.body), ["times.1"]);
  const badUntil = await call("POST", "/polls", {
    key,
    body: { eventType: "intro", times, until: "2026-11-23T18:00:00+01" },
  });
  assert.equal(badUntil.status, 400, badUntil.text);
  assert.deepEqual(fieldsOf(badUntil.body), ["until"]);
  const poll = await call("POST", "/polls", { key, body: { eventType: "intro", times } });
  assert.equal(poll.status, 201, poll.text);
  const token = new URL(poll.body.url).pathname.split("/").pop()!;
  const voted = await votePoll(app, token, {
    name: "Bo",
    email: "bo@example.com",
    answers: { t1: "yes" },
  });
  assert.equal(voted.ok, true);
  const short = await call("POST", `/polls/${poll.body.id}/pick`, {
    key,
    body: { start: "2026-11-24T11:00:00+01" },
  });
  assert.equal(short.status, 400, short.text);
  assert.deepEqual(fieldsOf(short.body), ["start"]);
  const picked = await call("POST", `/polls/${poll.body.id}/pick`, {
    key,
    body: { start: "2026-11-24T11:00:00+01:00" },
  });
  assert.equal(picked.status, 201, picked.text);
  assert.equal(picked.body.start, "2026-11-24T10:00:00Z");
  app.close();
});

Deno.test("API bookings list: `from` after `to` is a 400 naming `to`; a cursor at or past `to` answers an empty last page, never a 500", async () => {
  const { app, key, call } = await setup();
  const starts = [
    "2026-11-23T08:00:00Z",
    "2026-11-23T09:00:00Z",
    "2026-11-24T08:00:00Z",
    "2026-11-24T09:00:00Z",
  ];
  for (const [i, s] of starts.entries()) {
    const r = await call("POST", "/bookings", {
      idem: `b${i}`,
      body: guest(s, { email: `g${i}@example.com` }),
    });
    assert.equal(r.status, 201, r.text);
  }
  const upsideDown = await call(
    "GET",
    "/bookings?from=2026-12-03T00:00:00Z&to=2026-12-01T00:00:00Z",
    { key },
  );
  assert.equal(upsideDown.status, 400, upsideDown.text);
  assert.deepEqual(fieldsOf(upsideDown.body), ["to"]);
  // An empty range is no mistake: nothing starts in it.
  const empty = await call("GET", "/bookings?from=2026-11-23T08:00:00Z&to=2026-11-23T08:00:00Z", {
    key,
  });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, { data: [], nextCursor: null });

  const first = await call("GET", "/bookings?limit=2", { key });
  assert.equal(first.status, 200);
  const cursor = first.body.nextCursor;
  assert.ok(cursor);
  for (const to of ["2026-11-23T08:30:00Z", "2026-11-23T09:00:00Z", "2026-11-01T00:00:00Z"]) {
    const past = await call("GET", `/bookings?limit=2&cursor=${cursor}&to=${to}`, { key });
    assert.equal(past.status, 200, `to=${to}: ${past.text}`);
    assert.deepEqual(past.body, { data: [], nextCursor: null }, to);
  }
  // A cursor from before `from` goes on from `from`, not from the cursor.
  const later = await call("GET", `/bookings?cursor=${cursor}&from=2026-11-24T09:00:00Z`, { key });
  assert.deepEqual(later.body.data.map((b: { start: string }) => b.start), [starts[3]]);

  // The last page, even a full one, says there is no next one.
  const second = await call("GET", `/bookings?limit=2&cursor=${cursor}`, { key });
  assert.deepEqual(second.body.data.map((b: { start: string }) => b.start), starts.slice(2));
  assert.equal(second.body.nextCursor, null);
  const all = await call("GET", "/bookings?limit=4", { key });
  assert.equal(all.body.data.length, 4);
  assert.equal(all.body.nextCursor, null);
  app.close();
});

Deno.test("API Location: a 201 made under an Idempotency-Key says where it is, and so does its replay", async () => {
  const { app, key, call } = await setup();
  const base = "http://invito.test/api/v1";
  const booking = guest("2026-11-23T08:00:00Z");
  const first = await call("POST", "/bookings", { idem: "loc-1", body: booking });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get("location"), `${base}/bookings/${first.body.id}`);
  const again = await call("POST", "/bookings", { idem: "loc-1", body: booking });
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  assert.equal(again.headers.get("location"), `${base}/bookings/${first.body.id}`);

  const forGuest = {
    eventType: "intro",
    start: "2026-11-23T10:00:00Z",
    name: "Gus",
    email: "gus@example.com",
  };
  for (let i = 0; i < 2; i++) {
    const made = await call("POST", "/bookings/for-guest", { key, idem: "loc-2", body: forGuest });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers.get("location"), `${base}/bookings/${made.body.id}`, `try ${i}`);
  }
  const moved = { start: "2026-11-23T12:00:00Z" };
  for (let i = 0; i < 2; i++) {
    const made = await call("POST", `/bookings/${first.body.id}/reschedule`, {
      key,
      idem: "loc-3",
      body: moved,
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers.get("location"), `${base}/bookings/${made.body.id}`, `try ${i}`);
  }
  const et = { title: "New", slug: "new-one", durationMin: 45 };
  for (let i = 0; i < 2; i++) {
    const made = await call("POST", "/event-types", { key, idem: "loc-4", body: et });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers.get("location"), `${base}/event-types/${made.body.id}`, `try ${i}`);
  }
  const times = ["2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"];
  const poll = await call("POST", "/polls", { key, body: { eventType: "intro", times } });
  const token = new URL(poll.body.url).pathname.split("/").pop()!;
  await votePoll(app, token, { name: "Bo", email: "bo@example.com", answers: { t0: "yes" } });
  for (let i = 0; i < 2; i++) {
    const made = await call("POST", `/polls/${poll.body.id}/pick`, {
      key,
      idem: "loc-5",
      body: { start: times[0] },
    });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers.get("location"), `${base}/bookings/${made.body.id}`, `try ${i}`);
  }
  app.close();
});

Deno.test("API text: a lone UTF-16 surrogate is refused like other characters text may not hold; a well-formed pair (an emoji) is kept", async () => {
  const { app, key, call } = await setup();
  const cases: [string, Record<string, unknown>, string][] = [
    ["name", { name: "A\ud800B" }, "name"],
    ["name, low half", { name: "A\udc00" }, "name"],
    ["note", { note: "Hello\n\ud83d" }, "note"],
  ];
  for (const [i, [what, over, field]] of cases.entries()) {
    const res = await call("POST", "/bookings", {
      idem: `surrogate-${i}`,
      body: guest("2026-11-23T08:00:00Z", over),
    });
    assert.equal(res.status, 400, `${what}: ${res.text}`);
    assert.deepEqual(fieldsOf(res.body), [field], what);
  }
  const title = await call("POST", "/event-types", {
    key,
    body: { title: "Chat \udfff", slug: "chat", durationMin: 30 },
  });
  assert.equal(title.status, 400, title.text);
  assert.deepEqual(fieldsOf(title.body), ["title"]);
  // Nothing ill-formed was stored, so every list stays readable by strict JSON parsers.
  assert.deepEqual((await call("GET", "/bookings", { key })).body.data, []);
  const smile = await call("POST", "/bookings", {
    idem: "smile",
    body: guest("2026-11-23T08:00:00Z", { name: "Ann \ud83d\ude42", note: "See you \ud83d\ude42" }),
  });
  assert.equal(smile.status, 201, smile.text);
  assert.equal(smile.body.guest.name, "Ann 🙂");
  assert.equal(smile.body.guest.note, "See you 🙂");
  app.close();
});

Deno.test("API slots: an impossible date is blamed on its own field; the range holds at most 62 days, as the reference says", async () => {
  const { app, call } = await setup();
  const slots = (q: string) => call("GET", `/users/ann/event-types/intro/slots?${q}&timeZone=UTC`);
  const feb30 = await slots("start=2027-02-30&end=2027-03-01");
  assert.equal(feb30.status, 400);
  assert.deepEqual(fieldsOf(feb30.body), ["start"]);
  const endFeb30 = await slots("start=2027-02-01&end=2027-02-30");
  assert.deepEqual(fieldsOf(endFeb30.body), ["end"]);
  // 2026-12-01 + 61 days = 2027-01-31: 62 dates, the most one request may cover.
  const longest = await slots("start=2026-12-01&end=2027-01-31");
  assert.equal(longest.status, 200, longest.text);
  const tooLong = await slots("start=2026-12-01&end=2027-02-01");
  assert.equal(tooLong.status, 400);
  assert.deepEqual(fieldsOf(tooLong.body), ["end"]);
  const doc = (await call("GET", "/openapi.json")).body;
  const end = doc.paths["/users/{username}/event-types/{slug}/slots"].get.parameters
    .find((p: { name: string }) => p.name === "end");
  assert.match(end.description, /at most 61 days after `?start`?/);
  app.close();
});

Deno.test("API field errors: a missing field says it is required, a misspelt one that it is unknown and which fields the request takes, a body that is no object says so — never valibot's 'Expected never'", async () => {
  const { app, key, call } = await setup();
  const list = await call("GET", "/event-types", { key });
  const id = list.body.data[0].id;
  const typo = await call("PATCH", `/event-types/${id}`, { key, body: { titel: "Renamed" } });
  assert.equal(typo.status, 400, typo.text);
  assert.deepEqual(fieldsOf(typo.body), ["titel"]);
  const unknown = typo.body.errors[0].message;
  assert.match(unknown, /^Unknown field\b/, unknown);
  assert.match(unknown, /\btitle\b/, "names the fields it takes");
  assert.doesNotMatch(unknown, /never|Invalid key/, unknown);

  const missing = await call("POST", "/event-types", {
    key,
    idem: crypto.randomUUID(),
    body: { title: "New", slug: "new-one" },
  });
  assert.equal(missing.status, 400, missing.text);
  assert.deepEqual(missing.body.errors, [{ field: "durationMin", message: "Required" }]);

  for (const body of [null, [], "text", 5]) {
    const res = await call("POST", "/bookings", { idem: crypto.randomUUID(), body });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(
      res.body.errors,
      [{ field: "", message: "Send a JSON object" }],
      `${JSON.stringify(body)}: ${res.text}`,
    );
  }
  app.close();
});

Deno.test("API Location: a poll's and a webhook's 201 name the address that answers for them (with and without an Idempotency-Key, and on the replay); the reference documents the header", async () => {
  // Webhooks to this machine (nothing is sent: no event happens).
  const env = { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" };
  const made0 = await apiHost({ scopes: ["read", "write"], env });
  const { app } = made0;
  const key = made0.key!;
  const { call } = apiClient(app);
  const base = "http://invito.test/api/v1";
  const poll = { eventType: "intro", times: ["2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"] };
  const hook = (n: number) => ({ url: `http://127.0.0.1:9/${n}`, events: ["poll.created"] });
  const made: { path: string; body: unknown; idem?: string; at: (b: any) => string }[] = [
    { path: "/polls", body: poll, at: (b) => `/polls/${b.id}` },
    { path: "/polls", body: poll, idem: "loc-poll", at: (b) => `/polls/${b.id}` },
    { path: "/polls", body: poll, idem: "loc-poll", at: (b) => `/polls/${b.id}` },
    { path: "/webhooks", body: hook(1), at: (b) => `/webhooks/${b.subscription.id}` },
    {
      path: "/webhooks",
      body: hook(2),
      idem: "loc-hook",
      at: (b) => `/webhooks/${b.subscription.id}`,
    },
    {
      path: "/webhooks",
      body: hook(2),
      idem: "loc-hook",
      at: (b) => `/webhooks/${b.subscription.id}`,
    },
  ];
  for (const m of made) {
    const res = await call("POST", m.path, { key, idem: m.idem, body: m.body });
    assert.equal(res.status, 201, res.text);
    const location = res.headers.get("location");
    assert.equal(location, base + m.at(res.body), `${m.path} ${m.idem ?? ""}`);
    const there = await call("GET", location!.slice(base.length), { key });
    assert.equal(there.status, 200, there.text);
  }
  const doc = (await call("GET", "/openapi.json")).body;
  for (const [path, method] of [["/bookings", "post"], ["/polls", "post"], ["/webhooks", "post"]]) {
    const header = doc.paths[path][method].responses["201"].headers?.Location;
    assert.equal(header?.schema?.format, "uri", `${method} ${path}`);
  }
  app.close();
});

Deno.test("API version: only /api/v1 is the API — /api/v2/me, /api/vX/bookings and /api/me are a 404, not v1's answers under another address", async () => {
  const { app, key } = await setup();
  const get = async (path: string) => {
    const res = await handleApi(
      app,
      new Request(`http://invito.test${path}`, { headers: { authorization: `Bearer ${key}` } }),
      "192.0.2.1",
    );
    return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
  };
  assert.equal((await get("/api/v1/me")).status, 200);
  for (const path of ["/api/v2/me", "/api/vX/bookings", "/api/me", "/api/v10/me", "/api/v1me"]) {
    const res = await get(path);
    assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
    assert.equal(res.type, "application/problem+json");
    assert.equal(res.body.reason, "not_found");
  }
  app.close();
});

Deno.test("API scopes: a 403 names the scope the request needs and the ones the key has", async () => {
  const made = await apiHost({ scopes: ["read"] });
  const { call } = apiClient(made.app);
  const res = await call("PUT", "/availability", {
    key: made.key!,
    body: { timeZone: "UTC", weekly: {}, overrides: [] },
  });
  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.reason, "forbidden_scope");
  assert.equal(
    res.body.detail,
    "This request needs an API key with the `write` scope; this key has: read.",
  );
  made.app.close();
});

Deno.test("API availability: what GET answers can be PUT back as it is (its time zone too, which PUT does not change); another zone is refused by name", async () => {
  const { app, key, call } = await setup();
  const week = { "1": [{ start: "08:00", end: "12:00" }], "2": [], "3": [], "4": [], "5": [] };
  const set = await call("PUT", "/availability", {
    key,
    body: {
      weekly: { ...week, "6": [], "7": [] },
      overrides: [{ date: "2026-12-01", ranges: [{ start: "10:00", end: "11:00" }] }],
      timeOff: [{ from: "2026-12-24", to: "2026-12-26", reason: "Holidays" }],
    },
  });
  assert.equal(set.status, 200, set.text);
  const read = await call("GET", "/availability", { key });
  const again = await call("PUT", "/availability", { key, body: read.body });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, read.body);

  const moved = await call("PUT", "/availability", {
    key,
    body: { ...read.body, timeZone: "Asia/Tokyo" },
  });
  assert.equal(moved.status, 400, moved.text);
  assert.deepEqual(fieldsOf(moved.body), ["timeZone"]);
  assert.match(moved.body.errors[0].message, /Europe\/Berlin/);
  assert.deepEqual((await call("GET", "/availability", { key })).body, read.body);
  app.close();
});

Deno.test("API CORS: a script on another site may read every header an answer carries for it — Allow of a 405 and WWW-Authenticate of a 401 too", async () => {
  const { app, call } = await setup();
  const exposed = (h: Headers) =>
    (h.get("access-control-expose-headers") ?? "").split(",").map((s) => s.trim());
  const unauthorized = await call("GET", "/me");
  assert.equal(unauthorized.status, 401);
  assert.ok(unauthorized.headers.get("www-authenticate"));
  assert.ok(exposed(unauthorized.headers).includes("www-authenticate"));
  const wrongMethod = await call("DELETE", "/bookings");
  assert.equal(wrongMethod.status, 405);
  assert.ok(wrongMethod.headers.get("allow"));
  assert.ok(exposed(wrongMethod.headers).includes("allow"));
  app.close();
});

Deno.test("API query: a misspelt parameter is a 400 naming it and the parameters the address takes; it was ignored, so ?stauts=pending listed every booking", async () => {
  const { app, key, call } = await setup();
  const typo = await call("GET", "/bookings?stauts=pending", { key });
  assert.equal(typo.status, 400, typo.text);
  assert.deepEqual(typo.body.errors, [{
    field: "stauts",
    message: "Unknown parameter; this address takes: status, from, to, eventType, cursor, limit",
  }]);
  const slots = await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-23&end=2026-11-24&timeZone=UTC&tz=Asia/Tokyo",
  );
  assert.equal(slots.status, 400, slots.text);
  assert.deepEqual(fieldsOf(slots.body), ["tz"]);
  app.close();
});
