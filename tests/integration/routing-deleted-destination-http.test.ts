/**
 * A host deletes an event type a routing form's route sends people to. The editor says so on the
 * route (its destination is not silently shown as "Show a message"), and saving the form asks for
 * another destination instead of for a message the host never meant to write.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { publishedForm } from "../support/routing.ts";
import { postPlainRead } from "../support/http.ts";

/** The text of the option a `<select name=…>` shows as chosen (the first when none is). */
function chosen(html: string, name: string): string {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  assert.ok(select, name);
  const options = [...select[1].matchAll(/<option([^>]*)>([^<]*)<\/option>/g)];
  return (options.find((o) => /\bselected\b/.test(o[1])) ?? options[0])[2];
}

/** Anna's published form "Contact", whose one route sends people to her "Product demo". */
async function seedContactForm(prefix: string) {
  const { dataDir, app: seed, kv } = await seedStore(prefix);
  const anna = await createHost(seed, { username: "anna" });
  const et = await createEventType(seed, anna, { slug: "demo", title: "Product demo" });
  const formId = await publishedForm(seed, anna.id, "contact", {
    questions: [{ key: "name", type: "short", label: "Your name", required: true }],
    routes: [{
      id: "r_demo",
      match: "all",
      conditions: [],
      destination: { kind: "event_type", ownerId: anna.id, eventTypeId: et.id },
    }],
    fallback: { kind: "message", text: "Thanks" },
  }, "Contact");
  kv.close();
  return { dataDir, et, formId };
}

Deno.test({
  name:
    "routing editor: a route whose event type was deleted says so, and saving asks for another destination",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, et, formId } = await seedContactForm("invito-routing-deleted-et-");

    await using app = await startApp({ dataDir });
    try {
      const host = await signInByLink(app, "anna@example.test");
      const before = await host.get(`/dashboard/routing/${formId}`);
      assert.equal(chosen(before.body, "r0_dest"), "Product demo");
      const deleted = await host.post(`/dashboard/event-types/${et.id}/delete`, {});
      assert.equal(deleted.status, 303);

      const editor = await host.get(`/dashboard/routing/${formId}`);
      assert.equal(chosen(editor.body, "r0_dest"), "An event type that no longer exists");
      assert.equal(chosen(editor.body, "fb_dest"), "Show a message");

      // The host renames the form and saves the rest as the editor shows it.
      const saved = await host.post(`/dashboard/routing/${formId}?/save`, {
        title: "Contact us",
        slug: "contact",
        description: "",
        active: "on",
        q0_key: "name",
        q0_type: "short",
        q0_label: "Your name",
        q0_required: "on",
        r0_id: "r_demo",
        r0_match: "all",
        r0_dest: /<option value="([^"]*)"[^>]*selected[^>]*>An event type that no longer exists/
          .exec(editor.body)?.[1] ?? "message",
        r0_url: "",
        r0_message: "",
        fb_dest: "message",
        fb_message: "Thanks",
      });
      assert.equal(saved.status, 400);
      const text = saved.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      assert.match(text, /Route 1: Choose an event type you can send people to\./);
      assert.doesNotMatch(text, /Write the message to show/);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "routing editor: a route whose event type is switched off says so (visitors sent there cannot book), and a visitor routed there is told it is not available",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, et, formId } = await seedContactForm("invito-routing-off-et-");

    await using app = await startApp({ dataDir });
    try {
      const host = await signInByLink(app, "anna@example.test");
      const off = await host.post("/dashboard/event-types?/toggle", { id: et.id, active: "false" });
      assert.equal(off.status, 200, off.body.slice(0, 300));

      const editor = await host.get(`/dashboard/routing/${formId}`);
      assert.equal(chosen(editor.body, "r0_dest"), "Product demo — switched off");
      assert.match(
        editor.body.replace(/<[^>]+>/g, " "),
        /“Product demo” is switched off: visitors sent here are told it is not available until you switch it on under Event types\./,
      );

      const visitor = await fetch(`${app.baseUrl}/forms/anna/contact`);
      const form = await visitor.text();
      const token = /name="ft" value="([^"]*)"/.exec(form)?.[1] ?? "";
      const sent = await postPlainRead(app.baseUrl, "/forms/anna/contact", {
        name: "Vera",
        ft: token,
      });
      const text = sent.body.replace(/<[^>]+>/g, " ");
      assert.equal(sent.status, 409, text.slice(0, 300));
      assert.match(text, /Where these answers lead is not available right now/);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
