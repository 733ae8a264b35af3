/**
 * "Book for a guest" refused: the host reads what to fix. A refusal of a field the form does not
 * mark (the time, the event type) said only "Please check the marked fields", with none marked.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signIn } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { fullDay, startsIn } from "../support/slots.ts";

const alerts = (html: string) =>
  [...html.matchAll(/role="alert"[^>]*>([^<]+)</g)].map((m) => m[1].trim());

Deno.test({
  name:
    "book for a guest: no time picked, a malformed time or an unknown event type each say what is wrong; the guest's zone and language reach their invitation",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signIn(app, DEMO_EMAIL);
    const guest = { name: "Gil", email: "gil@example.test", note: "" };
    const cases: [Record<string, string>, RegExp][] = [
      [{ type: "quick-chat" }, /Pick a new time, or enter a date and a start time\./],
      [{ type: "quick-chat", date: "2026-13", time: "9" }, /Enter a date and a start time\./],
      [{ type: "quick-chat", start: "tomorrow" }, /Enter a date and a start time\./],
      [{ type: "Not A Type!", start: "2026-12-01T10:00:00Z" }, /event type/i],
      [{ type: "no-such-type", start: "2026-12-01T10:00:00Z" }, /event type/i],
      [
        { type: "quick-chat", start: "2026-12-01T10:00:00Z", guest_tz: "Mars/Olympus" },
        /Please check the marked fields/,
      ],
    ];
    for (const [fields, want] of cases) {
      const res = await host.post("/dashboard/bookings/new?/book", { ...guest, ...fields });
      assert.ok(
        res.status === 400 || res.status === 404,
        `${res.status} ${JSON.stringify(fields)}`,
      );
      const said = alerts(res.body);
      assert.ok(said.some((a) => want.test(a)), `${JSON.stringify(fields)}: ${said.join(" | ")}`);
      if (!fields.guest_tz) {
        assert.ok(!said.includes("Please check the marked fields."), JSON.stringify(fields));
      } else {
        assert.match(res.body, /id="book-guest-tz-error"[^>]*>[^<]+</, "the zone field is marked");
      }
    }

    // The form as the host fills it: a time it offers, the guest's zone and language. The
    // guest's invitation (printed to the log without SMTP) is in German, at Tokyo's time.
    // On a day from tomorrow on (the host's zone): the picker opens on the host's first free
    // day, which may be today, whose first time can pass before the post.
    const [start] = (await fullDay(app.baseUrl, "/dashboard/bookings/new?type=quick-chat", {
      tz: "Europe/Berlin",
      min: 1,
      get: async (p) => (await host.get(p)).body,
      read: startsIn,
    })).slots;
    const since = app.logs().length;
    const booked = await host.post("/dashboard/bookings/new?/book", {
      type: "quick-chat",
      start,
      name: "Kenji",
      email: "kenji@example.test",
      note: "",
      guest_tz: "Asia/Tokyo",
      guest_lang: "de",
    });
    assert.equal(booked.status, 303, alerts(booked.body).join(" | "));
    const tokyo = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Tokyo",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(start));
    const [mail] = await app.waitForLog(/To: kenji@example\.test[\s\S]*?(?=\nTo: |$)/, { since });
    assert.match(mail, new RegExp(tokyo), `the time in Tokyo, ${tokyo}`);
    assert.match(mail, /Asia\/Tokyo|Tokio/, "named in the guest's zone");
    assert.match(mail, /Termin|Ihr|bestätigt/, "in German");
  },
});
