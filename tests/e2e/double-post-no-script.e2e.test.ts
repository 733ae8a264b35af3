/**
 * A double click on "Book this time" in a browser without JavaScript: the browser sends the form,
 * and the second click sends it again and drops the first answer — what the guest sees is the
 * answer to the second post. That answer was "That time was just taken — please pick another."
 * beside the day's other times, for a booking that had been made: guests believed they had none
 * and booked another time, or gave up. Now it is the booking's own page (ADR 060).
 *
 * The two posts are the browser's own (its form, its cookies): each is held as it leaves, the
 * first is sent on to the server and answered there while the browser has already moved on to the
 * second, which then goes on as the browser sent it. No timing is guessed.
 */
import assert from "node:assert/strict";
import type { Route } from "playwright-core";
import { startApp } from "../support/app.ts";
import { borrowBrowser } from "../support/browser.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { fullDay } from "../support/slots.ts";
import { listHostBookingsAt } from "../../src/lib/server/store/booking-list.ts";

const ALL_DAY = [{ start: "00:00", end: "24:00" }];
const EVERY_DAY = {
  1: ALL_DAY,
  2: ALL_DAY,
  3: ALL_DAY,
  4: ALL_DAY,
  5: ALL_DAY,
  6: ALL_DAY,
  7: ALL_DAY,
};

Deno.test({
  name:
    "no JavaScript, a double click on Book: the page shown is the booking's own, and one booking exists",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, kv, app: seedApp } = await seedStore("invito-double-click-");
    const host = await createHost(seedApp, {
      username: "ann",
      timeZone: "UTC",
      weekly: EVERY_DAY,
    });
    await createEventType(seedApp, host, {
      slug: "call",
      durationMin: 30,
      requiresConfirmation: false,
    });
    kv.close();
    const browser = await borrowBrowser();
    try {
      await using app = await startApp({ dataDir });
      const day = await fullDay(app.baseUrl, "/calendar/ann/call");
      const start = day.slots[1];
      const ctx = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
      const page = await ctx.newPage();
      await page.goto(
        `${app.baseUrl}/calendar/ann/call?${new URLSearchParams({
          date: day.date,
          slot: start,
          tz: "UTC",
        })}`,
      );
      await page.getByLabel("Name").fill("Gita Guest");
      await page.getByLabel("Email").fill("gita@example.test");

      // Each booking post is held as it leaves the browser; `posted(n)` waits for the n-th.
      const held: Route[] = [];
      const waiting: { n: number; go: () => void }[] = [];
      await page.route(
        (url) => url.search.startsWith("?/book"),
        (route) => {
          if (route.request().method() !== "POST") return route.continue();
          held.push(route);
          for (const w of waiting.filter((w) => held.length >= w.n)) w.go();
        },
      );
      const posted = (n: number) =>
        held.length >= n ? Promise.resolve() : new Promise<void>((go) => waiting.push({ n, go }));

      // Two clicks on the button, as a person's mouse sends them; the second once the first
      // post has left (a double click faster than that is one post: Chromium drops the first
      // submission before it is sent).
      const box = (await page.getByRole("button", { name: "Book this time" }).boundingBox())!;
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.click(x, y);
      await posted(1);
      await page.mouse.click(x, y);
      await posted(2);
      const [first, second] = held;
      assert.equal(first.request().postData(), second.request().postData(), "the same form twice");
      // The first reaches the server and is answered there; the browser no longer waits for it.
      const firstAnswer = await first.fetch({ maxRedirects: 0 });
      assert.equal(firstAnswer.status(), 303, "the first post books");
      const bookedAt = firstAnswer.headers()["location"];
      assert.match(bookedAt, /^\/booking\/[0-9A-Z]{26}/);
      await first.abort().catch(() => {});
      // The second goes on as the browser sent it; its answer is what the guest sees.
      await second.continue();
      // Its answer replaces the form: the booking's page, or the post's own answer (a refusal).
      await page.waitForURL((u) =>
        u.pathname.startsWith("/booking/") || u.search.startsWith("?/book")
      );
      assert.equal(
        new URL(page.url()).pathname,
        bookedAt,
        `the guest sees the booking, not: ${
          (await page.locator("[role=alert]").allTextContents()).join(" ")
        }`,
      );
      // The guest's own page, with the links to change it.
      await page.getByRole("link", { name: "Reschedule" }).waitFor();
      await page.getByRole("link", { name: "Cancel" }).waitFor();
      await ctx.close();

      const kvRead = await Deno.openKv(dbPath);
      try {
        const made = await listHostBookingsAt(kvRead, host.id, Date.parse(start));
        assert.equal(made.length, 1, "exactly one booking");
      } finally {
        kvRead.close();
      }
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await browser.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
