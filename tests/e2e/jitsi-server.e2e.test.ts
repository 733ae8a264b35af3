/**
 * A host's own Jitsi server (ADR 042): each booking's room is the server's address plus a room
 * name. An address with a query or a fragment (Jitsi's `#config.…` options, a `?lang=` copied
 * from the browser) put the room name inside that part — `https://meet.example.org/#config.x=1/
 * InvitoAbc…` — so every guest's link opened the server's start page, not the meeting. The editor
 * now refuses such an address with a message that says why; a server under a path still works.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { fullDay } from "../support/slots.ts";

const eventType = (slug: string, server: string) => ({
  title: slug,
  slug,
  durationMin: "30",
  bookingWindowDays: "60",
  color: "#2549ea",
  active: "on",
  locationKind: "jitsi",
  locationValue: server,
  intent: "save",
});

Deno.test({
  name:
    "e2e Jitsi server: an address with ? or # is refused with a message (rooms would not be rooms); a server under a path gives each booking a room under it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_MIN_FILL_TIME: "0s" } });
    const host = await signInByLink(app, "demo@invito.example");
    for (
      const server of [
        "https://meet.example.org/#config.prejoinPageEnabled=false",
        "https://meet.example.org/?lang=de",
      ]
    ) {
      const res = await host.post("/dashboard/event-types/new", eventType("odd", server));
      assert.equal(res.status, 400, `${server} was saved`);
      const alerts = [...res.body.matchAll(/role="alert"[^>]*>([^<]*)</g)].map((m) => m[1]);
      assert.ok(alerts.some((a) => /without \? or #/.test(a)), alerts.join(" | "));
    }

    const saved = await host.post(
      "/dashboard/event-types/new",
      eventType("rooms", "https://meet.example.org/team/"),
    );
    assert.equal(saved.status, 303, saved.body.slice(0, 1000));
    const guest = createClient(app.baseUrl);
    const { slots } = await fullDay(app.baseUrl, "/calendar/demo/rooms", { min: 1 });
    const booked = await guest.post("/calendar/demo/rooms?/book", {
      name: "Rhea Room",
      email: "rhea@example.test",
      note: "",
      tz: "UTC",
      start: slots[0],
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 500));
    const page = (await guest.get(booked.location!)).body;
    assert.match(
      page,
      /https:\/\/meet\.example\.org\/team\/Invito[A-Za-z0-9_-]{20}(?![A-Za-z0-9_\/-])/,
    );
  },
});
