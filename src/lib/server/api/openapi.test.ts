/**
 * The OpenAPI document is valid OpenAPI 3.1 (checked by a maintained validator), and every
 * answer the API gives — success and problem, on every route — matches what the document says
 * for that route and status (checked by a JSON Schema 2020-12 validator).
 */
import assert from "node:assert/strict";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { apiClient, type Recorded } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { ROUTES } from "./routes/index.ts";
import { createForm } from "../services/routing-forms.ts";
import { submitForm } from "../services/routing-visits.ts";
import { fillToken } from "../services/anti-spam.ts";
import { votePoll } from "../services/poll-votes.ts";
import { TEST_EVENT, WEBHOOK_EVENTS } from "../domain/webhooks.ts";
import { BOOKING_BODY_STATE } from "./schemas/webhook-events.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { bookTeamSlot } from "../services/team-bookings.ts";

// deno-lint-ignore no-explicit-any
const addFormats = addFormatsModule as unknown as (ajv: any) => void;

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  components: { schemas: Record<string, Json> };
};
// deno-lint-ignore no-explicit-any
type Json = any;

function validatorFor(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "doc", components: doc.components }, "doc");
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (schema: Json) => {
    const text = JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/');
    let fn = compiled.get(text);
    if (!fn) compiled.set(text, fn = ajv.compile(JSON.parse(text)));
    return fn;
  };
}

/** The route template of a concrete path ("/bookings/01J…/confirm" → "/bookings/{id}/confirm"). */
function templateOf(method: string, path: string): string | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const re = new RegExp("^" + r.path.replace(/\{\w+\}/g, "[^/]+") + "$");
    if (re.test(path)) return r.path;
  }
  return null;
}

/** Exercises every route with good and bad requests, as a client would. */
async function exercise() {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    requiresConfirmation: true,
    questions: [{ id: "q1", label: "Why?", type: "long", required: false }],
    location: { kind: "phone", value: "+49 30 1234567" },
  });
  const key = await createApiKey(app, host, {
    name: "k",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  const read = await createApiKey(app, host, { name: "r", scopes: ["read"], expiresAtMs: null });
  assert.ok(key.ok && read.ok);
  const k = key.secret;
  const { call, recorded } = apiClient(app);
  const bogus = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  await call("GET", "/users/ann/event-types");
  await call("GET", "/users/nobody/event-types");
  await call("GET", "/users/ann/event-types/intro");
  await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-20&end=2026-12-19&timeZone=Asia/Kolkata",
  );
  await call(
    "GET",
    "/users/ann/event-types/intro/slots?start=2026-11-20&end=2026-11-10&timeZone=UTC",
  );
  const booking = await call("POST", "/bookings", {
    idem: "one",
    body: {
      username: "ann",
      eventType: "intro",
      start: "2026-11-23T08:00:00Z",
      timeZone: "Asia/Kolkata",
      name: "Guest",
      email: "guest@example.com",
      answers: { q1: "To talk" },
    },
  });
  await call("POST", "/bookings", { idem: "two", body: { username: "ann" } });
  await call("POST", "/bookings", {
    idem: "three",
    rawBody: "x",
    headers: { "content-type": "text/plain" },
  });
  const second = await call("POST", "/bookings", {
    idem: "four",
    body: {
      username: "ann",
      eventType: "intro",
      start: "2026-11-23T09:00:00Z",
      timeZone: "UTC",
      name: "Other",
      email: "other@example.com",
    },
  });
  // Seats (issue 25): a 2-seat time, full at the third guest; its attendees for the host.
  await createEventType(app, host, {
    slug: "class",
    requiresConfirmation: false,
    seats: { perTime: 2, showAttendees: false, hideCount: false },
  });
  const seatAt = (email: string, idem: string) =>
    call("POST", "/bookings", {
      idem,
      body: {
        username: "ann",
        eventType: "class",
        start: "2026-11-23T11:00:00Z",
        timeZone: "UTC",
        name: "Seat",
        email,
      },
    });
  const seat = await seatAt("s1@example.com", "s1");
  await seatAt("s2@example.com", "s2");
  await seatAt("s3@example.com", "s3");
  await call("GET", `/bookings/${seat.body.id}/attendees`, { key: k });
  await call("GET", `/bookings/${second.body.id}/attendees`, { key: k });
  // The host cancels that seated meeting whole; a plain booking is no meeting (409).
  await call("POST", `/bookings/${seat.body.id}/cancel-meeting`, {
    key: k,
    idem: "cm1",
    body: { reason: "Closed" },
  });
  await call("POST", `/bookings/${second.body.id}/cancel-meeting`, {
    key: k,
    idem: "cm2",
    body: {},
  });
  // A team's owner cancels its collective seated meeting whole; again it is over (409); a seat
  // of another team is not found.
  const crew = await seedTeam(app, { members: [{ username: "tom" }, { username: "tia" }] });
  await seedTeamEventType(app, crew.team, {
    slug: "class",
    teamMode: "collective",
    hostIds: [crew.users[1].id],
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  const teamSeat = await bookTeamSlot(app, {
    team: "crew",
    slug: "class",
    start: "2026-11-23T12:00:00Z",
    name: "Seat",
    email: "t1@example.com",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(teamSeat.ok);
  const tom = await createApiKey(app, crew.users[0], {
    name: "t",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(tom.ok);
  await call("GET", "/teams", { key: tom.secret });
  await call("GET", `/teams/${crew.team.id}/bookings?limit=1`, { key: tom.secret });
  await call("GET", `/teams/${crew.team.id}/bookings?cursor=zz`, { key: tom.secret });
  await call("GET", `/teams/${bogus}/bookings`, { key: tom.secret });
  // The owner asks one seat's guest of that class for a new time; again the seat is no longer
  // confirmed (409); a seat of another team is not found.
  const askedSeat = await bookTeamSlot(app, {
    team: "crew",
    slug: "class",
    start: "2026-11-23T14:00:00Z",
    name: "Seat",
    email: "t2@example.com",
    note: "",
    timeZone: "UTC",
  });
  assert.ok(askedSeat.ok);
  for (
    const [idem, id] of [["tr1", askedSeat.bookingId], ["tr2", askedSeat.bookingId], ["tr3", bogus]]
  ) {
    await call("POST", `/teams/${crew.team.id}/bookings/${id}/request-reschedule`, {
      key: tom.secret,
      idem,
      body: { reason: "Room change" },
    });
  }
  for (
    const [idem, id] of [["tc1", teamSeat.bookingId], ["tc2", teamSeat.bookingId], ["tc3", bogus]]
  ) {
    await call("POST", `/teams/${crew.team.id}/bookings/${id}/cancel-meeting`, {
      key: tom.secret,
      idem,
      body: { reason: "Closed" },
    });
  }
  await call("GET", "/me", { key: k });
  await call("GET", "/me");
  const page = await call("GET", "/bookings?limit=1", { key: k });
  await call("GET", "/bookings?limit=abc", { key: k });
  await call("GET", "/bookings?from=2026-12-03T00:00:00Z&to=2026-12-01T00:00:00Z", { key: k });
  await call("GET", `/bookings?cursor=${page.body.nextCursor}&to=2026-11-01T00:00:00Z`, { key: k });
  await call("GET", `/bookings/${booking.body.id}`, { key: k });
  await call("GET", `/bookings/${bogus}`, { key: k });
  await call("POST", `/bookings/${booking.body.id}/confirm`, { key: k, idem: "c" });
  await call("POST", `/bookings/${booking.body.id}/confirm`, { key: k, idem: "c2" });
  await call("POST", `/bookings/${second.body.id}/reject`, { key: read.secret, idem: "r" });
  await call("POST", `/bookings/${second.body.id}/reject`, {
    key: k,
    idem: "r",
    body: { reason: "No" },
  });
  const moved = await call("POST", `/bookings/${booking.body.id}/reschedule`, {
    key: k,
    idem: "m",
    body: { start: "2026-11-24T08:00:00Z" },
  });
  await call("POST", `/bookings/${moved.body.id}/request-reschedule`, {
    key: k,
    idem: "rr",
    body: { reason: "Travel" },
  });
  await call("POST", `/bookings/${moved.body.id}/request-reschedule`, { key: k, idem: "rr2" });
  await call("POST", `/bookings/${moved.body.id}/cancel`, {
    key: k,
    idem: "x",
    body: { reason: "Ill" },
  });
  await call("POST", `/bookings/${bogus}/cancel`, { key: k, idem: "y" });
  const et = await call("POST", "/event-types", {
    key: k,
    body: { title: "New", slug: "new-one", durationMin: 45, maxPerDay: 3, cancelCutoffHours: 24 },
  });
  await call("POST", "/event-types", {
    key: k,
    body: { title: "", slug: "Bad Slug", durationMin: 1 },
  });
  await call("GET", "/event-types", { key: k });
  await call("GET", `/event-types/${et.body.id}`, { key: k });
  await call("PATCH", `/event-types/${et.body.id}`, { key: k, body: { description: "Changed" } });
  await call("DELETE", `/event-types/${et.body.id}`, { key: k });
  await call("DELETE", `/event-types/${et.body.id}`, { key: k });
  await call("GET", "/availability", { key: k });
  await call("PUT", "/availability", {
    key: k,
    body: { overrides: [{ date: "2026-12-01", ranges: [] }] },
  });
  await call("PUT", "/availability", { key: k, body: { weekly: { "1": [] } } });
  const sub = await call("POST", "/webhooks", {
    key: k,
    body: { url: "http://127.0.0.1:9/hook", events: ["booking.confirmed"] },
  });
  await call("POST", "/webhooks", { key: k, body: { url: "ftp://x", events: [] } });
  await call("GET", "/webhooks", { key: k });
  await call("GET", `/webhooks/${sub.body.subscription.id}`, { key: k });
  await call("PATCH", `/webhooks/${sub.body.subscription.id}`, {
    key: k,
    body: { enabled: false },
  });
  await call("POST", `/webhooks/${sub.body.subscription.id}/rotate-secret`, { key: k, body: {} });
  await call("POST", `/webhooks/${sub.body.subscription.id}/test`, { key: k, body: {} });
  await call("GET", `/webhooks/${sub.body.subscription.id}/deliveries`, { key: k });
  await call("POST", `/webhooks/${sub.body.subscription.id}/deliveries/msg_${bogus}/redeliver`, {
    key: k,
    body: {},
  });
  await call("DELETE", `/webhooks/${sub.body.subscription.id}`, { key: k });
  // Routing forms (issue 30): one form with one routed response.
  const rf = await createForm(app, host.id, { title: "Ask", slug: "ask" });
  assert.ok(rf.ok);
  const ft = await fillToken(app);
  app.clock.ms += 60_000;
  const sent = await submitForm(app, {
    owner: "ann",
    slug: "ask",
    posted: (key) => ({ name: ["Guest"], email: ["guest@example.com"] })[key] ?? [],
    fillToken: ft,
    honeypot: "",
  });
  assert.ok(sent.ok);
  await call("GET", "/forms", { key: k });
  await call("GET", `/forms/${rf.form.id}`, { key: k });
  await call("GET", `/forms/${bogus}`, { key: k });
  await call("GET", `/forms/${rf.form.id}/responses?booked=no`, { key: k });
  await call("GET", `/forms/${rf.form.id}/responses?booked=maybe`, { key: k });
  // Hosts schedule (issue 28): book for a guest, polls, one-off links.
  await call("POST", "/bookings/for-guest", {
    key: k,
    idem: "hb",
    body: {
      eventType: "intro",
      start: "2026-11-26T09:00:00Z",
      name: "Phone",
      email: "phone@example.com",
      confirmed: true,
      language: "es",
    },
  });
  await call("POST", "/bookings/for-guest", {
    key: k,
    idem: "hb2",
    body: { eventType: "intro", start: "2026-11-26T10:00:00Z", name: "X", email: "nope" },
  });
  await call("POST", "/bookings/for-guest", {
    key: k,
    idem: "hb3",
    body: { eventType: "intro", start: "2026-11-26T09:00:00Z", name: "Y", email: "y@example.com" },
  });
  const times = ["2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z"];
  const poll = await call("POST", "/polls", {
    key: k,
    body: { eventType: "intro", title: "Sync", times, hold: true },
  });
  await call("POST", "/polls", { key: k, body: { eventType: "intro", times: [times[0]] } });
  await call("POST", "/polls", {
    key: k,
    body: { eventType: "intro", times: ["2026-11-26T09:00:00Z", "2026-11-26T13:00:00Z"] },
  });
  await call("GET", "/polls", { key: k });
  await call("GET", `/polls/${bogus}`, { key: k });
  await call("POST", `/polls/${poll.body.id}/pick`, { key: k, body: { start: times[0] } });
  const token = new URL(poll.body.url).pathname.split("/").pop()!;
  assert.equal(
    (await votePoll(app, token, { name: "Bo", email: "bo@example.com", answers: { t0: "yes" } }))
      .ok,
    true,
  );
  await call("GET", `/polls/${poll.body.id}`, { key: k });
  await call("POST", `/polls/${poll.body.id}/pick`, { key: k, body: { start: times[0] } });
  await call("POST", `/polls/${poll.body.id}/close`, { key: k });
  const later = await call("POST", "/polls", {
    key: k,
    body: { eventType: "intro", times: ["2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"] },
  });
  await call("POST", `/polls/${later.body.id}/close`, { key: k });
  await call("POST", `/polls/${bogus}/close`, { key: k });
  const link = await call("POST", "/one-off-links", {
    key: k,
    body: { eventType: "intro", times: ["2026-11-27T09:00:00Z"], note: "As agreed" },
  });
  await call("POST", "/one-off-links", { key: k, body: { eventType: "intro", times: [] } });
  await call("POST", "/one-off-links", {
    key: k,
    body: { eventType: "intro", times: ["2026-11-26T09:00:00Z"] },
  });
  await call("GET", "/one-off-links", { key: k });
  await call("POST", `/one-off-links/${link.body.id}/revoke`, { key: k });
  await call("POST", `/one-off-links/${bogus}/revoke`, { key: k });
  const doc = (await call("GET", "/openapi.json")).body as Doc;
  app.close();
  return { doc, recorded: recorded.filter((r) => r.path !== "/openapi.json") };
}

Deno.test("OpenAPI: the document is valid OpenAPI 3.1 and names every route", async () => {
  const { doc } = await exercise();
  assert.equal(doc.openapi, "3.1.0");
  await SwaggerParser.validate(structuredClone(doc) as never);
  for (const r of ROUTES) {
    assert.ok(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`);
  }
  // Generated from the validation schemas: a rule the server enforces shows in the document.
  const create = doc.components.schemas.BookingCreate;
  assert.equal(create.additionalProperties, false);
  assert.equal(create.properties.note.maxLength, 2000);
  assert.deepEqual(create.required.sort(), [
    "email",
    "eventType",
    "name",
    "start",
    "timeZone",
    "username",
  ]);
});

Deno.test("OpenAPI: every real answer of every route matches the document", async () => {
  const { doc, recorded } = await exercise();
  const validate = validatorFor(doc);
  const covered = new Set<string>();
  const checked: Recorded[] = [];
  for (const r of recorded) {
    const template = templateOf(r.method, r.path);
    assert.ok(template, `${r.method} ${r.path} is a documented route`);
    const op = doc.paths[template][r.method.toLowerCase()];
    const spec = op.responses[String(r.status)];
    assert.ok(spec, `${r.method} ${template} documents status ${r.status}`);
    covered.add(`${r.method} ${template}`);
    if (r.status === 204) {
      assert.equal(r.body, null);
      continue;
    }
    const [media] = Object.keys(spec.content);
    assert.ok(
      r.contentType.startsWith(media),
      `${r.contentType} for ${r.method} ${template} ${r.status}`,
    );
    const fn = validate(spec.content[media].schema);
    assert.ok(
      fn(r.body),
      `${r.method} ${template} ${r.status}: ${JSON.stringify(fn.errors)} in ${
        JSON.stringify(r.body).slice(0, 300)
      }`,
    );
    checked.push(r);
  }
  for (const r of ROUTES) {
    assert.ok(covered.has(`${r.method} ${r.path}`), `exercised ${r.method} ${r.path}`);
  }
  assert.ok(checked.some((r) => r.status >= 400) && checked.some((r) => r.status < 300));
});

/** The document with every object closed: a field an answer carries must be documented. */
function closed(doc: Doc): Doc {
  const close = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(close);
    if (x === null || typeof x !== "object") return x;
    const out: Json = Object.fromEntries(Object.entries(x).map(([k, val]) => [k, close(val)]));
    if (out.type === "object" && out.properties && out.additionalProperties === undefined) {
      out.additionalProperties = false;
    }
    return out;
  };
  return { ...doc, components: close(doc.components) };
}

Deno.test("OpenAPI: every field of every successful answer is in the document (the host's photo too)", async () => {
  const { doc, recorded } = await exercise();
  const validate = validatorFor(closed(doc));
  for (const r of recorded) {
    if (r.status >= 300 || r.status === 204) continue;
    const template = templateOf(r.method, r.path)!;
    const spec = doc.paths[template][r.method.toLowerCase()].responses[String(r.status)];
    const fn = validate(spec.content["application/json"].schema);
    assert.ok(
      fn(r.body),
      `${r.method} ${template} ${r.status}: ${JSON.stringify(fn.errors)}`,
    );
  }
  const host = doc.components.schemas.PublicHost;
  assert.ok(host.properties.photoUrl, "PublicHost.photoUrl");
  assert.ok(host.required.includes("photoUrl"));
});

Deno.test("OpenAPI: every answer's words say what it means — each problem status, the list's cursor, the Idempotency-Key's races, instants as date-time", async () => {
  const { doc } = await exercise();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, res] of Object.entries(op.responses)) {
        assert.notEqual((res as Json).description, "Problem", `${method} ${path} ${status}`);
      }
      for (const p of (op as Json).parameters ?? []) {
        if (p.name !== "Idempotency-Key") continue;
        // ADR 018 (2026-11-26): requests racing under one key are all answered with what the
        // first made; only writes without a commit record refuse a twin that still runs.
        // The whole-meeting cancels claim their key first: a twin still running gets 409.
        if (p.required && !/cancel-meeting$/.test(path)) {
          assert.doesNotMatch(p.description, /still runs is refused/, path);
          assert.match(p.description, /racing under one key/, `${method} ${path}`);
        } else {
          assert.match(p.description, /still runs is refused with 409/, `${method} ${path}`);
        }
      }
    }
  }
  const revoke = doc.paths["/one-off-links/{id}/revoke"].post.responses["410"];
  assert.match(revoke.description, /used/);
  const cursor = doc.components.schemas.BookingPage.properties.nextCursor.description;
  assert.match(cursor, /null/);
  assert.match(cursor, /fewer|empty/);
  const list = (doc.paths["/bookings"].get as Json).parameters;
  for (const name of ["from", "to"]) {
    assert.equal(list.find((p: Json) => p.name === name).schema.format, "date-time", name);
  }
  assert.equal(doc.components.schemas.BookingCreate.properties.start.format, "date-time");
});

Deno.test("OpenAPI: `webhooks` describes every event the app sends — each a subscription can choose and the test event — with its signature headers and body", async () => {
  const { doc } = await exercise();
  const webhooks = (doc as Json).webhooks as Record<string, Json>;
  assert.ok(webhooks, "the document has a webhooks section");
  const choosable: string[] =
    doc.components.schemas.SubscriptionCreate.properties.events.items.enum;
  assert.deepEqual(new Set(choosable), new Set(WEBHOOK_EVENTS));
  assert.deepEqual(Object.keys(webhooks).sort(), [...WEBHOOK_EVENTS, TEST_EVENT].sort());
  const validate = validatorFor(doc);
  for (const [event, item] of Object.entries(webhooks)) {
    const op = item.post;
    assert.ok(op, event);
    const headers = op.parameters.filter((p: Json) => p.in === "header").map((p: Json) => p.name);
    assert.deepEqual(headers, ["webhook-id", "webhook-timestamp", "webhook-signature"], event);
    const schema = op.requestBody.content["application/json"].schema;
    assert.deepEqual(schema.properties.type, { const: event }, event);
    // A body without its data is no body of this event.
    assert.equal(validate(schema)({ type: event, timestamp: "2026-11-27T10:00:00Z" }), false);
  }
  const test = validate(webhooks[TEST_EVENT].post.requestBody.content["application/json"].schema);
  assert.ok(test({ type: TEST_EVENT, timestamp: "2026-11-27T10:00:00Z", data: { message: "x" } }));
  const signature = webhooks["booking.confirmed"].post.parameters[2].description;
  assert.match(signature, /HMAC-SHA256/);
  assert.match(signature, /whsec_/);
  // A booking event's body is the booking as it stood at the fan-out (ADR 019): each booking
  // event says so, in the same words; the others carry no booking.
  for (const [event, item] of Object.entries(webhooks)) {
    const says = (item.post.description as string).includes(BOOKING_BODY_STATE);
    assert.equal(says, event.startsWith("booking."), event);
  }
  assert.match(BOOKING_BODY_STATE, /as it stood when the event was fanned out/);
  assert.match(BOOKING_BODY_STATE, /later state/);
  assert.match(BOOKING_BODY_STATE, /data\.sequence/);
});
