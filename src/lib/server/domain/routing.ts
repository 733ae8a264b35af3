/**
 * Routing forms, pure (issue 30): a few questions, an ordered list of routes whose conditions
 * look at the answers, and one fallback. This module decides what a form may be (`checkForm`),
 * what a visitor's answers are (`readAnswers`: bounds, one-line fields, choices) and where they
 * lead (`decideRoute`). It reads no clock, no store and no request.
 */
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import { isMultiLineText, isOneLine, normalizeLineBreaks } from "../../shared/text.ts";
import { isMailAddress, linkedAddress } from "../../shared/forms/common.ts";
import { GUEST_NAME_MAX } from "../../shared/forms/booking.ts";
import { type Answers, contactKeys } from "./routing-destination.ts";

// Where a destination sends the visitor: its own module, read through this one.
export {
  answerText,
  externalUrl,
  labelKeys,
  normalizeKey,
  prefillFor,
} from "./routing-destination.ts";

export type RoutingQuestionType =
  | "short"
  | "long"
  | "email"
  | "phone"
  | "number"
  | "select"
  | "multi";

export const ROUTING_QUESTION_TYPES: readonly RoutingQuestionType[] = [
  "short",
  "long",
  "email",
  "phone",
  "number",
  "select",
  "multi",
];

export type RoutingQuestion = {
  /** Lower-case `a-z0-9_`, unique in the form; names the answer in rules, prefill and CSV. */
  key: string;
  type: RoutingQuestionType;
  label: string;
  required: boolean;
  /** select / multi: the options offered. */
  options?: string[];
};

export type ConditionOp = "equals" | "one_of" | "contains" | "gt" | "gte" | "lt" | "lte";
export const CONDITION_OPS: readonly ConditionOp[] = [
  "equals",
  "one_of",
  "contains",
  "gt",
  "gte",
  "lt",
  "lte",
];

/** `values` holds one value, except for `one_of` (any of them). */
export type Condition = { key: string; op: ConditionOp; values: string[] };

export type Destination =
  /**
   * A personal or team event type (`ownerId`: the host's or the team's id); answers are prefilled
   * into its booking form by question key. `memberId`: a round-robin event's member who gets the
   * booking (otherwise the rotation's fairness picks).
   */
  | { kind: "event_type"; ownerId: string; eventTypeId: string; team?: boolean; memberId?: string }
  /** An external page (https only); with `appendAnswers`, answers go along as query parameters. */
  | { kind: "url"; url: string; appendAnswers: boolean }
  /** A message shown on the form's page. */
  | { kind: "message"; text: string };

export type Route = {
  id: string;
  match: "all" | "any";
  conditions: Condition[];
  destination: Destination;
};

export type RoutingFormDefinition = {
  questions: RoutingQuestion[];
  /** Tried in order; the first that matches wins. */
  routes: Route[];
  /** Required: where a visitor whom no route matches goes. */
  fallback: Destination;
};

/** One answer: a text, or the chosen options of a multi select (routing-destination.ts). */
export type { Answer, Answers } from "./routing-destination.ts";

/** The route a submission took: a route's id, or "fallback". */
export type RouteChoice = { routeId: string; destination: Destination };

export const ROUTING_LIMITS = {
  questions: 30,
  routes: 30,
  conditions: 10,
  options: 50,
  keyLength: 40,
  /**
   * A form's definition and one response's answers are each one KV value (≤ 64 KiB; strings take
   * up to two bytes a character): the editor refuses a form that could outgrow these.
   */
  formChars: 24_000,
  answerChars: 24_000,
} as const;

/** The most characters a response to these questions can hold (each answer at its bound). */
export function maxAnswerChars(questions: RoutingQuestion[]): number {
  let n = 0;
  for (const q of questions) {
    n += q.key.length +
      (q.type === "multi"
        ? (q.options ?? []).reduce((s, o) => s + o.length, 0)
        : boundOf(q.type).max);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Answers

export type AnswerProblem =
  | "required"
  | "too_long"
  | "one_line"
  | "characters"
  | "email"
  | "number"
  | "choice";

/** What a kind of question may hold: its bound (shared/field-bounds.ts) and whether it is one line. */
function boundOf(type: RoutingQuestionType): { max: number; oneLine: boolean } {
  switch (type) {
    case "long":
      return { max: FIELD_MAX.text, oneLine: false };
    case "email":
      return { max: FIELD_MAX.email, oneLine: true };
    case "number":
      return { max: FIELD_MAX.number, oneLine: true };
    default:
      return { max: FIELD_MAX.line, oneLine: true };
  }
}

const NUMBER = /^-?\d+(\.\d+)?$/;

const SPACES = "\u0020\u00a0\u202f";
const escapeClass = (s: string) => s.replace(/[\\\]^-]/g, "\\$&");
const localNumberRe = new Map<string, RegExp>();

/** How `locale` writes 1,234,567.5: its digit group and decimal marks (a space group takes any space). */
function localNumber(locale: string): RegExp {
  let re = localNumberRe.get(locale);
  if (!re) {
    const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
    const group = parts.find((p) => p.type === "group")?.value ?? ",";
    const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
    const g = `[${escapeClass(SPACES.includes(group) ? SPACES : group)}]`;
    const d = `[${escapeClass(decimal)}]`;
    re = new RegExp(`^(-?)(\\d{1,3}(?:${g}\\d{3})+|\\d+)(?:${d}(\\d+))?$`);
    localNumberRe.set(locale, re);
  }
  return re;
}

/**
 * A number as a person writes it in `locale`, as the answer stored and compared ("1.500" and
 * "2,5" in German are "1500" and "2.5"; "1,500" in English is "1500"), or null when it is none.
 * A German phone's decimal keypad has a comma, and a German reads "1.500" as fifteen hundred, so
 * the page's language decides first; what it cannot mean is then read as written in code
 * ("2.5" on a German page). Written in code, a comma is never a decimal mark: "1,5" on an English
 * page is no number.
 */
export function readNumber(text: string, locale?: string): string | null {
  const t = text.trim().replace(/^\u2212/, "-");
  const m = locale ? localNumber(locale).exec(t) : null;
  if (m) return plainNumber(m[1], m[2].replace(/\D/g, ""), m[3] ?? "");
  const code = /^(-?)(\d+)(?:\.(\d+))?$/.exec(t);
  return code ? plainNumber(code[1], code[2], code[3] ?? "") : null;
}

/**
 * One spelling per number ("010" and "10.0" are "10", "-0" is "0"): rules compare answers as
 * text ("is", "is one of"), and "10.0" missed a rule for 10. Done on the digits, not through a
 * float, so no digit a visitor typed is rounded away.
 */
function plainNumber(sign: string, whole: string, fraction: string): string {
  const w = whole.replace(/^0+(?=\d)/, "");
  const f = fraction.replace(/0+$/, "");
  return (w === "0" && !f ? "" : sign) + w + (f ? `.${f}` : "");
}

/**
 * A visitor's answers from the posted values (each key may be posted several times: a multi
 * select). Every problem is named per question; nothing is cut short or silently dropped.
 */
export function readAnswers(
  questions: RoutingQuestion[],
  posted: (key: string) => string[],
  /** the language of the page the answers were typed on (numbers are written its way) */
  locale?: string,
): { ok: true; answers: Answers } | { ok: false; problems: Record<string, AnswerProblem> } {
  const answers: Answers = {};
  const problems: Record<string, AnswerProblem> = {};
  // The name a booking form is filled in with (prefillFor) is bounded as a booking's name: a
  // longer one was left out there, and the visitor met an empty field with no word why.
  const nameKey = contactKeys(questions, () => true).name;
  for (const q of questions) {
    const raw = posted(q.key);
    if (q.type === "multi") {
      const picked = [...new Set(raw.filter((x) => x !== ""))];
      if (picked.some((x) => !(q.options ?? []).includes(x))) problems[q.key] = "choice";
      else if (q.required && picked.length === 0) problems[q.key] = "required";
      else if (picked.length) answers[q.key] = picked;
      continue;
    }
    const { max: typeMax, oneLine } = boundOf(q.type);
    const max = q.key === nameKey && oneLine ? Math.min(typeMax, GUEST_NAME_MAX) : typeMax;
    // What typed text may hold is decided once, for every form (shared/text.ts).
    const text = normalizeLineBreaks((raw[0] ?? "").trim());
    if (text.length > max) problems[q.key] = "too_long";
    else if (oneLine && !isOneLine(text)) problems[q.key] = "one_line";
    else if (!oneLine && !isMultiLineText(text)) problems[q.key] = "characters";
    else if (text === "") {
      if (q.required) problems[q.key] = "required";
    } else if (q.type === "email" && !isMailAddress(text)) problems[q.key] = "email";
    else if (q.type === "number") {
      const n = readNumber(text, locale);
      if (n === null) problems[q.key] = "number";
      else answers[q.key] = n;
    } else if (q.type === "select" && !(q.options ?? []).includes(text)) problems[q.key] = "choice";
    else answers[q.key] = text;
  }
  return Object.keys(problems).length ? { ok: false, problems } : { ok: true, answers };
}

/** The link parameter that fills in a question's answer on the form's page: `q_<key>`. */
export const prefillParam = (key: string) => `q_${key}`;

/**
 * The answers a link fills in (`?q_company_size=60&q_topics=Security&q_topics=Pricing`): each
 * value the question would accept as an answer, the rest left out without a word — the visitor
 * did not write the link, and still sees and sends every answer (nothing is stored or routed
 * until they do). Multi selects keep the offered options among those given.
 */
export function prefillAnswers(
  questions: RoutingQuestion[],
  linked: (param: string) => string[],
  locale?: string,
): Answers {
  const out: Answers = {};
  // embed.js's `prefill: { name, email }` and a booking link's own `name` and `email` fill the
  // questions a booking page takes them from (prefillFor), when no `q_` names them.
  const contact = contactKeys(questions, () => true);
  for (const q of questions) {
    let given = linked(prefillParam(q.key));
    if (!given.length && q.key === contact.name) given = linked("name");
    if (!given.length && q.key === contact.email) given = linked("email");
    if (!given.length) continue;
    const one = { ...q, required: false };
    const values = q.type === "multi"
      ? given.filter((x) => (q.options ?? []).includes(x))
      : q.type === "email"
      ? given.slice(0, 1).map(linkedAddress)
      : given.slice(0, 1);
    const read = readAnswers([one], () => values, locale);
    if (read.ok && read.answers[q.key] !== undefined) out[q.key] = read.answers[q.key];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rules

const fold = (s: string) => s.trim().toLocaleLowerCase("en");

function testOne(op: ConditionOp, answer: string, values: string[]): boolean {
  const a = fold(answer);
  switch (op) {
    case "equals":
      return values.length > 0 && a === fold(values[0]);
    case "one_of":
      return values.some((x) => fold(x) === a);
    case "contains":
      return values.length > 0 && fold(values[0]) !== "" && a.includes(fold(values[0]));
    default: {
      if (!NUMBER.test(answer.trim()) || !values.length || !NUMBER.test(values[0].trim())) {
        return false;
      }
      const x = Number(answer.trim()), y = Number(values[0].trim());
      return op === "gt" ? x > y : op === "gte" ? x >= y : op === "lt" ? x < y : x <= y;
    }
  }
}

/**
 * The values of an "is one of" rule as its editor types them, separated by commas: an option of
 * the question that holds a comma ("1,000+ employees", "Zürich, CH") is one value, found as the
 * question offers it (longest first); anything else ends at the next comma. Its editor shows the
 * values joined by ", ", which this reads back the same.
 */
export function splitOneOf(raw: string, options: readonly string[] = []): string[] {
  const withComma = options.filter((o) => o.includes(",")).sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let rest = raw.trimStart();
  while (rest) {
    const option = withComma.find((o) => {
      const head = rest.slice(0, o.length);
      return fold(head) === fold(o) && /^\s*(,|$)/.test(rest.slice(o.length));
    });
    const cut = option ? option.length : (rest.indexOf(",") + 1 || rest.length + 1) - 1;
    const value = rest.slice(0, cut).trim();
    if (value) out.push(value);
    rest = rest.slice(cut).replace(/^\s*,?\s*/, "");
  }
  return out;
}

/** A condition holds when the answer (any chosen option of a multi select) satisfies it. */
export function isConditionMet(c: Condition, answers: Answers): boolean {
  const answer = answers[c.key];
  if (answer === undefined) return false;
  const list = Array.isArray(answer) ? answer : [answer];
  return list.some((a) => testOne(c.op, a, c.values));
}

/** A route with no conditions matches everyone. */
export function isRouteMatched(route: Route, answers: Answers): boolean {
  if (route.conditions.length === 0) return true;
  return route.match === "all"
    ? route.conditions.every((c) => isConditionMet(c, answers))
    : route.conditions.some((c) => isConditionMet(c, answers));
}

/** The first route whose rule the answers meet, else the fallback. */
export function decideRoute(form: RoutingFormDefinition, answers: Answers): RouteChoice {
  // A number question's rule values in today's one spelling: a rule saved before ("1.50") still
  // meets the answer as it is now stored ("1.5").
  const numbers = new Set(form.questions.filter((q) => q.type === "number").map((q) => q.key));
  const spelled = (c: Condition): Condition =>
    numbers.has(c.key) ? { ...c, values: c.values.map((x) => readNumber(x) ?? x) } : c;
  for (const r of form.routes) {
    const route = { ...r, conditions: r.conditions.map(spelled) };
    if (isRouteMatched(route, answers)) return { routeId: r.id, destination: r.destination };
  }
  return { routeId: "fallback", destination: form.fallback };
}

// ---------------------------------------------------------------------------------------------
// The form itself (what an editor may save)

export type FormProblem =
  | "no_questions"
  | "too_many"
  | "key"
  | "duplicate_key"
  | "label"
  | "options"
  | "unknown_key"
  | "condition_value"
  /** An equals / is-one-of rule of a choice question names what it does not offer. */
  | "condition_option"
  | "url"
  | "message"
  | "destination"
  | "too_big";

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** An external destination: https, no credentials in it, within the URL bound. */
export function isSafeExternalUrl(text: string): boolean {
  if (text.length > FIELD_MAX.url) return false;
  try {
    const u = new URL(text);
    return u.protocol === "https:" && !u.username && !u.password && u.hostname !== "";
  } catch {
    return false;
  }
}

function checkDestination(d: Destination): FormProblem | null {
  if (d.kind === "url") return isSafeExternalUrl(d.url) ? null : "url";
  if (d.kind === "message") {
    return d.text.trim() && d.text.length <= FIELD_MAX.text && isMultiLineText(d.text)
      ? null
      : "message";
  }
  return d.eventTypeId && d.ownerId ? null : "destination";
}

/** Every problem of a form an editor wants to save, with where it is ("questions.2", "routes.0"). */
export function checkForm(form: RoutingFormDefinition): { where: string; problem: FormProblem }[] {
  const out: { where: string; problem: FormProblem }[] = [];
  if (form.questions.length === 0) out.push({ where: "questions", problem: "no_questions" });
  if (form.questions.length > ROUTING_LIMITS.questions) {
    out.push({ where: "questions", problem: "too_many" });
  }
  if (form.routes.length > ROUTING_LIMITS.routes) {
    out.push({ where: "routes", problem: "too_many" });
  }
  const seen = new Set<string>();
  form.questions.forEach((q, i) => {
    const where = `questions.${i}`;
    if (!KEY.test(q.key)) out.push({ where, problem: "key" });
    else if (seen.has(q.key)) out.push({ where, problem: "duplicate_key" });
    seen.add(q.key);
    if (!q.label.trim() || q.label.length > FIELD_MAX.line || !isOneLine(q.label)) {
      out.push({ where, problem: "label" });
    }
    if (q.type === "select" || q.type === "multi") {
      const opts = q.options ?? [];
      if (
        opts.length === 0 || opts.length > ROUTING_LIMITS.options ||
        opts.some((o) => !o.trim() || o.length > FIELD_MAX.line || !isOneLine(o)) ||
        new Set(opts).size !== opts.length
      ) out.push({ where, problem: "options" });
    }
  });
  form.routes.forEach((r, i) => {
    const where = `routes.${i}`;
    if (r.conditions.length > ROUTING_LIMITS.conditions) out.push({ where, problem: "too_many" });
    for (const c of r.conditions) {
      const q = form.questions.find((x) => x.key === c.key);
      if (!q) out.push({ where, problem: "unknown_key" });
      else if (
        c.values.length === 0 || c.values.some((x) => x.length > FIELD_MAX.line || !isOneLine(x)) ||
        (["gt", "gte", "lt", "lte"].includes(c.op) && !NUMBER.test(c.values[0].trim()))
      ) out.push({ where, problem: "condition_value" });
      else if (
        (q.type === "select" || q.type === "multi") && (c.op === "equals" || c.op === "one_of") &&
        c.values.some((x) => !(q.options ?? []).some((o) => fold(o) === fold(x)))
      ) out.push({ where, problem: "condition_option" }); // it would never match
    }
    const d = checkDestination(r.destination);
    if (d) out.push({ where, problem: d });
  });
  const f = checkDestination(form.fallback);
  if (f) out.push({ where: "fallback", problem: f });
  if (JSON.stringify(form).length > ROUTING_LIMITS.formChars) {
    out.push({ where: "form", problem: "too_big" });
  }
  if (maxAnswerChars(form.questions) > ROUTING_LIMITS.answerChars) {
    out.push({ where: "questions", problem: "too_big" });
  }
  return out;
}
