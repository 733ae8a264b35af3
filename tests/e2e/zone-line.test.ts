/**
 * The booking page's settings line names the guest's zone as a guest would — the city and its
 * offset ("Times in New York (GMT-5)") — not the database name "America/New York" (issue 35:
 * friendly names, on a line that has to fit a phone).
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
    assert.match(await get("tz=America%2FNew_York", "en-US"), /^Times in New York \(GMT-[45]\) · /);
    assert.match(await get("tz=Europe%2FBerlin", "de-DE"), /^Zeiten in Berlin \(GMT\+[12]\) · /);
    // The runtime's old alias never shows.
    assert.match(await get("tz=Asia%2FCalcutta", "en-GB"), /^Times in Kolkata \(GMT\+5:30\) · /);
    assert.match(await get("tz=UTC", "en-GB"), /^Times in UTC · /);
  },
});
