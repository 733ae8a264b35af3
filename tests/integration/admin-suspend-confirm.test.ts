/**
 * Suspending deletes what a reactivation does not bring back (the person's sessions, API keys and
 * calendar feed link, ADR 043), so the admin page asks first: the row's "Suspend" button shows
 * what will be lost with a button to go on and a way back, and only that second press
 * suspends. Driven as a browser without scripts drives it: the page's own forms, posted.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const ADMIN = "ops@example.test";

Deno.test({
  name:
    "admin: the Suspend button asks first (sign-ins, API keys and the feed link end, and reactivating does not bring them back); the first press changes nothing, Cancel leaves the person active, the confirming press suspends",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const host = await signInByLink(app, DEMO_EMAIL);
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "crm",
      write: "on",
      expires: "never",
    });
    const apiKey = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    const keyWorks = async () => {
      const r = await fetch(`${app.baseUrl}/api/v1/me`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      await r.body?.cancel();
      return r.status === 200;
    };
    const admin = await signInByLink(app, ADMIN);

    const list = await admin.get("/admin?q=demo");
    const suspendForm = formsOf(list).find((f) => f.action.endsWith("?/suspend"));
    assert.ok(suspendForm, "a Suspend button on the row");
    const asked = await submitForm(admin, suspendForm);
    assert.equal(asked.status, 200, asked.body.slice(0, 300));
    assert.match(asked.body, /Suspend demo\?/);
    assert.match(
      asked.body,
      /API keys and calendar feed link are deleted; reactivating does not bring them back/,
    );
    assert.ok(await keyWorks(), "the first press changed nothing");
    assert.doesNotMatch(asked.body, /is suspended/);

    // The way back is a link to the list; the person stays active.
    const cancel = /<a[^>]*href="([^"]+)"[^>]*>Cancel<\/a>/.exec(asked.body);
    assert.ok(cancel, "a Cancel link");
    const back = await admin.get(new URL(cancel[1].replaceAll("&amp;", "&"), list.url).href);
    assert.equal(back.status, 200);
    assert.match(back.body, /data-user="demo"[\s\S]*?Suspend demo</);
    assert.ok(await keyWorks());

    const confirmForm = formsOf(asked).find((f) =>
      f.action.endsWith("?/suspend") && f.fields.some(([k, v]) => k === "confirm" && v === "yes")
    );
    assert.ok(confirmForm, "a form that confirms");
    const done = await submitForm(admin, confirmForm);
    assert.equal(done.status, 200);
    assert.match(done.body, /Demo Host is suspended/);
    assert.equal(await keyWorks(), false, "the confirming press suspended");
  },
});
