/**
 * What a host books beside the guests' pages, on seated and repeating event types, over HTTP
 * against the built server (issue 25): "book for a guest" takes a seat of a seated time — from
 * the dashboard's form and through the JSON API — instead of a plain booking that blocked the
 * time's other seats; a repeating event type is refused with words (the guest books the series
 * from its page); a meeting poll on a seated or repeating event type is refused when it is made.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";

/** Host "seats" (all day, UTC): a 3-seat "class", a weekly "series" of 4, a plain "call"; an API key. */
async function seed() {
  const { dataDir, kv, app } = await seedStore("invito-seats-host-");
  const allDay = [{ start: "00:00", end: "24:00" }];
  const host = await createHost(app, {
    username: "seats",
    timeZone: "UTC",
    weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
  });
  await createEventType(app, host, {
    slug: "class",
    durationMin: 60,
    requiresConfirmation: false,
    seats: { perTime: 3, showAttendees: false, hideCount: false },
  });
  await createEventType(app, host, {
    slug: "weekly",
    durationMin: 60,
    requiresConfirmation: false,
    series: { everyWeeks: 1, count: 4, freeOnly: false },
  });
  await createEventType(app, host, { slug: "call", durationMin: 60, requiresConfirmation: false });
  const key = await createApiKey(app, host, {
    name: "test",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(key.ok);
  kv.close();
  return { dataDir, key: key.secret };
}

async function seatsLeft(base: string, start: string): Promise<number> {
  const html = await (await fetch(`${base}/calendar/seats/class?tz=UTC&date=${start.slice(0, 10)}`))
    .text();
  const m = new RegExp(`data-slot="${start}"(?:(?!</a>)[^])*?data-seats-left="(\\d+)"`).exec(html);
  return m ? Number(m[1]) : 0;
}

Deno.test({
  name:
    "book for a guest over HTTP and the API on a seated time: the host's guest takes a seat beside the others (the time's other seats stay offered) until the time is full; a repeating type is refused with words",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, key } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/seats/class");
      const t = slots[3];
      const ada = await fetch(`${base}/calendar/seats/class?/book`, {
        method: "POST",
        headers: {
          origin: base,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ name: "Ada", email: "ada@example.test", note: "", start: t }),
        redirect: "manual",
      });
      await ada.body?.cancel();
      assert.equal(ada.status, 303);
      assert.equal(await seatsLeft(base, t), 2);

      // The dashboard's "Book for a guest" form: a seat beside Ada's.
      const host = await signInByLink(app, "seats@example.test");
      const walkIn = await host.post("/dashboard/bookings/new?/book", {
        type: "class",
        start: t,
        name: "Walk In",
        email: "walk-in@example.test",
        note: "",
      });
      assert.equal(walkIn.status, 303, walkIn.body.slice(0, 400));
      assert.equal(await seatsLeft(base, t), 1, "one seat taken by the host's guest");

      // The API: the last seat, then a calm seats_full.
      const api = async (path: string, body: unknown, idem?: string) => {
        const res = await fetch(`${base}/api/v1${path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            ...(idem ? { "idempotency-key": idem } : {}),
          },
          body: JSON.stringify(body),
        });
        // deno-lint-ignore no-explicit-any
        return { status: res.status, body: await res.json() as any };
      };
      const byApi = await api("/bookings/for-guest", {
        eventType: "class",
        start: t,
        name: "Phone Guest",
        email: "phone@example.test",
      }, "for-guest-1");
      assert.equal(byApi.status, 201, JSON.stringify(byApi.body));
      assert.equal(byApi.body.seat?.capacity, 3, "the booking is a seat");
      assert.equal(byApi.body.seat?.taken, 3);
      assert.equal(await seatsLeft(base, t), 0, "full: no longer offered");
      const full = await api("/bookings/for-guest", {
        eventType: "class",
        start: t,
        name: "Late",
        email: "late@example.test",
      }, "for-guest-2");
      assert.equal(full.status, 409);
      assert.equal(full.body.reason, "seats_full");

      // A repeating event type: refused with words, from the form and the API alike.
      const weeklyStart = slots[6];
      const series = await host.post("/dashboard/bookings/new?/book", {
        type: "weekly",
        start: weeklyStart,
        name: "Coachee",
        email: "coachee@example.test",
        note: "",
      });
      assert.equal(series.status, 409);
      assert.match(series.body, /repeats/);
      const seriesApi = await api("/bookings/for-guest", {
        eventType: "weekly",
        start: weeklyStart,
        name: "Coachee",
        email: "coachee@example.test",
      }, "for-guest-3");
      assert.equal(seriesApi.status, 409);
      assert.equal(seriesApi.body.reason, "series_by_guest");
      assert.match(seriesApi.body.detail, /repeats/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "meeting polls over HTTP and the API: a poll on a seated or a repeating event type is refused when it is made, with words; one on a plain type is made",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, key } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const base = app.baseUrl;
      const { slots } = await fullDay(base, "/calendar/seats/call");
      const host = await signInByLink(app, "seats@example.test");
      const form = (type: string) => {
        const f = new URLSearchParams({ type, title: "Planning" });
        f.append("start", slots[1]);
        f.append("start", slots[3]);
        return f;
      };
      const seated = await host.post("/dashboard/polls?/create", form("class"));
      assert.equal(seated.status, 400);
      assert.match(seated.body, /seats/);
      const series = await host.post("/dashboard/polls?/create", form("weekly"));
      assert.equal(series.status, 400);
      assert.match(series.body, /repeat/);
      const plain = await host.post("/dashboard/polls?/create", form("call"));
      assert.equal(plain.status, 200, plain.body.slice(0, 300));
      for (const [eventType, words] of [["class", /seats/], ["weekly", /repeat/]] as const) {
        const res = await fetch(`${base}/api/v1/polls`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ eventType, times: [slots[5], slots[7]] }),
        });
        const body = await res.json();
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(body.errors[0].field, "eventType");
        assert.match(body.errors[0].message, words);
      }
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "book for a guest over HTTP, seated time: the host's time picker says how many seats each time has left (2 after a guest's seat), as the guest's page does; it showed bare times, so the host could not tell they were adding someone to a class",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir } = await seed();
    try {
      await using app = await startApp({ dataDir });
      const base = app.baseUrl;
      const { slots, date } = await fullDay(base, "/calendar/seats/class");
      const t = slots[3];
      const ada = await fetch(`${base}/calendar/seats/class?/book`, {
        method: "POST",
        headers: {
          origin: base,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ name: "Ada", email: "ada@example.test", note: "", start: t }),
        redirect: "manual",
      });
      await ada.body?.cancel();
      assert.equal(ada.status, 303);
      const host = await signInByLink(app, "seats@example.test");
      const picker = await host.get(`/dashboard/bookings/new?type=class&date=${date}`);
      assert.equal(picker.status, 200);
      const label = (start: string) =>
        new RegExp(`<input[^>]*value="${start}"[^>]*>(?:(?!</label>)[^])*</label>`)
          .exec(picker.body)?.[0] ?? "";
      assert.ok(label(t), `the picker offers ${t}`);
      assert.match(label(t), /data-seats-left="2"[^>]*>· 2 seats left/);
      assert.match(label(slots[4]), /3 seats left/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
