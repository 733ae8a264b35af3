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

Deno.test({
  ...opts,
  name:
    "profile: deleting the account needs the username typed; then the host is signed out, the booking page is gone and the guest of a meeting ahead is told",
  async fn() {
    await using app = await startApp({ demo: true });
    const guest = createClient(app.baseUrl);
    const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
    const booked = await guest.post("/calendar/demo/quick-chat?/book", {
      name: "Gil",
      email: "gil@example.test",
      note: "",
      start,
      tz: "UTC",
    });
    assert.equal(booked.status, 303);

    const host = await signIn(app, DEMO_EMAIL);
    const wrong = await host.post("/dashboard/profile?/deleteAccount", { username: "nope" });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /To confirm, type demo exactly/);
    assert.equal((await guest.get("/calendar/demo/quick-chat")).status, 200, "still open");

    const since = app.logs().length;
    const done = await host.post("/dashboard/profile?/deleteAccount", { username: "demo" });
    assert.equal(done.status, 303);
    assert.equal(new URL(done.location!).pathname, "/");
    const after = await host.get("/dashboard");
    assert.equal(after.status, 303);
    assert.match(after.location ?? "", /\/signin/, "signed out");
    assert.equal((await guest.get("/calendar/demo/quick-chat")).status, 404);
    const page = await guest.get(booked.location!);
    assert.equal(page.status, 200);
    assert.match(page.body, /cancel/i, "the guest's page says the meeting is cancelled");
    // Without SMTP, mails are printed to the log: the guest is told.
    await app.waitForLog(/To: gil@example\.test[\s\S]*?closed their Invito account/, { since });
  },
});

Deno.test({
  ...opts,
  name:
    "moving servers: the export from one Invito, uploaded on another's profile page, publishes the same booking pages there, with the photo uploaded on the old one, and says what it left",
  async fn() {
    await using from = await startApp({ demo: true });
    const oldHost = await signIn(from, DEMO_EMAIL);
    // The host's photo, uploaded on the old server's profile page as a browser sends it.
    const png = Uint8Array.from(
      atob(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANBQEAnbqB2gAAAABJRU5ErkJggg==",
      ),
      (ch) => ch.charCodeAt(0),
    );
    const photo = new FormData();
    photo.set("photo", new File([png], "me.png", { type: "image/png" }));
    assert.equal((await oldHost.post("/dashboard/profile?/photo", photo)).status, 200);
    const file = (await oldHost.get("/dashboard/profile/export.json")).body;

    await using to = await startApp();
    const newHost = await signIn(to, "mover@example.test");
    const junk = new FormData();
    junk.set("file", new File([JSON.stringify({ users: [] })], "other.json"));
    const refused = await newHost.post("/dashboard/profile?/importData", junk);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /not an Invito export/);

    const form = new FormData();
    form.set("file", new File([file], "invito-demo.json", { type: "application/json" }));
    const res = await newHost.post("/dashboard/profile?/importData", form);
    assert.equal(res.status, 200);
    assert.match(
      res.body,
      /Set: Profile \(name, time zone, clock, username\), Profile photo, 2 event types, Weekly hours/,
    );
    const visitor = createClient(to.baseUrl);
    const page = await visitor.get("/calendar/demo/intro-call");
    assert.equal(page.status, 200, "the booking page exists on the new server");
    assert.match(page.body, /data-slot="/);
    // The same photo on the new server's page, byte for byte.
    const profile = await visitor.get("/calendar/demo");
    const src =
      /<img[^>]*data-testid="host-photo"[^>]*src="([^"]+)"|<img[^>]*src="([^"]+)"[^>]*data-testid="host-photo"/
        .exec(profile.body);
    assert.ok(src, "the host's photo is on their page");
    const img = await fetch(to.url((src[1] ?? src[2]).replaceAll("&amp;", "&")));
    assert.equal(img.headers.get("content-type"), "image/png");
    assert.deepEqual(new Uint8Array(await img.arrayBuffer()), png);
  },
});
