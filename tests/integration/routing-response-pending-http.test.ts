/**
 * A routed visitor's booking that waits for the host's confirmation reads "pending" in the form's
 * responses, as in the host's bookings: it said "booked", and a host took it as settled.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { EVERY_DAY_8_TO_18 as EVERY_DAY, inputValue, publishedForm } from "../support/routing.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name:
    "routing forms: a routed request that awaits the host's confirmation is listed as pending, not booked",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-pending-");
    const anna = await createHost(seed, { username: "anna", timeZone: "UTC", weekly: EVERY_DAY });
    const et = await createEventType(seed, anna, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: true,
      minNoticeMin: 0,
    });
    const formId = await publishedForm(seed, anna.id, "contact", {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: anna.id, eventTypeId: et.id },
    });
    kv.close();

    await using app = await startApp({ dataDir });
    try {
      const visitor = createClient(app.baseUrl);
      const page = await visitor.get("/forms/anna/contact");
      const sent = await visitor.post("/forms/anna/contact", {
        ft: inputValue(page.body, "ft"),
        website: "",
        name: "Zoë",
        email: "zoe@example.test",
      });
      assert.equal(sent.status, 303);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const day = await visitor.get(`${sent.location}&date=${tomorrow}`);
      const time = /href="([^"]*(?:\?|&amp;)slot=[^"]*)"/.exec(day.body)?.[1]?.replaceAll(
        "&amp;",
        "&",
      );
      assert.ok(time, "tomorrow offers times");
      const details = await visitor.get(time);
      const bookForm = formsOf(details).find((f) => f.action.includes("/book"));
      assert.ok(bookForm);
      const booked = await submitForm(visitor, bookForm);
      assert.equal(booked.status, 303, booked.body.slice(0, 300));

      const host = await signInByLink(app, "anna@example.test");
      const cell = await waitFor(async () => {
        const list = await host.get(`/dashboard/routing/${formId}/responses`);
        return /<td[^>]*data-response-booking="([^"]+)"[^>]*>([\s\S]*?)<\/td>/.exec(list.body);
      }, { message: "the response's booking listed" });
      assert.equal(cell[1], "pending");
      assert.match(cell[2], /pending/);
      assert.doesNotMatch(cell[2], /booked/);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
