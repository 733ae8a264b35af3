/**
 * A routing form embedded with embed.js's `prefill: { name, email }` (the widget's `name` and
 * `email` parameters, as the embed docs show them): the form's own name and email questions start
 * with them, and a form that asks for neither still hands them on to the booking page it sends
 * the visitor to, where the visitor's own answers win over the link.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";

Deno.test({
  name:
    "routing forms: an embed's prefill name and email fill the form's name and email questions, and reach the booking page when the form asks for neither",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-embed-");
    const anna = await createHost(seed, { username: "anna", timeZone: "UTC" });
    const et = await createEventType(seed, anna, { slug: "intro", title: "Intro" });
    const toIntro = { kind: "event_type", ownerId: anna.id, eventTypeId: et.id } as const;
    const form = (slug: string, definition: RoutingFormDefinition) =>
      publishedForm(seed, anna.id, slug, definition);
    await form("contact", {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "work_email", type: "email", label: "Work email", required: true },
        { key: "size", type: "number", label: "Company size", required: false },
      ],
      routes: [],
      fallback: toIntro,
    });
    await form("size-only", {
      questions: [{ key: "size", type: "number", label: "Company size", required: true }],
      routes: [],
      fallback: toIntro,
    });
    kv.close();

    const app = await startApp({ dataDir });
    try {
      const visitor = createClient(app.baseUrl);
      // What embed.js makes of prefill: { name, email } for a routing form's address.
      const contact = await visitor.get(
        "/widget/forms/anna/contact?name=Ada+Lovelace&email=ada%40example.test",
      );
      assert.equal(contact.status, 200);
      assert.equal(inputValue(contact.body, "name"), "Ada Lovelace");
      assert.equal(inputValue(contact.body, "work_email"), "ada@example.test");
      // A `q_` answer names its question and wins over the plain parameter.
      const named = await visitor.get(
        "/widget/forms/anna/contact?name=Ada&q_name=Ada+L.&email=not-an-email",
      );
      assert.equal(inputValue(named.body, "name"), "Ada L.");
      assert.equal(
        inputValue(named.body, "work_email"),
        "",
        "a value the question refuses is left out",
      );

      // A form that asks for neither: the booking page it leads to starts with them.
      const address = "/widget/forms/anna/size-only?name=Ada+Lovelace&email=ada%40example.test";
      const page = await visitor.get(address);
      const sent = await visitor.post(address, {
        ft: inputValue(page.body, "ft"),
        website: "",
        size: "40",
      });
      assert.equal(sent.status, 303, sent.body.slice(0, 300));
      const to = new URL(sent.location!, app.baseUrl);
      assert.equal(to.pathname, "/widget/anna/intro");
      assert.deepEqual([to.searchParams.get("name"), to.searchParams.get("email")], [
        "Ada Lovelace",
        "ada@example.test",
      ]);
      // Answers the visitor typed on the form win over the link's.
      const answered = "/widget/forms/anna/contact?name=Ada&email=ada%40example.test";
      const page2 = await visitor.get(answered);
      const sent2 = await visitor.post(answered, {
        ft: inputValue(page2.body, "ft"),
        website: "",
        name: "Grace Hopper",
        work_email: "grace@example.test",
      });
      assert.equal(sent2.status, 303, sent2.body.slice(0, 300));
      const to2 = new URL(sent2.location!, app.baseUrl).searchParams;
      assert.deepEqual([to2.getAll("name"), to2.getAll("email")], [
        ["Grace Hopper"],
        ["grace@example.test"],
      ]);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
