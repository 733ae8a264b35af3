/**
 * One-off links with hand-picked times (issue 28), over HTTP against the built server: the host
 * picks times in the dashboard's picker; the link's page offers only those still free; 20
 * guests at once book once; a time not picked is refused; the link is then spent.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDayOf, slotsIn, startsIn } from "../support/slots.ts";

const HOST = "demo@invito.example";

function post(base: string, path: string, form: Record<string, string>) {
  return fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  }).then(async (res) => {
    const body = await res.text();
    return { status: res.status, location: res.headers.get("location"), body };
  });
}

Deno.test({
  name:
    "one-off link over HTTP: only the picked times still free are offered; 20 guests at once book once; a time not picked is refused; a link whose times are all taken says so",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const host = await signInByLink(app, HOST, { smtp });
    const picker = await host.get("/dashboard/bookings/offer?type=quick-chat");
    assert.equal(picker.status, 200);
    // Times of one full day from tomorrow on: the picker starts today, whose times may be few,
    // and pass while the test runs.
    const free = fullDayOf(startsIn(picker.body), { min: 12 });
    assert.ok(free.length >= 12, "the picker lists the host's free times");
    const picked = [free[2], free[5], free[9]];

    // Bad picks: none, eleven, a time that is not free.
    assert.equal(
      (await host.post("/dashboard/bookings/offer?/create", { type: "quick-chat" })).status,
      400,
    );
    const eleven = new URLSearchParams({ type: "quick-chat", note: "" });
    for (const s of free.slice(0, 11)) eleven.append("start", s);
    const tooMany = await host.post("/dashboard/bookings/offer?/create", eleven);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body, /Pick at most 10 times/);
    const night = await host.post("/dashboard/bookings/offer?/create", {
      type: "quick-chat",
      start: "2030-01-01T03:00:00Z",
    });
    assert.equal(night.status, 400);
    assert.match(night.body, /no longer free/);

    const form = new URLSearchParams({ type: "quick-chat", note: "Either works for me.\nThanks!" });
    for (const s of picked) form.append("start", s);
    const made = await host.post("/dashboard/bookings/offer?/create", form);
    assert.equal(made.status, 200);
    const url = /data-testid="offer-url">([^<]+)</.exec(made.body)![1];
    const path = new URL(url).pathname;

    // Someone takes the first picked time on the public page: the link no longer offers it.
    const taken = await post(base, "/calendar/demo/quick-chat?/book", {
      name: "Walk In",
      email: "walkin@example.test",
      note: "",
      start: picked[0],
      tz: "UTC",
    });
    assert.equal(taken.status, 303);
    const page = await fetch(`${base}${path}?tz=UTC`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /Either works for me\./);
    const shown = slotsIn(html);
    assert.ok(shown.length >= 1);
    assert.ok(shown.every((s) => picked.slice(1).includes(s)), `${shown} ⊆ ${picked.slice(1)}`);
    // A free time the host did not pick is refused through the link.
    const other = await post(base, `${path}?/book`, {
      name: "Sneaky",
      email: "sneaky@example.test",
      note: "",
      start: free[3],
      tz: "UTC",
    });
    assert.equal(other.status, 409);

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(base, `${path}?/book`, {
          name: `Guest ${i}`,
          email: `g${i}@example.test`,
          note: "",
          start: picked[1 + (i % 2)],
          tz: "UTC",
        })),
    );
    const tally: Record<number, number> = {};
    for (const o of outcomes) tally[o.status] = (tally[o.status] ?? 0) + 1;
    assert.deepEqual(tally, { 303: 1, 410: 19 });
    // Spent: the page says so, and offers nothing.
    const after = await (await fetch(`${base}${path}?tz=UTC`)).text();
    assert.equal(slotsIn(after).length, 0);
    assert.match(after, /data-testid="spent-message"/);

    // A link whose only time someone else booked meanwhile says so (it showed an empty month
    // that said "Try the next month").
    const lone = await host.post(
      "/dashboard/bookings/offer?/create",
      new URLSearchParams([["type", "quick-chat"], ["note", ""], ["start", free[7]]]),
    );
    const lonePath = new URL(/data-testid="offer-url">([^<]+)</.exec(lone.body)![1]).pathname;
    const gone = await post(base, "/calendar/demo/quick-chat?/book", {
      name: "Early Bird",
      email: "early@example.test",
      note: "",
      start: free[7],
      tz: "UTC",
    });
    assert.equal(gone.status, 303);
    const none = await (await fetch(`${base}${lonePath}?tz=UTC`)).text();
    assert.match(none, /The times offered are no longer free/);
    assert.match(none, /Ask the host for new times/);
    assert.equal(slotsIn(none).length, 0);
  },
});
