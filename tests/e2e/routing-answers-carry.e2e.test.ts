/**
 * A routing form hands the visitor's own answers to the booking page it sends them to, over HTTP
 * against the built server:
 * - a booking question labelled with accents ("Teléfono", "Größe") is filled from the form's
 *   question keyed as the label reads without them (`telefono`, `grosse`); its key used to be made
 *   by dropping every letter outside a–z (`tel_fono`, `gr_e`), so nothing matched — and a key
 *   written that old way (`tel_fono`) still matches;
 * - the name the visitor typed into a name question keyed `full_name` wins over the name an
 *   embedding page prefilled (embed.js `prefill.name` → `?name=`); the page's name was used.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "e2e routing forms: answers reach booking questions labelled with accents (Teléfono ← telefono, Größe ← grosse; the old tel_fono still), and a typed full_name wins over an embed's prefill name",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-answers-");
    const host = await createHost(seed, { username: "ines", weekly: WORKDAYS });
    const call = await createEventType(seed, host, {
      slug: "call",
      title: "Call",
      questions: [
        { id: "q1phone1", label: "Teléfono", type: "short", required: false },
        { id: "q2size22", label: "Größe", type: "short", required: false },
        { id: "q3city33", label: "Población", type: "short", required: false },
      ],
    });
    const fallback = { kind: "event_type" as const, ownerId: host.id, eventTypeId: call.id };
    await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "full_name", type: "short", label: "Full name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
        { key: "telefono", type: "short", label: "Phone", required: false },
        { key: "grosse", type: "short", label: "Size", required: false },
        // A key a host wrote to match the old way "Población" was keyed: it keeps working.
        { key: "poblaci_n", type: "short", label: "Town", required: false },
      ],
      routes: [],
      fallback,
    });
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
    // The booking form shows once a time is picked.
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/ines/call", { min: 1 });
    const picked = (location: string) => {
      const u = new URL(location, app.baseUrl);
      u.searchParams.set("tz", "UTC");
      u.searchParams.set("date", date);
      u.searchParams.set("slot", slots[0]);
      return u.pathname + u.search;
    };

    for (const path of ["/forms/ines/ask", "/widget/forms/ines/ask"]) {
      const c = createClient(app.baseUrl);
      // As embed.js opens the form with prefill: { name, email }.
      const link = `${path}?name=${encodeURIComponent("Page Prefill")}&email=page%40example.test`;
      const form = await c.get(link);
      assert.equal(form.status, 200);
      assert.equal(inputValue(form.body, "full_name"), "Page Prefill", "the form offers it");
      const sent = await c.post(link, {
        ft: inputValue(form.body, "ft"),
        website: "",
        full_name: "Typed By Visitor",
        email: "visitor@example.test",
        telefono: "+34 600 000 000",
        grosse: "XL",
        poblaci_n: "Sevilla",
      });
      assert.equal(sent.status, 303, sent.body.slice(0, 300));
      const booking = await c.get(picked(sent.location!));
      assert.equal(booking.status, 200, sent.location!);
      const where = `${path} → ${sent.location}`;
      assert.equal(inputValue(booking.body, "name"), "Typed By Visitor", where);
      assert.equal(inputValue(booking.body, "email"), "visitor@example.test", where);
      assert.equal(inputValue(booking.body, "q_q1phone1"), "+34 600 000 000", where);
      assert.equal(inputValue(booking.body, "q_q2size22"), "XL", where);
      assert.equal(inputValue(booking.body, "q_q3city33"), "Sevilla", where);
    }

    // A booking link names a question by its label as a key, accents and all or without them.
    const c = createClient(app.baseUrl);
    const linked = await c.get(
      picked(
        `/calendar/ines/call?q_telefono=123&q_${encodeURIComponent("größe")}=M&q_poblaci_n=Cadiz`,
      ),
    );
    assert.equal(linked.status, 200);
    assert.equal(inputValue(linked.body, "q_q1phone1"), "123");
    assert.equal(inputValue(linked.body, "q_q2size22"), "M");
    assert.equal(inputValue(linked.body, "q_q3city33"), "Cadiz");
  },
});
