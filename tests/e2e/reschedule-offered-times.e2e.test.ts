/**
 * The guest's reschedule page in Chromium, with and without scripts (ADR 044, amendment of
 * 2026-11-27): it opens on the booking's own day with their time marked, that day linked in the
 * calendar even when nothing else is free on it; a booking made through a one-off link is offered
 * only its host's other offered times (and told so), a post of any other time is refused, and
 * with none of them left the page says so and leads to cancelling or to the host.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { type AppHandle, startApp } from "../support/app.ts";
import { borrowBrowser, checkA11y, hydrated, trackPageErrors } from "../support/browser.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { fullDay } from "../support/slots.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

/** A form post as the page's no-script form sends it (redirect not followed). */
async function post(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, body: await res.text(), location: res.headers.get("location") };
}

/** Books `start` on a booking page's form; the guest's booking link. */
async function book(base: string, page: string, start: string, who = "vip"): Promise<string> {
  const res = await post(base, `${page}?/book`, {
    name: who,
    email: `${who}@example.test`,
    note: "",
    start,
    tz: "UTC",
  });
  assert.equal(res.status, 303, res.body.slice(0, 300));
  return res.location!.replace(/[?#].*$/, "");
}

/** A one-off link of the demo host offering `times` (the JSON API, as a host's script makes one). */
async function oneOff(app: AppHandle, key: string, times: string[]): Promise<string> {
  const res = await fetch(app.url("/api/v1/one-off-links"), {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ eventType: "quick-chat", times, note: "Only these, please" }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return new URL(body.url).pathname;
}

/** What the day's list shows: the free times as links, and the guest's own. */
async function dayList(page: Page) {
  return {
    free: await page.locator("a[data-slot]").evaluateAll((as) =>
      as.map((a) => a.getAttribute("data-slot"))
    ),
    own: await page.locator("[data-current-time]").evaluateAll((xs) =>
      xs.map((x) => x.getAttribute("data-current-time"))
    ),
  };
}

Deno.test({
  name:
    "e2e reschedule, one-off link: the guest is offered only the host's other offered times (told so), on their own day first; a time never offered is refused; with none left the page says so and leads to cancel and the host",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const first = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", { min: 8 });
    const later = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
      min: 4,
      from: Temporal.PlainDate.from(first.date).add({ days: 1 }).toString(),
    });
    const day = first.slots.filter((s) => s.startsWith(first.date));
    const offered = [day[2], day[5], later.slots.filter((s) => s.startsWith(later.date))[1]];
    const link = await book(app.baseUrl, await oneOff(app, key, offered), offered[0]);

    const browser = await borrowBrowser();
    try {
      for (const scripts of [true, false]) {
        const where = scripts ? "scripts" : "no scripts";
        const ctx = await browser.newContext({ timezoneId: "UTC", javaScriptEnabled: scripts });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        // No day in the address: their own day, their time marked, the day's other offered time.
        await page.goto(app.url(`${link}/reschedule?tz=UTC`));
        await page.locator("[data-current-time]").waitFor();
        if (scripts) await hydrated(page);
        assert.deepEqual(await dayList(page), { free: [offered[1]], own: [offered[0]] }, where);
        const notice = await page.getByTestId("offered-only").innerText();
        assert.match(notice, /offered you particular times/, where);
        assert.match(notice, /2 others are still free/, where);
        // The other day with an offered time is a link; a day of the type's hours without one is not.
        await page.goto(app.url(`${link}/reschedule?tz=UTC&date=${later.date}`));
        await page.locator("a[data-slot]").first().waitFor();
        assert.deepEqual((await dayList(page)).free, [offered[2]], where);
        if (scripts) {
          assert.deepEqual(await checkA11y(page), [], where);
        }
        assert.deepEqual(errors(), [], where);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }

    // A post of a time the host never offered (a free time of the type) is refused, with words.
    const refused = await post(app.baseUrl, `${link}/reschedule`, { start: day[3] });
    assert.equal(refused.status, 409);
    assert.match(refused.body, /no longer available|not available/i);
    // One they offered moves it.
    const moved = await post(app.baseUrl, `${link}/reschedule`, { start: offered[1] });
    assert.equal(moved.status, 303, moved.body.slice(0, 300));

    // None left: the guest's new booking at offered[1]; the other two taken by others.
    const next = moved.location!.replace(/[?#].*$/, "");
    await book(app.baseUrl, "/calendar/demo/quick-chat", offered[0], "bo");
    await book(app.baseUrl, "/calendar/demo/quick-chat", offered[2], "cy");
    const browser2 = await borrowBrowser();
    try {
      for (const scripts of [true, false]) {
        const ctx = await browser2.newContext({ timezoneId: "UTC", javaScriptEnabled: scripts });
        const page = await ctx.newPage();
        await page.goto(app.url(`${next}/reschedule?tz=UTC`));
        await page.getByTestId("offered-none").waitFor();
        if (scripts) await hydrated(page);
        assert.match(await page.getByTestId("manage-heading").innerText(), /None of the other/);
        assert.equal(await page.locator("a[data-slot]").count(), 0);
        assert.equal(
          await page.getByTestId("offered-none-cancel").getAttribute("href"),
          `${next}/cancel`,
        );
        assert.equal(
          await page.locator('a[href^="mailto:"]').count(),
          1,
          "a way to write to the host",
        );
        if (scripts) assert.deepEqual(await checkA11y(page), []);
        await ctx.close();
      }
    } finally {
      await browser2.close();
    }
  },
});

Deno.test({
  name:
    "e2e reschedule: the page opens on the booking's own day, linked in the calendar though nothing else is free on it; another day and back with the calendar; an address's date wins",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seeding } = await seedStore("invito-own-day-");
    try {
      // One time a day (10:00–11:00, an hour's meeting): the booked day has nothing else free.
      const hour = [{ start: "10:00", end: "11:00" }];
      const host = await createHost(seeding, {
        username: "solo",
        timeZone: "UTC",
        weekly: { 1: hour, 2: hour, 3: hour, 4: hour, 5: hour, 6: hour, 7: hour },
      });
      await createEventType(seeding, host, {
        slug: "talk",
        durationMin: 60,
        requiresConfirmation: false,
      });
      kv.close();
      await using app = await startApp({ dataDir });
      // A day a few days ahead (not the first free day the page opened on before).
      const ownDate = Temporal.Now.plainDateISO("UTC").add({ days: 5 }).toString();
      const own = `${ownDate}T10:00:00Z`;
      const link = await book(app.baseUrl, "/calendar/solo/talk", own);
      const browser = await borrowBrowser();
      try {
        for (const scripts of [true, false]) {
          const where = scripts ? "scripts" : "no scripts";
          const ctx = await browser.newContext({ timezoneId: "UTC", javaScriptEnabled: scripts });
          const page = await ctx.newPage();
          const errors = trackPageErrors(page);
          await page.goto(app.url(`${link}/reschedule?tz=UTC`));
          await page.locator("[data-current-time]").waitFor();
          if (scripts) await hydrated(page);
          assert.deepEqual(await dayList(page), { free: [], own: [own] }, where);
          const ownDay = page.locator("a[data-own-day]");
          assert.equal(await ownDay.count(), 1, where);
          assert.equal(await ownDay.getAttribute("aria-current"), "date", where);
          assert.match((await ownDay.getAttribute("aria-label"))!, /your current time/, where);
          // Another day, then back to theirs through the calendar, as a guest clicks.
          // A day of the same month (the calendar shows one month).
          const o = Temporal.PlainDate.from(ownDate);
          const other = (o.day > 1 ? o.subtract({ days: 1 }) : o.add({ days: 1 })).toString();
          await page.goto(app.url(`${link}/reschedule?tz=UTC&date=${other}`));
          await page.locator("a[data-slot]").first().waitFor();
          assert.deepEqual(await dayList(page), { free: [`${other}T10:00:00Z`], own: [] }, where);
          if (scripts) await hydrated(page);
          await page.locator("a[data-own-day]").click();
          await page.locator("[data-current-time]").waitFor();
          assert.deepEqual(await dayList(page), { free: [], own: [own] }, where);
          if (scripts) assert.deepEqual(await checkA11y(page), [], where);
          assert.deepEqual(errors(), [], where);
          await ctx.close();
        }
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
