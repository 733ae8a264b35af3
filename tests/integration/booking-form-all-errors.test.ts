/**
 * A guest's booking form with several mistakes is answered with all of them at once: an empty
 * name and a wrong extra guest's address, an empty email and a required question left open.
 * Before, the name and email were checked first and the rest only on the next press.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test({
  name: "booking form: an empty name and a wrong extra guest are both marked on the first press",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const { slots } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { tz: "UTC" });
    const guest = createClient(app.baseUrl);
    const res = await guest.post("/calendar/demo/quick-chat?/book&tz=UTC", {
      name: "",
      email: "ann@example.test",
      guests: "bad",
      start: slots[0],
      tz: "UTC",
    }, { headers: { origin: app.baseUrl } });
    assert.equal(res.status, 400);
    const page = text(res.body);
    assert.match(page, /“bad” is not an email address/);
    assert.match(page, /Please fill this in/);
  },
});
