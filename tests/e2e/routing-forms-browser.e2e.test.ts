/**
 * Routing forms in Chromium, as people use them: a visitor answers the form (checked with axe),
 * lands on the host's booking page with their name, email and company filled in, picks a time
 * and books; another visitor's answers end at the form's message. The host opens the editor
 * (axe), tests a sample answer, and sees the booking with the answers it came with.
 * Screenshots: test-results/screenshots/routing-*.png.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInWithEmail } from "../support/team-signin.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { fullDay, openDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e routing forms in Chromium: a visitor is routed to a booking page with their answers filled in and books; another gets the message; the host tests the form and sees the answers on the booking",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-browser-");
    const host = await createHost(seed, {
      username: "pia",
      timeZone: "Europe/Berlin",
      weekly: EVERY_DAY_ALL_DAY,
    });
    const et = await createEventType(seed, host, {
      slug: "call",
      title: "Sales call",
      requiresConfirmation: false,
      questions: [{ id: "company", label: "Company", type: "short", required: false }],
    });
    const created = await createForm(seed, host.id, { title: "Contact sales", slug: "contact" });
    assert.ok(created.ok);
    const saved = await saveForm(seed, host.id, created.form.id, {
      title: "Contact sales",
      slug: "contact",
      description: "Three questions, then we find you the right person.",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Work email", required: true },
        { key: "company", type: "short", label: "Company", required: false },
        { key: "seats", type: "number", label: "How many seats?", required: true },
        {
          key: "topics",
          type: "multi",
          label: "What about?",
          required: false,
          options: ["Pricing", "Security", "Integrations"],
        },
      ],
      routes: [{
        id: "r_sales",
        match: "all",
        conditions: [{ key: "seats", op: "gte", values: ["10"] }],
        destination: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
      }],
      fallback: { kind: "message", text: "Thanks! Our self-serve plan fits you best." },
    });
    assert.ok(saved.ok);
    kv.close();

    await using smtp = await startSmtp();
    const app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const guestCtx = await browser.newContext({
        timezoneId: "America/New_York",
        viewport: { width: 1280, height: 900 },
      });
      const page = await guestCtx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(`${app.baseUrl}/forms/pia/contact`);
      await page.getByRole("heading", { name: "Contact sales" }).waitFor();
      assert.deepEqual(await checkA11y(page), [], "axe on the form");
      await page.getByLabel("Your name").fill("Quinn");
      await page.getByLabel("Work email").fill("quinn@example.test");
      await page.getByLabel("Company").fill("Quinn & Co");
      await page.getByLabel("How many seats?").fill("25");
      await page.getByLabel("Security").check();
      await screenshot(page, "routing-1-form");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(/\/calendar\/pia\/call\?/);
      await page.locator("a[data-slot]").first().waitFor();
      // Settled in the visitor's own zone: the answers stayed in the address.
      await page.waitForURL(/tz=America%2FNew_York/);
      assert.match(page.url(), /name=Quinn/);
      // A day from tomorrow on: the page's own first day may be today, whose first time can
      // pass before the visitor books it or before the host's list shows it as still to come.
      const { date } = await fullDay(app.baseUrl, "/calendar/pia/call", {
        tz: "America/New_York",
        min: 1,
      });
      await openDay(page, date);
      await page.locator("a[data-slot]").first().click();
      assert.equal(await page.getByLabel("Name").inputValue(), "Quinn");
      assert.equal(await page.getByLabel("Email").inputValue(), "quinn@example.test");
      assert.equal(await page.getByLabel("Company").inputValue(), "Quinn & Co");
      await screenshot(page, "routing-2-prefilled");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      assert.deepEqual(errors(), []);

      // A small team: the form's own message.
      const other = await guestCtx.newPage();
      await other.goto(`${app.baseUrl}/forms/pia/contact`);
      await other.getByLabel("Your name").fill("Rae");
      await other.getByLabel("Work email").fill("rae@example.test");
      await other.getByLabel("How many seats?").fill("2");
      await other.getByRole("button", { name: "Continue" }).click();
      await other.getByText("Our self-serve plan fits you best").waitFor();

      // The host: the editor, a test answer, and the booking with its answers.
      const hostCtx = await browser.newContext({
        timezoneId: "Europe/Berlin",
        viewport: { width: 1280, height: 900 },
      });
      const hp = await hostCtx.newPage();
      await signInWithEmail(hp, {
        baseUrl: app.baseUrl,
        smtp,
        email: "pia@example.test",
        next: "/dashboard/routing",
      });
      await hp.goto(`${app.baseUrl}/dashboard/routing`);
      await hp.getByRole("link", { name: "Contact sales" }).click();
      await hp.getByRole("heading", { name: "Test the form" }).waitFor();
      assert.deepEqual(await checkA11y(hp), [], "axe on the editor");
      await hp.locator("#t_seats").fill("40");
      await hp.getByRole("button", { name: "Show the route" }).click();
      await hp.getByText("These answers take: Route 1").waitFor();
      await screenshot(hp, "routing-3-editor");
      await hp.goto(`${app.baseUrl}/dashboard/bookings`);
      const block = hp.locator("[data-routing-response]").first();
      await block.getByText("Contact sales").waitFor();
      assert.match(await block.innerText(), /Quinn & Co/);
      assert.match(await block.innerText(), /Security/);
      await screenshot(hp, "routing-4-booking");
      // Insights: the form's funnel and each route's, for the period.
      await hp.goto(`${app.baseUrl}/dashboard/insights`);
      const table = hp.locator("[data-routing-insights]");
      await table.getByRole("link", { name: "Contact sales" }).waitFor();
      await table.getByText("Route 1").waitFor();
      assert.deepEqual(await checkA11y(hp), [], "axe on insights");
      await table.scrollIntoViewIfNeeded();
      await screenshot(hp, "routing-5-insights");
    } finally {
      await browser.close();
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
