/**
 * A routing form's responses as the host reads them (Dashboard → Routing forms → a form →
 * Responses), against the built server: the time a response was sent is written in the host's
 * zone and language (a `<time datetime>` keeps the instant), and its booking is a link to the
 * host's booking row — after the guest moved the meeting, to the meeting as it now is, saying
 * "moved"; once the host cancels that, saying "cancelled". Before, the page showed the raw
 * instant ("2026-11-27T14:48:16.167Z") and the first booking's id. The CSV keeps the instant and
 * the id (machine-friendly, unchanged). The page passes axe (360 px, dark, German) and the Nu Html
 * Checker. Screenshots: test-results/screenshots/routing-responses-*.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import { borrowBrowser, checkA11y, contextWithSession } from "../support/browser.ts";
import { vnuErrors } from "../support/vnu.ts";
import { shootAll } from "../support/shots.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

Deno.test({
  name:
    "e2e routing responses: the page shows when in the host's zone and language and links the booking as it now is (moved, cancelled); the CSV keeps the instant and id",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-responses-view-");
    const host = await createHost(seed, {
      username: "rita",
      weekly: WORKDAYS,
      timeZone: "America/New_York",
    });
    const call = await createEventType(seed, host, {
      slug: "call",
      title: "Call",
      requiresConfirmation: false,
    });
    const formId = await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: call.id },
    }, "Qualify");
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });

    const guest = createClient(app.baseUrl);
    const form = await guest.get("/forms/rita/ask");
    const sent = await guest.post("/forms/rita/ask", {
      ft: inputValue(form.body, "ft"),
      website: "",
      name: "Olga Routed",
      email: "olga@example.test",
    });
    assert.equal(sent.status, 303, sent.body.slice(0, 300));
    const routed = new URL(sent.location!, app.baseUrl);
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/rita/call", { min: 4 });
    routed.searchParams.set("tz", "UTC");
    routed.searchParams.set("date", date);
    routed.searchParams.set("slot", slots[0]);
    const page = await guest.get(routed.pathname + routed.search);
    const booked = await guest.post("/calendar/rita/call?/book", {
      name: inputValue(page.body, "name"),
      email: inputValue(page.body, "email"),
      note: "",
      start: slots[0],
      tz: "UTC",
      ft: inputValue(page.body, "ft"),
      routing: inputValue(page.body, "routing"),
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 500));
    const firstId = /[0-9A-Z]{26}/.exec(booked.location!)![0];
    const moved = await guest.post(`${booked.location!}/reschedule`, { start: slots[2] });
    assert.equal(moved.status, 303, moved.body.slice(0, 500));
    const nowId = /[0-9A-Z]{26}/.exec(moved.location!)![0];
    assert.notEqual(nowId, firstId);

    const owner = await signInByLink(app, "rita@example.test");
    const csv = parseCsv((await owner.get(`/dashboard/routing/${formId}/responses.csv`)).body);
    assert.equal(csv.length, 2);
    const [iso, , bookingCell] = csv[1].map(String);
    assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "the CSV keeps the instant");
    assert.equal(bookingCell, firstId, "the CSV keeps the id the response was linked to");

    const rowOf = (html: string) =>
      /<tr[^>]*data-response-row[^>]*>([\s\S]*?)<\/tr>/.exec(html)![1];
    const de = rowOf((await owner.get(`/dashboard/routing/${formId}/responses?lang=de`)).body);
    const shown = de.replace(/<[^>]*>/g, " ");
    assert.doesNotMatch(shown, /\d{4}-\d\d-\d\dT\d\d:\d\d/, "no raw instant on the page");
    const time = /<time datetime="([^"]+)"[^>]*>([^<]+)<\/time>/.exec(de);
    assert.ok(time, de);
    assert.equal(time[1], iso, "the element keeps the instant");
    const local = new Intl.DateTimeFormat("de", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(iso));
    assert.ok(time[2].includes(local), `${time[2]} is the host's time ${local}`);
    assert.ok(time[2].includes(String(new Date(iso).getUTCFullYear())), time[2]);
    assert.ok(de.includes(`href="/dashboard/bookings?booking=${nowId}#booking-${nowId}"`), de);
    assert.ok(!de.includes(firstId), "the first booking's id is not shown");
    assert.match(de, /verschoben/);
    // Screenshots for a person to look at: test-results/screenshots/routing-responses-*.png.
    const browser = await borrowBrowser();
    try {
      const storageState = await (await contextWithSession(browser, owner)).storageState();
      await shootAll(
        browser,
        app.url(`/dashboard/routing/${formId}/responses`),
        "routing-responses",
        {
          ready: "[data-response-row]",
          storageState,
          timezoneId: "America/New_York",
        },
      );
      // axe on a 360 px phone in the dark, in German; the page as sent is valid HTML.
      const phone = await browser.newContext({
        storageState,
        colorScheme: "dark",
        viewport: { width: 360, height: 740 },
        timezoneId: "America/New_York",
      });
      const page = await phone.newPage();
      await page.goto(app.url(`/dashboard/routing/${formId}/responses?lang=de`));
      await page.locator("[data-response-row]").first().waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await phone.close();
      const doc = (await owner.get(`/dashboard/routing/${formId}/responses?lang=de`)).body;
      assert.deepEqual(await vnuErrors(new Map([["routing-responses.de", doc]])), []);
    } finally {
      await browser.close();
    }
    const en = rowOf((await owner.get(`/dashboard/routing/${formId}/responses?lang=en`)).body);
    assert.match(en, /\bmoved\b/);

    // The host cancels the moved meeting: the response says so.
    const cancelled = await owner.post("/dashboard/bookings?/cancel", { id: nowId, reason: "" });
    assert.ok(cancelled.status < 400, cancelled.body.slice(0, 300));
    const after = rowOf((await owner.get(`/dashboard/routing/${formId}/responses?lang=en`)).body);
    assert.ok(
      after.includes(`href="/dashboard/bookings?booking=${nowId}#booking-${nowId}"`),
      after,
    );
    assert.match(after, /\bcancelled\b/);
  },
});
