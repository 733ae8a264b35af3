/**
 * Meeting places through the JSON API (issue 27): a program offers several places on an event
 * type and books one of them, with the same rules and messages as the booking form.
 */
import assert from "node:assert/strict";
import { createHost, memoryApp, WORKDAYS } from "../../../../tests/support/memory-app.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";

async function setup() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  const res = await createApiKey(app, host, {
    name: "t",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(res.ok);
  return { app, key: res.secret, ...apiClient(app) };
}

const book = (start: string, over: Record<string, unknown> = {}) => ({
  username: "ann",
  eventType: "places",
  start,
  timeZone: "UTC",
  name: "Guest",
  email: "guest@example.com",
  ...over,
});

Deno.test("API locations: an event type offers several places; a booking names its choice and gets its own room", async () => {
  const { app, key, call } = await setup();
  const made = await call("POST", "/event-types", {
    key,
    idem: "et-1",
    body: {
      title: "Places",
      slug: "places",
      durationMin: 30,
      requiresConfirmation: false,
      locations: [{ kind: "jitsi", value: "" }, { kind: "guest_phone", value: "" }],
    },
  });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(made.body.locations, [
    { kind: "jitsi", value: "" },
    { kind: "guest_phone", value: "" },
  ]);
  const pub = await call("GET", "/users/ann/event-types/places");
  assert.deepEqual(pub.body.eventType.locations.map((l: { kind: string }) => l.kind), [
    "jitsi",
    "guest_phone",
  ]);

  const none = await call("POST", "/bookings", { idem: "k1", body: book("2026-11-23T09:00:00Z") });
  assert.equal(none.status, 400, none.text);
  assert.deepEqual(none.body.errors, [{
    field: "location",
    message: "Choose where the meeting happens",
  }]);
  const badPhone = await call("POST", "/bookings", {
    idem: "k2",
    body: book("2026-11-23T09:00:00Z", { location: 1, phone: "nope" }),
  });
  assert.equal(badPhone.status, 400);
  assert.equal(badPhone.body.errors[0].field, "phone");
  const called = await call("POST", "/bookings", {
    idem: "k3",
    body: book("2026-11-23T09:00:00Z", { location: 1, phone: "+1 212 555 0100" }),
  });
  assert.equal(called.status, 201, called.text);
  assert.deepEqual(called.body.location, { kind: "guest_phone", value: "+1 212 555 0100" });
  const video = await call("POST", "/bookings", {
    idem: "k4",
    body: book("2026-11-23T10:00:00Z", { location: 0, email: "b@example.com" }),
  });
  assert.equal(video.status, 201, video.text);
  assert.equal(video.body.location.kind, "jitsi");
  assert.match(video.body.location.value, /^https:\/\/meet\.jit\.si\/Invito[A-Za-z0-9_-]{20}$/);
  // An index out of range is refused by the schema, with the field named.
  const far = await call("POST", "/bookings", {
    idem: "k5",
    body: book("2026-11-23T11:00:00Z", { location: 7 }),
  });
  assert.equal(far.status, 400);

  // A single `location` replaces every offered place.
  const patched = await call("PATCH", `/event-types/${made.body.id}`, {
    key,
    idem: "et-2",
    body: { location: { kind: "in_person", value: "Main St 1" } },
  });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.locations, [{ kind: "in_person", value: "Main St 1" }]);
  await new Promise((r) => setTimeout(r, 0));
  app.close();
});

Deno.test("API locations: Google Meet or Teams without that calendar receiving bookings is refused with a clear 400", async () => {
  const { app, key, call } = await setup();
  for (const kind of ["google_meet", "teams"]) {
    const res = await call("POST", "/event-types", {
      key,
      idem: `et-${kind}`,
      body: {
        title: "Video",
        slug: `video-${kind.replace("_", "-")}`,
        durationMin: 30,
        locations: [{ kind, value: "" }],
      },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.reason, "meeting_needs_calendar");
    assert.match(res.body.detail, /Choose it on the Calendars page/);
  }
  await new Promise((r) => setTimeout(r, 0));
  app.close();
});

Deno.test("API locations: a place that needs a detail is named by the field the request sent (locations.1.value, location.value), never the editor's form field (location2Value)", async () => {
  const { app, key, call } = await setup();
  const fieldsOf = (r: { body: { errors?: { field: string }[] } }) =>
    (r.body.errors ?? []).map((e) => e.field);
  // What the request sent, and the field its refusal must name.
  const cases: [Record<string, unknown>, string][] = [
    [
      { locations: [{ kind: "jitsi", value: "" }, { kind: "in_person", value: "" }] },
      "locations.1.value",
    ],
    [
      { locations: [{ kind: "in_person", value: "" }, { kind: "jitsi", value: "" }] },
      "locations.0.value",
    ],
    [{ location: { kind: "in_person", value: "" } }, "location.value"],
  ];
  for (const [i, [places, field]] of cases.entries()) {
    const res = await call("POST", "/event-types", {
      key,
      idem: `lf-${i}`,
      body: { title: "Loc", slug: "loc", durationMin: 60, ...places },
    });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(fieldsOf(res), [field]);
  }
  await new Promise((r) => setTimeout(r, 0));
  app.close();
});
