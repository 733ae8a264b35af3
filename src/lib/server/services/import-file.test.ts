import assert from "node:assert/strict";
import {
  MAX_CONTAINERS,
  MAX_DEPTH,
  MAX_KEYS,
  readExportFile,
  scanExportShape,
} from "./import-file.ts";

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

Deno.test("import file: an object with more fields than any part of an export has is refused by the scan", () => {
  const wide = (n: number) =>
    head + '"polls":[{' + Array.from({ length: n }, (_, i) => `"k${i}":0`).join(",") + "}]}";
  assert.deepEqual(scanExportShape(enc.encode(wide(MAX_KEYS))), { ok: true });
  const r = scanExportShape(enc.encode(wide(MAX_KEYS + 1)));
  assert.equal(r.ok ? "ok" : r.problem, "too_many_keys");
  const read = readExportFile(enc.encode(wide(100_000)));
  assert.equal(read.ok ? "ok" : read.refusal.key, "import.too_many_fields");
});

Deno.test("import file: what crosses to the request thread is what the import uses — fields a part does not have are dropped, event types and forms arrive checked, polls and links as counts, routing responses not at all", () => {
  const file = {
    format: "invito-host-export",
    version: 1,
    profile: { username: "ann", name: "Ann", timeZone: "UTC", junk: "p" },
    eventTypes: [{
      id: "et1",
      slug: "call",
      title: "Call",
      description: "",
      durationMin: 30,
      requiresConfirmation: false,
      bookingWindowDays: 30,
      color: "#2563eb",
      active: true,
      confirmedMessage: "",
      rejectedMessage: "",
      junk: { deep: ["e"] },
    }, { slug: "bad", durations: "all of them" }],
    availability: {
      v: 1,
      weekly: { "1": [{ start: "09:00", end: "17:00", junk: "r" }], junk: "w" },
      overrides: [{ date: "2030-01-01", ranges: [], junk: "o" }],
      timeOff: [{ from: "2030-02-01", to: "2030-02-02", junk: "t" }],
    },
    routingForms: [{
      slug: "ask",
      title: "Ask",
      junk: "f",
      definition: {
        questions: [{ key: "size", type: "number", label: "Size", required: false, junk: "q" }],
        routes: [],
        fallback: { kind: "message", text: "Thanks!", junk: "d" },
      },
    }, { slug: "broken", definition: 7 }],
    polls: [{ id: "p1", junk: "poll" }, {}],
    oneOffLinks: [{ junk: "link" }],
    routingResponses: [{ formSlug: "ask", answers: { size: "junk" } }],
    bookings: [],
  };
  const r = readExportFile(enc.encode(JSON.stringify(file)));
  assert.ok(r.ok, JSON.stringify(r));
  assert.doesNotMatch(JSON.stringify(r.file), /junk/);
  assert.equal(r.file.polls, 2);
  assert.equal(r.file.oneOffLinks, 1);
  assert.equal(r.file.eventTypes[0].input?.slug, "call");
  assert.equal(r.file.eventTypes[0].id, "et1");
  assert.equal(r.file.eventTypes[1].input, null);
  assert.deepEqual(r.file.eventTypes[1].problem, "unreadable");
  assert.deepEqual(r.file.routingForms.map((f) => [f.slug, f.ok]), [["ask", true], [
    "broken",
    false,
  ]]);
  assert.deepEqual(r.file.availability?.weekly["1"], [{ start: "09:00", end: "17:00" }]);
  // What the Worker posts is plain data a structured clone carries as it is.
  assert.deepEqual(structuredClone(r.file), r.file);
});

Deno.test("import file: an export with more routing responses than any array an import reads may hold is read, the responses set aside unparsed", () => {
  // A host with many visitors: 150,000 responses, each with its answers object.
  const responses = '{"formSlug":"ask","answers":{"size":"3"}},'.repeat(150_000) +
    '{"formSlug":"ask","answers":{}}';
  const text = head +
    '"profile":{"username":"ann","name":"Ann","timeZone":"UTC"},"eventTypes":[],' +
    `"routingResponses":[${responses}],"bookings":[]}`;
  const r = readExportFile(enc.encode(text));
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.file.bookings.length, 0);
  // Only the responses are set aside: the same endless list elsewhere is still refused.
  const elsewhere = readExportFile(enc.encode(text.replace('"routingResponses"', '"polls"')));
  assert.equal(elsewhere.ok ? "ok" : elsewhere.refusal.key, "import.too_complex");
  // A responses field that is not a list is read as the file says, and refused as damaged.
  const odd = readExportFile(enc.encode(
    head + '"profile":{"username":"ann","name":"Ann","timeZone":"UTC"},"routingResponses":7}',
  ));
  assert.equal(odd.ok ? "ok" : odd.refusal.key, "import.damaged");
});
