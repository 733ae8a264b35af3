/**
 * Answers given before SvelteKit runs (http/early-answers.ts, http/body-limit.ts) read the
 * browser's language through the translator the build's init handed over (or, before the init
 * ran, the catalogs imported on first use).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { bodyRefusal } from "../../src/lib/server/http/body-limit.ts";

Deno.test({
  name:
    "early refusals in the reader's language: a booking form over 64 KB (413), a form sent from another address (403)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_DISABLE_CRON: "true" } });
    const big = await fetch(app.url("/calendar/demo/intro-call?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        "accept-language": "de-DE,de;q=0.9",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: `name=${"x".repeat(70 * 1024)}`,
    });
    assert.equal(big.status, 413);
    assert.match(await big.text(), /^Diese Anfrage ist zu groß\./);

    const elsewhere = await fetch(app.url("/calendar/demo/intro-call?/book"), {
      method: "POST",
      headers: {
        origin: "http://elsewhere.example",
        accept: "text/html",
        "accept-language": "fr",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "name=Ann",
    });
    assert.equal(elsewhere.status, 403);
    const html = await elsewhere.text();
    assert.match(html, /<h1[^>]*>Rien n’a été envoyé<\/h1>/);
  },
});

Deno.test("early refusals before the app's init: the catalogs are imported on first use", async () => {
  const req = new Request("http://x/calendar/demo/x?/book", {
    method: "POST",
    headers: { "accept-language": "es" },
  });
  const res = await bodyRefusal("guest", "too_slow", req);
  assert.equal(res.status, 408);
  assert.equal(await res.text(), "La solicitud tardó demasiado en llegar. Vuelve a enviarla.");
});
