/**
 * A host books for a guest over the JSON API in the guest's language (`language`), as the
 * dashboard's form does with its language field: a French host's guest in Tokyo got French.
 * The built server with a real SMTP peer, the host's API key over HTTP.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { updateUser } from "../../src/lib/server/store/users.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { makeDataDir } from "../support/data-dir.ts";

const DAY = 86_400_000;

Deno.test({
  name:
    "POST /bookings/for-guest: `language` picks the guest's mails' language; without it they are in the host's, and an unknown one is refused by name",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await makeDataDir("invito-for-guest-lang-");
    try {
      const kv = await Deno.openKv(join(dataDir, "invito.kv"));
      const seed = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
      const host = await createHost(seed, {
        username: "claire",
        email: "claire@example.test",
        timeZone: "Europe/Paris",
        weekly: EVERY_DAY_ALL_DAY,
      });
      assert.ok((await updateUser(seed.kv, host.id, { locale: "fr" }, seed.now())).ok);
      await createEventType(seed, host, {
        slug: "appel",
        title: "Appel",
        requiresConfirmation: false,
        bookingWindowDays: 30,
      });
      const made = await createApiKey(seed, host, {
        name: "k",
        scopes: ["read", "write"],
        expiresAtMs: null,
      });
      assert.ok(made.ok);
      kv.close();

      await using smtp = await startSmtp();
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const day = Math.ceil(Date.now() / DAY) * DAY + 2 * DAY;
      const book = (idem: string, body: Record<string, unknown>) =>
        fetch(app.url("/api/v1/bookings/for-guest"), {
          method: "POST",
          headers: {
            authorization: `Bearer ${made.secret}`,
            "content-type": "application/json",
            "idempotency-key": idem,
          },
          body: JSON.stringify({ eventType: "appel", timeZone: "Asia/Tokyo", ...body }),
        }).then(async (res) => ({ status: res.status, body: await res.json() }));

      const ja = await book("g-ja", {
        start: new Date(day + 9 * 3_600_000).toISOString(),
        name: "Yuki",
        email: "yuki@example.test",
        language: "ja",
      });
      assert.equal(ja.status, 400, JSON.stringify(ja.body));
      assert.equal(ja.body.errors[0].field, "language");

      const en = await book("g-en", {
        start: new Date(day + 9 * 3_600_000).toISOString(),
        name: "Yuki",
        email: "yuki@example.test",
        language: "en",
      });
      assert.equal(en.status, 201, JSON.stringify(en.body));
      const yuki = await smtp.waitForMail((m) => m.to.includes("yuki@example.test"));
      assert.match(yuki.subject, /^Confirmed: Appel with /, yuki.subject);
      assert.match(yuki.text, /\(Asia\/Tokyo, GMT\+9\)/);
      // The host's own mail stays in the host's language.
      const hostMail = await smtp.waitForMail((m) =>
        m.to.includes("claire@example.test") && m.text.includes("Yuki")
      );
      assert.doesNotMatch(hostMail.subject, /^Confirmed/, hostMail.subject);

      const es = await book("g-es", {
        start: new Date(day + 11 * 3_600_000).toISOString(),
        name: "Sol",
        email: "sol@example.test",
        language: "es",
      });
      assert.equal(es.status, 201, JSON.stringify(es.body));
      const sol = await smtp.waitForMail((m) => m.to.includes("sol@example.test"));
      assert.match(sol.subject, /^Confirmada: Appel con /, sol.subject);

      // Without `language`, as before: the host's language.
      const fr = await book("g-fr", {
        start: new Date(day + 13 * 3_600_000).toISOString(),
        name: "Hana",
        email: "hana@example.test",
      });
      assert.equal(fr.status, 201, JSON.stringify(fr.body));
      const hana = await smtp.waitForMail((m) => m.to.includes("hana@example.test"));
      assert.match(hana.subject, /^Confirmé\u00a0: Appel avec /, hana.subject);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
