/**
 * A store restored without its INVITO_SESSION_SECRET: the server that opens it has another
 * secret, so the webhooks' sealed signing secrets do not open. Against the built server and a
 * local receiver: nothing is sent unsigned; the attempt is logged with what to do, the webhook
 * shows it is failing and why, and it is not retried; the startup log warns; after the host
 * rotates the secret, Send again delivers the message signed with the new one.
 */
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { startApp } from "../support/app.ts";
import { makeDataDir } from "../support/data-dir.ts";
import { createClient } from "../support/http.ts";
import { formsOf, signInByLink, submitForm } from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { waitFor } from "../support/wait.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const randomSecret = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

Deno.test({
  name:
    "webhooks of a store restored without its INVITO_SESSION_SECRET: nothing is sent unsigned; the log and the webhook say to rotate the secret, nothing is retried, the startup log warns; after a rotation Send again delivers it signed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { headers: Record<string, string>; body: string }[] = [];
    await using rx = serveLocal(async (req) => {
      hits.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
      return new Response("ok");
    });
    const dataDir = await makeDataDir("invito-unreadable-secret-");
    try {
      const env = { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" };
      // The store as it was: a webhook made under the first secret.
      const before = await startApp({
        demo: true,
        dataDir,
        env: { ...env, INVITO_SESSION_SECRET: randomSecret() },
      });
      try {
        const host = await signInByLink(before, DEMO_EMAIL);
        const made = await host.post("/dashboard/developers?/createWebhook", {
          url: `${rx.base}/hooks`,
          events: ["booking.confirmed"],
          description: "crm",
        });
        assert.equal(made.status, 200, made.body.slice(0, 300));
      } finally {
        await before.stop({ keepData: true });
      }

      // The same store under another secret.
      await using app = await startApp({
        demo: true,
        dataDir,
        env: { ...env, INVITO_SESSION_SECRET: randomSecret() },
      });
      const host = await signInByLink(app, DEMO_EMAIL);
      const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
      const booked = await createClient(app.baseUrl).post("/calendar/demo/quick-chat?/book", {
        name: "Gil",
        email: "gil@example.test",
        note: "",
        start,
        tz: "UTC",
      });
      assert.equal(booked.status, 303, booked.body.slice(0, 300));

      // The attempt is in the log, with what to do; nothing reached the receiver.
      let page = await host.get("/dashboard/developers");
      const logUrl = /href="(\/dashboard\/developers\/webhooks\/[0-9A-Z]{26})"/.exec(page.body)![1];
      const logged = await waitFor(async () => {
        const log = await host.get(logUrl);
        return /data-testid="delivery-log"/.test(log.body) ? log : null;
      }, { timeoutMs: 15_000, message: "the attempt in the log" });
      assert.deepEqual(hits.map((h) => h.headers["webhook-signature"]), [], "nothing sent");
      assert.match(
        logged.body,
        /signing secret cannot be read with this server.s INVITO_SESSION_SECRET/,
      );
      assert.match(logged.body, /rotate the secret/i);
      const row = /<tbody[\s\S]*?<\/tbody>/.exec(logged.body)![0];
      assert.equal((row.match(/<tr>/g) ?? []).length, 1, "one attempt");
      assert.match(row, /Not sent/);
      // The webhook shows it is failing, and why.
      page = await host.get("/dashboard/developers");
      assert.match(page.body, /Failing since/);
      assert.match(page.body, /signing secret cannot be read/);

      // Not retried as if the receiver were down: 10 s later (the first retry would be at 5 s)
      // the log still holds one attempt, and the receiver heard nothing.
      await new Promise((r) => setTimeout(r, 10_000));
      const later = await host.get(logUrl);
      const rows = /<tbody[\s\S]*?<\/tbody>/.exec(later.body)![0];
      assert.equal((rows.match(/<tr>/g) ?? []).length, 1, "no retry");
      assert.equal(hits.length, 0);

      // Rotate: a new secret the host copies; Send again delivers the message signed with it.
      page = await host.get("/dashboard/developers");
      const rotate = formsOf(page).find((f) => f.action.endsWith("?/rotateWebhook"))!;
      const rotated = await submitForm(host, rotate);
      assert.equal(rotated.status, 200);
      const secret = /whsec_[A-Za-z0-9+/=]+/.exec(rotated.body)![0];
      page = await host.get("/dashboard/developers");
      assert.doesNotMatch(page.body, /signing secret cannot be read/, "a readable secret now");
      const again = formsOf(await host.get(logUrl)).find((f) => f.action.endsWith("?/redeliver"))!;
      assert.equal((await submitForm(host, again)).status, 200);
      await waitFor(() => hits.length >= 1, { timeoutMs: 15_000, message: "Send again" });
      const got = new Webhook(secret).verify(hits[0].body, hits[0].headers) as {
        type: string;
      };
      assert.equal(got.type, "booking.confirmed");
      assert.equal(hits.length, 1);
      console.log(
        `receiver: ${hits.length} delivery, signed ${hits[0].headers["webhook-signature"]}`,
      );
      // The server said so at start, before any delivery failed.
      assert.match(
        app.logs(),
        /INVITO_SESSION_SECRET[^\n]*(cannot|does not|do not) (be read|open)/i,
        "a warning at start",
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
