/**
 * What a person types, ticks or picks before the page's scripts have arrived is still there once
 * they have (a slow phone, a loaded box). Svelte writes every `value={…}` and `checked={…}` into
 * its field when it hydrates, so a form rendered with an empty or saved value lost the typing:
 * the fields emptied, `required` then stopped the submit, and nothing happened on the click. It
 * made five e2e tests fail by chance on a loaded CI machine before it was found.
 *
 * The scripts are held back until the fields are filled, then let through; the test reads the
 * fields once the page is hydrated, and on the calendars page sends the form through the running
 * script (use:enhance).
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import {
  borrowBrowser,
  contextWithSession,
  hydrated,
  showFailureState,
} from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const HOST = "early-typist@example.test";

/** Holds every app script (not the styles) back until the returned function is called. */
async function holdScripts(page: Page): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await page.route("**/_app/immutable/**/*.js", async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

type Step =
  | { label: string; fill: string }
  | { label: string; check: true }
  | { label: string; select: string };

/** Opens `path` with the scripts held, does `steps`, lets the scripts run, and reads back. */
async function typeEarly(page: Page, url: string, steps: Step[]) {
  const release = await holdScripts(page);
  await page.goto(url, { waitUntil: "domcontentloaded" });
  for (const s of steps) {
    const field = page.getByLabel(s.label, { exact: true });
    if ("fill" in s) await field.fill(s.fill);
    else if ("check" in s) await field.check();
    else await field.selectOption(s.select);
  }
  release();
  await hydrated(page);
  const read: Record<string, string | boolean> = {};
  for (const s of steps) {
    const field = page.getByLabel(s.label, { exact: true });
    read[s.label] = "check" in s ? await field.isChecked() : await field.inputValue();
  }
  return read;
}

const expected = (steps: Step[]) =>
  Object.fromEntries(
    steps.map((s) => [s.label, "fill" in s ? s.fill : "check" in s ? true : s.select]),
  );

/** Runs `steps` in a fresh Chromium; on a failure shows its pages and the server's log. */
async function inBrowser(logs: () => string, steps: (browser: Browser) => Promise<void>) {
  const browser = await borrowBrowser();
  try {
    await steps(browser);
  } catch (e) {
    await showFailureState(browser, logs);
    throw e;
  } finally {
    await browser.close();
  }
}

Deno.test({
  name:
    "typed before the scripts arrive: sign-in, the booking form, first setup, calendar connection and admin search keep what was typed, ticked and picked",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: HOST } });
    const client = await signInByLink(app, HOST);
    await inBrowser(app.logs, async (browser) => {
      const guest = await (await browser.newContext()).newPage();
      const signIn: Step[] = [{ label: "Email address", fill: "someone@example.test" }];
      assert.deepEqual(await typeEarly(guest, `${app.baseUrl}/signin`, signIn), expected(signIn));
      // From tomorrow on: today's last time could pass while the form is typed in.
      const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 1 })).slots;
      const booking: Step[] = [
        { label: "Name", fill: "Early Bird" },
        { label: "Email", fill: "bird@example.test" },
      ];
      const bookingUrl = `${app.baseUrl}/calendar/demo/intro-call?tz=UTC&date=${
        slot.slice(0, 10)
      }&slot=${encodeURIComponent(slot)}`;
      assert.deepEqual(
        await typeEarly(await (await browser.newContext()).newPage(), bookingUrl, booking),
        expected(booking),
      );

      const ctx = await contextWithSession(browser, client);
      const page = await ctx.newPage();
      const setup: Step[] = [
        { label: "Display name", fill: "Early Typist" },
        { label: "Saturday", check: true },
        { label: "From", select: "08:00" },
        { label: "Title", fill: "Quick hello" },
        { label: "Duration", select: "45" },
      ];
      assert.deepEqual(
        await typeEarly(page, `${app.baseUrl}/dashboard/setup`, setup),
        expected(setup),
      );

      const calendars: Step[] = [
        { label: "Server address", fill: "http://127.0.0.1:9/dav/" },
        { label: "Username", fill: "me" },
        { label: "Password or app password", fill: "secret" },
      ];
      const calPage = await ctx.newPage();
      assert.deepEqual(
        await typeEarly(calPage, `${app.baseUrl}/dashboard/calendars`, calendars),
        expected(calendars),
      );
      const sent = calPage.waitForRequest((r) => r.method() === "POST");
      await calPage.getByRole("button", { name: "Connect account" }).click();
      const post = await sent;
      assert.equal(post.headers()["x-sveltekit-action"], "true", "sent by the running script");
      assert.match(post.postData() ?? "", /serverUrl=http%3A%2F%2F127\.0\.0\.1%3A9%2Fdav%2F/);

      const admin: Step[] = [{ label: "Name, username or address", fill: "demo" }];
      assert.deepEqual(
        await typeEarly(await ctx.newPage(), `${app.baseUrl}/admin`, admin),
        expected(admin),
      );
    });
  },
});

Deno.test({
  name:
    "typed before the scripts arrive: a selection or a caret placed before them stays where the person put it, so what they type next replaces the selection or goes in at the caret",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const client = await signInByLink(app, HOST);
    await inBrowser(app.logs, async (browser) => {
      // The Embed page's list of sites is a textarea rendered with "*": the host selects it all
      // to type their shop instead.
      const ctx = await contextWithSession(browser, client);
      const embed = await ctx.newPage();
      let release = await holdScripts(embed);
      await embed.goto(`${app.baseUrl}/dashboard/embed`, { waitUntil: "domcontentloaded" });
      const sites = embed.getByLabel("Allowed sites", { exact: true });
      await sites.click();
      await embed.keyboard.press("ControlOrMeta+A");
      release();
      await hydrated(embed);
      await embed.keyboard.type("https://shop.example");
      assert.equal(await sites.inputValue(), "https://shop.example");

      // A new host typed their name on the setup page, then went back to put an initial in.
      const setup = await ctx.newPage();
      release = await holdScripts(setup);
      await setup.goto(`${app.baseUrl}/dashboard/setup`, { waitUntil: "domcontentloaded" });
      const name = setup.getByLabel("Display name", { exact: true });
      await name.click();
      await setup.keyboard.press("ControlOrMeta+A");
      await setup.keyboard.type("Ann Lee");
      await setup.keyboard.press("Home");
      for (let i = 0; i < 3; i++) await setup.keyboard.press("ArrowRight");
      release();
      await hydrated(setup);
      await setup.keyboard.type(" B.");
      assert.equal(await name.inputValue(), "Ann B. Lee");

      // A field rendered with a value (the profile's name, at first the address before the @):
      // its text selected to be replaced. Svelte takes the server's `value` attribute off right
      // after hydrating, and writing the value back moved the caret to the end, after the
      // selection had been put back: the name typed next went in after the old one ("annAnn
      // Archer" in a fresh clone's teams test). The typing waits until the page has had a task
      // of its own after hydrating, as a person's next key does.
      const profile = await ctx.newPage();
      release = await holdScripts(profile);
      await profile.goto(`${app.baseUrl}/dashboard/profile`, { waitUntil: "domcontentloaded" });
      const shown = profile.getByLabel("Display name", { exact: true });
      const before = await shown.inputValue();
      assert.ok(before.length > 0, "the profile's name field is rendered with the name");
      await shown.click();
      await profile.keyboard.press("ControlOrMeta+A");
      release();
      await hydrated(profile);
      await profile.evaluate(() => new Promise((done) => setTimeout(done, 0)));
      await profile.keyboard.type("Ann Archer");
      assert.equal(await shown.inputValue(), "Ann Archer", `was rendered ${before}`);
    });
  },
});

Deno.test({
  name:
    "opened before the scripts arrive: a guest's settings line and the event type's further places stay open once the scripts run (hydration closed them, and the next click found nothing)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const client = await signInByLink(app, HOST);
    await inBrowser(app.logs, async (browser) => {
      /** Opens `url` with the scripts held, opens the <details>, lets the scripts run. */
      const openEarly = async (page: Page, url: string, testId: string) => {
        const release = await holdScripts(page);
        await page.goto(url, { waitUntil: "domcontentloaded" });
        const details = page.getByTestId(testId);
        await details.locator("summary").click();
        assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), true);
        release();
        await hydrated(page);
        return details;
      };
      const guest = await (await browser.newContext()).newPage();
      const settings = await openEarly(
        guest,
        `${app.baseUrl}/calendar/demo/intro-call`,
        "guest-settings",
      );
      assert.equal(await settings.evaluate((d) => (d as HTMLDetailsElement).open), true);
      // Still the person's to close.
      await settings.locator("summary").click();
      assert.equal(await settings.evaluate((d) => (d as HTMLDetailsElement).open), false);

      const ctx = await contextWithSession(browser, client);
      const editor = await ctx.newPage();
      const more = await openEarly(
        editor,
        `${app.baseUrl}/dashboard/event-types/new`,
        "more-locations",
      );
      assert.equal(await more.evaluate((d) => (d as HTMLDetailsElement).open), true);
      await more.getByRole("combobox").first().waitFor({ state: "visible", timeout: 5_000 });
    });
  },
});

Deno.test({
  name:
    "typed before the scripts arrive: a new team keeps its name and address and is created from them, and every text field of the other dashboard forms keeps its typing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const client = await signInByLink(app, HOST);
    await inBrowser(app.logs, async (browser) => {
      const ctx = await contextWithSession(browser, client);
      // The teams page copied its empty server values into the fields in an effect, once mounted:
      // the typing went, and the page tour's "Create team" (typed at once) failed on a CI run.
      const team: Step[] = [
        { label: "Team name", fill: "Early Birds" },
        { label: "Address", fill: "early-birds" },
      ];
      const teams = await ctx.newPage();
      assert.deepEqual(
        await typeEarly(teams, `${app.baseUrl}/dashboard/teams`, team),
        expected(team),
      );
      // The address typed before the scripts is the person's own: more of the name leaves it.
      await teams.getByLabel("Team name").press("End");
      await teams.getByLabel("Team name").pressSequentially(" Club");
      assert.equal(await teams.getByLabel("Address").inputValue(), "early-birds");
      await teams.getByRole("button", { name: "Create team" }).click();
      await teams.waitForURL(/\/dashboard\/teams\/[0-9A-Z]{26}\?created=1$/);
      await teams.getByRole("heading", { name: "Early Birds Club", level: 1 }).waitFor();
      const teamPath = new URL(teams.url()).pathname;

      // Each form whose address follows its name (shared/slug.ts): an address typed before the
      // scripts is the person's own and stays as more of the name is typed; one left empty then
      // follows the name. Each kept a flag set as the address was typed, which never saw it.
      for (
        const [path, nameLabel, addressLabel] of [
          ["/dashboard/teams", "Team name", "Address"],
          ["/dashboard/event-types/new", "Title", "URL slug"],
          ["/dashboard/routing", "Form name", "Address"],
        ]
      ) {
        const typed: Step[] = [
          { label: nameLabel, fill: "Early" },
          { label: addressLabel, fill: "my-own" },
        ];
        const page = await ctx.newPage();
        assert.deepEqual(await typeEarly(page, `${app.baseUrl}${path}`, typed), expected(typed));
        await page.getByLabel(nameLabel, { exact: true }).press("End");
        await page.getByLabel(nameLabel, { exact: true }).pressSequentially(" Birds");
        const address = page.getByLabel(addressLabel, { exact: true });
        assert.equal(await address.inputValue(), "my-own", `${path}: the typed address stays`);
        await address.fill("");
        await page.getByLabel(nameLabel, { exact: true }).pressSequentially("!");
        assert.equal(await address.inputValue(), "early-birds", `${path}: an empty one follows`);
        await page.close();
      }

      // Every editable text field of each form, typed into before its scripts (a field the page
      // hides once they run, such as a location's value while none is chosen, is not counted).
      const lost: string[] = [];
      for (
        const path of [
          "/dashboard/teams",
          "/dashboard/routing",
          "/dashboard/event-types/new",
          "/dashboard/profile",
          "/dashboard/developers",
          teamPath,
          `${teamPath}/event-types/new`,
          `${teamPath}/routing`,
        ]
      ) {
        const page = await ctx.newPage();
        const release = await holdScripts(page);
        await page.goto(`${app.baseUrl}${path}`, { waitUntil: "domcontentloaded" });
        const fields = page.locator(
          "input:is([type=text],[type=email],:not([type])):visible, textarea:visible",
        );
        const typed = new Map<string, string>();
        for (let i = 0; i < await fields.count(); i++) {
          const id = await fields.nth(i).getAttribute("id");
          if (!id || !await fields.nth(i).isEditable()) continue;
          const text = (await fields.nth(i).getAttribute("type")) === "email"
            ? `typed-${i}@example.test`
            : `Typed ${i}`;
          await fields.nth(i).fill(text);
          typed.set(id, text);
        }
        assert.ok(typed.size > 0, `${path} has text fields`);
        release();
        await hydrated(page);
        for (const [id, text] of typed) {
          const field = page.locator(`[id="${id}"]`);
          if (!await field.isVisible()) continue;
          const now = await field.inputValue();
          if (now !== text) lost.push(`${path} #${id}: typed "${text}", now "${now}"`);
        }
        await page.close();
      }
      assert.deepEqual(lost, []);
    });
  },
});

Deno.test({
  name:
    "typed before the scripts arrive: the zone a guest types on a booking page, and an invitee on a poll page, stays in its field",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    // The demo host's poll (its "quick-chat" type offers the times).
    const host = await signInByLink(app, "demo@invito.example");
    const picker = await host.get("/dashboard/polls?type=quick-chat");
    const form = new URLSearchParams({ type: "quick-chat", title: "Offsite" });
    for (const m of [...picker.body.matchAll(/name="start" value="([^"]+)"/g)].slice(0, 2)) {
      form.append("start", m[1]);
    }
    const made = await host.post("/dashboard/polls?/create", form);
    const poll = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    await inBrowser(app.logs, async (browser) => {
      // The page copied its zone into the field in an effect once mounted, over the typing.
      const typeZone = async (url: string, open?: string) => {
        const page = await (await browser.newContext()).newPage();
        const release = await holdScripts(page);
        await page.goto(url, { waitUntil: "domcontentloaded" });
        if (open) await page.getByTestId(open).locator("summary").click();
        await page.locator("#tz").fill("Tokyo");
        release();
        await hydrated(page);
        return await page.locator("#tz").inputValue();
      };
      assert.equal(
        await typeZone(`${app.baseUrl}/calendar/demo/intro-call?tz=UTC`, "guest-settings"),
        "Tokyo",
        "booking page",
      );
      assert.equal(await typeZone(`${app.baseUrl}${poll}?tz=UTC`), "Tokyo", "poll page");
    });
  },
});
