/**
 * Closing an account as a host does it (Profile → Delete my account, the username typed): the
 * page it leads to says the account is closed, in the language the host was reading.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signIn } from "../reliability/harness.ts";
import { createClient } from "../support/http.ts";
import { chooseLanguage } from "../support/auth.ts";

Deno.test({
  name:
    "closing an account: the home page it leads to confirms that the account is closed, in the host's language; a plain visit shows no such notice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp();
    for (
      const [email, lang, words] of [
        ["ann@example.test", "en", /Your account is closed/],
        ["bea@example.test", "de", /Ihr Konto ist geschlossen/],
      ] as const
    ) {
      const host = await signIn(app, email);
      const username = /name="username"[^>]*value="([^"]+)"/.exec(
        (await host.get("/dashboard/profile")).body,
      )![1];
      // The host reads the dashboard in their language (Profile → Language).
      await chooseLanguage(host, lang, { name: "Host", username, timeZone: "UTC", clock: "24h" });
      const closed = await host.post("/dashboard/profile?/deleteAccount", { username });
      assert.equal(closed.status, 303, closed.body.slice(0, 300));
      // Signed out, and a browser that asks for English: the address carries the language.
      const home = await createClient(app.baseUrl).get(closed.location!, {
        headers: { "accept-language": "en-US,en;q=0.9" },
      });
      assert.equal(home.status, 200);
      assert.match(home.body, /role="status"/, `${email}: a notice`);
      assert.match(home.body, words, `${email}: it says the account is closed`);
    }
    const plain = await createClient(app.baseUrl).get("/");
    assert.doesNotMatch(plain.body, /Your account is closed/);
  },
});
