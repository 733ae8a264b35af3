/**
 * "Test the form" in the routing editor with a sample answer the form would refuse: the host is
 * told which question (by its label, as the editor shows it) and why, beside the field.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "routing editor: a sample answer that cannot be read names its question's label and the reason, beside the field",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-test-sample-");
    const anna = await createHost(seed, { username: "anna" });
    const formId = await publishedForm(seed, anna.id, "sizing", {
      questions: [
        { key: "team_size", type: "number", label: "How many people?", required: true },
        { key: "plan", type: "select", label: "Plan", required: false, options: ["Free", "Pro"] },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    });
    kv.close();

    await using app = await startApp({ dataDir });
    try {
      const host = await signInByLink(app, "anna@example.test");
      const tried = await host.post(`/dashboard/routing/${formId}?/test`, {
        t_team_size: "a dozen",
        t_plan: "Free",
      });
      assert.equal(tried.status, 400);
      const text = tried.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      assert.match(text, /These sample answers could not be read: How many people\?/);
      assert.doesNotMatch(text, /could not be read: team_size/);
      // The reason, tied to the field it is about.
      assert.match(
        tried.body,
        /<input[^>]*id="t_team_size"[^>]*aria-describedby="t_team_size-err"/,
      );
      assert.match(tried.body, /id="t_team_size-err"[^>]*>Please enter a number\./);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
