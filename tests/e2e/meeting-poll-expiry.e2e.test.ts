/**
 * Held poll times free themselves at the poll's expiry (issue 28: "Held poll times block the
 * public page and free themselves at expiry"), over HTTP: a poll made through the JSON API with
 * held times and a short `until` (an instant) blocks them while open; once it has expired, with
 * no write by anyone, the public booking page offers them again and a guest books one, and the
 * poll's link takes no more answers.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { waitFor } from "../support/wait.ts";
import { createClient } from "../support/http.ts";

/** How long the poll stays open: enough for the checks while it is, short enough to wait out. */
const OPEN_MS = 6_000;

Deno.test({
  name:
    "meeting poll over HTTP: held times block the public page while the poll is open and are offered and bookable again once it expired",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(app.url(`/api/v1${path}`), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // deno-lint-ignore no-explicit-any
      return { status: res.status, body: await res.json() as any };
    };
    const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
    const slots = await api(
      "GET",
      `/users/demo/event-types/quick-chat/slots?start=${from}&end=${to}&timeZone=UTC`,
    );
    assert.equal(slots.status, 200);
    const free = (slots.body.slots as { start: string }[]).map((s) => s.start);
    const times = [free[0], free[1]];
    const date = times[0].slice(0, 10);
    const offers = async (slug: string, t: string) =>
      (await (await fetch(app.url(`/calendar/demo/${slug}?tz=UTC&date=${date}`))).text())
        .includes(`data-slot="${t}"`);

    const bad = await api("POST", "/polls", {
      eventType: "quick-chat",
      times,
      hold: true,
      until: "soon",
    });
    assert.equal(bad.status, 400, "an until that is neither a date nor an instant");
    const until = new Date(Date.now() + OPEN_MS).toISOString();
    const made = await api("POST", "/polls", { eventType: "quick-chat", times, hold: true, until });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(Date.parse(made.body.expiresAt), Date.parse(until));
    const pollPath = new URL(made.body.url).pathname;

    // While open: not offered by the public slots endpoint, and refused to a guest.
    const offered = async (t: string) =>
      ((await api(
        "GET",
        `/users/demo/event-types/quick-chat/slots?start=${date}&end=${date}&timeZone=UTC`,
      )).body.slots as { start: string }[]).some((s) => s.start === t);
    assert.ok(!(await offered(times[0])) && !(await offered(times[1])), "held while open");
    // The public page too — and it is rendered now, while they are held: a rendered page is
    // reused while nothing is written, so it must know when a hold behind it ends.
    assert.ok(!(await offers("quick-chat", times[0])), "held on the public page");
    const guest = () =>
      createClient(app.baseUrl).post("/calendar/demo/quick-chat?/book", {
        name: "Walk In",
        email: "walkin@example.test",
        note: "",
        start: times[0],
        tz: "UTC",
      });
    assert.equal((await guest()).status, 409, "a held time cannot be booked");
    const vote = (email: string) =>
      createClient(app.baseUrl).post(`${pollPath}?/vote`, { name: "Ann", email, t0: "yes" });
    assert.equal((await vote("ann@example.test")).status, 200);
    assert.ok(Date.now() < Date.parse(until), "the checks above ran while the poll was open");

    // Expired: nobody writes anything, and the times are free again.
    await waitFor(
      async () => Date.now() >= Date.parse(until) && await offers("quick-chat", times[0]),
      {
        timeoutMs: OPEN_MS + 15_000,
        intervalMs: 200,
        message: "the public page to offer the held time again after the poll's expiry",
      },
    );
    assert.ok(await offers("quick-chat", times[1]));
    assert.ok(await offered(times[0]) && await offered(times[1]), "and to the JSON API");
    assert.equal((await api("GET", `/polls/${made.body.id}`)).body.state, "expired");
    assert.equal((await vote("ben@example.test")).status, 409, "no answers after the expiry");
    const booked = await guest();
    assert.equal(booked.status, 303, booked.body.slice(0, 300));
  },
});
