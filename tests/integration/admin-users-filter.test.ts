/**
 * The admin's people list read a filter it could not use (a state it does not know, from an old
 * bookmark or a typo) as no filter at all, and dropped the search beside it: it listed everyone
 * without a word. Now it says the state could not be read and keeps the search.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";

const ADMIN = "ops@example.test";

Deno.test({
  name:
    "admin people list: a state it cannot read is said on the page (in the admin's language), and the search beside it still filters",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const page = await admin.get("/admin?q=demo&state=inactive");
    assert.equal(page.status, 200);
    assert.match(page.body, /The state “inactive” is not one this list knows/);
    assert.match(page.body, /data-user="demo"/);
    assert.doesNotMatch(page.body, /data-user="ops"/, "the search still filters");
    // A known state is no problem.
    const fine = await admin.get("/admin?q=demo&state=active");
    assert.doesNotMatch(fine.body, /is not one this list knows/);
    assert.match(fine.body, /data-user="demo"/);
  },
});
