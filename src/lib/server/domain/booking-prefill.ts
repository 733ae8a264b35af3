/**
 * The booking form's starting values from the page's link (issue 29 prefill, and a routing form's
 * visitor, issue 30): `name`, `email`, `note`, `phone`, `location` (the offered place's index) and
 * `q_<question>` — a question named by its id, or by its label as a key (`q_company_size` for
 * "Company size"; ids are random and hidden from hosts, labels are what they wrote). Each is checked by the rule the form itself applies when it is sent (the
 * booking form's fields, `checkAnswers` for the answers, `isPhoneNumber`), and a value that would
 * be refused is left out without a word: the guest did not write the link and can do nothing
 * about it, so a prefilled value may never be the reason a booking is refused.
 */
import * as v from "valibot";
import { BookingForm } from "../../shared/forms/booking.ts";
import { isPhoneNumber } from "../../shared/location-text.ts";
import { linkedAddress } from "../../shared/forms/common.ts";
import { checkAnswers } from "./event-rules.ts";
import { labelKeys, normalizeKey } from "./routing.ts";
import type { Question } from "./model/records.ts";

export type PrefillRules = {
  questions: readonly Question[];
  /** How many places the event type offers (a `location` is an index below it). */
  places: number;
};

const FIELDS = {
  name: BookingForm.entries.name,
  email: BookingForm.entries.email,
  note: BookingForm.entries.note,
} as const;

/** The starting values a link may set, each valid for the form (invalid ones left out). */
export function decidePrefill(
  params: Iterable<[string, string]>,
  rules: PrefillRules,
): Record<string, string> {
  const out: Record<string, string> = {};
  const byId = new Map(rules.questions.map((q) => [q.id, q]));
  const byKey = new Map<string, Question>();
  for (const q of rules.questions) {
    for (const key of [...labelKeys(q.label), normalizeKey(q.id)]) {
      if (key && !byKey.has(key)) byKey.set(key, q);
    }
  }
  const namedById = new Set<string>();
  for (const [k, raw] of params) {
    if (k === "name" || k === "email" || k === "note") {
      const parsed = v.safeParse(FIELDS[k], k === "email" ? linkedAddress(raw) : raw);
      if (parsed.success && parsed.output) out[k] = parsed.output;
    } else if (k === "location") {
      if (/^\d$/.test(raw) && Number(raw) < rules.places) out.location = raw;
    } else if (k === "phone") {
      const phone = raw.trim();
      if (phone.length <= 30 && isPhoneNumber(phone)) out.phone = phone;
    } else if (k.startsWith("q_")) {
      const name = k.slice(2);
      const exact = byId.get(name);
      const q = exact ?? byKey.get(normalizeKey(name));
      // A question named by its id wins over the same question named by its label.
      if (!q || (!exact && namedById.has(q.id))) continue;
      const field = `q_${q.id}`;
      // The form's own check, as if this were the only answer and an optional one.
      const checked = checkAnswers([{ ...q, required: false }], { [field]: raw });
      if (!checked.ok) continue;
      const a = checked.answers[0];
      if (exact) namedById.add(q.id);
      if (q.type === "checkbox") {
        if (a.checked) out[field] = "on";
      } else if (a.value) out[field] = a.value;
    }
  }
  return out;
}
