import assert from "node:assert/strict";
import {
  clockForAcceptLanguage,
  clockForLocale,
  formatDateTime,
  formatRange,
  formatTime,
  parseClock,
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

Deno.test("clock: the same instant on either clock, in the reader's zone, across midnight and noon", () => {
  const t = Date.parse("2026-11-23T17:05:00Z"); // 12:05 in New York
  assert.equal(formatTime(t, "America/New_York", "12h").replace(/\s/u, " "), "12:05 PM");
  assert.equal(formatTime(t, "America/New_York"), "12:05");
  const m = Date.parse("2026-11-23T05:30:00Z"); // 00:30 in New York
  assert.equal(formatTime(m, "America/New_York", "12h").replace(/\s/u, " "), "12:30 AM");
  assert.equal(formatTime(m, "America/New_York", "24h"), "00:30");
  assert.match(
    formatDateTime(t, "America/New_York", "12h"),
    /^Monday, 23 November 2026 at 12:05\sPM$/,
  );
  assert.match(
    formatRange(t, t + 45 * 60_000, "America/New_York", "12h"),
    /^Monday, 23 November 2026, 12:05\sPM–12:50\sPM \(America\/New York, GMT-5\)$/,
  );
});
