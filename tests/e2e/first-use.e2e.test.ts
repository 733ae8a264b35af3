/**
 * What a first-time host and guest run into, in Chromium against the built server: the
 * first-run setup, the dashboard home (requests, next meetings, problems), the phone dashboard,
 * saving feedback where the host looks, rejecting with a message, the time-zone picker, and a
 * booking page that says booking is paused when the host's calendar cannot vouch for a time.
 */
import assert from "node:assert/strict";
import { signInWithEmail } from "../support/browser-sign-in.ts";
import type { Page } from "playwright-core";
import { type AppHandle, startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import {
  emptyHead,
  getAccountEntry,
  insertAccount,
  putAccountStatus,
} from "../../src/lib/server/store/calendars.ts";
import { getUserByUsername } from "../../src/lib/server/store/users.ts";
import { waitFor } from "../support/wait.ts";
import { fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

function signIn(app: AppHandle, page: Page, email: string) {
  return signInWithEmail(page, { baseUrl: app.baseUrl, app, email });
}

/** A guest's pending request on the demo host, over HTTP; returns the host's mail links. */
async function request(app: AppHandle, name: string) {
  // A full day from tomorrow on: the page's own first day may be today with one time left.
  const { slots } = await fullDay(app.baseUrl, "/calendar/demo/intro-call");
  const since = app.logs().length;
  const res = await fetch(app.url("/calendar/demo/intro-call?/book"), {
    method: "POST",
    headers: {
      origin: app.baseUrl,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      name,
      email: `${name.toLowerCase()}@example.test`,
      start: slots[name.length % slots.length],
      tz: "UTC",
    }),
    redirect: "manual",
  });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const confirm = (await app.waitForLog(/https?:\/\/\S+\/confirm\b/, { since }))[0];
  return { confirm };
}

Deno.test({
  ...opts,
  name:
    "first sign-in: the setup takes name, username, a zone typed as a city, working hours and a first event type, then the dashboard welcomes the host",
  async fn() {
    await using app = await startApp();
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "Europe/Lisbon", locale: "en-GB" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await signIn(app, page, "rosa.rivera@example.test");
      await page.waitForURL(/\/dashboard\/setup$/);
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "setup-1");
      // The name is not made up from the address; the zone starts as the browser's.
      assert.equal(await page.getByLabel("Display name").inputValue(), "");
      assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Lisbon");
      await page.getByLabel("Display name").fill("Rosa Rivera");
      await page.getByLabel("Username").fill("rosa");
      await page.getByLabel("Time zone").fill("Tokyo");
      await page.getByLabel("Friday").uncheck();
      await page.getByLabel("From", { exact: true }).selectOption("10:00");
      await page.getByLabel("Until", { exact: true }).selectOption("15:00");
      await page.getByLabel("Title").fill("Coffee chat");
      await page.getByRole("button", { name: "Save and open my dashboard" }).click();
      await page.waitForURL(/\/dashboard\?welcome=1$/);
      await page.getByText("You are set up.").waitFor();
      await page.getByRole("link", { name: "Coffee chat" }).waitFor();
      await page.goto(app.url("/dashboard/profile"));
      assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Tokyo");
      await page.goto(app.url("/dashboard/availability"));
      await page.getByTestId("weekly-summary").getByText("10:00–15:00").waitFor();
      // The setup is done: the dashboard no longer sends the host there.
      await page.goto(app.url("/dashboard"));
      assert.equal(new URL(page.url()).pathname, "/dashboard");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});

/**
 * A write from the test into the running app's KV file: the app writes too (outbox, insights
 * counters), and SQLite answers "database is locked" while it holds the lock; wait for it.
 */
async function unlocked<T>(write: () => Promise<T>): Promise<T> {
  const done = await waitFor(async () => {
    try {
      return { value: await write() };
    } catch (e) {
      if (/database is locked/.test(String(e))) return null;
      return { error: e };
    }
  }, { message: "the KV file to be free" });
  if ("error" in done) throw done.error;
  return done.value as T;
}

Deno.test({
  ...opts,
  name:
    "dashboard home and phone: pending requests, next meetings and calendar problems on the first page; every tab reachable at 360 px; saving said next to the button",
  async fn() {
    await using app = await startApp({ demo: true });
    const pia = await request(app, "Pia");
    await request(app, "Otto");
    // The demo host's calendar account cannot be read (as after a password change).
    const kv = await Deno.openKv(app.dbPath);
    try {
      const host = (await getUserByUsername(kv, "demo"))!;
      const accountId = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
      assert.ok(
        await unlocked(() =>
          insertAccount(
            kv,
            {
              account: {
                v: 1,
                id: accountId,
                hostId: host.id,
                serverUrl: "https://dav.example/",
                username: "demo",
                password: { v: 1, kid: "caldav-credential-v1", iv: "AAAAAAAAAAAAAAAA", ct: "AAAA" },
                principalUrl: "https://dav.example/demo/",
                homeUrl: "https://dav.example/demo/cal/",
                createdAtMs: Date.now(),
              },
              calendars: [{
                v: 1,
                id: "0123456789abcdef0123",
                hostId: host.id,
                accountId,
                url: "https://dav.example/demo/cal/work/",
                displayName: "Work",
                color: null,
                writable: true,
                checkConflicts: true,
                createdAtMs: Date.now(),
              }],
              heads: [emptyHead("0123456789abcdef0123", accountId)],
              writeback: null,
            } as Parameters<typeof insertAccount>[1],
          )
        ),
      );
      const entry = await getAccountEntry(kv, host.id, accountId);
      await unlocked(() =>
        putAccountStatus(kv, entry as Deno.KvEntry<typeof entry.value & object>, {
          v: 1,
          lastAttemptMs: Date.now(),
          lastSuccessMs: null,
          lastError: { kind: "auth", detail: "401 Unauthorized", atMs: Date.now() },
        })
      );
    } finally {
      kv.close();
    }
    // Written behind the app's back (another process, as far as it knows): its one-second
    // settings copy ("does this host check any calendar?") counts the new calendar within a second.
    await waitFor(
      async () =>
        (await (await fetch(app.url("/calendar/demo/intro-call?tz=UTC"))).text()).includes(
          'data-testid="booking-unavailable"',
        ),
      { message: "the booking page to say booking is paused" },
    );

    const browser = await borrowBrowser();
    try {
      // Guests are told booking is paused instead of "pick a highlighted day" with none there.
      const guest = await browser.newPage();
      await guest.goto(app.url("/calendar/demo/intro-call?tz=UTC"));
      await guest.getByTestId("booking-unavailable").getByText("Booking is paused for now")
        .waitFor();
      assert.equal(await guest.getByText("Pick a highlighted day").count(), 0);
      assert.equal(await guest.locator("a[data-slot]").count(), 0);

      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await signIn(app, page, "demo@invito.example");
      await page.goto(app.url("/dashboard"));
      const problems = page.getByTestId("home-problems");
      await problems.getByText("The calendar account demo cannot be read.").waitFor();
      await problems.getByText(/Booking is paused: the calendar “Work”/).waitFor();
      const pending = page.getByTestId("home-pending");
      await pending.getByText("Pia").first().waitFor();
      await pending.getByText("Otto").first().waitFor();
      assert.deepEqual(await checkA11y(page), []);
      await screenshot(page, "home-problems");

      // Confirming Pia from her link: the page then says it is confirmed, not "Confirm…?".
      await page.goto(pia.confirm);
      await page.getByRole("heading", { name: "Confirm this booking?" }).waitFor();
      await page.getByRole("button", { name: "Confirm booking" }).click();
      await page.getByRole("heading", { name: "Booking confirmed" }).waitFor();
      await page.goto(app.url("/dashboard"));
      await page.getByTestId("home-next").getByText("Pia").waitFor();

      // Rejecting Otto with a message, from the bookings page.
      const since = app.logs().length;
      await page.goto(app.url("/dashboard/bookings?status=pending"));
      await page.getByText("Reject…").click();
      await page.getByLabel("A message for Otto (optional)").fill("Next week works better.");
      await page.getByRole("button", { name: "Reject request" }).click();
      await page.getByText("Rejected; the guest has been told.").waitFor();
      const mail = await app.waitForLog(/Demo Host wrote: Next week works better\./, { since });
      assert.ok(mail);

      // Saving an event type is said next to the button, in view, and to screen readers.
      await page.goto(app.url("/dashboard/event-types"));
      await page.getByRole("link", { name: "Edit Intro call" }).click();
      await hydrated(page); // the status below is the script's
      const defaultLength = page.getByRole("checkbox", { name: /30 min · default/ });
      assert.ok(await defaultLength.isChecked(), "the default length is shown ticked");
      assert.ok(await defaultLength.isDisabled());
      await page.getByLabel("Title").fill("Intro call (30)");
      await page.getByRole("button", { name: "Save changes" }).click();
      const saved = page.getByTestId("save-status");
      await saved.getByText("Changes saved").waitFor();
      assert.equal(await saved.getAttribute("role"), "status");
      const box = (await saved.boundingBox())!;
      assert.ok(box.y >= 0 && box.y + box.height <= 900, `status at y=${box.y}, in view`);
      await page.getByLabel("Title").fill("Intro call");
      assert.equal(await saved.innerText(), "", "an edit after saving clears it");

      // Availability: each part says its own state next to its button.
      await page.goto(app.url("/dashboard/availability"));
      await hydrated(page);
      await page.getByRole("button", { name: "Add hours on Saturday" }).click();
      await page.getByTestId("weekly-status").getByText("Unsaved changes").waitFor();
      await page.getByRole("button", { name: "Save weekly hours" }).click();
      await page.getByTestId("weekly-status").getByText("Weekly hours saved").waitFor();
      assert.deepEqual(errors(), []);
      const state = await ctx.storageState();
      await ctx.close();

      // A 360 px phone: every section one tap away, the header in one row, nothing sideways.
      const phone = await browser.newContext({
        viewport: { width: 360, height: 780 },
        colorScheme: "dark",
        storageState: state,
      });
      const p = await phone.newPage();
      await p.goto(app.url("/dashboard"), { waitUntil: "networkidle" });
      // One menu button on a phone (issue 35): every section is one tap further.
      const nav = p.getByRole("navigation", { name: "Dashboard" });
      const navBox = (await nav.boundingBox())!;
      assert.ok(navBox.height <= 56, `the nav is one row (${navBox.height}px)`);
      await nav.locator("summary").click();
      const tabs = nav.getByRole("link");
      // Home, Bookings, Event types, Availability; Calendars, Insights, Troubleshooter, Teams,
      // Routing, Embed, Developers, Profile.
      await tabs.nth(11).waitFor();
      assert.equal(await tabs.count(), 12);
      for (let i = 0; i < 11; i++) {
        const b = (await tabs.nth(i).boundingBox())!;
        assert.ok(
          b.x >= 0 && b.x + b.width <= 360,
          `tab ${i} is on screen (${b.x}–${b.x + b.width})`,
        );
      }
      const signOut = (await p.getByRole("button", { name: "Sign out" }).boundingBox())!;
      assert.ok(signOut.y < 60, `the header stays one row (sign out at y=${signOut.y})`);
      assert.ok((await p.evaluate(() => document.documentElement.scrollWidth)) <= 360);
      assert.deepEqual(await checkA11y(p), []);
      await screenshot(p, "home-phone-dark");
      await phone.close();
    } finally {
      await browser.close();
    }
  },
});

/**
 * The demo booking page in Berlin time with its time-zone field open. With scripts, the picker is
 * used once they have arrived (as the keyboard tests do); what is typed before then is
 * typed-before-scripts.e2e.test.ts's part.
 */
async function openZonePicker(
  browser: Awaited<ReturnType<typeof borrowBrowser>>,
  app: AppHandle,
  javaScriptEnabled: boolean,
) {
  const ctx = await browser.newContext({ javaScriptEnabled, timezoneId: "Europe/Berlin" });
  const page = await ctx.newPage();
  await page.goto(app.url("/calendar/demo/intro-call?tz=Europe%2FBerlin"), {
    waitUntil: javaScriptEnabled ? "networkidle" : "load",
  });
  // Zone, clock and language sit behind one line that opens on demand.
  await page.getByTestId("guest-settings").locator("summary").click();
  return { ctx, page, zone: page.getByLabel("Your time zone") };
}

Deno.test({
  ...opts,
  name:
    "time-zone picker: suggestions still on their way when Enter sends what was typed do not open over the answer",
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const { ctx, page, zone } = await openZonePicker(browser, app, true);
      // The search for what is typed is held until the guest has pressed Enter and seen the
      // answer: a slow network, made certain.
      let asked!: () => void;
      const searching = new Promise<void>((r) => (asked = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      await page.route(/\/time-zones\?q=Sydney/, async (route) => {
        asked();
        await released;
        await route.continue();
      });
      await zone.fill("Sydney");
      await searching;
      await zone.press("Enter");
      await page.getByText("Which “Sydney” do you mean?").waitFor();
      const answered = page.waitForEvent("requestfinished", (r) => r.url().includes("q=Sydney"));
      release();
      await answered;
      // The page has handled the late answer once two frames have been drawn after it.
      await page.evaluate(() =>
        new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
      );
      assert.equal(await page.getByRole("listbox").isVisible(), false, "no list over the answer");
      await page.getByRole("link", { name: "Sydney, Australia" }).click({ timeout: 5_000 });
      await page.getByText(/^Times in Sydney \(GMT\+1[01]\)/).waitFor();
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "time-zone picker: a city is found, several matches are offered, and no match is said (with and without JavaScript)",
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      for (const javaScriptEnabled of [true, false]) {
        const { ctx, page, zone } = await openZonePicker(browser, app, javaScriptEnabled);
        // With scripts, suggestions open under the field (ARIA combobox) and Enter sends what was
        // typed; without them, the button does.
        const showTimes = () =>
          javaScriptEnabled
            ? zone.press("Enter")
            : page.getByRole("button", { name: "Show times" }).click();
        await zone.fill("Tokyo");
        await showTimes();
        await page.getByText("Times below are in Asia/Tokyo.").waitFor();
        await page.getByText("“Tokyo” is Asia/Tokyo.").waitFor();

        await page.getByLabel("Your time zone").fill("Sydney");
        await showTimes();
        await page.getByText("Which “Sydney” do you mean?").waitFor();
        await page.getByRole("link", { name: "Sydney, Australia" }).click();
        await page.getByText(/^Times in Sydney \(GMT\+1[01]\)/).waitFor();

        if (!(await page.getByLabel("Your time zone").isVisible())) {
          await page.getByTestId("guest-settings").locator("summary").click();
        }
        await page.getByLabel("Your time zone").fill("xyzzy");
        await showTimes();
        await page.getByText("No time zone matches “xyzzy”.", { exact: false }).waitFor();
        assert.equal(await page.getByLabel("Your time zone").getAttribute("aria-invalid"), "true");
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
