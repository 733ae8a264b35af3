/**
 * A host's data over HTTP, as the profile page offers it: the JSON and ICS downloads (signed in
 * only), and erasing a guest, after which the guest's link still opens a booking without them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signIn, slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "profile: the host downloads their data as JSON and ICS, strangers get the sign-in page; erasing a guest removes them from every booking",
  async fn() {
    await using app = await startApp({ demo: true });
    const guest = createClient(app.baseUrl);
    const slots = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const links: string[] = [];
    for (const [i, start] of slots.slice(0, 3).entries()) {
      const r = await guest.post("/calendar/demo/quick-chat?/book", {
        name: i < 2 ? "Mallory </script><script>x()</script>" : "Someone Else",
        email: i < 2 ? "mallory@example.test" : "else@example.test",
        note: i < 2 ? "my secret note" : "",
        start,
        tz: "UTC",
      });
      assert.equal(r.status, 303);
      links.push(r.location!);
    }

    const anon = await createClient(app.baseUrl).get("/dashboard/profile/export.json");
    assert.equal(anon.status, 303);
    assert.match(anon.location ?? "", /\/signin/);
    assert.equal(anon.body.includes("mallory"), false);

    const host = await signIn(app, DEMO_EMAIL);
    const json = await host.get("/dashboard/profile/export.json");
    assert.equal(json.status, 200);
    assert.match(
      json.headers.get("content-disposition") ?? "",
      /attachment; filename="invito-demo\.json"/,
    );
    const data = json.json<{ profile: { email: string }; bookings: { guestEmail: string }[] }>();
    assert.equal(data.profile.email, DEMO_EMAIL);
    assert.equal(data.bookings.filter((b) => b.guestEmail === "mallory@example.test").length, 2);
    const ics = await host.get("/dashboard/profile/export.ics");
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get("content-type") ?? "", /^text\/calendar/);
    assert.equal(ics.body.match(/BEGIN:VEVENT/g)?.length, 3);

    const refused = await host.post("/dashboard/profile?/eraseGuest", {
      email: "mallory@example.test",
    });
    assert.equal(refused.status, 400, "no confirmation, nothing erased");
    const erased = await host.post("/dashboard/profile?/eraseGuest", {
      email: "MALLORY@example.test",
      confirm: "yes",
    });
    assert.equal(erased.status, 200);
    assert.match(erased.body, /Removed from 2 bookings/);

    const after = (await host.get("/dashboard/profile/export.json")).body;
    assert.equal(after.includes("mallory"), false);
    assert.equal(after.includes("Mallory"), false);
    assert.equal(after.includes("my secret note"), false);
    assert.ok(after.includes("else@example.test"), "other guests stay");
    const page = await guest.get(links[0]);
    assert.equal(page.status, 200, "the erased guest's link still opens the booking");
    assert.equal(page.body.includes("Mallory"), false);
    const again = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Late",
      email: "late@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(again.status, 409, "the erased guest's time stays taken");
  },
});
