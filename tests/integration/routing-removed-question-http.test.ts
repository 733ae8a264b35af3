/**
 * A host who takes a question out of a routing form (or renames its key) still reads what earlier
 * visitors answered to it: the responses list and its CSV keep a column for it, named by its key.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createHost, seedStore } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { inputValue, publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "routing forms: answers to a question the host has since removed still show in the responses list and its CSV",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-removed-");
    const anna = await createHost(seed, { username: "anna" });
    const formId = await publishedForm(seed, anna.id, "contact", {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "company", type: "short", label: "Company", required: false },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    }, "Contact");
    kv.close();

    await using app = await startApp({ dataDir });
    try {
      const visitor = createClient(app.baseUrl);
      const page = await visitor.get("/forms/anna/contact");
      const sent = await visitor.post("/forms/anna/contact", {
        ft: inputValue(page.body, "ft"),
        website: "",
        name: "Zoë",
        company: "Globex Corporation",
      });
      assert.equal(sent.status, 200);
      assert.match(sent.body, /Thanks/);

      // The host drops "Company" in the editor (an emptied key removes a question) and saves.
      const host = await signInByLink(app, "anna@example.test");
      const saved = await host.post(`/dashboard/routing/${formId}?/save`, {
        title: "Contact",
        slug: "contact",
        description: "",
        active: "on",
        q0_key: "name",
        q0_type: "short",
        q0_label: "Your name",
        q0_required: "on",
        q1_key: "",
        q1_type: "short",
        q1_label: "Company",
        fb_dest: "message",
        fb_message: "Thanks",
      });
      assert.equal(saved.status, 200);
      assert.match(saved.body, /Changes saved/);

      const list = await host.get(`/dashboard/routing/${formId}/responses`);
      assert.equal(list.status, 200);
      assert.match(list.body, /Zoë/);
      assert.match(list.body, /Globex Corporation/, "the earlier answer is still listed");
      assert.match(list.body, /company \(no longer asked\)/, "under a column named by its key");
      const csv = await host.get(`/dashboard/routing/${formId}/responses.csv`);
      assert.equal(csv.status, 200);
      const [header, row] = csv.body.replace(/^\uFEFF/, "").trim().split(/\r?\n/);
      assert.match(header, /,Your name,company \(no longer asked\)$/);
      assert.match(row, /,Zoë,Globex Corporation$/);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
