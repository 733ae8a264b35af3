/**
 * A host's bookings get a place like a guest's (issue 27 audit, gap 3): booking for a guest on
 * the dashboard (the form as the page posts it) and through the API, and picking a meeting poll's
 * time (dashboard and API), decide the place with the same rule as the booking form — the host
 * picks one when the event type offers several, enters the guest's number when they call the
 * guest, and a Jitsi place gets a room of its own. Without a choice: a 400 that says so, never a
 * booking without a place.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";

const ROOM = /^https:\/\/meet\.jit\.si\/Invito[A-Za-z0-9_-]{20}$/;

Deno.test({
  name:
    "host bookings get a place: book for a guest (dashboard and API) and a poll's pick (dashboard and API) choose among the places, take the guest's number, and give Jitsi a room",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_MIN_FILL_TIME: "0s" },
    });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    // deno-lint-ignore no-explicit-any
    const api = async (
      method: string,
      path: string,
      body?: unknown,
      idem?: string,
    ): Promise<{ status: number; body: any }> => {
      const res = await fetch(app.url(`/api/v1${path}`), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(idem ? { "idempotency-key": idem } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    const saved = await host.post("/dashboard/event-types/new", {
      title: "Places",
      slug: "places",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      locationKind: "jitsi",
      locationValue: "",
      location2Kind: "guest_phone",
      location2Value: "",
      intent: "save",
    });
    assert.equal(saved.status, 303, saved.body.slice(0, 2000));
    const single = await host.post("/dashboard/event-types/new", {
      title: "Room",
      slug: "room",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      locationKind: "jitsi",
      locationValue: "",
      intent: "save",
    });
    assert.equal(single.status, 303, single.body.slice(0, 2000));
    const day = await fullDay(app.baseUrl, "/calendar/demo/places", { min: 10 });
    const slots = day.slots;
    const bookingOf = async (id: string) => (await api("GET", `/bookings/${id}`)).body;
    const bookedId = (location: string | null | undefined) =>
      new URL(location!, app.baseUrl).searchParams.get("booked")!;

    // ── Book for a guest on the dashboard ──
    const form = await host.get("/dashboard/bookings/new?type=places");
    assert.equal(form.status, 200);
    assert.match(form.body, /name="location" value="0"/, "a radio per place, no JS needed");
    assert.match(form.body, /name="phone"/);
    const dash = (extra: Record<string, string>) =>
      host.post("/dashboard/bookings/new?/book", {
        type: "places",
        name: "Gina Guest",
        email: "gina@example.test",
        note: "",
        ...extra,
      });
    const none = await dash({ start: slots[0] });
    assert.equal(none.status, 400);
    assert.match(none.body, /Choose where the meeting happens/);
    const noPhone = await dash({ start: slots[0], location: "1" });
    assert.equal(noPhone.status, 400);
    assert.match(noPhone.body, /Enter the number/);
    const jitsi = await dash({ start: slots[0], location: "0" });
    assert.equal(jitsi.status, 303, jitsi.body.slice(0, 1000));
    const a = await bookingOf(bookedId(jitsi.location));
    assert.equal(a.location.kind, "jitsi");
    assert.match(a.location.value, ROOM);
    const call = await dash({ start: slots[1], location: "1", phone: "+49 30 1234567" });
    assert.equal(call.status, 303, call.body.slice(0, 1000));
    const b = await bookingOf(bookedId(call.location));
    assert.deepEqual(b.location, { kind: "guest_phone", value: "+49 30 1234567" });
    // One place offered: no choice to make, and Jitsi still gets its own room.
    const one = await host.post("/dashboard/bookings/new?/book", {
      type: "room",
      name: "Ola Guest",
      email: "ola@example.test",
      note: "",
      start: slots[2],
    });
    assert.equal(one.status, 303, one.body.slice(0, 1000));
    const c = await bookingOf(bookedId(one.location));
    assert.match(c.location.value, ROOM);
    assert.notEqual(c.location.value, a.location.value);

    // ── Book for a guest through the API ──
    const viaApi = (body: Record<string, unknown>, idem: string) =>
      api("POST", "/bookings/for-guest", {
        eventType: "places",
        name: "Api Guest",
        email: "api@example.test",
        ...body,
      }, idem);
    const apiNone = await viaApi({ start: slots[3] }, "fg-1");
    assert.equal(apiNone.status, 400, JSON.stringify(apiNone.body));
    assert.ok(
      apiNone.body.errors.some((e: { field: string }) => e.field === "location"),
      JSON.stringify(apiNone.body),
    );
    const apiRoom = await viaApi({ start: slots[3], location: 0 }, "fg-2");
    assert.equal(apiRoom.status, 201, JSON.stringify(apiRoom.body));
    assert.match(apiRoom.body.location.value, ROOM);
    const apiCall = await viaApi(
      { start: slots[4], location: 1, phone: "+33 1 23 45 67 89" },
      "fg-3",
    );
    assert.equal(apiCall.status, 201, JSON.stringify(apiCall.body));
    assert.deepEqual(apiCall.body.location, { kind: "guest_phone", value: "+33 1 23 45 67 89" });

    // ── A meeting poll's pick ──
    const vote = async (pollUrl: string, n: number) => {
      const res = await fetch(new URL(`${new URL(pollUrl).pathname}?/vote`, app.baseUrl), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: "Vic Voter",
          email: "vic@example.test",
          ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "yes"])),
        }),
        redirect: "manual",
      });
      assert.equal(res.status, 200);
    };
    const poll = await api("POST", "/polls", { eventType: "places", times: [slots[5], slots[6]] });
    assert.equal(poll.status, 201, JSON.stringify(poll.body));
    await vote(poll.body.url, 2);
    const page = await host.get(`/dashboard/polls/${poll.body.id}`);
    assert.match(page.body, /name="location" value="0"/, "the host picks the place with the time");
    assert.match(page.body, /Where the meeting happens/);
    assert.match(page.body, /The guest’s phone number/);
    const pickNone = await host.post(`/dashboard/polls/${poll.body.id}?/pick`, { start: slots[5] });
    assert.equal(pickNone.status, 400);
    assert.match(pickNone.body, /Choose where the meeting happens/);
    const picked = await host.post(`/dashboard/polls/${poll.body.id}?/pick`, {
      start: slots[5],
      location: "0",
    });
    assert.equal(picked.status, 303, picked.body.slice(0, 1000));
    assert.match((await bookingOf(bookedId(picked.location))).location.value, ROOM);

    const poll2 = await api("POST", "/polls", { eventType: "places", times: [slots[7], slots[8]] });
    assert.equal(poll2.status, 201);
    await vote(poll2.body.url, 2);
    const apiPickNone = await api("POST", `/polls/${poll2.body.id}/pick`, { start: slots[7] });
    assert.equal(apiPickNone.status, 400, JSON.stringify(apiPickNone.body));
    const apiPick = await api("POST", `/polls/${poll2.body.id}/pick`, {
      start: slots[7],
      location: 1,
      phone: "+44 20 7946 0000",
    });
    assert.equal(apiPick.status, 201, JSON.stringify(apiPick.body));
    assert.deepEqual(apiPick.body.location, { kind: "guest_phone", value: "+44 20 7946 0000" });
  },
});
