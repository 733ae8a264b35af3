/**
 * The host's create forms keep every field as typed after a refused post, in Chromium with and
 * without JavaScript: "Book for a guest" (the chosen time or the typed date and time, "outside
 * my hours", the answers, the guest's language and zone, the note and "Confirm at once" left
 * unticked), a meeting poll (ticked times, title, until, reserve) and "Offer specific times"
 * (ticked times, note). Before, the book form came back with "Confirm at once" ticked again and
 * no time chosen: the host fixed the address, submitted, and a confirmed booking was made where
 * a request had been wanted.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { borrowBrowser, contextWithSession } from "../support/browser.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

// An address the browser's own check lets through (no dot needed) and the server refuses.
const NOT_AN_ADDRESS = "guest@example";

/** The checkbox values of the first fieldset (a day) of `form` with at least `min` of them. */
async function dayWith(page: Page, form: string, min: number): Promise<string[]> {
  const days = await page.locator(`${form} fieldset`).evaluateAll((sets) =>
    sets.map((f) =>
      [...f.querySelectorAll<HTMLInputElement>('input[name="start"]')].map((i) => i.value)
    )
  );
  // Not today's: its times may pass while the test runs.
  const day = days.slice(1).find((d) => d.length >= min);
  assert.ok(day, `a day with ${min} free times`);
  return day;
}

/** Which of `values` are ticked (a time no longer on the page counts as not ticked). */
async function checked(page: Page, values: string[]) {
  const out: string[] = [];
  for (const v of values) {
    const box = page.locator(`input[name="start"][value="${v}"]`);
    if (await box.count() && await box.isChecked()) out.push(v);
  }
  return out;
}

/** Opens the first free day after today the day chips offer, stepping to the next month if needed. */
async function laterDay(p: Page) {
  const today = Temporal.Now.plainDateISO("Europe/Berlin").toString();
  for (let step = 0; step < 2; step++) {
    const hrefs = await p.locator('nav[aria-label] a[href*="date="]').evaluateAll((as) =>
      as.map((a) => a.getAttribute("href") ?? "")
    );
    const later = hrefs.find((h) => (/date=(\d{4}-\d{2}-\d{2})/.exec(h)?.[1] ?? "") > today);
    if (later) {
      await p.locator(`nav[aria-label] a[href="${later}"]`).click();
      await p.waitForURL(/date=/);
      return;
    }
    await p.getByTestId("month-next").click();
    await p.waitForURL(/month=/);
  }
  throw new Error("no free day after today in this month or the next");
}

Deno.test({
  name:
    "host forms after a refused post, with and without JavaScript: book for a guest keeps the time, answers, language, note and an unticked 'Confirm at once' (the fixed post makes a request, not a confirmed booking); a poll and an offer keep their ticked times and text",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const api = async (path: string) => {
      const res = await fetch(app.url(`/api/v1${path}`), {
        headers: { authorization: `Bearer ${key}` },
      });
      // deno-lint-ignore no-explicit-any
      return (await res.json()) as any;
    };
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    // An event type that asks for confirmation and has questions of each kind.
    const saved = await host.post("/dashboard/event-types/new", {
      title: "Intake",
      slug: "intake",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      requiresConfirmation: "on",
      q0_label: "Company",
      q0_type: "short",
      q1_label: "Team size",
      q1_type: "choice",
      q1_options: "Small\nLarge",
      q2_label: "NDA signed",
      q2_type: "checkbox",
      intent: "save",
    });
    assert.equal(saved.status, 303, saved.body.slice(0, 2000));

    const browser: Browser = await borrowBrowser();
    try {
      for (const js of [true, false]) {
        const ctx = await contextWithSession(browser, host, {
          viewport: { width: 1280, height: 900 },
          timezoneId: "Europe/Berlin",
          javaScriptEnabled: js,
        });
        const p = await ctx.newPage();
        const tag = js ? "with JS" : "without JS";

        // ── Book for a guest: a time from the list ──
        await p.goto(app.url("/dashboard/bookings/new?type=intake"));
        // A later day than today, whose times cannot pass while the test runs: this month's
        // next free day, or (at a month's end) the next month's first.
        await laterDay(p);
        const radio = p.locator('input[name="start"]').nth(1);
        const picked = (await radio.getAttribute("value"))!;
        await radio.check();
        await p.getByLabel("Company").fill("Acme & Co");
        await p.getByLabel("Team size").selectOption("Large");
        await p.getByLabel("NDA signed").check();
        await p.fill("#book-name", "Guest Name");
        await p.fill("#book-email", NOT_AN_ADDRESS);
        await p.fill("#book-note", "Agreed on the phone: bring the contract.");
        await p.selectOption("#book-guest-lang", "fr");
        await p.uncheck('input[name="confirmed"]');
        await p.click('[data-testid="book-form"] button[type="submit"]');
        await p.waitForSelector('[data-testid="book-error"]');
        assert.deepEqual(
          {
            time: (await checked(p, [picked])).length === 1,
            company: await p.getByLabel("Company").inputValue(),
            size: await p.getByLabel("Team size").inputValue(),
            nda: await p.getByLabel("NDA signed").isChecked(),
            name: await p.inputValue("#book-name"),
            email: await p.inputValue("#book-email"),
            note: await p.inputValue("#book-note"),
            lang: await p.inputValue("#book-guest-lang"),
            confirmed: await p.isChecked('input[name="confirmed"]'),
          },
          {
            time: true,
            company: "Acme & Co",
            size: "Large",
            nda: true,
            name: "Guest Name",
            email: NOT_AN_ADDRESS,
            note: "Agreed on the phone: bring the contract.",
            lang: "fr",
            confirmed: false,
          },
          `book for a guest ${tag}: every field as typed`,
        );
        // The host fixes the address only and submits: a request, as they left it.
        await p.fill("#book-email", `guest-${js ? "js" : "nojs"}@example.test`);
        await p.click('[data-testid="book-form"] button[type="submit"]');
        await p.waitForURL(/booked=/);
        const id = new URL(p.url()).searchParams.get("booked")!;
        const booking = await api(`/bookings/${id}`);
        assert.equal(booking.state, "pending", `${tag}: ${JSON.stringify(booking)}`);
        assert.equal(Date.parse(booking.start), Date.parse(picked));
        assert.deepEqual(
          // deno-lint-ignore no-explicit-any
          booking.answers.map((a: any) => a.value),
          ["Acme & Co", "Large", "Yes"],
          JSON.stringify(booking.answers),
        );

        // ── Book for a guest: a date and time typed, outside the host's hours ──
        await p.goto(app.url("/dashboard/bookings/new?type=intake"));
        await p.fill("#book-date", "2031-03-04");
        await p.fill("#book-time", "06:15");
        await p.check('input[name="outside_hours"]');
        await p.fill("#book-name", "Early Bird");
        await p.fill("#book-email", NOT_AN_ADDRESS);
        await p.click('[data-testid="book-form"] button[type="submit"]');
        await p.waitForSelector('[data-testid="book-error"]');
        assert.deepEqual(
          {
            date: await p.inputValue("#book-date"),
            time: await p.inputValue("#book-time"),
            outside: await p.isChecked('input[name="outside_hours"]'),
            confirmed: await p.isChecked('input[name="confirmed"]'),
          },
          { date: "2031-03-04", time: "06:15", outside: true, confirmed: true },
          `book for a guest ${tag}: the typed date and time kept; 'Confirm at once' left ticked stays ticked`,
        );

        // ── A meeting poll: one time is too few ──
        await p.goto(app.url("/dashboard/polls?type=quick-chat"));
        const pollDay = await dayWith(p, '[data-testid="poll-form"]', 2);
        await p.locator(`input[name="start"][value="${pollDay[1]}"]`).check();
        await p.fill("#poll-title", "Quarterly review");
        await p.fill("#poll-until", "2031-01-15");
        await p.check('input[name="reserve"]');
        await p.click('[data-testid="poll-create"]');
        await p.waitForSelector('[data-testid="poll-error"]');
        assert.deepEqual(
          {
            ticked: await checked(p, pollDay),
            all: await p.locator('input[name="start"]:checked').count(),
            title: await p.inputValue("#poll-title"),
            until: await p.inputValue("#poll-until"),
            reserve: await p.isChecked('input[name="reserve"]'),
          },
          {
            ticked: [pollDay[1]],
            all: 1,
            title: "Quarterly review",
            until: "2031-01-15",
            reserve: true,
          },
          `poll ${tag}: every field as typed`,
        );

        // ── Offer specific times: eleven is one too many ──
        await p.goto(app.url("/dashboard/bookings/offer?type=quick-chat"));
        const offerDay = (await dayWith(p, '[data-testid="offer-form"]', 11)).slice(0, 11);
        for (const v of offerDay) await p.locator(`input[name="start"][value="${v}"]`).check();
        await p.fill("#offer-note", "Hi Sam — any of these?");
        await p.click('[data-testid="offer-create"]');
        await p.waitForSelector('[data-testid="offer-error"]');
        assert.match((await p.textContent('[data-testid="offer-error"]'))!, /at most 10/);
        assert.deepEqual(
          { ticked: await checked(p, offerDay), note: await p.inputValue("#offer-note") },
          { ticked: offerDay, note: "Hi Sam — any of these?" },
          `offer ${tag}: every field as typed`,
        );
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
