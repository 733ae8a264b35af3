/**
 * The Developers page's webhooks as a host uses them, on the built server with a local receiver:
 * a URL past the 2,000-character bound is refused as too long (never cut and saved), a
 * switched-off webhook still gets the test event its host asks for, and the delivery log says
 * where a receiver's redirect pointed.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";
import { formsOf, submitForm } from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test({
  name:
    "developers page: a webhook URL over 2,000 characters is refused as too long and nothing is saved; a switched-off webhook gets the test event asked for; the log says where a redirect pointed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const hits: { method: string; path: string; type: string }[] = [];
    await using rx = serveLocal(async (req) => {
      const body = await req.text();
      hits.push({
        method: req.method,
        path: new URL(req.url).pathname,
        type: JSON.parse(body || "{}").type ?? "",
      });
      return new Response("moved", { status: 307, headers: { location: "/v2/hooks" } });
    });
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" } });
    const host = await signInClient(app, "dev@example.test");
    const urlOf = (length: number) => {
      const start = `${rx.base}/hooks?pad=`;
      return start + "a".repeat(length - start.length);
    };

    const tooLong = urlOf(2_001);
    const refused = await host.post("/dashboard/developers?/createWebhook", {
      url: tooLong,
      events: ["booking.confirmed"],
      description: "too long",
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /The URL is too long/);
    let page = await host.get("/dashboard/developers");
    assert.match(page.body, /No webhooks yet/, "nothing saved");

    const longest = urlOf(2_000);
    const created = await host.post("/dashboard/developers?/createWebhook", {
      url: longest,
      events: ["booking.confirmed"],
      description: "longest",
    });
    assert.equal(created.status, 200, created.body.slice(0, 300));
    page = await host.get("/dashboard/developers");
    assert.ok(page.body.includes(`>${longest}</p>`), "saved whole");

    // Switched off, then tested: the test event goes out (once) and the page says so.
    const toggle = formsOf(page).find((f) => f.action.endsWith("?/toggleWebhook"))!;
    assert.equal((await submitForm(host, toggle)).status, 200);
    page = await host.get("/dashboard/developers");
    const test = formsOf(page).find((f) => f.action.endsWith("?/testWebhook"))!;
    const tested = await submitForm(host, test);
    assert.equal(tested.status, 200);
    assert.match(tested.body, /although this webhook is off/);
    await waitFor(() => hits.length >= 1, { timeoutMs: 15_000, message: "the test event" });
    assert.deepEqual(hits[0], { method: "POST", path: "/hooks", type: "webhook.test" });

    // The receiver answered 307: its status and where it pointed, in the log.
    const logUrl = /href="(\/dashboard\/developers\/webhooks\/[0-9A-Z]{26})"/.exec(page.body)![1];
    const logged = await waitFor(async () => {
      const log = await host.get(logUrl);
      return log.body.includes("redirected to") ? log : null;
    }, { timeoutMs: 15_000, message: "the attempt in the log" });
    assert.match(logged.body, />307</);
    assert.ok(
      logged.body.includes(`The receiver redirected to ${rx.base}/v2/hooks.`),
      logged.body.slice(0, 200),
    );
    assert.equal(hits.length, 1, "the redirect is not followed");
  },
});
