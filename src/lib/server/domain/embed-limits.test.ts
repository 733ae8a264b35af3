/**
 * embed.js leaves out a prefill value longer than the field it fills takes (ADR 046): its limits
 * must be the forms' own, or a value the page would take is left out, or one it refuses still
 * lengthens the widget's address. Each limit is checked against the rule the page applies
 * (`decidePrefill`, a routing form's `prefillAnswers`): a value of exactly the limit is taken,
 * one character more is not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decidePrefill } from "./booking-prefill.ts";
import { prefillAnswers } from "./routing.ts";
import type { Question } from "./model/records.ts";

const source = await Deno.readTextFile(join(import.meta.dirname!, "../../../../static/embed.js"));
const LIMITS = Object.fromEntries(
  [.../var LIMITS = \{([^}]*)\}/.exec(source)![1].matchAll(/(\w+): (\d+)/g)].map((
    m,
  ) => [m[1], Number(m[2])]),
);

const questions: Question[] = [
  { id: "long0001", type: "long", label: "Long", required: false },
  { id: "short001", type: "short", label: "Short", required: false },
  { id: "phone001", type: "phone", label: "Phone", required: false },
];
const taken = (k: string, value: string) =>
  k in decidePrefill([[k, value]], { questions, places: 0 });
/** An address of exactly `length` characters. */
const address = (length: number) =>
  `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(length - 198)}.test`;

Deno.test("embed.js prefill limits: each is the booking form's own (the limit taken, one more left out)", () => {
  assert.ok(taken("name", "n".repeat(LIMITS.name)));
  assert.ok(!taken("name", "n".repeat(LIMITS.name + 1)));
  assert.equal(address(LIMITS.email).length, LIMITS.email);
  assert.ok(taken("email", address(LIMITS.email)));
  assert.ok(!taken("email", address(LIMITS.email + 1)));
  assert.ok(taken("note", "y".repeat(LIMITS.note)));
  assert.ok(!taken("note", "y".repeat(LIMITS.note + 1)));
  assert.ok(taken("phone", "+49 " + "1".repeat(LIMITS.phone - 4)));
  assert.ok(!taken("phone", "+49 " + "1".repeat(LIMITS.phone - 3)));
  // The longest a booking question takes is a long answer's; the others take less.
  assert.ok(taken("q_long0001", "a".repeat(LIMITS.answer)));
  assert.ok(!taken("q_long0001", "a".repeat(LIMITS.answer + 1)));
  assert.ok(!taken("q_short001", "a".repeat(LIMITS.answer)));
});

Deno.test("embed.js prefill limits: a routing form's answers take the form's longest", () => {
  const form = [{ key: "details", type: "long" as const, label: "Details", required: false }];
  const fill = (n: number) => prefillAnswers(form, (p) => p === "q_details" ? ["z".repeat(n)] : []);
  assert.equal(fill(LIMITS.formAnswer).details?.length, LIMITS.formAnswer);
  assert.equal(fill(LIMITS.formAnswer + 1).details, undefined);
});
