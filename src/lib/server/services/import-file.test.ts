import assert from "node:assert/strict";
import { MAX_CONTAINERS, MAX_DEPTH, readExportFile, scanExportShape } from "./import-file.ts";

const enc = new TextEncoder();
const head = '{"format":"invito-host-export","version":1,';

Deno.test("import file scan: hostile shapes are refused before anything is parsed, quickly and in bounded memory", () => {
  const cases: [string, string, string][] = [
    ["31 M levels of arrays", head + '"bookings":' + "[".repeat(1_000_000), "too_deep"],
    ["one level too deep", head + '"source":' + "[".repeat(MAX_DEPTH), "too_deep"],
    [
      "empty objects in a field of its own",
      head + '"junk":[' + "{},".repeat(100_000) + "{}]}",
      "unknown_field",
    ],
    ["a top-level array", "[" + "[]".repeat(10) + "]", "not_object"],
    ["a key too long", head + '"profile":{"' + "k".repeat(500) + '":1}}', "long_name"],
    ["an endless list", head + '"eventTypes":[' + "1,".repeat(200_000) + "1]}", "too_long"],
    [
      "millions of empty objects spread over lists",
      head + '"eventTypes":[' +
      ("[" + "{},".repeat(90_000) + "{}],").repeat(Math.ceil(MAX_CONTAINERS / 90_000)) + "[]]}",
      "too_many_parts",
    ],
  ];
  for (const [what, text, problem] of cases) {
    const t0 = performance.now();
    const r = scanExportShape(enc.encode(text));
    assert.equal(r.ok ? "ok" : r.problem, problem, what);
    assert.ok(performance.now() - t0 < 5_000, what);
  }
  // Keys with escapes are read as JSON reads them; strings may hold any punctuation.
  assert.deepEqual(
    scanExportShape(
      enc.encode('{"\\u0066ormat":"x","source":"[[[{{{\\"]]]","profile":{"a":[1,[2]]}}'),
    ),
    { ok: true },
  );
});

Deno.test("import file: another app's file, a field an export lacks and too many bookings each get their own refusal", () => {
  const key = (text: string) => {
    const r = readExportFile(enc.encode(text));
    return r.ok ? "ok" : r.refusal.key;
  };
  assert.equal(key('{"bookings":[],"users":[]}'), "import.not_export");
  assert.equal(key(head + '"users":[]}'), "import.unknown_field");
  assert.equal(key(head + '"bookings":[' + "{},".repeat(100_000) + "{}]}"), "import.too_many");
  assert.equal(key(head + '"bookings":' + "[".repeat(100)), "import.too_complex");
  assert.equal(key("{"), "import.not_json");
});
