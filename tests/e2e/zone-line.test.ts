/**
 * The booking page's settings line names the guest's zone as a guest would — the city and its
 * offset ("Times in New York (GMT-5)") — not the database name "America/New York" (issue 35:
 * friendly names, on a line that has to fit a phone), and the clock by its name ("12-hour
 * clock"): a sample time there ("· 1:00 PM") read as the time now.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";

const line = (html: string) =>
  /data-testid="settings-line"[^>]*>([^<]*)/.exec(html)?.[1]?.replace(/\s+/g, " ").trim() ?? "";

Deno.test({
  name:
    "booking page: the settings line names the guest's zone by its city and offset, in the page's language",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const get = async (q: string, lang: string) =>
      line(
        await (await fetch(app.url(`/calendar/demo/intro-call?${q}`), {
          headers: { "accept-language": lang },
        })).text(),
      );
    assert.match(
      await get("tz=America%2FNew_York", "en-US"),
      /^Times in New York \(GMT\u2212[45]\) · /,
    );
    assert.match(await get("tz=Europe%2FBerlin", "de-DE"), /^Zeiten in Berlin \(GMT\+[12]\) · /);
    // The runtime's old alias never shows.
    assert.match(await get("tz=Asia%2FCalcutta", "en-GB"), /^Times in Kolkata \(GMT\+5:30\) · /);
    assert.match(await get("tz=UTC", "en-GB"), /^Times in UTC · /);
    // The clock is named, not shown as a time of day ("· 1:00 PM" read as the time now).
    assert.match(await get("tz=America%2FNew_York", "en-US"), / · 12-hour clock$/);
    assert.match(await get("tz=Europe%2FBerlin", "de-DE"), / · 24-Stunden-Format$/);
    assert.match(await get("tz=Europe%2FBerlin&clock=12h", "de-DE"), / · 12-Stunden-Format$/);
    // French says whose hours they are without "Heures en Paris" (not French).
    assert.match(
      await get("tz=Europe%2FParis", "fr-FR"),
      /^Fuseau horaire : Paris \(GMT\+[12]\) · format 24 h$/,
    );
    assert.match(
      await get("tz=Asia%2FTokyo", "es-ES"),
      /^Horas en Tokyo .* · formato de 24 horas$/,
    );
  },
});

Deno.test({
  name:
    "guessed clock mark: <html> names a language only when it writes the page's clock, the same for every visitor a kept page is shown to, and never echoes a browser's header",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const mark = async (acceptLanguage: string) => {
      const res = await fetch(app.url("/calendar/demo/intro-call"), {
        headers: { "accept-language": acceptLanguage },
      });
      const html = await res.text();
      assert.equal(res.status, 200);
      return { html, lang: /data-guessed-lang="([^"]*)"/.exec(html)?.[1] ?? null };
    };
    // Junk first: the page kept for these words and this clock must not carry it to others.
    const junk = await mark('"><b>x</b>');
    assert.equal(junk.lang, null);
    assert.ok(!junk.html.includes("&lt;b&gt;x"), "the header was written into the page");
    // English writes 12-hour times: its page is another kept page, marked with its language;
    // the junk's (English words, 24-hour times from a tag Intl refuses) stays unmarked.
    assert.equal((await mark("en")).lang, "en");
    assert.equal((await mark('"><b>x</b>')).lang, null);
    // Two browsers that differ only after their first language get the same, true mark.
    assert.equal((await mark("de-DE")).lang, "de-DE");
    assert.equal((await mark("de-DE,en;q=0.5")).lang, "de-DE");
  },
});
