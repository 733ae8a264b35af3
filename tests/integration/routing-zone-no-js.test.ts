/**
 * A routed visitor without JavaScript who sets their time zone on the booking page the form sent
 * them to (Change → "Your time zone" → Set, a plain GET form) keeps what the form gave them: the
 * answers filled in, and the response their booking is counted against.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { EVERY_DAY_8_TO_18 as EVERY_DAY, inputValue, publishedForm } from "../support/routing.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name:
    "routing forms: a visitor without JavaScript who sets their time zone on the booking page keeps their answers, and their booking counts as the response's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-zone-");
    const anna = await createHost(seed, { username: "anna", timeZone: "UTC", weekly: EVERY_DAY });
    const et = await createEventType(seed, anna, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: false,
      minNoticeMin: 0,
      questions: [{ id: "company", label: "Company", type: "short", required: false }],
    });
    const formId = await publishedForm(seed, anna.id, "contact", {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
        { key: "company", type: "short", label: "Company", required: false },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: anna.id, eventTypeId: et.id },
    });
    kv.close();

    await using app = await startApp({ dataDir });
    try {
      const visitor = createClient(app.baseUrl);
      const page = await visitor.get("/forms/anna/contact?utm_source=newsletter");
      const sent = await visitor.post("/forms/anna/contact?utm_source=newsletter", {
        ft: inputValue(page.body, "ft"),
        website: "",
        name: "Zoë Müller",
        email: "zoe@example.test",
        company: "ACME & Co",
      });
      assert.equal(sent.status, 303, sent.body.slice(0, 500));
      const booking = await visitor.get(sent.location!);
      assert.equal(booking.status, 200);
      // The settings' zone form, sent as a browser without JavaScript sends a GET form.
      const zoneForm = formsOf(booking).find((f) =>
        f.method === "GET" && f.fields.some(([k]) => k === "zone")
      );
      assert.ok(zoneForm, "the booking page has a time zone form");
      zoneForm.fields = zoneForm.fields.map(([k, v]) => [k, k === "zone" ? "Europe/Berlin" : v]);
      const moved: HttpResult = await submitForm(visitor, zoneForm);
      const inBerlin = moved.status === 303 ? await visitor.get(moved.location!) : moved;
      assert.equal(inBerlin.status, 200);
      // Tomorrow, then a time of that day, as the visitor picks them.
      const link = (html: string, param: string) =>
        new RegExp(`href="([^"]*(?:\\?|&amp;)${param}=[^"]*)"`).exec(html)?.[1]?.replaceAll(
          "&amp;",
          "&",
        );
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const dayPage = await visitor.get(
        link(inBerlin.body, "date")?.replace(/date=[0-9-]+/, `date=${tomorrow}`) ?? "",
      );
      const time = link(dayPage.body, "slot");
      assert.ok(time, "the page in Berlin time offers times");
      const details = await visitor.get(time);
      assert.equal(inputValue(details.body, "name"), "Zoë Müller", "the name the form was given");
      assert.equal(inputValue(details.body, "email"), "zoe@example.test");
      assert.equal(inputValue(details.body, "q_company"), "ACME &amp; Co");
      const bookForm = formsOf(details).find((f) => f.action.includes("/book"));
      assert.ok(bookForm, "the time's booking form");
      const booked = await submitForm(visitor, bookForm);
      assert.equal(booked.status, 303, booked.body.slice(0, 500));

      // The host's responses list counts the response as booked (linked just after the booking).
      const host = await signInByLink(app, "anna@example.test");
      await waitFor(async () => {
        const list = await host.get(`/dashboard/routing/${formId}/responses?booked=yes`);
        return list.status === 200 && /data-testid="response-count"[^>]*>1 /.test(list.body);
      }, { message: "the response listed as booked" });
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
