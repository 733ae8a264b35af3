/**
 * A CalDAV password changed on the server, as a host meets it on /dashboard/calendars (built
 * server, real Radicale): the sync says sign-in failed, and the host enters the new password on
 * the account itself — the same account, its choices kept (which calendars block, which receives
 * bookings), read again at once. Before, the only way was to remove the account and add it
 * again, which lost those choices and left written meetings behind: cancelling one later left
 * its event in the calendar (the account it was written through was gone).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Locator } from "playwright-core";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { chooseLanguage, finishMagicLink } from "../support/auth.ts";
import { startRadicale } from "../support/radicale.ts";
import { vnuErrors } from "../support/vnu.ts";
import {
  checkA11y,
  contextWithSession,
  hydrated,
  launchBrowser,
  screenshot,
  sidewaysScroll,
  trackPageErrors,
} from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const text = (html: string) =>
  html.replace(/<[^>]+>/g, " ").replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, "&").replace(
    /\s+/g,
    " ",
  );

Deno.test({
  ...opts,
  name:
    "caldav password changed on the server: the host enters the new one on the account (wrong one refused in their language), keeps its calendar choices and is read again",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await dav.mkcalendar("family", "Family");
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const c = createClient(app.baseUrl);
    const since = app.logs().length;
    await c.post("/signin?/email", {
      providerId: "email",
      email: "pw-host@example.test",
      next: "/dashboard",
    });
    const [link] = await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?(\S+)/, { since });
    await finishMagicLink(c, link);
    assert.equal(
      (await c.post("/dashboard/calendars?/add", {
        serverUrl: dav.url,
        username: dav.username,
        password: dav.password,
      })).status,
      200,
    );
    let page = (await c.get("/dashboard/calendars")).body;
    const ids = [...page.matchAll(/name="conflict" value="([0-9a-f]{20})"/g)].map((m) => m[1]);
    // Only "Work" blocks; bookings go to "Work" (listed second: "Family" sorts first).
    assert.equal(
      (await c.post("/dashboard/calendars?/save", { conflict: [ids[1]], writeback: ids[1] }))
        .status,
      200,
    );
    const accountId = page.match(/name="account" value="([0-9A-Z]{26})"/)![1];

    // The password changes on the server.
    await Deno.writeTextFile(
      join(dav.storageDir, "..", "users"),
      `${dav.username}:new-caldav-pass\n`,
    );
    const synced = await c.post("/dashboard/calendars?/sync", { account: accountId });
    assert.match(text(synced.body), /Sign-in failed/);

    const wrong = await c.post("/dashboard/calendars?/password&lang=de", {
      account: accountId,
      password: "still-wrong",
    });
    assert.equal(wrong.status, 400);
    assert.match(text(wrong.body), /Anmeldung fehlgeschlagen/);
    assert.ok(!wrong.body.includes("still-wrong"), "the password is never sent back");
    // Both as sent are valid HTML: the account saying sign-in failed, and the refusal beside the
    // field with the panel open (its error tied to the field).
    assert.deepEqual(
      await vnuErrors(
        new Map([["sign-in-failed", synced.body], ["password-refused.de", wrong.body]]),
      ),
      [],
    );

    const right = await c.post("/dashboard/calendars?/password", {
      account: accountId,
      password: "new-caldav-pass",
    });
    assert.equal(right.status, 200);
    assert.match(text(right.body), /New password saved/);
    page = (await c.get("/dashboard/calendars")).body;
    assert.equal(page.match(/name="account" value="([0-9A-Z]{26})"/)![1], accountId);
    assert.match(text(page), /Last successful sync: just now/);
    assert.doesNotMatch(text(page), /Sign-in failed/);
    // The choices are the host's as before.
    assert.match(page, new RegExp(`name="conflict" value="${ids[0]}"(?![^>]*checked)`));
    assert.match(page, new RegExp(`name="conflict" value="${ids[1]}"[^>]*checked`));
    assert.match(page, new RegExp(`name="writeback" value="${ids[1]}"[^>]*checked`));

    // In Chromium, in French and German at 360 px and on a desktop: the control, a refusal in
    // the host's language beside the field, then the new password taken.
    await Deno.writeTextFile(join(dav.storageDir, "..", "users"), `${dav.username}:third-pass\n`);
    const browser = await launchBrowser();
    try {
      const words = {
        fr: [
          "Nouveau mot de passe…",
          /^Échec de la connexion/,
          "Enregistrer le mot de passe",
          "Retirer…",
        ],
        de: ["Neues Passwort…", /^Anmeldung fehlgeschlagen/, "Passwort speichern", "Entfernen…"],
      } as const;
      // An opened menu's panel lies on the screen: at 360 px the buttons wrap, and a panel
      // hung from its button's right edge reached past the left one (label and button cut).
      const onScreen = async (panel: Locator, width: number, what: string) => {
        const box = await panel.boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= width,
          `${what} spans ${box?.x}…${box ? box.x + box.width : "?"} px of ${width}`,
        );
      };
      const username = /name="username"[^>]*value="([^"]+)"/.exec(
        (await c.get("/dashboard/profile")).body,
      )![1];
      const speak = async (locale: string) => {
        // The host reads the dashboard in their language (Profile → Language).
        await chooseLanguage(c, locale, { name: "Host", username, clock: "24h" });
      };
      for (const [lang, [menu, refused, save, remove]] of Object.entries(words)) {
        await speak(lang);
        for (const width of [360, 1280]) {
          const ctx = await contextWithSession(browser, c, {
            viewport: { width, height: 900 },
            locale: lang,
          });
          try {
            const p = await ctx.newPage();
            const errors = trackPageErrors(p);
            await p.goto(app.url("/dashboard/calendars"));
            // The scripted page (the refusal comes back without a page load, so no 400 in the
            // console); the form without scripts is the one posted above.
            await hydrated(p);
            await p.getByText(menu).click();
            const field = p.locator(`#password-input-${accountId}`);
            await field.fill("not-it");
            await p.getByRole("button", { name: save }).click();
            const error = p.locator("[data-password-error]");
            await error.waitFor();
            assert.match(await error.innerText(), refused);
            await onScreen(field.locator("xpath=.."), width, `${lang} password panel`);
            assert.equal(await sidewaysScroll(p), "");
            assert.deepEqual(await checkA11y(p), []);
            await screenshot(p, `calendars-new-password-${lang}-${width}`);
            await p.getByText(menu).click();
            await p.getByText(remove).click();
            await onScreen(
              p.locator(
                `[data-account="${accountId}"] details:has(> summary:text-is("${remove}")) > div`,
              ),
              width,
              `${lang} remove panel`,
            );
            assert.deepEqual(errors(), []);
          } finally {
            await ctx.close();
          }
        }
      }
      await speak("en");
      const ctx = await contextWithSession(browser, c, { viewport: { width: 360, height: 900 } });
      const p = await ctx.newPage();
      await p.goto(app.url("/dashboard/calendars"));
      await p.getByText("New password…").click();
      await p.locator(`#password-input-${accountId}`).fill("third-pass");
      await p.getByRole("button", { name: "Save password" }).click();
      await p.getByText("New password saved; the calendars were read again").waitFor();
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});
