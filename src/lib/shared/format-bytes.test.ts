import assert from "node:assert/strict";
import { formatBytes } from "./format.ts";

Deno.test("formatBytes: a size in the reader's number format and unit (a decimal comma in German and French, “ko”/“Mo” in French)", () => {
  const mb = 1.5 * 1024 * 1024;
  assert.equal(formatBytes(mb, "en"), "1.5 MB");
  assert.equal(formatBytes(mb, "de"), "1,5 MB");
  assert.equal(formatBytes(mb, "fr"), "1,5\u202fMo");
  assert.equal(formatBytes(mb, "es"), "1,5 MB");
  assert.equal(formatBytes(1_234 * 1024, "de"), "1,2 MB");
  assert.equal(formatBytes(37 * 1024, "fr"), "37\u202fko");
  // A few bytes are never "0 kB".
  assert.equal(formatBytes(10, "en"), "1 kB");
});
