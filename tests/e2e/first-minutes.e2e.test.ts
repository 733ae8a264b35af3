/**
 * Issue 35, a newcomer's first minutes, in Chromium against the built server: calendars a new
 * host can find, the guest page on a phone, a dashboard that fits a phone, the profile, the
 * setup page and one clock per reader. Each step asserts what a person would notice; the
 * screenshots (desktop 1366 and 390×844, light and dark, en and de) are for a person to look at.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type AppHandle, startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  contrastIn,
  hydrated,
  screenshot,
  SCREENSHOTS,
  trackPageErrors,
} from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";
import { datePath, fullDays } from "../support/slots.ts";
import type { Client } from "../support/http.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };

function hostContext(
  browser: Browser,
  c: Client,
  o: Parameters<Browser["newContext"]>[0] = {},
): Promise<BrowserContext> {
  return contextWithSession(browser, c, { viewport: DESKTOP, locale: "en-US", ...o });
}

/** Where the lines of an element's text break: the characters before each break. */
function lineBreaks(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).first().evaluate((el) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let lastTop: number | null = null;
    let prev = "";
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? "";
      for (let i = 0; i < text.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        const rect = r.getClientRects()[0];
        if (!rect) continue;
        if (lastTop !== null && rect.top > lastTop + 2) out.push(prev);
        lastTop = rect.top;
        prev = text[i];
      }
    }
    return out;
  });
}

async function shots(page: Page, name: string) {
  await screenshot(page, name);
}

/** The host's dashboard language, chosen in Profile as a host would. */
async function setLanguage(page: Page, app: AppHandle, lang: string) {
  // Once the page's scripts have arrived: a choice made while the form hydrates can be reset.
  await page.goto(app.url("/dashboard/profile"), { waitUntil: "networkidle" });
  await hydrated(page);
  await page.locator("#f-locale").selectOption(lang);
  // Until the save's answer is in: the next step's navigation would otherwise cancel a post the
  // page had not sent yet (a click's "networkidle" can come before the post starts), and the
  // language stayed as it was (seen on a loaded CI box: the German menu never came).
  const saved = page.waitForResponse((r) =>
    r.request().method() === "POST" && new URL(r.url()).pathname === "/dashboard/profile"
  );
  await page.locator('form[action="?/save"] button[type="submit"]').click();
  assert.ok((await saved).status() < 400, "the profile is saved");
  await page.waitForLoadState("networkidle");
}

async function newHost(app: AppHandle, email: string) {
  return await signIn(app, email);
}

Deno.test({
  ...opts,
  name:
    "e2e first minutes (host): setup shows the live URL, asks how guests book and offers a calendar; Google and Microsoft cards say what to set; the home page warns until a calendar is connected",
  async fn() {
    await using app = await startApp();
    const c = await newHost(app, "ann.lee@example.test");
    const browser = await borrowBrowser();
    try {
      const ctx = await hostContext(browser, c, { timezoneId: "Europe/Berlin" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard"));
      await page.waitForURL(/\/dashboard\/setup$/);

      // 7. The booking URL follows the username as it is typed (by the page's script).
      await hydrated(page);
      const user = page.getByLabel("Username");
      await user.fill("");
      await user.pressSequentially("ann-lee", { delay: 20 });
      await page.getByTestId("setup-url").getByText(`${app.baseUrl}/calendar/ann-lee/`).waitFor({
        timeout: 5000,
      });

      // 8. How guests book is an explicit choice between two options; instant is chosen.
      const instant = page.getByRole("radio", { name: /Guests book instantly/ });
      const confirm = page.getByRole("radio", { name: /I confirm each request/ });
      assert.equal(await instant.isChecked(), true, "instant booking is the clear default");
      assert.equal(await confirm.isChecked(), false);
      assert.equal(
        await page.locator('input[type="checkbox"][name="requiresConfirmation"]').count(),
        0,
      );

      // 1. Setup offers to connect a calendar: saving leads straight to the Calendars page.
      const calButton = page.getByRole("button", { name: "Save and connect a calendar" });
      assert.ok(await calButton.isVisible());
      assert.deepEqual(await checkA11y(page), [], "axe on setup");
      await shots(page, "first-setup-1366-light-en");
      await page.setViewportSize(PHONE);
      await shots(page, "first-setup-390-light-en");
      await page.setViewportSize(DESKTOP);
      await page.getByLabel("Display name").fill("Ann Lee");
      await confirm.check();
      await calButton.click();
      await page.waitForURL(/\/dashboard\/calendars$/);

      // 1. Google and Microsoft cards are always there, with what the operator must set.
      await page.goto(app.url("/dashboard/calendars"));
      for (
        const [title, env, path] of [
          ["Google Calendar", "INVITO_GOOGLE_CLIENT_ID", "google"],
          ["Microsoft 365", "INVITO_MICROSOFT_CLIENT_ID", "microsoft"],
        ]
      ) {
        const card = page.getByRole("region", { name: title });
        await card.waitFor();
        const text = await card.innerText();
        assert.match(text, new RegExp(env));
        assert.ok(
          text.includes(`${app.baseUrl}/dashboard/calendars/oauth/${path}`),
          `${title}: redirect URI for this instance`,
        );
        const guide = card.getByRole("link", { name: /step-by-step guide/i });
        const href = await guide.getAttribute("href");
        assert.ok(href, "a guide link");
        const res = await c.get(href!);
        assert.equal(res.status, 200, "the guide opens");
        assert.ok(res.body.includes(`/dashboard/calendars/oauth/${path}`));
      }
      assert.deepEqual(await checkA11y(page), [], "axe on calendars");
      await shots(page, "first-calendars-1366-light-en");

      // A host who skipped the calendar sees on Home that guests can book over their calendar.
      await page.goto(app.url("/dashboard"));
      const warn = page.getByTestId("no-calendar");
      await warn.waitFor();
      assert.match(await warn.innerText(), /book times when you are busy elsewhere/);
      assert.equal(
        await warn.getByRole("link", { name: /Connect a calendar/ }).getAttribute("href"),
        "/dashboard/calendars",
      );
      assert.deepEqual(await checkA11y(page), [], "axe on home");
      await shots(page, "first-home-1366-light-en");

      // 8. The event type form: the same choice, starting on the one made in setup (requests).
      await page.goto(app.url("/dashboard/event-types/new"));
      assert.equal(
        await page.getByRole("radio", { name: /Guests book instantly/ }).isChecked(),
        false,
      );
      assert.equal(
        await page.getByRole("radio", { name: /I confirm each request/ }).isChecked(),
        true,
      );
      // The type made in setup kept the host's choice.
      const types = await c.get("/dashboard/event-types");
      const id = /\/dashboard\/event-types\/([0-9A-Z]{26})/.exec(types.body)![1];
      await page.goto(app.url(`/dashboard/event-types/${id}`));
      assert.equal(
        await page.getByRole("radio", { name: /I confirm each request/ }).isChecked(),
        true,
      );
      assert.deepEqual(errors(), []);
      await ctx.close();

      // Setup without JavaScript: the URL pattern is shown.
      const nojs = await hostContext(browser, c, { javaScriptEnabled: false });
      const p2 = await nojs.newPage();
      await p2.goto(app.url("/dashboard/setup"));
      assert.match(await p2.getByTestId("setup-url").innerText(), /\/calendar\/ann-lee\//);
      await nojs.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e first minutes (dashboard): one row of tabs plus a menu on a phone; the profile keeps danger last, a labelled file button, an unbroken URL and a photo guests see",
  async fn() {
    await using app = await startApp();
    const c = await newHost(app, "bo@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      for (const [locale, scheme] of [["en-US", "light"], ["de-DE", "dark"]] as const) {
        const ctx = await hostContext(browser, c, {
          viewport: PHONE,
          locale,
          colorScheme: scheme,
        });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await setLanguage(page, app, locale.slice(0, 2));
        // The menu is used once the page's scripts have arrived (a tap while it hydrates has its
        // own story: the <details> works without them).
        await page.goto(app.url("/dashboard"), { waitUntil: "networkidle" });
        // 5. The tabs take one row on a phone; the rest sit behind a menu that opens.
        const nav = page.locator("header nav");
        const box = (await nav.boundingBox())!;
        assert.ok(box.height <= 56, `nav is one row on a phone (${box.height}px)`);
        const more = nav.locator("summary");
        await more.click();
        const cal = nav.getByRole("link", { name: locale === "en-US" ? "Calendars" : "Kalender" });
        await cal.waitFor();
        assert.ok(await cal.isVisible());
        assert.deepEqual(await checkA11y(page), [], `axe on home ${locale}`);
        await shots(page, `first-nav-390-${scheme}-${locale}`);
        await cal.click();
        await page.waitForURL(/\/dashboard\/calendars$/);
        if (locale !== "en-US") await setLanguage(page, app, "en");
        // The menu's summary shows where the host is.
        assert.equal(
          await nav.locator("summary[aria-current], summary [aria-current]").count() +
              await nav.locator('details a[aria-current="page"]').count() > 0,
          true,
        );
        await shots(page, `first-calendars-390-${scheme}-${locale}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }

      // Desktop: the four daily tabs and the menu on one row too.
      const ctx = await hostContext(browser, c, { viewport: DESKTOP });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/profile"));
      await hydrated(page); // the menu and the file button below are the script's
      const nav = page.getByRole("navigation", { name: "Dashboard" });
      for (const name of ["Home", "Bookings", "Event types", "Availability"]) {
        assert.ok(await nav.getByRole("link", { name, exact: true }).isVisible(), name);
      }

      // 6. Danger goes last, in its own zone.
      const order = await page.evaluate(() =>
        [...document.querySelectorAll("h2, h3")].map((h) => h.textContent?.trim() ?? "")
      );
      const del = order.findIndex((h) => /Delete my account/.test(h));
      const feed = order.findIndex((h) => /Calendar feed/.test(h));
      assert.ok(del > feed && feed >= 0, `delete after feed: ${order.join(" | ")}`);
      assert.equal(del, order.length - 1, "delete is the last section");
      const zone = page.getByRole("region", { name: /Danger zone/ });
      assert.ok(await zone.getByRole("button", { name: /Delete my account/ }).isVisible());

      // The import file input is a labelled button with the chosen file's name.
      const pick = page.locator('label[for="import-file"]', { hasText: "Choose a file" });
      assert.ok(await pick.isVisible(), "a visible button-like label");
      const native = page.locator("#import-file");
      assert.equal(await native.evaluate((el) => getComputedStyle(el).opacity), "0");
      await native.setInputFiles({
        name: "my-export.json",
        mimeType: "application/json",
        buffer: Buffer.from("{}"),
      });
      await page.getByText("my-export.json").waitFor();

      // The booking URL in "Guests see" breaks only after a slash, never mid-word.
      await page.setViewportSize(PHONE);
      await page.getByLabel("Username").fill("a-rather-long-username-for-a-phone");
      const breaks = await lineBreaks(page, '[data-testid="guests-see-url"]');
      for (const ch of breaks) assert.match(ch, /[/.-]/, `breaks only after / (${breaks})`);
      await page.getByLabel("Username").fill("bo");
      await page.setViewportSize(DESKTOP);

      // A photo: png/jpeg/webp only, small, shown on the booking page with its own type.
      const png = Uint8Array.from(
        atob(
          "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANBQEAnbqB2gAAAABJRU5ErkJggg==",
        ),
        (ch) => ch.charCodeAt(0),
      );
      await page.locator("#photo-file").setInputFiles({
        name: "me.gif",
        mimeType: "image/gif",
        buffer: Buffer.from("GIF89a not really"),
      });
      await page.getByRole("button", { name: "Upload photo" }).click();
      await page.getByText(/PNG, JPEG or WebP/).first().waitFor();
      await page.locator("#photo-file").setInputFiles({
        name: "me.png",
        mimeType: "image/png",
        buffer: Buffer.from(png),
      });
      await page.getByRole("button", { name: "Upload photo" }).click();
      await page.getByText("Photo saved").waitFor();
      assert.deepEqual(await checkA11y(page), [], "axe on profile");
      await shots(page, "first-profile-1366-light-en");
      await page.goto(app.url("/calendar/bo/"));
      const img = page.locator("img[data-testid=host-photo]");
      await img.waitFor();
      const src = await img.getAttribute("src");
      const res = await fetch(app.url(src!));
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), png);
      // Too big: refused with a message, never a 5xx.
      const big = new Uint8Array(200 * 1024);
      big.set(png.slice(0, 8));
      const form = new FormData();
      form.set("photo", new File([big], "big.png", { type: "image/png" }));
      const page2 = await c.get("/dashboard/profile");
      assert.equal(page2.status, 200);
      const up = await c.post("/dashboard/profile?/photo", form);
      assert.ok(up.status >= 400 && up.status < 500, `big photo: ${up.status}`);
      assert.match(up.body, /too big: at most 60 KB/i);
      // The refused GIF was answered 400 (bad input), which the browser notes; nothing else.
      assert.deepEqual(errors().filter((e) => !/status of 400/.test(e)), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e first minutes (clocks): the weekly editor and its preview share the host's clock and week start, from their locale and changed in Profile",
  async fn() {
    await using app = await startApp();
    const c = await newHost(app, "cy@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      const ctx = await hostContext(browser, c, { locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      const firstEditorDay = () =>
        page.locator("[data-weekday]").first().getAttribute("data-weekday");
      const firstPreviewHead = () =>
        page.locator('[data-view="grid"] [data-head]').first().getAttribute("data-head");
      const optionLabel = () =>
        page.locator('[data-weekday] select option[value="13:00"]').first().evaluate((o) =>
          o.textContent ?? ""
        );
      const previewHours = () =>
        page.locator('[data-view="grid"] li[data-source="weekly"] li').first().innerText();

      // The host reads 12-hour times (Profile); their locale (en) starts the week on Sunday:
      // the editor's menus and the preview agree on both.
      await page.goto(app.url("/dashboard/profile"), { waitUntil: "networkidle" });
      await page.getByLabel("Times").selectOption("12h");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.getByText("Profile saved").waitFor();
      await page.goto(app.url("/dashboard/availability"));
      assert.equal(await firstEditorDay(), "7");
      assert.equal(await firstPreviewHead(), "7");
      assert.match(await optionLabel(), /1:00\s?PM/i);
      assert.match(await previewHours(), /AM|PM/i);
      await shots(page, "first-availability-1366-light-en");

      // Profile: 24-hour, Monday first → both follow.
      await page.goto(app.url("/dashboard/profile"), { waitUntil: "networkidle" });
      await page.getByLabel("Times").selectOption("24h");
      await page.getByLabel("Week starts on").selectOption("1");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.getByText("Profile saved").waitFor();
      await page.goto(app.url("/dashboard/availability"));
      assert.equal(await firstEditorDay(), "1");
      assert.equal(await firstPreviewHead(), "1");
      assert.equal((await optionLabel()).trim(), "13:00");
      assert.doesNotMatch(await previewHours(), /AM|PM/i);
      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "e2e first minutes (guest): on a 390 px phone the times are on screen after one tap (with and without JavaScript); the zone is a combobox; time buttons show a clear focus ring; an en-GB guest reads the host's time on their own clock",
  async fn() {
    await using app = await startApp({ demo: true });
    // Two full days in one month from tomorrow on (New York), the page opened on the first: its
    // own first day may be today with its last time (gone before the tap), or a month's last
    // free day, with no other day in its grid to tap.
    const QUICK = "/calendar/demo/quick-chat?tz=America/New_York";
    const [shown, other] = await fullDays(app.baseUrl, "/calendar/demo/quick-chat", {
      tz: "America/New_York",
      min: 4,
      sameMonth: true,
    });
    const browser = await borrowBrowser();
    try {
      for (const js of [true, false]) {
        for (const scheme of ["light", "dark"] as const) {
          const ctx = await browser.newContext({
            viewport: PHONE,
            locale: js ? "en-GB" : "de-DE",
            timezoneId: "America/New_York",
            colorScheme: scheme,
            javaScriptEnabled: js,
            hasTouch: true,
            isMobile: true,
          });
          const page = await ctx.newPage();
          await page.goto(app.url(datePath(QUICK, shown.date)));
          // Another day with times, tapped where it is.
          const day = page.locator(
            `ul[aria-labelledby="month-title"] a[href*="date=${other.date}"]:not([aria-current])`,
          );
          await day.scrollIntoViewIfNeeded();
          await day.tap();
          await page.waitForURL(new RegExp(`date=${other.date}`));
          const slot = page.locator(`a[data-slot^="${other.slots[0].slice(0, 10)}"]`).first();
          await slot.waitFor();
          const rect = await slot.evaluate((el) => {
            const r = el.getBoundingClientRect();
            return { top: r.top, bottom: r.bottom, h: innerHeight };
          });
          assert.ok(
            rect.top >= 0 && rect.bottom <= rect.h,
            `js=${js} ${scheme}: first time on screen after the tap (${JSON.stringify(rect)})`,
          );
          if (SCREENSHOTS) {
            await page.screenshot({
              path: `test-results/screenshots/first-guest-390-${scheme}-${
                js ? "en" : "de"
              }-after-tap.png`,
            });
          }
          await ctx.close();
        }
      }

      const ctx = await browser.newContext({
        viewport: DESKTOP,
        locale: "en-GB",
        timezoneId: "America/New_York",
      });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url(datePath(QUICK, shown.date)));
      // 4. A time button's focus ring: thick and contrasting against the page, light and dark.
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const slot = page.locator("a[data-slot]").first();
        await slot.focus();
        await page.keyboard.press("Shift+Tab");
        await page.keyboard.press("Tab");
        const ring = await slot.evaluate((el) => {
          const s = getComputedStyle(el);
          let bgEl: Element | null = el.parentElement;
          let bg = "rgba(0, 0, 0, 0)";
          while (bgEl) {
            const c = getComputedStyle(bgEl).backgroundColor;
            if (!/rgba\(0, 0, 0, 0\)|transparent/.test(c)) {
              bg = c;
              break;
            }
            bgEl = bgEl.parentElement;
          }
          return {
            style: s.outlineStyle,
            width: parseFloat(s.outlineWidth),
            colour: s.outlineColor,
            bg,
          };
        });
        const contrast = await contrastIn(page, ring.colour, ring.bg);
        assert.notEqual(ring.style, "none", `${scheme}: a visible outline`);
        // WCAG 2.2 focus appearance asks ≥ 2px and ≥ 3:1; the old ring met that narrowly in dark
        // mode (2px, 3.6:1) and was hard to see. Ours keeps a clear margin: 3px and ≥ 4.5:1.
        assert.ok(ring.width >= 3, `${scheme}: outline ≥ 3px (${ring.width})`);
        assert.ok(
          contrast >= 4.5,
          `${scheme}: outline contrast ≥ 4.5:1 (${contrast}: ${ring.colour} on ${ring.bg})`,
        );
        await screenshot(page, `first-guest-focus-1366-${scheme}-en`);
      }
      await page.emulateMedia({ colorScheme: "light" });

      // 9. A guest on the 12-hour clock reads the (24-hour) host's time on their clock too.
      await page.goto(app.url(datePath(QUICK, shown.date, "clock=12h")));
      await page.locator("a[data-slot]").first().click();
      await page.getByLabel("Name").fill("Gill Guest");
      await page.getByLabel("Email").fill("gill@example.test");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.waitForURL(/\/booking\//);
      const when = await page.getByTestId("booking-when").innerText();
      assert.match(when, /Host’s time/);
      const hostLine = when.split("\n").find((l) => l.includes("Host’s time"))!;
      assert.match(hostLine, /\d:\d\d\s?(am|pm)/i, `one clock: ${when}`);
      // 3. The zone: a combobox that finds cities and countries, with friendly names and offsets.
      await page.goto(app.url("/calendar/demo/quick-chat?tz=America/New_York"));
      await hydrated(page); // the combobox is the script's (a plain field before it)
      await page.getByTestId("guest-settings").locator("summary").click();
      const combo = page.getByRole("combobox", { name: /time zone/i });
      await combo.click();
      await combo.fill("japan");
      const listbox = page.getByRole("listbox");
      await listbox.waitFor();
      assert.equal(await combo.getAttribute("aria-expanded"), "true");
      const tokyo = listbox.getByRole("option", { name: /Tokyo/ });
      await tokyo.waitFor();
      assert.match(await tokyo.innerText(), /Tokyo — .*UTC\+9/);
      assert.deepEqual(await checkA11y(page), [], "axe with the list open");
      await combo.press("ArrowDown");
      assert.ok(await combo.getAttribute("aria-activedescendant"));
      await combo.press("Enter");
      await page.waitForURL(/tz=Asia%2FTokyo/);

      assert.deepEqual(errors(), []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
