import assert from "node:assert/strict";
import {
  civilDateLabel,
  clockForLocale,
  formatNumber,
  formatTime,
  monthLabel,
  pluralCategory,
  zoneOffset,
} from "./format.ts";
import {
  FORMATS_ELEMENT_ID,
  readWrittenFormats,
  recordFormats,
  takeFormats,
} from "./written-formats.ts";
import { createTranslator } from "./i18n.ts";

/** A page as the browser has it: the server's block, and `<html>`'s marks. */
function pageWith(block: string, dataset: Record<string, string> = {}) {
  const json = /^<script type="application\/json" id="([^"]+)">(.*)<\/script>$/s.exec(block);
  return {
    getElementById: (id: string) => json && id === json[1] ? { textContent: json[2] } : null,
    documentElement: { dataset },
  };
}

const t0 = Date.UTC(2026, 10, 26, 13, 30);

Deno.test("written formats: the server's render records its answers into one inert JSON block, and only while it renders", () => {
  readWrittenFormats(null);
  formatTime(t0, "Europe/Berlin", "24h", "de-DE"); // before: not recorded
  recordFormats();
  const time = formatTime(t0, "America/New_York", "12h", "en-US");
  const month = monthLabel("2026-12", "fr-FR");
  const offset = zoneOffset(t0, "Asia/Kolkata");
  const block = takeFormats();
  assert.equal(takeFormats(), "", "recording did not stop");
  const m = new RegExp(`^<script type="application/json" id="${FORMATS_ELEMENT_ID}">(.*)</script>$`)
    .exec(block);
  assert.ok(m, block);
  const answers = Object.values(JSON.parse(m[1]));
  assert.deepEqual(answers.sort(), [time, month, offset].sort());
  assert.match(time, /^8:30\s?AM$/u);
  assert.equal(offset, "GMT+5:30");
});

Deno.test("written formats: nothing a format is asked can end the block early", () => {
  recordFormats();
  formatNumber(1, "</script><script>alert(1)</script>");
  const block = takeFormats();
  assert.equal(block.indexOf("</script>"), block.length - "</script>".length, block);
  assert.doesNotMatch(block.slice(block.indexOf(">") + 1, -9), /</);
  readWrittenFormats(pageWith(block));
  assert.equal(formatNumber(1, "</script><script>alert(1)</script>"), "1");
  readWrittenFormats(null);
});

Deno.test("written formats: the browser answers from the page's block (no Intl object for them) and formats the rest itself", () => {
  recordFormats();
  const served = {
    time: formatTime(t0, "Europe/Paris", "24h", "fr-FR"),
    day: civilDateLabel("2026-11-26", false, "es-ES"),
  };
  const block = takeFormats();
  readWrittenFormats(pageWith(block));
  assert.equal(formatTime(t0, "Europe/Paris", "24h", "fr-FR"), served.time);
  assert.equal(civilDateLabel("2026-11-26", false, "es-ES"), served.day);
  // An answer taken from the page is the page's, whatever this runtime's ICU would say.
  const key = `t|${t0}|Europe/Paris|24h|fr-FR`;
  readWrittenFormats(pageWith(block.replace(`"${key}":"${served.time}"`, `"${key}":"(page)"`)));
  assert.equal(formatTime(t0, "Europe/Paris", "24h", "fr-FR"), "(page)");
  // A question the page did not answer is formatted here.
  assert.equal(formatTime(t0 + 3_600_000, "Europe/Paris", "24h", "fr-FR"), "15:30");
  // A broken block costs nothing but the saving.
  readWrittenFormats(
    pageWith(`<script type="application/json" id="${FORMATS_ELEMENT_ID}">{oops</script>`),
  );
  assert.equal(formatTime(t0, "Europe/Paris", "24h", "fr-FR"), served.time);
  readWrittenFormats(null);
});

Deno.test("written formats: the translator's plurals come from the page too, and a clock the page vouches for needs no Intl", () => {
  const en = createTranslator("en-US", { "x.n": "{count, plural, one {# seat} other {# seats}}" });
  recordFormats();
  assert.equal(en.t("x.n" as never, { count: 1 }), "1 seat");
  const block = takeFormats();
  assert.match(block, /"p\|1\|cardinal\|en-US":"one"/);
  readWrittenFormats(
    pageWith(block.replace('"p|1|cardinal|en-US":"one"', '"p|1|cardinal|en-US":"other"')),
  );
  assert.equal(pluralCategory("en-US", 1), "other");
  readWrittenFormats(null);
  assert.equal(pluralCategory("en-US", 1), "one");
  // `<html data-guessed-lang data-guessed-clock>`: that language writes that clock.
  const tag = "de-AT-x-written";
  readWrittenFormats(pageWith("", { guessedLang: tag, guessedClock: "12h" }));
  assert.equal(clockForLocale(tag), "12h");
  readWrittenFormats(pageWith("", { guessedLang: "en-US", guessedClock: "noon" }));
  assert.equal(clockForLocale("en-US"), "12h");
  readWrittenFormats(null);
});

Deno.test("written formats: a page with thousands of formats carries at most 16,000 characters of them and formats the rest in the browser", () => {
  recordFormats();
  for (let n = 0; n < 5000; n++) formatNumber(n + 0.5, "de-DE");
  const block = takeFormats();
  const json = block.slice(block.indexOf(">") + 1, -"</script>".length);
  const answers = JSON.parse(json) as Record<string, string>;
  assert.ok(json.length <= 16_100, `${json.length} characters`);
  assert.ok(Object.keys(answers).length > 100, "too few answers recorded");
  readWrittenFormats(pageWith(block));
  assert.equal(formatNumber(4999.5, "de-DE"), "4.999,5");
  readWrittenFormats(null);
});
