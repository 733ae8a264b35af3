/**
 * A routed booking keeps the answers it came with when it moves (ADR 041: "a booking that
 * followed shows the answers it came with"): a visitor answers the form, books the time it sends
 * them to, then moves it on their own reschedule page; the host's booking list still shows the
 * form and the answers on the moved meeting, and the form counts one booking, not two. Before,
 * the moved meeting (a new record) had lost them: the host saw a booking with no answers.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import { inputValue, publishedForm } from "../support/routing.ts";

Deno.test({
  name:
    "e2e routing forms: a routed booking the guest moves still shows the host the form and its answers, counted booked once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-moved-");
    const host = await createHost(seed, { username: "rita", weekly: WORKDAYS, timeZone: "UTC" });
    const call = await createEventType(seed, host, {
      slug: "call",
      title: "Call",
      requiresConfirmation: false,
    });
    await publishedForm(seed, host.id, "ask", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
        { key: "budget", type: "short", label: "Budget", required: true },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: call.id },
    }, "Qualify");
    kv.close();
    await using app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });

    // The visitor answers the form and is sent to the booking page with their answers.
    const guest = createClient(app.baseUrl);
    const form = await guest.get("/forms/rita/ask");
    const sent = await guest.post("/forms/rita/ask", {
      ft: inputValue(form.body, "ft"),
      website: "",
      name: "Olga Routed",
      email: "olga@example.test",
      budget: "Fifty grand",
    });
    assert.equal(sent.status, 303, sent.body.slice(0, 300));
    const routed = new URL(sent.location!, app.baseUrl);
    const { date, slots } = await fullDay(app.baseUrl, "/calendar/rita/call", { min: 4 });
    routed.searchParams.set("tz", "UTC");
    routed.searchParams.set("date", date);
    routed.searchParams.set("slot", slots[0]);
    const page = await guest.get(routed.pathname + routed.search);
    assert.equal(page.status, 200);
    const booked = await guest.post("/calendar/rita/call?/book", {
      name: inputValue(page.body, "name"),
      email: inputValue(page.body, "email"),
      note: "",
      start: slots[0],
      tz: "UTC",
      ft: inputValue(page.body, "ft"),
      routing: inputValue(page.body, "routing"),
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 500));

    const owner = await signInByLink(app, "rita@example.test");
    const answersShown = (html: string) =>
      html.includes("Came through the routing form “Qualify”") && html.includes("Fifty grand");
    assert.ok(answersShown((await owner.get("/dashboard/bookings")).body), "before the move");

    // The guest moves the meeting on their own reschedule page.
    const moved = await guest.post(`${booked.location!}/reschedule`, { start: slots[2] });
    assert.equal(moved.status, 303, moved.body.slice(0, 500));
    assert.notEqual(moved.location, booked.location, "the moved meeting has its own page");

    const list = (await owner.get("/dashboard/bookings")).body;
    const row = list.slice(list.indexOf("Olga Routed"));
    assert.ok(
      answersShown(row),
      "the host still sees where the moved meeting came from, with the visitor's answers",
    );
    // One booking from one visit: the move is not a second one.
    const forms = (await owner.get("/dashboard/routing")).body;
    const funnel = /data-testid="funnel-summary"[^>]*>([^<]*)</.exec(forms)?.[1] ?? "";
    assert.match(funnel, /\b1 booked\b/, funnel);
  },
});
