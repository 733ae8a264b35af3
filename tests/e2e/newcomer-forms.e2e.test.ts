/**
 * Forms a new host fills in during their first minutes, in Chromium against the built server,
 * where a newcomer walking through them met friction: a routing form that would not be made
 * from its name alone, and an event type preview that read “NaN” once the server had refused
 * the form.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  contextWithSession,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { signIn } from "../reliability/harness.ts";
import { fromTomorrow } from "../support/slots.ts";
import type { Page } from "playwright-core";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };

/**
 * The page picker's `nth` time from tomorrow on: one of today's can pass between the tick and
 * the post, which then refuses it (a passed time is not free).
 */
async function laterTime(page: Page, nth: number) {
  const values = await page.locator('input[name="start"]').evaluateAll((els) =>
    els.map((e) => (e as HTMLInputElement).value)
  );
  return page.locator(`input[name="start"][value="${fromTomorrow(values)[nth]}"]`);
}

Deno.test({
  ...opts,
  name:
    "newcomer routing form: made from its name alone; the address follows the name as typed and shows the whole link; without JavaScript the server makes it from the name",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "rita@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const profile = await c.get("/dashboard/profile");
    const username = /\/calendar\/([a-z0-9-]+)\//.exec(profile.body)![1];
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: DESKTOP, locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/routing"));
      await hydrated(page);
      await page.getByLabel("Form name").pressSequentially("Which call?", { delay: 10 });
      assert.equal(await page.getByLabel("Address").inputValue(), "which-call");
      await page.getByText(`${app.baseUrl}/forms/${username}/which-call`).waitFor();
      assert.deepEqual(await checkA11y(page), [], "axe on routing forms");
      await screenshot(page, "newcomer-routing-new-1366-light-en");
      // An address the server cannot take is answered in words, not with the browser's bare
      // “Please match the requested format.”
      await page.getByLabel("Address").fill("Which Call");
      await page.getByRole("button", { name: "Create form" }).click();
      await page.getByText("The address may use lower-case letters, digits and hyphens (up to 60).")
        .waitFor();
      assert.equal(await page.getByLabel("Form name").inputValue(), "Which call?", "name kept");
      await page.getByLabel("Address").fill("which-call");
      await page.getByRole("button", { name: "Create form" }).click();
      await page.waitForURL(/\/dashboard\/routing\/[0-9A-Z]{26}\?created=1$/);
      assert.deepEqual(errors().filter((e) => !/status of 400/.test(e)), []);
      await ctx.close();

      // Without the page's script (or before it runs) the address left empty comes from the name.
      const nojs = await contextWithSession(browser, c, {
        viewport: PHONE,
        locale: "de-DE",
        colorScheme: "dark",
        javaScriptEnabled: false,
      });
      const p2 = await nojs.newPage();
      await p2.goto(app.url("/dashboard/routing?lang=de"));
      await p2.locator("#rf-title").fill("Anfragen für Teams");
      await screenshot(p2, "newcomer-routing-new-360-dark-de");
      await p2.locator('form[action="?/create"] button[type="submit"]').click();
      await p2.waitForURL(/\/dashboard\/routing\/[0-9A-Z]{26}\?created=1$/);
      await p2.goto(app.url("/dashboard/routing?lang=de"));
      await p2.getByText(`${app.baseUrl}/forms/${username}/anfragen-fur-teams`).waitFor();
      await nojs.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "newcomer event type refused by the server: the preview still reads the length (30 min), never NaN",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "ezra@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: DESKTOP, locale: "en-US" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.goto(app.url("/dashboard/event-types/new"));
      await hydrated(page);
      const preview = page.getByRole("complementary").filter({ hasText: "Preview" });
      await page.getByLabel("Title").fill("Weekly coaching");
      // Seats and a series together: the server refuses (a series takes one guest per time).
      await page.getByLabel("Guests per time").fill("3");
      await page.locator('select[name="seriesEveryWeeks"]').selectOption("1");
      await page.getByLabel("Number of dates").fill("4");
      await page.getByRole("button", { name: "Create event type" }).click();
      await page.getByText("Nothing was saved. Please fix:").waitFor();
      const text = await preview.innerText();
      assert.doesNotMatch(text, /NaN/, `preview after the refusal: ${text}`);
      assert.match(text, /30 min/);
      await screenshot(page, "newcomer-event-type-refused-1366-light-en");
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
    "newcomer embed page without event types: says there is nothing to offer yet and links to making the first one, instead of a preview that only says nothing is open",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "emil@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      for (
        const [lang, scheme, viewport] of [["en", "light", DESKTOP], ["fr", "dark", PHONE]] as const
      ) {
        const ctx = await contextWithSession(browser, c, { viewport, colorScheme: scheme });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(app.url(`/dashboard/embed?lang=${lang}`));
        const notice = page.getByTestId("embed-no-types");
        await notice.waitFor();
        const link = notice.getByRole("link", {
          name: lang === "en"
            ? "Create your first event type"
            : "Créer votre premier type de rendez-vous",
        });
        assert.equal(await link.getAttribute("href"), "/dashboard/event-types/new");
        assert.deepEqual(await checkA11y(page), [], `axe on embed ${lang}`);
        await screenshot(page, `newcomer-embed-no-types-${lang}-${scheme}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "newcomer poll and offered times: the link to send has a Copy link button (made, and on the poll's page) that puts exactly that link on the clipboard",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "pia@example.test");
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: PHONE, locale: "en-US" });
      await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.baseUrl });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      // The setup's first event type (Intro call) is the one the times come from.
      await page.goto(app.url("/dashboard/setup"));
      await hydrated(page);
      await page.getByLabel("Display name").fill("Pia Host");
      await page.getByRole("button", { name: "Save and open my dashboard" }).click();
      await page.waitForURL(/\/dashboard\?welcome=1$/);
      const copied = () => page.evaluate(() => navigator.clipboard.readText());
      const copyNext = async (testId: string) => {
        const shown = (await page.getByTestId(testId).innerText()).trim();
        assert.match(shown, /^http:\/\/\S+$/);
        await page.getByTestId(testId).locator("xpath=..").getByRole("button", {
          name: "Copy link",
        }).click();
        await page.getByRole("button", { name: "Copied" }).waitFor();
        assert.equal(await copied(), shown);
      };

      await page.goto(app.url("/dashboard/polls"));
      await hydrated(page);
      await (await laterTime(page, 0)).check();
      await (await laterTime(page, 1)).check();
      await page.getByRole("button", { name: "Create the poll" }).click();
      await page.getByTestId("poll-url").waitFor();
      await hydrated(page);
      await copyNext("poll-url");
      await screenshot(page, "newcomer-poll-made-360-light-en");
      await page.getByTestId("poll-open").click();
      await page.getByTestId("poll-link").waitFor();
      await hydrated(page);
      await copyNext("poll-link");

      await page.goto(app.url("/dashboard/bookings/offer"));
      await hydrated(page);
      await (await laterTime(page, 0)).check();
      await page.getByTestId("offer-form").getByRole("button", { name: /./ }).last().click();
      await page.getByTestId("offer-url").waitFor();
      await hydrated(page);
      await copyNext("offer-url");
      assert.deepEqual(await checkA11y(page), [], "axe on offered times");
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
    "newcomer team tabs on a 360 px phone: from the team's event types or bookings the Team tab (members, invitations) stays on screen; the current tab is on screen on each",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "tara@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      for (const js of [true, false]) {
        const ctx = await contextWithSession(browser, c, {
          viewport: PHONE,
          locale: "en-US",
          javaScriptEnabled: js,
        });
        const page = await ctx.newPage();
        await page.goto(app.url("/dashboard/teams"));
        if (js) await hydrated(page);
        await page.getByLabel("Team name").fill(`Crew ${js}`);
        await page.getByLabel("Address").fill(`crew-${js}`);
        await page.getByRole("button", { name: "Create team" }).click();
        await page.waitForURL(/\/dashboard\/teams\/[0-9A-Z]{26}\?created=1$/);
        const base = page.url().split("?")[0];
        const bar = page.getByRole("navigation", { name: "Team" });
        const onScreen = async (name: string) => {
          const tab = bar.getByRole("link", { name, exact: true });
          const r = await tab.evaluate((el) => {
            const b = el.closest("nav")!.getBoundingClientRect();
            const t = el.getBoundingClientRect();
            return { left: t.left - b.left, right: b.right - t.right };
          });
          return r.left >= 0 && r.right >= 0;
        };
        for (
          const [path, current, alsoSeen] of [
            ["/event-types", "Event types", "Team"],
            ["/bookings", "Bookings", "Team"],
            ["/routing", "Routing forms", null],
          ] as const
        ) {
          await page.goto(base + path);
          if (js) await hydrated(page);
          assert.ok(await onScreen(current), `js=${js} ${path}: ${current} on screen`);
          if (alsoSeen) {
            assert.ok(await onScreen(alsoSeen), `js=${js} ${path}: ${alsoSeen} tab on screen`);
          }
          await screenshot(page, `newcomer-team-tabs${path.replace("/", "-")}-360-js-${js}`);
        }
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "newcomer event type form: no group of fields is named like a field inside it (the series read “Repeats” above “Repeats”)",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "remy@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      for (const lang of ["en", "de", "fr", "es"]) {
        const ctx = await contextWithSession(browser, c, { viewport: DESKTOP });
        const page = await ctx.newPage();
        await page.goto(app.url(`/dashboard/event-types/new?lang=${lang}`));
        const twins = await page.evaluate(() =>
          [...document.querySelectorAll("fieldset")].flatMap((f) => {
            const legend = f.querySelector("legend")?.textContent?.trim() ?? "";
            return [...f.querySelectorAll("label")]
              .map((l) => l.textContent?.trim() ?? "")
              .filter((text) => legend !== "" && text === legend)
              .map((text) => `${legend} / ${text}`);
          })
        );
        assert.deepEqual(twins, [], `${lang}: a group named like its field`);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "newcomer series: “Number of dates” cannot be filled in while the type does not repeat (it was ignored without a word); choosing a repetition opens it; without JavaScript it stays open",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "sami@example.test");
    await c.post("/dashboard/setup?/skip", {});
    const browser = await borrowBrowser();
    try {
      const ctx = await contextWithSession(browser, c, { viewport: DESKTOP, locale: "en-US" });
      const page = await ctx.newPage();
      await page.goto(app.url("/dashboard/event-types/new"));
      await hydrated(page);
      const count = page.getByLabel("Number of dates");
      assert.equal(await count.isDisabled(), true, "closed while it does not repeat");
      await page.getByLabel("Repeats").selectOption({ label: "Every week" });
      assert.equal(await count.isDisabled(), false, "open once it repeats");
      await count.fill("4");
      await page.getByLabel("Repeats").selectOption({ label: "Does not repeat" });
      assert.equal(await count.isDisabled(), true);
      await ctx.close();

      const nojs = await contextWithSession(browser, c, {
        viewport: DESKTOP,
        locale: "en-US",
        javaScriptEnabled: false,
      });
      const p2 = await nojs.newPage();
      await p2.goto(app.url("/dashboard/event-types/new"));
      assert.equal(await p2.getByLabel("Number of dates").isDisabled(), false);
      await nojs.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "newcomer single-use links on a 360 px phone: with no links yet the page points to the form by its title, which sits above the list (it said “on the left”)",
  async fn() {
    await using app = await startApp();
    const c = await signIn(app, "lola@example.test");
    await c.post("/dashboard/setup?/skip", {});
    await c.get("/dashboard/event-types/new");
    const made = await c.post("/dashboard/event-types/new", {
      title: "Intro call",
      slug: "intro-call",
      durationMin: "30",
      durations: "default",
      bookingWindowDays: "60",
      minNotice: "0",
      minNoticeUnit: "hours",
      bufferBeforeMin: "0",
      bufferAfterMin: "0",
      active: "on",
      color: "#2563eb",
    });
    const id = /\/dashboard\/event-types\/([0-9A-Z]{26})/.exec(made.headers.get("location") ?? "")
      ?.[1];
    assert.ok(id, `event type made (${made.status})`);
    const browser = await borrowBrowser();
    try {
      for (const lang of ["en", "de", "fr", "es"]) {
        const ctx = await contextWithSession(browser, c, { viewport: PHONE, colorScheme: "dark" });
        const page = await ctx.newPage();
        await page.goto(app.url(`/dashboard/event-types/${id}/links?lang=${lang}`));
        const title = (await page.locator("h2").first().innerText()).trim();
        const empty = page.getByTestId("links-none");
        const text = await empty.innerText();
        assert.ok(text.includes(title), `${lang}: “${text}” names the form “${title}”`);
        const form = await page.locator("h2").first().boundingBox();
        const list = await empty.boundingBox();
        assert.ok(form!.y < list!.y, `${lang}: the form is above the list`);
        if (lang === "fr") await screenshot(page, "newcomer-links-none-360-dark-fr");
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
