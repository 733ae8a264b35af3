/**
 * The admin area in the admin's own language over HTTP: Invito's words about the instance (a
 * setting that is not set) read in it; the settings themselves are shown as the server read them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";

const ADMIN = "ops@example.test";

Deno.test({
  name:
    "admin instance page in German, French and Spanish: an unset setting says so in the admin's language, never “(not set)”",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN, { next: "/admin" });
    const said: Record<string, RegExp> = {
      de: /<dd[^>]*>nicht gesetzt<\/dd>/,
      fr: /<dd[^>]*>non défini<\/dd>/,
      es: /<dd[^>]*>sin definir<\/dd>/,
    };
    for (const [lang, unset] of Object.entries(said)) {
      // The admin reads Invito in this language (Profile → Language).
      const chosen = await admin.post("/dashboard/profile?/save", {
        name: "Ops",
        username: "ops",
        timeZone: "Europe/Berlin",
        clock: "auto",
        weekStart: "1",
        locale: lang,
      });
      assert.equal(chosen.status, 200, chosen.body.slice(0, 300));
      const page = await admin.get("/admin/instance", { headers: { "accept-language": "en-US" } });
      assert.equal(page.status, 200);
      assert.match(page.body, new RegExp(`<html lang="${lang}`));
      // SMTP is not configured in this test: its line says so.
      assert.ok(!page.body.includes("(not set)"), `${lang}: “(not set)” on the page`);
      assert.match(page.body, unset, lang);
    }
  },
});

Deno.test({
  name:
    "developers page in German: a webhook address Invito will not send to is refused in German, why included (it said “the server could not be reached” inside German)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const chosen = await host.post("/dashboard/profile?/save", {
      name: "Demo Host",
      username: "demo",
      timeZone: "Europe/Berlin",
      clock: "auto",
      weekStart: "1",
      locale: "de",
    });
    assert.equal(chosen.status, 200, chosen.body.slice(0, 300));
    const refused = await host.post("/dashboard/developers?/createWebhook", {
      url: "http://127.0.0.1:9/hook",
      events: "booking.confirmed",
      description: "",
    });
    assert.equal(refused.status, 400);
    assert.match(
      refused.body,
      /Invito kann an diese Adresse nicht senden: der Server war nicht erreichbar/,
    );
  },
});
