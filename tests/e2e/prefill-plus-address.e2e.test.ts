/**
 * A booking link or routing form link written by hand, or by a mail tool's merge field, often
 * carries an address with a `+` as it is (`?email=jo+news@example.test`): a URL reads that `+`
 * as a space, and since no address holds a space, the prefill was left out without a word —
 * every subscriber with a tagged address typed it again. A space in a linked address is now read
 * back as the `+` it was; an address that is none either way is still left out.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";
import { inputValue, publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "e2e prefill: an address with an unencoded + in a booking link or a routing form link is filled in as written",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-prefill-plus-");
    const host = await createHost(seed, { username: "pia", weekly: EVERY_DAY_ALL_DAY });
    await createEventType(seed, host, { slug: "chat", title: "Chat" });
    await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "work_email", type: "email", label: "Work email", required: true },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    });
    kv.close();
    await using app = await startApp({ dataDir });
    const c = createClient(app.baseUrl);
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/pia/chat", { min: 1 });
    const at = `/calendar/pia/chat?tz=UTC&date=${date}&slot=${encodeURIComponent(slots[0])}`;

    const page = await c.get(`${at}&name=Jo&email=jo+news@example.test`);
    assert.equal(page.status, 200);
    assert.equal(inputValue(page.body, "email"), "jo+news@example.test", "booking page");
    // Not an address even with its spaces read as +: left out, as before.
    const none = await c.get(`${at}&email=not+an+address`);
    assert.equal(inputValue(none.body, "email"), "");

    for (const q of ["email=jo+news@example.test", "q_work_email=jo+news@example.test"]) {
      const form = await c.get(`/forms/pia/ask?${q}`);
      assert.equal(form.status, 200);
      assert.equal(inputValue(form.body, "work_email"), "jo+news@example.test", q);
    }
  },
});
