/**
 * A guest whose host asked them to pick a new time, as they open their links: before they pick,
 * their booking page says so and leads to the times (not "cancelled" and "book again", which
 * made a second, unlinked booking); after, every old link says where the meeting went.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signIn, slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const text = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");

Deno.test({
  name:
    "request new time: the guest's page leads to the new times, the cancel page cancels nothing; once picked, every old link says where the meeting moved",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const guest = createClient(app.baseUrl);
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const booked = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Gita",
      email: "gita@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const page = new URL(booked.location!).pathname;
    const id = page.split("/")[2].slice(0, 26);

    const host = await signIn(app, DEMO_EMAIL);
    const asked = await host.post("/dashboard/bookings?/request", {
      id,
      reason: "I am travelling that day",
    });
    assert.ok(asked.status < 400, `request: ${asked.status}`);

    // Before the pick: the page asks for a new time and leads to it.
    const before = await guest.get(page);
    assert.equal(before.status, 200);
    assert.match(text(before.body), /Please pick a new time/);
    assert.match(text(before.body), /I am travelling that day/, "the host's words");
    assert.match(before.body, new RegExp(`href="${page}/reschedule"`), "a link to the times");
    assert.doesNotMatch(text(before.body), /This booking was cancelled|Pick another time/);
    // The cancel page has nothing to cancel: it says so and leads to the times too.
    const cancel = await guest.get(`${page}/cancel`);
    assert.equal(cancel.status, 200);
    assert.doesNotMatch(cancel.body, /<form[^>]*method="POST"/i, "no cancel form");
    assert.match(text(cancel.body), /pick a new time/i);
    assert.match(cancel.body, new RegExp(`href="${page}/reschedule"`));

    // The guest picks a new time.
    const picked = await guest.post(`${page}/reschedule`, { start: slots[3], tz: "UTC" });
    assert.equal(picked.status, 303, text(picked.body).slice(0, 300));
    const current = new URL(picked.location!).pathname;
    assert.notEqual(current, page);

    // Every old link says where it went.
    const after = await guest.get(page);
    assert.match(after.body, /data-state="moved"/);
    assert.match(after.body, new RegExp(`href="${current}"`), "opens the current booking");
    assert.doesNotMatch(text(after.body), /Pick another time/);
    for (const path of [`${page}/reschedule`, `${page}/cancel`]) {
      const old = await guest.get(path);
      assert.match(text(old.body), /moved/i, path);
    }
  },
});
