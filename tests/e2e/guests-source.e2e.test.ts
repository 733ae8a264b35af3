/**
 * Issue 29, second half, against the built server over HTTP (the no-JS form a browser posts, the
 * JSON API, a real SMTP peer and a webhook receiver): where a guest came from (UTM parameters and
 * `ref` of the booking page's URL) reaches the booking, its webhook, the JSON export, the host's
 * list and the insights' sources CSV; additional guests get the invitation (ICS REQUEST) and,
 * after a cancellation, its CANCEL; too many or malformed addresses get a form message (4xx).
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, hydrated, trackPageErrors } from "../support/browser.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay } from "../support/slots.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const SLUG = "quick-chat"; // the demo's instant event type

/** The booking form of the first free time, opened from `query` (the page's URL parameters). */
async function bookingForm(base: string, query: string) {
  const c = createClient(base);
  // A full day from tomorrow on: the page's first time may be today's last, passing before the post.
  const { date } = await fullDay(base, `/calendar/demo/${SLUG}`, { min: 1 });
  const first = await c.get(`/calendar/demo/${SLUG}?tz=UTC&date=${date}&${query}`);
  assert.equal(first.status, 200);
  const slot = /data-slot="([^"]+)"/.exec(first.body)?.[1];
  assert.ok(slot, "the demo host offers a time");
  const page = await c.get(
    `/calendar/demo/${SLUG}?tz=UTC&date=${slot.slice(0, 10)}&slot=${
      encodeURIComponent(slot)
    }&${query}`,
  );
  assert.equal(page.status, 200);
  const form = formsOf(page).find((f) => f.method === "POST" && f.action.includes("/book"));
  assert.ok(form, "the booking form is on the page");
  return { c, page, form, slot };
}

function post(
  c: ReturnType<typeof createClient>,
  form: ReturnType<typeof formsOf>[number],
  fields: Record<string, string>,
): Promise<HttpResult> {
  return submitForm(c, {
    ...form,
    fields: [...form.fields.filter(([k]) => !(k in fields)), ...Object.entries(fields)],
  }, { headers: { origin: c.baseUrl } });
}

const attendees = (ics: string) =>
  new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!
    .getAllProperties("attendee").map((p) => String(p.getFirstValue()).toLowerCase());
const veventOf = (ics: string) =>
  new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!;

Deno.test({
  name:
    "source tracking: utm_* and ref of the booking page URL reach the webhook payload, the JSON export, the host's list and the insights sources CSV (formula-safe)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { type: string; booking: Record<string, unknown> }[] = [];
    const port = freePort();
    const receiver = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      const body = JSON.parse(await req.text());
      hits.push({ type: body.type, booking: body.data?.booking ?? {} });
      return new Response("thanks");
    });
    try {
      await using app = await startApp({
        demo: true,
        env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
      });
      const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
      const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const sub = await fetch(app.url("/api/v1/webhooks"), {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          url: `http://127.0.0.1:${port}/hook`,
          events: ["booking.confirmed"],
        }),
      });
      assert.equal(sub.status, 201, await sub.text());

      // A link from a newsletter: a control character in `ref` is dropped, a 300-character
      // utm_content is ignored without a word to the guest.
      const query = new URLSearchParams({
        utm_source: "newsletter",
        utm_medium: "email",
        utm_campaign: "launch week",
        utm_content: "x".repeat(300),
        ref: "partner\u0000site",
      }).toString();
      const { c, page, form } = await bookingForm(app.baseUrl, query);
      const hidden = Object.fromEntries(form.fields);
      assert.ok(!("utm_content" in hidden), "an over-long value is not carried");
      assert.ok(page.body.includes('name="utm_campaign" value="launch week"'));
      assert.equal(hidden.utm_source, "newsletter", "the no-JS form carries the source");
      assert.equal(hidden.ref, "partner site");
      const booked = await post(c, form, { name: "Sam Source", email: "sam@example.test" });
      assert.equal(booked.status, 303, booked.body.slice(0, 500));

      const want = {
        utm_source: "newsletter",
        utm_medium: "email",
        utm_campaign: "launch week",
        ref: "partner site",
      };
      const hit = await waitFor(() => hits.find((h) => h.type === "booking.confirmed"), {
        timeoutMs: 30_000,
      });
      assert.deepEqual(hit.booking.source, want, "the webhook payload carries the source");

      // The JSON API door: `source` in the body, cleaned the same way; a formula-like ref.
      const slots = await (await fetch(
        app.url(
          `/api/v1/users/demo/event-types/${SLUG}/slots?start=${
            new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
          }&end=${new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10)}&timeZone=UTC`,
        ),
      )).json();
      const apiStart = slots.slots.at(-1).start;
      const made = await fetch(app.url("/api/v1/bookings"), {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({
          username: "demo",
          eventType: SLUG,
          start: apiStart,
          timeZone: "UTC",
          name: "Ada Api",
          email: "ada@example.test",
          source: { ref: "=1+2", utm_term: "a\u202eb" },
        }),
      });
      assert.equal(made.status, 201, await made.clone().text());
      assert.deepEqual((await made.json()).source, { ref: "=1+2", utm_term: "a b" });

      const host = await signInByLink(app, "demo@invito.example");
      // Insights: one row per source, the formula-like one neutralised in the CSV.
      const rows = await waitFor(async () => {
        const csv = await host.get("/dashboard/insights/sources.csv");
        assert.equal(csv.status, 200);
        const parsed = parseCsv(csv.body);
        return parsed.length >= 3 ? parsed : null;
      }, { timeoutMs: 30_000 });
      assert.deepEqual(rows[0], ["Source", "Sent a booking", "Confirmed"]);
      assert.deepEqual(
        rows.slice(1).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [["'=1+2", 1, 1], ["newsletter / email", 1, 1]],
      );
      const insights = await host.get("/dashboard/insights");
      assert.match(insights.body, /Where bookings came from/);

      const exported = await host.get("/dashboard/profile/export.json");
      assert.equal(exported.status, 200);
      const sam = exported.json<{ bookings: { guestEmail: string; source?: unknown }[] }>()
        .bookings.find((b) => b.guestEmail === "sam@example.test");
      assert.deepEqual(sam?.source, want, "the JSON export keeps the source");

      // The bookings CSV: a column per source field, the formula-like ref neutralised.
      const csv = await host.get("/dashboard/profile/export.csv");
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type")!, /^text\/csv/);
      const table = parseCsv(csv.body);
      const col = (name: string) => (table[0] as string[]).indexOf(name);
      const row = (email: string) => table.find((r) => r[col("guest_email")] === email)!;
      assert.equal(row("sam@example.test")[col("utm_campaign")], "launch week");
      assert.equal(row("sam@example.test")[col("ref")], "partner site");
      assert.equal(row("ada@example.test")[col("ref")], "'=1+2");

      const list = await host.get("/dashboard/bookings");
      assert.match(list.body, /data-source[^>]*>[\s\S]*?newsletter/);
    } finally {
      await receiver.shutdown();
    }
  },
});

Deno.test({
  name:
    "additional guests: each gets the ICS REQUEST, then the CANCEL after a cancellation; too many or malformed addresses get a form message, never a 5xx",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const { c, form } = await bookingForm(app.baseUrl, "");
    const me = { name: "Gina Guest", email: "gina@example.test" };

    // Too many (six, the default allows five) and a malformed one: the form again, with why.
    const six = Array.from({ length: 6 }, (_, i) => `p${i}@example.test`).join(", ");
    const tooMany = await post(c, form, { ...me, guests: six });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body, /Add at most 5 guests\./);
    assert.match(tooMany.body, /p5@example\.test/, "what was typed is kept");
    const bad = await post(c, form, { ...me, guests: "ann@example.test, not-an-address" });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /“not-an-address” is not an email address\./);
    // The API door answers the same rule as a validation problem.
    const api = await fetch(app.url("/api/v1/bookings"), {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({
        username: "demo",
        eventType: SLUG,
        start: Object.fromEntries(form.fields).start,
        timeZone: "UTC",
        ...me,
        guests: ["nope"],
      }),
    });
    assert.equal(api.status, 400);
    assert.match(await api.text(), /guests/);

    // Two colleagues (one typed twice, in another case, and the guest's own address dropped).
    const booked = await post(c, form, {
      ...me,
      guests: "ann@example.test\nBob@Example.test; ANN@example.test, gina@example.test",
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 400));

    const invite = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && m.calendar !== undefined
    );
    assert.deepEqual(invite.to.sort(), ["ann@example.test", "bob@example.test"]);
    assert.match(invite.calendar!, /METHOD:REQUEST/);
    assert.deepEqual(attendees(invite.calendar!).sort(), [
      "mailto:ann@example.test",
      "mailto:bob@example.test",
      "mailto:gina@example.test",
    ]);
    assert.match(invite.subject, /Invitation: Quick chat with Demo Host/);
    assert.doesNotMatch(invite.text, /\/cancel|\/reschedule/, "the guest's own links stay theirs");
    assert.doesNotMatch(invite.calendar!.replace(/\r\n /g, ""), /\/booking\//, "also in the .ics");
    const guestMail = await smtp.waitForMail((m) =>
      m.to.includes("gina@example.test") && m.calendar !== undefined
    );
    assert.ok(
      attendees(guestMail.calendar!).includes("mailto:bob@example.test"),
      "the guest's own invitation lists whom they invited",
    );

    // The API and a host's cancellation.
    const headers = { authorization: `Bearer ${key}` };
    const list = await (await fetch(app.url("/api/v1/bookings"), { headers })).json();
    const b = list.data.find((x: { guest: { email: string } }) =>
      x.guest.email === "gina@example.test"
    );
    assert.deepEqual(b.additionalGuests, ["ann@example.test", "Bob@Example.test"]);
    const write = (path: string, body: unknown) =>
      fetch(app.url(`/api/v1${path}`), {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify(body),
      });

    // The host moves it a day later: the colleagues get the updated REQUEST (same UID, higher
    // SEQUENCE), not a second meeting.
    const later = new Date(Date.parse(b.start) + 86_400_000).toISOString().replace(".000Z", "Z");
    const moved = await write(`/bookings/${b.id}/reschedule`, { start: later, outsideHours: true });
    assert.ok(moved.ok, await moved.clone().text());
    const successor = (await moved.json()).id as string;
    const update = await smtp.waitForMail((m) =>
      m.to.includes("ann@example.test") && m !== invite && /METHOD:REQUEST/.test(m.calendar ?? "")
    );
    assert.match(update.subject, /Rescheduled — Invitation/);
    const [req, upd] = [veventOf(invite.calendar!), veventOf(update.calendar!)];
    assert.equal(upd.getFirstPropertyValue("uid"), req.getFirstPropertyValue("uid"));
    const seq = (e: ICAL.Component) => Number(e.getFirstPropertyValue("sequence"));
    assert.ok(seq(upd) > seq(req), "the update supersedes the invitation");
    assert.equal(
      String(upd.getFirstPropertyValue("dtstart")).slice(0, 19),
      later.slice(0, 19),
    );

    // Then cancelled: the CANCEL of that same meeting.
    const cancel = await write(`/bookings/${successor}/cancel`, {
      reason: "Sorry, something came up",
    });
    assert.equal(cancel.status, 200, await cancel.clone().text());
    const cancelled = await smtp.waitForMail((m) =>
      m.to.includes("bob@example.test") && /METHOD:CANCEL/.test(m.calendar ?? "")
    );
    assert.match(cancelled.subject, /Cancelled: Quick chat with Demo Host/);
    const can = veventOf(cancelled.calendar!);
    assert.equal(can.getFirstPropertyValue("uid"), req.getFirstPropertyValue("uid"));
    assert.ok(seq(can) > seq(upd), "the CANCEL supersedes the update");
    assert.ok(
      smtp.mails.every((m) => !m.to.some((t) => t.startsWith("p5@")) && !m.to.includes("nope")),
      "refused posts invited nobody",
    );
  },
});

Deno.test({
  name:
    "e2e Chromium: a guest from a campaign link picks a day and a time (the page's scripts keep the source), is told in place about a bad colleague address, then books with two colleagues; axe clean",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const browser = await borrowBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } }))
        .newPage();
      const errors = trackPageErrors(page);
      await page.goto(
        app.url(
          `/calendar/demo/${SLUG}?tz=UTC&date=${
            (await fullDay(app.baseUrl, `/calendar/demo/${SLUG}`, { min: 1 })).date
          }&utm_source=linkedin&utm_campaign=q4&ref=post-17`,
        ),
      );
      // Client-side navigation from day to time keeps the source in the URL; the refusal below
      // is shown in place (a form post would load a 400 page, which the console reports).
      await hydrated(page);
      await page.locator("a[data-slot]").first().click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      assert.match(page.url(), /utm_source=linkedin/);
      await page.getByLabel("Name").fill("Lee Campaign");
      await page.getByLabel("Email", { exact: true }).fill("lee@example.test");
      const guests = page.getByLabel(/Additional guests/);
      await guests.fill("kim@example.test, kim at example");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.getByText("“kim” is not an email address.").waitFor();
      assert.equal(await guests.getAttribute("aria-invalid"), "true");
      assert.match((await guests.getAttribute("aria-describedby"))!, /b-guests-err/);
      assert.deepEqual(await checkA11y(page), []);
      await guests.fill("kim@example.test\nlou@example.test");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      assert.equal(
        await page.getByTestId("booking-invited").textContent(),
        "kim@example.test, lou@example.test",
        "the guest's page says whom they invited",
      );
      assert.deepEqual(await checkA11y(page), []);
      const list = await (await fetch(app.url("/api/v1/bookings"), {
        headers: { authorization: `Bearer ${key}` },
      })).json();
      const b = list.data.find((x: { guest: { email: string } }) =>
        x.guest.email === "lee@example.test"
      );
      assert.deepEqual(b.source, { utm_source: "linkedin", utm_campaign: "q4", ref: "post-17" });
      assert.deepEqual(b.additionalGuests, ["kim@example.test", "lou@example.test"]);
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
