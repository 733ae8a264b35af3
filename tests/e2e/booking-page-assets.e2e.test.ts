/**
 * What a guest's phone downloads for the booking page: the messages of their language that
 * public pages show, already parsed (ADR 057), and nothing of the other languages, of the
 * dashboard (ADR 028) or of the ICU parser. Then the page still works in that language after
 * hydration, and switching language loads the new one.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import { CATALOGS } from "../../src/lib/server/i18n.ts";
import { isPublicKey } from "../../src/lib/shared/catalog-parts.ts";
import { LANGUAGES } from "../../src/lib/shared/i18n.ts";
import { datePath, fullDay } from "../support/slots.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/**
 * The scripts' text with JavaScript's character escapes read: the build writes every character
 * past ASCII as one (vite.config.ts, `charset: "ascii"`), so "Grüße" is `Gr\xFC\xDFe` there.
 */
const unescaped = (js: string) =>
  js.replace(
    /\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g,
    (_, cp, u, x) => String.fromCodePoint(parseInt(cp ?? u ?? x, 16)),
  );

/**
 * A message of `lang`, public or not, whose text no other language and no message of the other
 * part uses (so finding it in a script names exactly what was downloaded).
 */
function marker(lang: (typeof LANGUAGES)[number], pub: boolean): string {
  const texts = (l: string, p: boolean) =>
    Object.entries(CATALOGS[l as typeof lang]).filter(([k]) => isPublicKey(k) === p).map(([, v]) =>
      v
    );
  const elsewhere = new Set([
    ...LANGUAGES.filter((l) => l !== lang).flatMap((l) => [...texts(l, true), ...texts(l, false)]),
    ...texts(lang, !pub),
  ]);
  const key = Object.keys(CATALOGS[lang]).find((k) =>
    isPublicKey(k) === pub && CATALOGS[lang][k].length > 25 &&
    !/[{<'"`\\]/.test(CATALOGS[lang][k]) &&
    ![...elsewhere].some((text) => text.includes(CATALOGS[lang][k]))
  );
  assert.ok(key, `no marker message for ${lang}`);
  return CATALOGS[lang][key];
}

Deno.test({
  ...opts,
  name:
    "e2e booking page assets: a German guest downloads German public messages only (no other language, no dashboard text), and a switch to French loads French",
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      const ctx = await browser.newContext({ timezoneId: "America/New_York", locale: "de-DE" });
      const page = await ctx.newPage();
      const errors = trackPageErrors(page);
      await page.route(/\/_app\/immutable\/.*\.js/, async (r) => {
        await new Promise((res) => setTimeout(res, 1500));
        await r.continue();
      });
      const scripts: Promise<string>[] = [];
      page.on("response", (r) => {
        // A body the page stopped reading (its first document sent on to the guest's zone) or
        // one still arriving when the browser closes reads as nothing, not as an error later.
        if (r.request().resourceType() === "script") scripts.push(r.text().catch(() => ""));
      });
      // A full day from tomorrow on: the page's own first day may be today, whose first time can
      // pass before the click below. No `tz`: the page finds the browser's zone itself.
      const { date } = await fullDay(app.baseUrl, "/calendar/demo/intro-call", {
        tz: "America/New_York",
      });
      await page.goto(app.url(datePath("/calendar/demo/intro-call", date)));
      await page.locator("a[data-slot]").first().waitFor();
      await page.waitForURL(/tz=America%2FNew_York/, { waitUntil: "commit" });
      // The times are in the server's HTML; the scripts that bring the messages may still be on
      // their way until the page runs them (on a loaded box, long after the first time shows).
      await hydrated(page);
      const js = unescaped((await Promise.all(scripts)).join("\n"));

      assert.ok(js.includes(marker("de", true)), "the German public messages");
      for (const lang of LANGUAGES.filter((l) => l !== "de")) {
        assert.ok(!js.includes(marker(lang, true)), `${lang} messages downloaded`);
      }
      assert.ok(!js.includes(marker("de", false)), "dashboard messages downloaded");
      // The messages come parsed (ADR 057), so the ICU parser is not among the page's scripts.
      assert.doesNotMatch(js, /parseArgument|EXPECT_ARGUMENT_CLOSING_BRACE/, "the ICU parser");

      // Hydrated, in German: picking a day and a time says so in German.
      await page.locator("a[data-slot]").first().click();
      await page.locator("#details-heading").waitFor();
      assert.equal(
        (await page.locator("#details-heading").textContent())?.trim(),
        CATALOGS.de["booking.your_details"],
      );

      // The language switch (a client-side navigation) brings French.
      const before = scripts.length;
      // The zone, clock and language settings fold into one line that opens on demand.
      await page.getByTestId("settings-line").click();
      await page.getByRole("link", { name: "Français" }).click();
      await page.waitForURL(/lang=fr/, { waitUntil: "commit" });
      await page.locator("#details-heading").filter({
        hasText: CATALOGS.fr["booking.your_details"],
      }).waitFor();
      assert.equal(await page.locator("html").getAttribute("lang"), "fr");
      const later = unescaped((await Promise.all(scripts.slice(before))).join("\n"));
      assert.ok(later.includes(marker("fr", true)), "the French public messages");
      assert.ok(!later.includes(marker("fr", false)), "French dashboard messages downloaded");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
