/**
 * A host's data over HTTP, as the profile page offers it: the JSON and ICS downloads (signed in
 * only), and erasing a guest, after which the guest's link still opens a booking without them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signIn, slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";

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
    "profile: erasing a guest reaches what was sent and kept about them — the webhook log's “Send again” no longer sends the body that named them, and their API client's retry under the same Idempotency-Key books nothing and names nobody",
  async fn() {
    const hits: string[] = [];
    const port = freePort();
    const receiver = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      hits.push(await req.text());
      return new Response("ok");
    });
    try {
      await using app = await startApp({
        demo: true,
        env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true", INVITO_RATE_LIMIT: "off" },
      });
      const host = await signIn(app, DEMO_EMAIL);
      const hook = new FormData();
      hook.set("url", `http://127.0.0.1:${port}/hooks`);
      for (const e of ["booking.requested", "booking.confirmed"]) hook.append("events", e);
      hook.set("description", "");
      assert.equal((await host.post("/dashboard/developers?/createWebhook", hook)).status, 200);
      const subId = /\/dashboard\/developers\/webhooks\/([0-9A-Z]{26})/.exec(
        (await host.get("/dashboard/developers")).body,
      )?.[1];
      assert.ok(subId, "the subscription is listed");

      // Zed books through the public API, as a client with an Idempotency-Key does.
      const [start] = await slotsAhead(app.baseUrl, "demo", "quick-chat", 10);
      const zedBooks = () =>
        fetch(app.url("/api/v1/bookings"), {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": "zed-1" },
          body: JSON.stringify({
            username: "demo",
            eventType: "quick-chat",
            start,
            timeZone: "UTC",
            name: "Zed Zebra",
            email: "zed@example.org",
          }),
        });
      const booked = await zedBooks();
      assert.equal(booked.status, 201, await booked.clone().text());
      await booked.body?.cancel();
      await waitFor(() => hits.some((h) => h.includes("zed@example.org")), {
        message: "the webhook naming Zed",
      });
      const log = await waitFor(async () => {
        const page = (await host.get(`/dashboard/developers/webhooks/${subId}`)).body;
        return /name="messageId" value="(msg_[0-9A-Z]{26})"/.exec(page)?.[1];
      }, { message: "the delivery in the log" });

      const erased = await host.post("/dashboard/profile?/eraseGuest", {
        email: "zed@example.org",
        confirm: "yes",
      });
      assert.equal(erased.status, 200);
      assert.match(erased.body, /Removed from 1 booking/);

      const sent = hits.length;
      const again = await host.post(`/dashboard/developers/webhooks/${subId}?/redeliver`, {
        messageId: log,
      });
      assert.equal(again.status, 404);
      assert.match(again.body, /That message is no longer kept/);
      const retry = await zedBooks();
      const text = await retry.text();
      assert.equal(retry.status, 409, text);
      assert.doesNotMatch(text, /zed/i);
      // A test event, queued after the refused “Send again”, marks that the outbox got to it:
      // nothing it sent since the erasure names Zed.
      const test = await host.post("/dashboard/developers?/testWebhook", { id: subId });
      assert.equal(test.status, 200);
      await waitFor(() => hits.slice(sent).some((h) => h.includes("webhook.test")), {
        message: "the test event",
      });
      assert.deepEqual(hits.slice(sent).filter((h) => /zed/i.test(h)), []);
    } finally {
      await receiver.shutdown();
    }
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
    "moving servers: the export from one Invito (saved again with a byte-order mark), uploaded on another's profile page, publishes the same booking pages there, with the photo uploaded on the old one and the widget framed only by the host's own sites, and says what it left",
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
    // Only the host's shop may show the widget (Embed page).
    const sites = await oldHost.post("/dashboard/embed?/origins", {
      origins: "https://shop.example",
    });
    assert.equal(sites.status, 200);
    const frameAncestors = async (base: string) =>
      /frame-ancestors ([^;]*)/.exec(
        (await createClient(base).get("/widget/demo/intro-call")).headers.get(
          "content-security-policy",
        ) ?? "",
      )?.[1];
    assert.match((await frameAncestors(from.baseUrl)) ?? "", /https:\/\/shop\.example/);
    const file = (await oldHost.get("/dashboard/profile/export.json")).body;

    await using to = await startApp();
    const newHost = await signIn(to, "mover@example.test");
    const junk = new FormData();
    junk.set("file", new File([JSON.stringify({ users: [] })], "other.json"));
    const refused = await newHost.post("/dashboard/profile?/importData", junk);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /not an Invito export/);

    // Saved again by an editor that starts the file with a byte-order mark.
    const form = new FormData();
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    form.set("file", new File([bom, file], "invito-demo.json", { type: "application/json" }));
    const res = await newHost.post("/dashboard/profile?/importData", form);
    assert.equal(res.status, 200);
    assert.match(
      res.body,
      /Set: Profile \(name, time zone, clock, username\), Profile photo, Sites allowed to show your widget, and what it tells them, 2 event types, Weekly hours/,
    );
    const framed = (await frameAncestors(to.baseUrl)) ?? "";
    assert.match(framed, /https:\/\/shop\.example/, "the shop may still show the widget");
    assert.doesNotMatch(framed, /\*/, "and no other site may");
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
