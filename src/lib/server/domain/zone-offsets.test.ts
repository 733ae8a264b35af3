import assert from "node:assert/strict";
import { OFFSET_SAMPLE_STEP_MS, offsetSamples } from "./zone-offsets.ts";

const NOV_2026 = Date.UTC(2026, 10, 26, 2);

Deno.test("offsetSamples: a year of offsets, 30 days apart, as a browser's Date reports them east of UTC", () => {
  const berlin = offsetSamples("Europe/Berlin", NOV_2026);
  assert.equal(berlin.length, 13);
  assert.equal(berlin[0], 60); // winter
  assert.ok(berlin.includes(120)); // summer
  // The same zone rules under another name give the same list; another hemisphere does not.
  assert.deepEqual(offsetSamples("Europe/Paris", NOV_2026), berlin);
  assert.notDeepEqual(offsetSamples("Africa/Lagos", NOV_2026), berlin); // +1 all year
  assert.notDeepEqual(offsetSamples("Europe/London", NOV_2026), berlin);
  assert.deepEqual(new Set(offsetSamples("Asia/Kolkata", NOV_2026)), new Set([330]));
  assert.deepEqual(new Set(offsetSamples("America/St_Johns", NOV_2026)), new Set([-210, -150]));
  assert.equal(offsetSamples("UTC", NOV_2026 + 5 * OFFSET_SAMPLE_STEP_MS)[12], 0);
});

Deno.test("app.html's head script steps through the offsets as offsetSamples does", () => {
  const html = Deno.readTextFileSync(new URL("../../../app.html", import.meta.url));
  const step = /new Date\(from \+ i \* ([0-9.e]+)\)/.exec(html)?.[1];
  assert.equal(Number(step), OFFSET_SAMPLE_STEP_MS);
});
