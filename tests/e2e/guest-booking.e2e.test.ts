/**
 * As a person would: a guest in New York books the demo host (Berlin) in Chromium; the host's
 * request arrives at a real SMTP server; the host opens the confirm link and confirms; the
 * guest's confirmation arrives with an invitation whose times match what the page showed.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";
import { postPlain } from "../support/http.ts";

Deno.test({
  name:
    "e2e: a guest in New York books the Berlin demo host, the host confirms from the mail, and the invitation arrives",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        timezoneId: "America/New_York",
        locale: "en-US",
        viewport: { width: 1280, height: 900 },
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);

      await page.goto(`${app.baseUrl}/calendar/demo/`);
      assert.deepEqual(await checkA11y(page), []);
      await page.getByRole("link", { name: /Intro call/ }).click();
      // The browser's zone is detected and kept in the URL.
      await page.waitForURL(/tz=America%2FNew_York/);
      await page.getByText(/^Times in New York \(GMT\u2212[45]\)/).waitFor();
      // On to a full day from tomorrow on: the page opens on its first free day, which may be
      // today with a time or two left, the first of which can pass while the guest fills in.
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
        tz: "America/New_York",
      });
      await page.goto(`${page.url()}&date=${date}`);
      await page.getByText(/^Times in New York \(GMT\u2212[45]\)/).waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "guest-1-picker");

      const firstSlot = page.locator("a[data-slot]").first();
      const startIso = await firstSlot.getAttribute("data-slot");
      assert.ok(startIso);
      // The label is the slot's start in New York time, on the 12-hour clock of an en-US browser…
      const nyTime = (opts: Intl.DateTimeFormatOptions) =>
        new Intl.DateTimeFormat(opts.hour12 ? "en-US" : "en-GB", {
          timeZone: "America/New_York",
          minute: "2-digit",
          ...opts,
        }).format(Date.parse(startIso!));
      const nyLabel = nyTime({ hour: "numeric", hour12: true });
      assert.match(nyLabel, /[AP]M$/);
      assert.equal((await firstSlot.textContent())!.trim(), nyLabel);
      // …and the guest can switch to the 24-hour clock and back (behind the settings line, which
      // stays open across the script's navigation; a full page load closes it).
      await hydrated(page);
      await page.getByTestId("guest-settings").locator("summary").click();
      await page.getByRole("link", { name: "13:00" }).click();
      await page.waitForURL(/clock=24h/);
      const label24 = nyTime({ hour: "2-digit", hourCycle: "h23" });
      await page.locator(`a[data-slot="${startIso}"]`).getByText(label24, { exact: true })
        .waitFor();
      await page.getByRole("link", { name: "1:00 PM" }).click();
      await page.waitForURL(/clock=12h/);
      await page.locator(`a[data-slot="${startIso}"]`).getByText(nyLabel, { exact: true })
        .waitFor();
      await page.locator(`a[data-slot="${startIso}"]`).click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      assert.deepEqual(await checkA11y(page), []);

      // Submitting empty shows what to fix, next to the field, without losing the slot.
      await page.getByRole("button", { name: "Request this time" }).click();
      await page.locator("#b-name-err").getByText("Please fill this in").waitFor();
      await page.getByLabel("Name").fill("Grace Guest");
      await page.getByLabel("Email").fill("grace@example.test");
      await page.getByLabel(/Anything to share/).fill("Let's talk about the roadmap.");
      await screenshot(page, "guest-2-form");
      await page.getByRole("button", { name: "Request this time" }).click();
      await page.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      await page.getByRole("heading", { name: "Your request has been sent" }).waitFor();
      assert.match(await page.locator("main").innerText(), /The host will confirm within 24 hours/);
      assert.match(await page.getByTestId("booking-when").innerText(), new RegExp(`${nyLabel}–`));
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "guest-3-requested");
      const guestUrl = page.url();

      // The host's mail, with times in Berlin.
      const request = await smtp.waitForMail((m) =>
        m.to.includes("demo@invito.example") && /request/i.test(m.subject)
      );
      assert.match(request.text, /Grace Guest/);
      assert.match(request.text, /Let's talk about the roadmap\./);
      const berlin = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .format(Date.parse(startIso!));
      assert.match(request.text, new RegExp(`${berlin}–\\d\\d:\\d\\d \\(Europe/Berlin`));
      const confirmLink = request.text.match(/https?:\/\/\S+\/confirm/)![0];

      const host = await ctx.newPage();
      await host.goto(confirmLink);
      await host.getByRole("heading", { name: "Confirm this booking?" }).waitFor();
      assert.deepEqual(await checkA11y(host), []);
      await screenshot(host, "host-1-confirm");
      await host.getByRole("button", { name: "Confirm booking" }).click();
      await host.getByTestId("decision-result").waitFor();
      assert.match(await host.getByTestId("decision-result").innerText(), /Confirmed/);
      await screenshot(host, "host-2-confirmed");

      const confirmed = await smtp.waitForMail((m) =>
        m.to.includes("grace@example.test") && /^Confirmed/.test(m.subject)
      );
      assert.ok(confirmed.calendar);
      const ev = new ICAL.Event(
        new ICAL.Component(ICAL.parse(confirmed.calendar!)).getFirstSubcomponent("vevent")!,
      );
      assert.equal(ev.startDate.toJSDate().getTime(), Date.parse(startIso!));
      assert.equal(ev.endDate.toJSDate().getTime() - Date.parse(startIso!), 30 * 60_000);
      // The guest's mails use the clock they booked with.
      assert.match(
        confirmed.text,
        new RegExp(`${nyLabel}–\\d{1,2}:\\d\\d\\s[AP]M \\(America/New York`),
      );

      await page.goto(guestUrl);
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: /\.ics\)/ }).click();
      // Saved (a browser the run shares is remote: its download has no local path).
      const file = await Deno.makeTempFile({ suffix: ".ics" });
      await (await download).saveAs(file);
      assert.match(await Deno.readTextFile(file), /BEGIN:VEVENT/);
      await Deno.remove(file);
      await screenshot(page, "guest-4-confirmed");
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "e2e: the booking page works on a 360 px phone in dark mode and without JavaScript",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({
        timezoneId: "Australia/Sydney",
        viewport: { width: 360, height: 780 },
        colorScheme: "dark",
        javaScriptEnabled: false,
      });
      const page = await ctx.newPage();
      // A full day from tomorrow on (the page's own first day may be today, with its last time).
      const { path } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "Australia/Sydney",
      });
      await page.goto(app.baseUrl + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `no horizontal scroll (scrollWidth ${width})`);
      await screenshot(page, "guest-360-dark-nojs");
      // The arrows a thumb pages months and days with are a thumb's size (they were 22 × 28 px,
      // and a tap beside one opened a day instead).
      const arrowSizes = async () =>
        await page.locator('a[aria-label="Next month"], a[aria-label="Later days"]').evaluateAll(
          (els) =>
            els.map((el) => [el.getBoundingClientRect().width, el.getBoundingClientRect().height]),
        );
      const monthArrows = await arrowSizes();
      assert.equal(monthArrows.length, 1, "the month view's next-month arrow");
      await page.goto(`${app.baseUrl}${path}&layout=column`);
      const columnArrows = await arrowSizes();
      assert.equal(columnArrows.length, 1, "the column view's later-days arrow");
      for (const [w, h] of [...monthArrows, ...columnArrows]) {
        assert.ok(w >= 40 && h >= 40, `an arrow of ${w} × ${h} px (at least 40 × 40)`);
      }
      await page.goto(app.baseUrl + path);
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Sam");
      await page.getByLabel("Email").fill("sam@example.test");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e: without JavaScript, a guest whose time was taken meanwhile gets the page back gzipped with what they typed, in their language, and books another time with one click",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const looks = [
        { width: 360, colorScheme: "dark", locale: "en-US", taken: /That time was just taken/ },
        {
          width: 1280,
          colorScheme: "light",
          locale: "de-DE",
          taken: /Diese Zeit wurde gerade vergeben/,
        },
        // French on a small phone in the light: the refusal's language, clock and zone links too.
        {
          width: 360,
          colorScheme: "light",
          locale: "fr-FR",
          taken: /Cet horaire vient d’être pris/,
        },
      ] as const;
      for (const [i, look] of looks.entries()) {
        const ctx = await browser.newContext({
          timezoneId: "UTC",
          locale: look.locale,
          viewport: { width: look.width, height: 800 },
          colorScheme: look.colorScheme,
        });
        // The page's scripts never arrive, as for a guest whose browser blocks them: every step
        // is a plain form post or link, and axe (run through DevTools) still reads the page.
        await ctx.route(/\.js(\?|$)/, (route) => route.abort());
        const page = await ctx.newPage();
        const { path } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
          tz: "UTC",
          min: 4,
        });
        await page.goto(app.baseUrl + path);
        await page.locator("a[data-slot]").first().click();
        const slot = new URL(page.url()).searchParams.get("slot")!;
        const name = `Zoë O'Neil & Co ${i}`;
        const details = page.locator('form:has(input[name="email"])');
        await details.locator('input[name="name"]').fill(name);
        await details.locator('input[name="email"]').fill(`zoe${i}@example.test`);
        // Someone else books that time first.
        const win = await postPlain(app.baseUrl, "/calendar/demo/quick-chat?/book&tz=UTC", {
          name: "W",
          email: `w${i}@example.test`,
          start: slot,
          tz: "UTC",
        });
        assert.equal(win.status, 303);
        const answer = page.waitForResponse((r) => r.request().method() === "POST");
        await details.locator('button[type="submit"]').click();
        const refused = await answer;
        assert.equal(refused.status(), 409);
        assert.equal(refused.headers()["content-encoding"], "gzip");
        await page.getByText(look.taken).first().waitFor();
        assert.equal(await page.locator('input[name="name"]').first().inputValue(), name);
        assert.ok(!(await page.locator(`[data-retry-slot="${slot}"]`).count()), "taken time gone");
        assert.deepEqual(await checkA11y(page), []);
        await screenshot(page, `refused-nojs-${look.width}-${look.colorScheme}-${look.locale}`);
        await page.locator("[data-retry-slot]").first().click();
        await page.waitForURL(/\/booking\/[0-9A-Z]{26}[\w-]{43}$/);
        assert.match(await page.content(), new RegExp(name.replace(/[&']/g, ".+")));
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e: with JavaScript, a guest whose time was taken meanwhile is offered the day's other times with everything they typed, and books one with one click",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "UTC", locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const { path } = await fullDay(app.baseUrl, "/calendar/demo/quick-chat", {
        tz: "UTC",
        min: 4,
      });
      await page.goto(app.baseUrl + path);
      await hydrated(page);
      await page.locator("a[data-slot]").first().click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      const slot = new URL(page.url()).searchParams.get("slot")!;
      const details = page.locator('form:has(input[name="email"])');
      await details.locator('input[name="name"]').fill("Ada Lovelace");
      await details.locator('input[name="email"]').fill("ada@example.test");
      await details.locator('textarea[name="note"]').fill("About the engine");
      const win = await postPlain(app.baseUrl, "/calendar/demo/quick-chat?/book&tz=UTC", {
        name: "W",
        email: "w@example.test",
        start: slot,
        tz: "UTC",
      });
      assert.equal(win.status, 303);
      await details.locator('button[type="submit"]').click();
      await page.getByText(/That time was just taken/).first().waitFor();
      // The day's other times, each booking with what was typed; the taken one is gone.
      await page.locator("[data-retry-slot]").first().waitFor();
      assert.equal(await page.locator(`[data-retry-slot="${slot}"]`).count(), 0);
      const kept = page.locator('form:has([data-retry-slot]) input[type="hidden"]');
      const hidden = Object.fromEntries(
        await kept.evaluateAll((els) =>
          els.map((e) => [(e as HTMLInputElement).name, (e as HTMLInputElement).value])
        ),
      );
      assert.deepEqual([hidden.name, hidden.email, hidden.note], [
        "Ada Lovelace",
        "ada@example.test",
        "About the engine",
      ]);
      await page.locator("[data-retry-slot]").first().click();
      await page.waitForURL(/\/booking\/[0-9A-Z]{26}[\w-]{43}$/);
      await page.getByRole("heading", { name: "You are booked" }).waitFor();
      // Booked with what was typed before the time was taken.
      await page.getByText("is on its way to ada@example.test").waitFor();
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
