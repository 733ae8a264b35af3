import assert from "node:assert/strict";
import { decidePrefill, type PrefillRules } from "./booking-prefill.ts";

const RULES: PrefillRules = {
  places: 2,
  questions: [
    { id: "company", label: "Company", type: "short", required: true },
    { id: "size", label: "Size", type: "choice", required: false, options: ["1-10", "11-50"] },
    { id: "agree", label: "Agree", type: "checkbox", required: true },
    { id: "about", label: "About", type: "long", required: false },
    { id: "tel", label: "Mobile", type: "phone", required: false },
  ],
};

Deno.test("decidePrefill: values the form would accept are kept, as the form reads them", () => {
  assert.deepEqual(
    decidePrefill(
      Object.entries({
        name: "  Ann  ",
        email: "ann@example.test",
        note: "Hello\r\nthere",
        location: "1",
        phone: "+49 30 1234567",
        q_company: "Acme",
        q_size: "11-50",
        q_agree: "true",
        q_about: "one\ntwo",
        q_tel: "030 1234567",
      }),
      RULES,
    ),
    {
      name: "Ann",
      email: "ann@example.test",
      note: "Hello\nthere",
      location: "1",
      phone: "+49 30 1234567",
      q_company: "Acme",
      q_size: "11-50",
      q_agree: "on",
      q_about: "one\ntwo",
      q_tel: "030 1234567",
    },
  );
});

Deno.test("decidePrefill: a value the form would refuse is left out, never cut or corrected", () => {
  for (
    const [k, val] of [
      ["name", "x".repeat(101)],
      ["name", "two\nlines"],
      ["name", ""],
      ["email", "not-an-address"],
      ["email", `${"a".repeat(250)}@example.test`],
      ["note", "x".repeat(2001)],
      ["location", "2"],
      ["location", "-1"],
      ["location", "10"],
      ["phone", "call me"],
      ["q_company", "y".repeat(301)],
      ["q_company", "a\nb"],
      ["q_company", "   "],
      ["q_size", "Gold"],
      ["q_agree", "maybe"],
      ["q_agree", "off"],
      ["q_tel", "12"],
      ["q_about", "bidi \u202e trick"],
      ["q_unknown", "x"],
      ["tz", "Europe/Berlin"],
      ["routing", "x"],
    ]
  ) {
    assert.deepEqual(decidePrefill([[k, val]], RULES), {}, `${k}=${val}`);
  }
});

Deno.test("decidePrefill: a question may be named by its label as a key (ids are hidden from hosts); its id wins", () => {
  assert.deepEqual(
    decidePrefill([["q_team_size", "1-10"], ["q_Company", "Acme"], ["q_mobile", "030 1234567"]], {
      ...RULES,
      questions: RULES.questions.map((q) => (q.id === "size" ? { ...q, label: "Team size" } : q)),
    }),
    { q_size: "1-10", q_company: "Acme", q_tel: "030 1234567" },
  );
  const one: PrefillRules = {
    places: 0,
    questions: [{ id: "k8x2", label: "Company", type: "short", required: false }],
  };
  for (
    const params of [
      [["q_k8x2", "By id"], ["q_company", "By label"]],
      [["q_company", "By label"], ["q_k8x2", "By id"]],
    ] as [string, string][][]
  ) assert.deepEqual(decidePrefill(params, one), { q_k8x2: "By id" });
});
