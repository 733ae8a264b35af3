/**
 * A routing form sends its visitor on in the form's language and time zone: a host shares the
 * form's German link (`?lang=de`), embed.js opens it in a German page's language or with a zone
 * (`prefill.timeZone` → `tz`), and the booking page the visitor is routed to — the page's and
 * the widget's — speaks that language and shows that zone. Before, the booking page fell back to
 * the browser's language (so the guest's booking, kept in the page's language, got English mails)
 * and the browser's zone.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "e2e routing forms: the booking page a visitor is routed to keeps the form's language (?lang) and zone (?tz), on the page and in the widget",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-carry-");
    const host = await createHost(seed, { username: "lena", weekly: WORKDAYS });
    const call = await createEventType(seed, host, { slug: "call", title: "Call" });
    await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: call.id },
    });
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
    const english = { "accept-language": "en-US,en;q=0.9" };

    for (const [path, lang] of [["/forms/lena/ask", "de"], ["/widget/forms/lena/ask", "fr"]]) {
      const c = createClient(app.baseUrl);
      const link = `${path}?lang=${lang}&tz=Asia%2FTokyo`;
      const form = await c.get(link, { headers: english });
      assert.equal(form.status, 200);
      assert.match(
        form.body,
        new RegExp(`<html lang="${lang}"`),
        "the form speaks the link's language",
      );
      // The form posts to its own address, as a browser sends it.
      const sent = await c.post(link, {
        ft: inputValue(form.body, "ft"),
        website: "",
        name: "Jana",
        email: "jana@example.test",
      }, { headers: english });
      assert.equal(sent.status, 303, sent.body.slice(0, 300));
      const booking = await c.get(sent.location!, { headers: english });
      assert.equal(booking.status, 200, sent.location!);
      assert.match(
        booking.body,
        new RegExp(`<html lang="${lang}"`),
        `${path}: the booking page speaks the form's language (${sent.location})`,
      );
      assert.match(
        booking.body,
        /<input[^>]*name="zone"[^>]*value="[^"]*Tokyo/,
        `${path}: the booking page shows the form link's zone (${sent.location})`,
      );
    }
  },
});
