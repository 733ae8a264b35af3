/**
 * The admin area in the admin's own language over HTTP: Invito's words about the instance (a
 * setting that is not set) read in it; the settings themselves are shown as the server read them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { chooseLanguage, signInByLink } from "../support/auth.ts";
import { startSmtp } from "../support/smtp.ts";

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
      await chooseLanguage(admin, lang);
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
    "admin instance page in German, French and Spanish: rate limits switched off (INVITO_RATE_LIMIT=off) say so in the admin's language, not “off”",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { INVITO_ADMINS: ADMIN, INVITO_RATE_LIMIT: "off" },
    });
    const admin = await signInByLink(app, ADMIN, { next: "/admin" });
    const said: Record<string, string> = {
      en: "off",
      de: "aus",
      fr: "désactivé",
      es: "desactivado",
    };
    for (const [lang, off] of Object.entries(said)) {
      await chooseLanguage(admin, lang);
      const page = await admin.get("/admin/instance", { headers: { "accept-language": "en-US" } });
      assert.equal(page.status, 200);
      const line = /<dt[^>]*>rateLimits<\/dt><dd[^>]*>([^<]*)<\/dd>/.exec(page.body);
      assert.equal(line?.[1], off, lang);
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
    await chooseLanguage(host, "de", { name: "Demo Host", username: "demo" });
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

Deno.test({
  name:
    "admin instance page in French and German: a setting set to an empty list reads “none” in the admin's language (it was blank), a backup's size is in the locale's number format and unit (it said “KiB”), the test mail's refusal is said in the language (it began “rejected:”)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    const backupDir = await Deno.makeTempDir({ prefix: "invito-admin-words-" });
    try {
      await using app = await startApp({
        smtp,
        // INVITO_TRUSTED_PROXIES is set, to nothing: the list of trusted proxies is empty.
        env: { INVITO_ADMINS: ADMIN, INVITO_BACKUP_DIR: backupDir, INVITO_TRUSTED_PROXIES: "" },
      });
      const admin = await signInByLink(app, ADMIN, { smtp, next: "/admin" });
      const made = await admin.post("/admin/instance?/backup", {});
      assert.equal(made.status, 200, made.body.slice(0, 300));
      const said = {
        fr: {
          none: "aucun",
          unit: /^\d[\d\u202f\u00a0]*(,\d)?[\u00a0\u202f](ko|Mo)$/,
          refused: "Le serveur de messagerie a refusé l’e-mail de test. Sa réponse\u00a0:",
        },
        de: {
          none: "keine",
          unit: /^\d[\d.]*(,\d)? (kB|MB)$/,
          refused: "Der Mailserver hat die Testmail abgelehnt. Seine Antwort:",
        },
      };
      for (const [lang, words] of Object.entries(said)) {
        await chooseLanguage(admin, lang);
        const page = await admin.get("/admin/instance");
        assert.equal(page.status, 200);
        const setting = (name: string) =>
          new RegExp(`translate="no">${name}</dt><dd[^>]*>([^<]*)</dd>`).exec(page.body)?.[1];
        assert.equal(setting("trustedProxies"), words.none, `${lang}: trustedProxies`);
        // A set list still reads as it is.
        assert.equal(setting("admins"), ADMIN);
        const sizes = [...page.body.matchAll(/<tr[^>]*data-backup="ok"[^>]*>([\s\S]*?)<\/tr>/g)]
          .map((m) => [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)][2]?.[1].trim());
        assert.ok(sizes.length > 0, `${lang}: no backup listed`);
        for (const size of sizes) assert.match(size ?? "", words.unit, `${lang}: size “${size}”`);

        smtp.failNext("reject-550");
        const refused = await admin.post("/admin/instance?/mailTest", { email: "no@example.test" });
        assert.equal(refused.status, 502);
        assert.ok(refused.body.includes(words.refused), `${lang}: the refusal in its words`);
        // The server's own answer is still shown as it came.
        assert.match(refused.body, /data-testid="smtp-answer">[^<]*550/);
        assert.doesNotMatch(refused.body, /(rejected|temporary|network|auth): /, lang);
      }
    } finally {
      await Deno.remove(backupDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "admin instance page in German without a mail server: the test mail says in German that it went to the server log (it said “accepted (logged)” as a mail server's answer)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN, { next: "/admin" });
    await chooseLanguage(admin, "de");
    const sent = await admin.post("/admin/instance?/mailTest", { email: "check@example.test" });
    assert.equal(sent.status, 200);
    assert.ok(
      sent.body.includes("Kein Mailserver eingestellt: Die Testmail steht im Server-Log."),
      "said in German",
    );
    assert.doesNotMatch(sent.body, /accepted \(|Der Mailserver hat die Testmail angenommen/);
  },
});
