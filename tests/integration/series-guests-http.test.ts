/**
 * A recurring series booked with additional guests and a campaign source, over HTTP against the
 * built server as a guest's browser (the form, without scripts) and an integrator (the JSON API)
 * send them: every date carries the guests and the source, and the guests get the invitation.
 * The series dropped both (a single booking kept them): the guests typed in "Additional guests"
 * got no mail, and Insights never counted the series under its campaign.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createClient } from "../support/http.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The next Monday 09:00 UTC at least two days ahead. */
function nextMonday(): string {
  const d = new Date(Date.now() + 2 * 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10) + "T09:00:00Z";
}

Deno.test({
  ...opts,
  name:
    "a recurring series keeps its additional guests and campaign source on every date, and the guests get the series' invitation (form post and API); the series dropped both",
  async fn(t) {
    const seeded = await seedStore("invito-series-guests-");
    const host = await createHost(seeded.app, {
      username: "coach",
      weekly: WORKDAYS,
      timeZone: "UTC",
    });
    await createEventType(seeded.app, host, {
      slug: "weekly",
      durationMin: 60,
      requiresConfirmation: false,
      bookingWindowDays: 90,
      series: { everyWeeks: 1, count: 3, freeOnly: false },
    });
    const key = await createApiKey(seeded.app, host, {
      name: "t",
      scopes: ["read", "write"],
      expiresAtMs: null,
    });
    assert.ok(key.ok);
    seeded.kv.close();
    await using smtp = await startSmtp();
    await using app = await startApp({
      dataDir: seeded.dataDir,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_RATE_LIMIT: "off", INVITO_MIN_FILL_TIME: "0s" },
    });
    const monday = nextMonday();
    const api = (method: string, path: string, body?: unknown, idem?: string) =>
      fetch(app.url(`/api/v1${path}`), {
        method,
        headers: {
          authorization: `Bearer ${key.secret}`,
          "content-type": "application/json",
          ...(idem ? { "idempotency-key": idem } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: await r.json() }));
    type Booking = {
      id: string;
      start: string;
      additionalGuests: string[];
      source: Record<string, string> | null;
      series: { id: string; index: number } | null;
    };
    const datesOf = async (email: string): Promise<Booking[]> => {
      const all = await api("GET", "/bookings?limit=100");
      assert.equal(all.status, 200, JSON.stringify(all.json));
      return (all.json.data as (Booking & { guest: { email: string } })[])
        .filter((b) => b.guest.email === email)
        .sort((a, b) => a.start.localeCompare(b.start));
    };

    await t.step("the booking form, without scripts", async () => {
      const guest = createClient(app.baseUrl);
      const page = new URLSearchParams({ tz: "UTC", date: monday.slice(0, 10), slot: monday });
      const res = await guest.post(
        `/calendar/coach/weekly?/book&${page}&utm_source=newsletter&utm_campaign=winter`,
        {
          name: "Uma",
          email: "uma@example.test",
          note: "",
          start: monday,
          tz: "UTC",
          guests: "ulf@example.test, una@example.test",
          utm_source: "newsletter",
          utm_campaign: "winter",
        },
      );
      assert.equal(res.status, 303, res.body.slice(0, 300));
      const dates = await datesOf("uma@example.test");
      assert.equal(dates.length, 3);
      for (const d of dates) {
        assert.deepEqual(d.additionalGuests, ["ulf@example.test", "una@example.test"], d.start);
        assert.equal(d.source?.utm_source, "newsletter", d.start);
      }
      for (const to of ["ulf@example.test", "una@example.test"]) {
        const mail = await smtp.waitForMail((m) => m.envelope.to.includes(to), 15_000);
        assert.match(mail.subject, /Weekly|weekly/, mail.subject);
      }
    });

    await t.step("the JSON API", async () => {
      const start = new Date(Date.parse(monday) + 2 * 3_600_000).toISOString().replace(
        ".000Z",
        "Z",
      );
      const res = await api("POST", "/bookings", {
        username: "coach",
        eventType: "weekly",
        start,
        timeZone: "UTC",
        name: "Vic",
        email: "vic@example.test",
        guests: ["val@example.test"],
        source: { utm_source: "partner" },
      }, "series-guests-1");
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.deepEqual(res.json.additionalGuests, ["val@example.test"]);
      assert.equal(res.json.source?.utm_source, "partner");
      const dates = await datesOf("vic@example.test");
      assert.equal(dates.length, 3);
      for (const d of dates) {
        assert.deepEqual(d.additionalGuests, ["val@example.test"], d.start);
        assert.equal(d.source?.utm_source, "partner", d.start);
      }
      await smtp.waitForMail((m) => m.envelope.to.includes("val@example.test"), 15_000);
    });

    await t.step(
      "moving one date: its mails speak of that date, with its own invitation and calendar links (they said the attachment and the links were the first date's, and the links added the first date again)",
      async () => {
        const dates = await datesOf("uma@example.test");
        const third = dates[2];
        const to = new Date(Date.parse(third.start) + 86_400_000 + 3_600_000).toISOString()
          .replace(".000Z", "Z");
        const res = await api("POST", `/bookings/${third.id}/reschedule`, { start: to }, "mv-1");
        assert.equal(res.status, 201, JSON.stringify(res.json));
        const ymd = to.slice(0, 10).replaceAll("-", "");
        for (const who of ["uma@example.test", "ulf@example.test", "coach@example.test"]) {
          const mail = await smtp.waitForMail(
            (m) => m.envelope.to.includes(who) && /Rescheduled/.test(m.subject),
            15_000,
          );
          assert.ok(mail.calendar?.includes(`DTSTART:${ymd}T100000Z`), `${who}: ${mail.calendar}`);
          assert.ok(!mail.attachments.some((a) => a.filename === "series.ics"), who);
          assert.doesNotMatch(mail.text, /first date/i, `${who}: ${mail.text}`);
          if (who === "uma@example.test") {
            // Its "Add to calendar" links add the new time (Google's `dates=` names it).
            assert.match(mail.text, new RegExp(`dates=${ymd}T100000Z`), `${who}: ${mail.text}`);
          }
        }
      },
    );

    await t.step(
      "the additional guests' invitation lists every date and carries them all",
      () => {
        const mail = smtp.mails.find((m) =>
          m.envelope.to.includes("ulf@example.test") && !/Rescheduled/.test(m.subject)
        )!;
        const ics = mail.attachments.find((a) => a.filename === "series.ics");
        assert.ok(ics, mail.subject);
        assert.equal(ics.content.match(/BEGIN:VEVENT/g)?.length, 3, ics.content);
        // Never the guest's own links (to cancel or move the booking).
        assert.doesNotMatch(ics.content, /^URL:/m, ics.content);
        assert.match(mail.text, /This series has 3 dates:/, mail.text);
      },
    );
  },
});
