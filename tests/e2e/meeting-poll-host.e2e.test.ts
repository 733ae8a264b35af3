/**
 * Meeting polls as the host meets them over HTTP against the built server: a poll whose event
 * type was switched off says so and offers to switch it on (picking is refused with the cause,
 * never "this poll does not exist"); once booked, the meeting is found in the bookings list by
 * any voter's name or address.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDayOf, startsIn } from "../support/slots.ts";

const HOST = "demo@invito.example";

Deno.test({
  name:
    "meeting poll over HTTP, the host's side: event type switched off → told why and offered to switch it on, the pick refused with the cause (409); booked, the meeting is found by any voter",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
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
    const host = await signInByLink(app, HOST, { smtp });
    const free = fullDayOf(startsIn((await host.get("/dashboard/polls?type=quick-chat")).body));
    const made = await api("POST", "/polls", {
      eventType: "quick-chat",
      title: "Planning",
      times: [free[1], free[4]],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { id } = made.body;
    const path = new URL(made.body.url).pathname;
    for (const [name, email] of [["Ann", "ann@example.test"], ["Ben Miller", "ben@example.test"]]) {
      const voted = await fetch(app.url(`${path}?/vote`), {
        method: "POST",
        headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ name, email, t0: "yes" }),
        redirect: "manual",
      });
      await voted.body?.cancel();
      assert.equal(voted.status, 200);
    }

    const types = await api("GET", "/event-types");
    const qc = (types.body.data ?? types.body).find((t: { slug: string }) =>
      t.slug === "quick-chat"
    );
    assert.equal((await api("PATCH", `/event-types/${qc.id}`, { active: false })).status, 200);
    // The host's page: still open, why no time can be booked, and the switch; no pick buttons.
    const page = await host.get(`/dashboard/polls/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /data-testid="poll-event-type-off"/);
    assert.match(page.body, /is switched off, so no time can be booked from this poll/);
    assert.match(page.body, /action="\?\/switchOn"/);
    assert.doesNotMatch(page.body, /action="\?\/pick"/);
    // A pick sent anyway (an old tab, the API): refused with the cause.
    const pick = await host.post(`/dashboard/polls/${id}?/pick`, { start: free[1] });
    assert.equal(pick.status, 409);
    assert.match(pick.body, /event type is switched off, so no time can be booked/);
    const apiPick = await api("POST", `/polls/${id}/pick`, { start: free[1] });
    assert.equal(apiPick.status, 409);
    assert.equal(apiPick.body.title, "Event type switched off");

    // Switched on from the poll's page, the pick books.
    const on = await host.post(`/dashboard/polls/${id}?/switchOn`, {});
    assert.equal(on.status, 303);
    const again = await host.get(`/dashboard/polls/${id}`);
    assert.doesNotMatch(again.body, /data-testid="poll-event-type-off"/);
    assert.match(again.body, /action="\?\/pick"/);
    const booked = await host.post(`/dashboard/polls/${id}?/pick`, { start: free[1] });
    assert.equal(booked.status, 303);

    // The meeting is found by its other voter, by name or address.
    for (const q of ["Miller", "ben@example.test"]) {
      const list = await host.get(`/dashboard/bookings?q=${encodeURIComponent(q)}`);
      assert.equal(list.status, 200);
      assert.match(list.body, /Planning/, `search '${q}'`);
    }
  },
});
