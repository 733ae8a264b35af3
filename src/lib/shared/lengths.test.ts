import assert from "node:assert/strict";
import { formatLengths } from "./lengths.ts";

Deno.test("formatLengths: every length a type offers, as each language lists choices (English without a serial comma)", () => {
  assert.equal(formatLengths([15, 30, 90], "en-US"), "15 min, 30 min or 90 min");
  assert.equal(formatLengths([15, 30, 90], "de-DE"), "15 Min., 30 Min. oder 90 Min.");
  assert.match(formatLengths([15, 30], "fr"), /^15\s+min ou 30\s+min$/u);
  assert.equal(formatLengths([30], "es"), "30 min");
  assert.equal(formatLengths([60], "en-XA"), "1 hr");
});
