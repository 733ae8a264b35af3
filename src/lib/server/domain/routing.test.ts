import assert from "node:assert/strict";
import {
  type Answers,
  checkForm,
  decideRoute,
  externalUrl,
  isConditionMet,
  labelKeys,
  normalizeKey,
  prefillAnswers,
  prefillFor,
  readAnswers,
  readNumber,
  type RoutingFormDefinition,
  type RoutingQuestion,
  splitOneOf,
} from "./routing.ts";

const questions: RoutingQuestion[] = [
  { key: "name", type: "short", label: "Name", required: true },
  { key: "email", type: "email", label: "Email", required: true },
  { key: "size", type: "number", label: "Company size", required: true },
  {
    key: "country",
    type: "select",
    label: "Country",
    required: false,
    options: ["DE", "FR", "US"],
  },
  {
    key: "topics",
    type: "multi",
    label: "Topics",
    required: false,
    options: ["billing", "api", "sso"],
  },
  { key: "about", type: "long", label: "About", required: false },
];

const form: RoutingFormDefinition = {
  questions,
  routes: [
    {
      id: "r_anna",
      match: "all",
      conditions: [{ key: "country", op: "equals", values: ["DE"] }],
      destination: { kind: "event_type", ownerId: "anna", eventTypeId: "anna-et" },
    },
    {
      id: "r_enterprise",
      match: "any",
      conditions: [
        { key: "size", op: "gt", values: ["50"] },
        { key: "topics", op: "one_of", values: ["sso"] },
      ],
      destination: { kind: "event_type", ownerId: "team", eventTypeId: "team-et", team: true },
    },
    {
      id: "r_docs",
      match: "all",
      conditions: [{ key: "about", op: "contains", values: ["docs"] }],
      destination: { kind: "url", url: "https://example.com/docs", appendAnswers: true },
    },
  ],
  fallback: { kind: "event_type", ownerId: "me", eventTypeId: "demo-et" },
};

const table: [string, Answers, string][] = [
  ["country DE goes to Anna before size is looked at", { country: "DE", size: "500" }, "r_anna"],
  ["country compared without case", { country: "de", size: "1" }, "r_anna"],
  ["size 51 > 50 is enterprise", { size: "51" }, "r_enterprise"],
  ["size 50 is not > 50: fallback", { size: "50" }, "fallback"],
  ["any: SSO alone is enterprise", { size: "3", topics: ["api", "sso"] }, "r_enterprise"],
  ["contains, any case", { size: "3", about: "Where are the DOCS?" }, "r_docs"],
  ["nothing matches: fallback", { size: "3", country: "US" }, "fallback"],
  ["a missing answer meets no condition", {}, "fallback"],
  ["a non-number never compares", { size: "many" }, "fallback"],
];

for (const [name, answers, routeId] of table) {
  Deno.test(`decideRoute: ${name}`, () => {
    assert.equal(decideRoute(form, answers).routeId, routeId);
  });
}

Deno.test("decideRoute: the fallback's destination is returned when nothing matches", () => {
  assert.deepEqual(decideRoute(form, {}), {
    routeId: "fallback",
    destination: { kind: "event_type", ownerId: "me", eventTypeId: "demo-et" },
  });
});

Deno.test("decideRoute: all needs every condition; a route without conditions matches all", () => {
  const f: RoutingFormDefinition = {
    questions,
    routes: [
      {
        id: "both",
        match: "all",
        conditions: [
          { key: "size", op: "gte", values: ["10"] },
          { key: "size", op: "lte", values: ["20"] },
        ],
        destination: { kind: "message", text: "mid" },
      },
      { id: "rest", match: "all", conditions: [], destination: { kind: "message", text: "x" } },
    ],
    fallback: { kind: "message", text: "never" },
  };
  assert.equal(decideRoute(f, { size: "10" }).routeId, "both");
  assert.equal(decideRoute(f, { size: "20" }).routeId, "both");
  assert.equal(decideRoute(f, { size: "21" }).routeId, "rest");
  assert.equal(decideRoute(f, { size: "9.5" }).routeId, "rest");
});

const conditionTable: [string, Parameters<typeof isConditionMet>[0], Answers, boolean][] = [
  ["equals", { key: "a", op: "equals", values: ["x"] }, { a: " X " }, true],
  ["equals other", { key: "a", op: "equals", values: ["x"] }, { a: "y" }, false],
  ["one_of", { key: "a", op: "one_of", values: ["x", "y"] }, { a: "y" }, true],
  ["one_of none", { key: "a", op: "one_of", values: ["x", "y"] }, { a: "z" }, false],
  ["contains", { key: "a", op: "contains", values: ["ell"] }, { a: "Hello" }, true],
  ["contains empty never", { key: "a", op: "contains", values: [""] }, { a: "Hello" }, false],
  ["lt", { key: "a", op: "lt", values: ["10"] }, { a: "9" }, true],
  ["lt equal", { key: "a", op: "lt", values: ["10"] }, { a: "10" }, false],
  ["gte negative", { key: "a", op: "gte", values: ["-5"] }, { a: "-5" }, true],
  [
    "multi equals any option",
    { key: "a", op: "equals", values: ["api"] },
    { a: ["sso", "api"] },
    true,
  ],
];
for (const [name, c, answers, met] of conditionTable) {
  Deno.test(`isConditionMet: ${name}`, () => assert.equal(isConditionMet(c, answers), met));
}

Deno.test("readAnswers: required, one line, length, email, number and choices are refused by question", () => {
  const posted: Record<string, string[]> = {
    name: ["Ann\nEvil: header"],
    email: ["not-an-email"],
    size: ["12 people"],
    country: ["XX"],
    topics: ["api", "nope"],
    about: ["x".repeat(4001)],
  };
  const r = readAnswers(questions, (k) => posted[k] ?? []);
  assert.deepEqual(r, {
    ok: false,
    problems: {
      name: "one_line",
      email: "email",
      size: "number",
      country: "choice",
      topics: "choice",
      about: "too_long",
    },
  });
  const missing = readAnswers(questions, () => []);
  assert.deepEqual(missing, {
    ok: false,
    problems: { name: "required", email: "required", size: "required" },
  });
});

Deno.test("readAnswers: an email question takes what the booking form takes (o'brien, +tags) and refuses what it refuses (doubled dots, no dot in the domain, `#`)", () => {
  const email = (text: string) =>
    readAnswers([{ key: "email", type: "email", label: "Email", required: true }], () => [text]);
  for (const text of ["o'brien@example.ie", "Ann+invito@Example.org"]) {
    assert.deepEqual(email(text), { ok: true, answers: { email: text } }, text);
  }
  for (const text of ["a..b@example.com", "a@b", "ann@example.c", "ann#1@example.com"]) {
    assert.deepEqual(email(text), { ok: false, problems: { email: "email" } }, text);
  }
});

Deno.test("readAnswers: one-line answers refuse every line break and control character, long ones the controls (shared/text.ts)", () => {
  const qs: RoutingQuestion[] = [
    { key: "a", type: "short", label: "A", required: false },
    { key: "b", type: "phone", label: "B", required: false },
    { key: "c", type: "long", label: "C", required: false },
    { key: "d", type: "long", label: "D", required: false },
  ];
  const posted: Record<string, string[]> = {
    a: ["Ann\u2028Confirm: yes"],
    b: ["+49\u202e123"],
    c: ["fine\r\nlines"],
    d: ["bell\u0007"],
  };
  assert.deepEqual(readAnswers(qs, (k) => posted[k] ?? []), {
    ok: false,
    problems: { a: "one_line", b: "one_line", d: "characters" },
  });
  const ok = readAnswers(qs.slice(2, 3), (k) => posted[k] ?? []);
  assert.deepEqual(ok, { ok: true, answers: { c: "fine\nlines" } });
});

Deno.test("readAnswers: good answers are kept trimmed; a long answer may span lines", () => {
  const posted: Record<string, string[]> = {
    name: [" Ann "],
    email: ["ann@example.test"],
    size: ["120"],
    topics: ["sso", "sso", "api"],
    about: ["line one\nline two"],
  };
  assert.deepEqual(readAnswers(questions, (k) => posted[k] ?? []), {
    ok: true,
    answers: {
      name: "Ann",
      email: "ann@example.test",
      size: "120",
      topics: ["sso", "api"],
      about: "line one\nline two",
    },
  });
});

Deno.test("checkForm: keys, options, conditions and destinations are checked; a good form has none", () => {
  assert.deepEqual(checkForm(form), []);
  const bad: RoutingFormDefinition = {
    questions: [
      { key: "Bad Key", type: "short", label: "x", required: false },
      { key: "a", type: "select", label: "A", required: false, options: [] },
      { key: "a", type: "short", label: "", required: false },
    ],
    routes: [{
      id: "r",
      match: "all",
      conditions: [
        { key: "zzz", op: "equals", values: ["x"] },
        { key: "a", op: "gt", values: ["ten"] },
      ],
      destination: { kind: "url", url: "http://plain.example/", appendAnswers: false },
    }],
    fallback: { kind: "message", text: "  " },
  };
  assert.deepEqual(checkForm(bad).map((p) => `${p.where}:${p.problem}`), [
    "questions.0:key",
    "questions.1:options",
    "questions.2:duplicate_key",
    "questions.2:label",
    "routes.0:unknown_key",
    "routes.0:condition_value",
    "routes.0:url",
    "fallback:message",
  ]);
});

Deno.test("prefillFor: name, email and booking questions matched by id or label", () => {
  const answers: Answers = {
    name: "Ann",
    email: "ann@example.test",
    company_size: "120",
    topics: ["sso", "api"],
  };
  const qs: RoutingQuestion[] = [
    ...questions,
    { key: "company_size", type: "number", label: "Size", required: false },
  ];
  assert.deepEqual(
    prefillFor(qs, answers, [
      { id: "k1", label: "Company size", type: "short" },
      { id: "topics", label: "What about?", type: "long" },
      { id: "k3", label: "Phone", type: "phone" },
    ]),
    {
      name: "Ann",
      email: "ann@example.test",
      q_k1: "120",
      q_topics: "sso, api",
    },
  );
});

Deno.test("externalUrl: answers appended only when asked", () => {
  const a: Answers = { size: "3", topics: ["a", "b"] };
  assert.equal(
    externalUrl({ url: "https://x.example/p?ref=1", appendAnswers: true }, a),
    "https://x.example/p?ref=1&size=3&topics=a%2C+b",
  );
  assert.equal(
    externalUrl({ url: "https://x.example/p", appendAnswers: false }, a),
    "https://x.example/p",
  );
});

Deno.test("checkForm: a form whose answers could outgrow one KV value is refused", () => {
  const many: RoutingQuestion[] = Array.from({ length: 7 }, (_, i) => ({
    key: `long_${i}`,
    type: "long",
    label: `Long ${i}`,
    required: false,
  }));
  assert.deepEqual(
    checkForm({ questions: many, routes: [], fallback: { kind: "message", text: "Thanks" } })
      .map((p) => `${p.where}:${p.problem}`),
    ["questions:too_big"],
  );
  assert.deepEqual(
    checkForm({
      questions: many.slice(0, 5),
      routes: [],
      fallback: { kind: "message", text: "Thanks" },
    }),
    [],
  );
});

Deno.test("prefillAnswers: a link fills in what each question would accept, and leaves the rest out", () => {
  const linked = (q: Record<string, string[]>) => (param: string) => q[param] ?? [];
  const cases: [Record<string, string[]>, Answers][] = [
    [{ q_name: ["Pia"], q_size: ["60"] }, { name: "Pia", size: "60" }],
    [{ q_size: ["sixty"], q_email: ["nope"] }, {}],
    [{ q_country: ["FR"] }, { country: "FR" }],
    [{ q_country: ["XX"] }, {}],
    [{ q_topics: ["api", "gone", "sso"] }, { topics: ["api", "sso"] }],
    [{ q_name: ["Two\nlines"] }, {}],
    [{ q_about: ["Line one\nLine two"] }, { about: "Line one\nLine two" }],
    [{ q_name: ["x".repeat(201)] }, {}],
    // A plain `name` and `email` (embed.js's prefill) fill the name and email questions.
    [{ name: ["Pia"], email: ["pia@example.test"] }, { name: "Pia", email: "pia@example.test" }],
    [{ name: ["Pia"], q_name: ["Pia K."] }, { name: "Pia K." }],
    [{ size: ["60"] }, {}],
    [{ q_name: ["  "] }, {}],
  ];
  for (const [q, want] of cases) {
    assert.deepEqual(prefillAnswers(questions, linked(q)), want, JSON.stringify(q));
  }
});

Deno.test("readNumber: a number as the page's language writes it, else as code writes it; a comma is never a decimal mark in code", () => {
  const table: [string, string | undefined, string | null][] = [
    ["1.500", "de", "1500"],
    ["2,5", "de", "2.5"],
    ["1.000,75", "de", "1000.75"],
    ["2.5", "de", "2.5"], // no German reading: as code writes it
    ["1.50", "de", "1.5"], // one spelling per number: rules compare them as text
    ["010", "en", "10"],
    ["10.0", "en", "10"],
    ["10,00", "de", "10"],
    ["-0.0", undefined, "0"],
    ["0.10", "en", "0.1"],
    ["12.34.5", "de", null],
    ["1,500", "en", "1500"],
    ["1,5", "en", null],
    ["1,500", "es", "1.5"], // a Spanish comma is the decimal mark, whatever follows
    ["1.500", "es", "1500"],
    ["1\u202f500", "fr", "1500"],
    ["1 500,25", "fr", "1500.25"],
    ["1\u00a0500", "fr", "1500"],
    ["\u22123", "de", "-3"],
    ["-1.500", "de", "-1500"],
    [" 42 ", undefined, "42"],
    ["1,5", undefined, null],
    ["1e3", "en", null],
    ["", "de", null],
  ];
  for (const [text, locale, want] of table) {
    assert.equal(readNumber(text, locale), want, `${JSON.stringify(text)} in ${locale}`);
  }
});

Deno.test("readAnswers: a number answer is stored as the number it is in the page's language, and routed by it", () => {
  const qs: RoutingQuestion[] = [{ key: "size", type: "number", label: "Size", required: true }];
  const de = readAnswers(qs, () => ["1.500"], "de");
  assert.deepEqual(de, { ok: true, answers: { size: "1500" } });
  assert.equal(
    isConditionMet(
      { key: "size", op: "gte", values: ["1000"] },
      (de as { answers: Answers }).answers,
    ),
    true,
  );
  assert.deepEqual(readAnswers(qs, () => ["1,5"], "en"), {
    ok: false,
    problems: { size: "number" },
  });
  assert.deepEqual(prefillAnswers(qs, () => ["2,5"], "de"), { size: "2.5" });
});

Deno.test("normalizeKey: a label's accents are dropped, not its letters; labelKeys keeps the key made before", () => {
  assert.equal(normalizeKey("Teléfono"), "telefono");
  assert.equal(normalizeKey("Größe"), "grosse");
  assert.equal(normalizeKey("  Æble / Øl "), "aeble_ol");
  assert.equal(normalizeKey("Company size?"), "company_size");
  assert.equal(normalizeKey("Ça coûte combien"), "ca_coute_combien");
  assert.deepEqual(labelKeys("Teléfono"), ["telefono", "tel_fono"]);
  assert.deepEqual(labelKeys("Größe"), ["grosse", "gr_e"]);
  assert.deepEqual(labelKeys("Company size"), ["company_size"]);
});

Deno.test("prefillFor: a name question keyed full_name gives the booking form its name", () => {
  const qs: RoutingQuestion[] = [
    { key: "full_name", type: "short", label: "Full name", required: true },
    { key: "telefono", type: "short", label: "Phone", required: false },
  ];
  assert.deepEqual(
    prefillFor(qs, { full_name: "Ana", telefono: "123" }, [
      { id: "x1", label: "Teléfono", type: "short" },
    ]),
    { name: "Ana", q_x1: "123" },
  );
});

Deno.test("splitOneOf: an option holding a comma is one value (any case), other values end at a comma, blanks are dropped; the editor's ', ' join reads back the same", () => {
  const options = ["1–10", "1,000+ employees", "Zürich, CH"];
  assert.deepEqual(splitOneOf("1,000+ employees, Zürich, CH", options), [
    "1,000+ employees",
    "Zürich, CH",
  ]);
  assert.deepEqual(splitOneOf("zürich, ch,1–10", options), ["zürich, ch", "1–10"]);
  assert.deepEqual(splitOneOf(" , a,, b ,", options), ["a", "b"]);
  // Not an option (it goes on past the comma): split at the comma, for the check to name.
  assert.deepEqual(splitOneOf("1,000+ employees2", options), ["1", "000+ employees2"]);
  assert.deepEqual(splitOneOf("a, b", []), ["a", "b"]);
  const values = ["1,000+ employees", "Zürich, CH", "1–10"];
  assert.deepEqual(splitOneOf(values.join(", "), options), values);
});

Deno.test("decideRoute: a number rule saved in an older spelling (1.50, 010) meets the answer as it is stored now", () => {
  const form: RoutingFormDefinition = {
    questions: [{ key: "budget", type: "number", label: "Budget", required: true }],
    routes: [{
      id: "r_a",
      match: "all",
      conditions: [{ key: "budget", op: "one_of", values: ["1.50", "010"] }],
      destination: { kind: "message", text: "A" },
    }],
    fallback: { kind: "message", text: "B" },
  };
  for (const typed of ["1.5", "1.50", "10", "10.0"]) {
    const read = readAnswers(form.questions, () => [typed], "en");
    assert.ok(read.ok);
    assert.equal(decideRoute(form, read.answers).routeId, "r_a", typed);
  }
  const other = readAnswers(form.questions, () => ["15"], "en");
  assert.ok(other.ok);
  assert.equal(decideRoute(form, other.answers).routeId, "fallback");
});
