/**
 * An operator who closes sign-up (`INVITO_SIGNUP=closed`, or a list that leaves them out) and
 * names themselves in `INVITO_ADMINS` can still get in: the admin's address may always have an
 * account made. Before, the first sign-in of a fresh instance was turned away as "for invited
 * people only" (no link mailed), and an admin whose account was deleted (their own choice, or the
 * command line's: another admin may not from the web) could never return — locked out of their
 * own server with nothing in the README to say why.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";

const ADMIN = "ops@example.test";

Deno.test({
  name:
    "closed sign-up: an address in INVITO_ADMINS gets an account and the admin area (fresh instance, and again after deleting it); a stranger is still turned away with no link",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({
      env: { INVITO_SIGNUP: "closed", INVITO_ADMINS: `${ADMIN}, second@example.test` },
    });
    const admin = await signInByLink(app, ADMIN, { next: "/admin" });
    const page = await admin.get("/admin");
    assert.equal(page.status, 200);
    assert.match(page.body, /data-user="ops"/);

    // ops closes their own account on Profile, then signs in again and is admin again.
    const gone = await admin.post("/dashboard/profile?/deleteAccount", { username: "ops" });
    assert.equal(gone.status, 303, gone.body.slice(0, 300));
    assert.match(gone.headers.get("location") ?? "", /account=closed/);
    const back = await signInByLink(app, ADMIN, { next: "/admin" });
    assert.equal((await back.get("/admin")).status, 200);

    // Closed is still closed for everyone else.
    const since = app.logs().length;
    const stranger = await createClient(app.baseUrl).post("/signin?/email", {
      providerId: "email",
      email: "mallory@example.test",
      next: "/dashboard",
    });
    assert.equal(stranger.status, 303);
    assert.doesNotMatch(
      app.logs().slice(since),
      /mallory@example\.test[\s\S]*signin\/verify/,
    );
  },
});
