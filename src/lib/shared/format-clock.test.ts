import assert from "node:assert/strict";
import {
  civilDateLabel,
  clockForAcceptLanguage,
  clockForLocale,
  decideClock,
  firstDayOfWeek,
  formatDate,
  formatDateTime,
  formatDuration,
  formatMinutes,
  formatNumber,
  formatRange,
  formatTime,
  initialClock,
  monthLabel,
  parseClock,
  weekdayNames,
} from "./format.ts";

Deno.test("clock: a guest's language decides 12- or 24-hour times; anything odd falls back to 24-hour", () => {
  assert.equal(clockForAcceptLanguage("en-US,en;q=0.9"), "12h");
  assert.equal(clockForAcceptLanguage("en-GB,en;q=0.8"), "24h");
  assert.equal(clockForAcceptLanguage("de-DE"), "24h");
  assert.equal(clockForAcceptLanguage("hi-IN"), "12h");
  for (const odd of [null, "", "*", "x".repeat(200), "not a tag!", ";q=1"]) {
    assert.equal(clockForAcceptLanguage(odd), "24h", String(odd));
  }
  assert.equal(clockForLocale("en-AU"), "12h");
  assert.equal(parseClock("12h"), "12h");
  assert.equal(parseClock("12"), null);
});

Deno.test("clock: the same instant on either clock, in the reader's zone and locale, across midnight and noon", () => {
  const t = Date.parse("2026-11-23T17:05:00Z"); // 12:05 in New York
  assert.equal(formatTime(t, "America/New_York", "12h", "en-US").replace(/\s/u, " "), "12:05 PM");
  assert.equal(formatTime(t, "America/New_York"), "12:05");
  const m = Date.parse("2026-11-23T05:30:00Z"); // 00:30 in New York
  assert.equal(formatTime(m, "America/New_York", "12h", "en-US").replace(/\s/u, " "), "12:30 AM");
  assert.equal(formatTime(m, "America/New_York", "24h", "en-US"), "00:30");
  assert.match(
    formatDateTime(t, "America/New_York", "12h", "en-US"),
    /^Monday, November 23, 2026 at 12:05\sPM$/,
  );
  assert.match(
    formatRange(t, t + 45 * 60_000, "America/New_York", "12h", "en-US"),
    /^Monday, November 23, 2026, 12:05\sPM–12:50\sPM \(America\/New York, GMT-5\)$/,
  );
  // A German reader who chose the 12-hour clock keeps German words around it.
  assert.match(
    formatDateTime(t, "Europe/Berlin", "12h", "de"),
    /^Montag, 23\. November 2026 um 6:05\sPM$/,
  );
});

Deno.test("dates: each reader gets their own order, words and first day of the week from Intl", () => {
  const t = Date.parse("2026-11-25T15:00:00Z");
  assert.equal(formatDate(t, "America/New_York", "en-US"), "Wednesday, November 25, 2026");
  assert.equal(formatDate(t, "Europe/Berlin", "de-DE"), "Mittwoch, 25. November 2026");
  assert.equal(formatDate(t, "Europe/Paris", "fr"), "mercredi 25 novembre 2026");
  assert.equal(formatDate(t, "Europe/Madrid", "es"), "miércoles, 25 de noviembre de 2026");
  assert.equal(formatDate(t, "Europe/London", "en-GB"), "Wednesday, 25 November 2026");
  assert.equal(civilDateLabel("2026-11-25", false, "de"), "Mittwoch, 25. November");
  assert.equal(monthLabel("2026-11", "es"), "noviembre de 2026");
  assert.equal(weekdayNames("de", "short")[1], "Mo");
  assert.equal(weekdayNames("fr", "long")[7], "dimanche");
  assert.equal(firstDayOfWeek("en-US"), 7);
  assert.equal(firstDayOfWeek("en"), 7);
  assert.equal(firstDayOfWeek("de"), 1);
  assert.equal(firstDayOfWeek("en-GB"), 1);
  assert.equal(firstDayOfWeek("es-MX"), 7);
  assert.equal(firstDayOfWeek("not a tag"), 1);
});

Deno.test("numbers and lengths of time are written the reader's way", () => {
  assert.equal(formatNumber(1234.5, "en-US"), "1,234.5");
  assert.equal(formatNumber(1234.5, "de"), "1.234,5");
  assert.equal(formatMinutes(30, "en"), "30 minutes");
  assert.equal(formatMinutes(30, "de"), "30 Minuten");
  assert.equal(formatMinutes(120, "fr").replace(/\s/u, " "), "2 heures");
  assert.equal(formatMinutes(1440, "es"), "1 día");
  assert.equal(formatMinutes(45, "de", "short"), "45 Min.");
  assert.equal(formatDuration(86_400_000, "en"), "24 hours");
  assert.equal(formatDuration(7 * 86_400_000, "de"), "7 Tage");
  assert.equal(formatDuration(90_000, "fr").replace(/\s/u, " "), "90 secondes");
});

Deno.test("formatRange: a meeting across the DST night names each end's offset; one offset otherwise", () => {
  // Berlin springs forward on 2027-03-28 at 02:00: 01:30 CET (00:30Z) + 45 min is 03:15 CEST.
  const spring = Date.parse("2027-03-28T00:30:00Z");
  assert.equal(
    formatRange(spring, spring + 45 * 60_000, "Europe/Berlin", "24h", "en"),
    "Sunday, March 28, 2027, 01:30 GMT+1 – 03:15 GMT+2 (Europe/Berlin)",
  );
  // And back on 2026-10-25 at 03:00: 02:30 CEST (00:30Z) + 45 min is 02:15 CET.
  const autumn = Date.parse("2026-10-25T00:30:00Z");
  assert.equal(
    formatRange(autumn, autumn + 45 * 60_000, "Europe/Berlin", "24h", "de"),
    "Sonntag, 25. Oktober 2026, 02:30 GMT+2 – 02:15 GMT+1 (Europe/Berlin)",
  );
  // New York (12-hour) and Lord Howe's half-hour change alike.
  const ny = Date.parse("2027-03-14T06:30:00Z"); // 01:30 EST
  assert.match(
    formatRange(ny, ny + 60 * 60_000, "America/New_York", "12h", "en-US"),
    /^Sunday, March 14, 2027, 1:30\sAM GMT-5 – 3:30\sAM GMT-4 \(America\/New York\)$/,
  );
  const lh = Date.parse("2026-10-03T15:00:00Z"); // 01:30 +10:30 on Lord Howe, 2:00 → 2:30
  assert.equal(
    formatRange(lh, lh + 60 * 60_000, "Australia/Lord_Howe", "24h", "en"),
    "Sunday, October 4, 2026, 01:30 GMT+10:30 – 03:00 GMT+11 (Australia/Lord Howe)",
  );
  // The same offset at both ends: as before.
  const calm = Date.parse("2027-03-28T08:00:00Z");
  assert.equal(
    formatRange(calm, calm + 45 * 60_000, "Europe/Berlin", "24h", "en"),
    "Sunday, March 28, 2027, 10:00–10:45 (Europe/Berlin, GMT+2)",
  );
});

Deno.test("clock: a new account starts on 'auto' unless its browser wrote another clock than its language", () => {
  assert.deepEqual(initialClock(undefined, "de"), { clock: "24h", clockAuto: true });
  assert.deepEqual(initialClock("12h", "en-US"), { clock: "12h", clockAuto: true });
  assert.deepEqual(initialClock("24h", "en-US"), { clock: "24h", clockAuto: false });
  // "auto" follows the language it is given; a fixed clock stays; no choice keeps the setting.
  assert.deepEqual(decideClock({ clock: "24h", clockAuto: true }, undefined, "en-US"), {
    clock: "12h",
    clockAuto: true,
  });
  assert.deepEqual(decideClock({ clock: "24h" }, undefined, "en-US"), {
    clock: "24h",
    clockAuto: false,
  });
  assert.deepEqual(decideClock({ clock: "24h" }, "auto", "en-US"), {
    clock: "12h",
    clockAuto: true,
  });
  assert.deepEqual(decideClock({ clock: "12h", clockAuto: true }, "12h", "de"), {
    clock: "12h",
    clockAuto: false,
  });
});
