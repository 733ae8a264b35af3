/**
 * The booking page funnel counts the requests its guests sent on the page, over HTTP from the
 * built server: a host whose calendar also takes bookings through the API saw them as "Sent a
 * booking" and in "Views that booked" — more requests than views, a conversion over 100 %. The
 * headline "Bookings" still counts every booking, however it came.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { waitFor } from "../support/wait.ts";
import { finishSetupAllDay } from "../support/host-setup.ts";
import { postPlain } from "../support/http.ts";

Deno.test({
  name:
    "insights over HTTP: one request on the booking page and three through the API — the funnel says 1 sent and 1 confirmed, 'Views that booked' 100 %, 'Bookings' 4",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_RATE_LIMIT: "off" },
    });
    const host = await signInClient(app, "ines@example.test", smtp);
    await finishSetupAllDay(host, { name: "Ines", username: "ines", timeZone: "UTC" });
    const home = await (await fetch(`${app.baseUrl}/calendar/ines`)).text();
    const slug = /href="\/calendar\/ines\/([a-z0-9-]+)/.exec(home)![1];

    // One guest views the page (a browser's user agent; a day with free times) and books.
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const page = await (await fetch(`${app.baseUrl}/calendar/ines/${slug}?tz=UTC&date=${day}`, {
      headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36" },
    })).text();
    const slots = [...new Set([...page.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]))];
    assert.ok(slots.length >= 4, `free times on ${day}: ${slots.length}`);
    const booked = await postPlain(app.baseUrl, `/calendar/ines/${slug}?/book`, {
      name: "Page Guest",
      email: "page@example.test",
      note: "",
      start: slots[0],
      tz: "UTC",
    });
    assert.equal(booked.status, 303, "booked on the page");

    // Three more through the API, as an integration books them.
    for (const [i, start] of slots.slice(1, 4).entries()) {
      const res = await fetch(app.url("/api/v1/bookings"), {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({
          username: "ines",
          eventType: slug,
          start,
          timeZone: "UTC",
          name: `Api Guest ${i}`,
          email: `api${i}@example.test`,
        }),
      });
      assert.equal(res.status, 201, await res.text());
    }

    const table = async (path: string) => {
      const res = await host.request("GET", path);
      assert.equal(res.status, 200, path);
      return parseCsv(res.body);
    };
    const row = (rows: (string | number)[][], label: string) =>
      Number(rows.find((r) => r[0] === label)?.[1]);
    const headline = (html: string, key: string) =>
      new RegExp(`data-headline="${key}"[\\s\\S]*?<dd[^>]*>([^<]*)</dd>`).exec(html)?.[1];

    // Counts are netted and written about once a second: wait for every booking to be counted.
    await waitFor(
      async () => headline((await host.get("/dashboard/insights")).body, "requests") === "4",
      {
        timeoutMs: 20_000,
        message: () => "'Bookings' to count all four",
      },
    );
    const funnel = await table("/dashboard/insights/funnel.csv");
    assert.equal(row(funnel, "Viewed a booking page"), 1, JSON.stringify(funnel));
    assert.equal(row(funnel, "Sent a booking"), 1, JSON.stringify(funnel));
    assert.equal(row(funnel, "Confirmed"), 1, JSON.stringify(funnel));
    const insights = (await host.get("/dashboard/insights")).body;
    assert.equal(headline(insights, "conversion"), "100%");
    assert.equal(headline(insights, "confirmed"), "4", "every booking confirmed counts here");
  },
});
