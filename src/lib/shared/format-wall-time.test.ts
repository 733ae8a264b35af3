import assert from "node:assert/strict";
import { formatWallTime } from "./format.ts";
import { summarizeWeekly } from "./forms/availability.ts";
import { createTranslator, PSEUDO_LOCALE } from "./i18n.ts";
import en from "../messages/en.json" with { type: "json" };
import de from "../messages/de.json" with { type: "json" };
import fr from "../messages/fr.json" with { type: "json" };
import es from "../messages/es.json" with { type: "json" };

const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

Deno.test("formatWallTime: the end of the day on a 12-hour clock is midnight, never the 12:00 AM a day starts with", () => {
  assert.equal(plain(formatWallTime("00:00", "12h", "en-US")), "12:00 AM");
  assert.equal(formatWallTime("24:00", "12h", "en-US"), "midnight");
  assert.notEqual(formatWallTime("24:00", "12h", "en-US"), formatWallTime("00:00", "12h", "en-US"));
  assert.equal(plain(formatWallTime("23:30", "12h", "en-US")), "11:30 PM");
  // A 24-hour clock writes it as it is.
  assert.equal(formatWallTime("24:00", "24h", "en-US"), "24:00");
  assert.equal(formatWallTime("24:00", "24h", "de"), "24:00");
  // In the reader's language, from the catalogs' own words.
  for (const [locale, catalog] of [["en-GB", en], ["de-DE", de], ["fr", fr], ["es-MX", es]]) {
    const words = (catalog as Record<string, string>)["common.midnight"];
    assert.ok(words, `${locale}: common.midnight in the catalog`);
    assert.equal(formatWallTime("24:00", "12h", locale as string), words, `${locale}`);
  }
  // The pseudo-locale (tests/e2e/pseudo-locale.e2e.test.ts) gets what its translator writes.
  assert.equal(
    formatWallTime("24:00", "12h", PSEUDO_LOCALE),
    createTranslator(PSEUDO_LOCALE, en).t("common.midnight"),
  );
});

Deno.test("summarizeWeekly: all day every day on a 12-hour clock reads from 12:00 AM to midnight", () => {
  const allDay = [{ start: "00:00", end: "24:00" }];
  const weekly = { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay };
  const [line] = summarizeWeekly(weekly, "en-US", "12h");
  assert.equal(plain(line.hours ?? ""), "12:00 AM–midnight");
  assert.equal(summarizeWeekly(weekly, "en-GB", "24h")[0].hours, "00:00–24:00");
});
