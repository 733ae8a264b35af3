/**
 * The troubleshooter, as a host opens it in Chromium: on a day without hours (today here) it
 * opens on the next day with hours, and its legend keeps "booking" and "its buffers" apart.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { borrowBrowser, screenshot, trackPageErrors } from "../support/browser.ts";
import { signInAs } from "../support/browser-sign-in.ts";

Deno.test({
  name: "e2e: the troubleshooter opens on the next day with hours when today has none",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const key = (await app.waitForLog(/inv_[A-Za-z0-9_-]{43}/))[0];
    const api = (method: string, body?: unknown) =>
      fetch(app.url("/api/v1/availability"), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body
            ? { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }
            : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const now = await api("GET");
    assert.equal(now.status, 200);
    const zone: string = now.body.timeZone;
    // Hours every day but today (in the host's zone).
    const today = Temporal.Now.plainDateISO(zone);
    const hours = Object.values(now.body.weekly as Record<string, unknown[]>).find((r) =>
      r.length > 0
    );
    const weekly = Object.fromEntries(
      ["1", "2", "3", "4", "5", "6", "7"].map((d) => [
        d,
        Number(d) === today.dayOfWeek ? [] : hours,
      ]),
    );
    const put = await api("PUT", { weekly });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: zone });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await signInAs(page, app.baseUrl, "demo@invito.example", smtp);
      await page.goto(app.url("/dashboard/troubleshoot"));
      const date = page.locator("#t-date");
      await date.waitFor();
      assert.equal(await date.inputValue(), today.add({ days: 1 }).toString());
      // Asked for today, it shows today.
      await page.goto(app.url(`/dashboard/troubleshoot?date=${today}`));
      assert.equal(await page.locator("#t-date").inputValue(), today.toString());

      // The legend: "booking" and "its buffers" are two entries, with space between them.
      await page.goto(app.url("/dashboard/troubleshoot"));
      const buffers = page.locator("li", { hasText: "its buffers" });
      const booking = page.locator("li", { hasText: /^booking$/ });
      assert.equal(await buffers.count(), 1);
      assert.equal(await booking.count(), 1);
      assert.doesNotMatch(await buffers.innerText(), /booking/);
      const a = (await booking.boundingBox())!;
      const b = (await buffers.boundingBox())!;
      const sameLine = Math.abs(a.y - b.y) < 4;
      if (sameLine) assert.ok(b.x - (a.x + a.width) >= 8, `gap ${b.x - (a.x + a.width)} px`);
      await screenshot(page, "troubleshoot-opening");
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
