/**
 * Where a routing form's destination sends its visitor (domain/routing.ts decides which): a
 * booking form filled in with their answers, or another site's address with them appended. Pure.
 */

/** One answer: a text, or the chosen options of a multi select. */
export type Answer = string | string[];
export type Answers = Record<string, Answer>;

/** What these read of a question (domain/routing.ts `RoutingQuestion`). */
type Question = { key: string; type: string };

/** An answer as one query value (a multi select's options joined by commas). */
export function answerText(a: Answer): string {
  return Array.isArray(a) ? a.join(", ") : a;
}

/** Letters NFKD leaves whole, written as a keyboard without them writes them. */
const OWN_LETTERS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ð: "d",
  þ: "th",
  ł: "l",
  ı: "i",
  ħ: "h",
  ŋ: "n",
};

/**
 * A label or key as the booking form's question matcher sees it: lower case, accents dropped
 * (NFKD without its combining marks: "Teléfono" → `telefono`, "Größe" → `grosse`, ß → ss,
 * æ → ae, ø → o), every run of anything else one `_`.
 */
export function normalizeKey(s: string): string {
  return s.trim().toLocaleLowerCase("en")
    .replace(/[ßæœøđðþłıħŋ]/g, (c) => OWN_LETTERS[c])
    .normalize("NFKD").replace(/\p{M}+/gu, "")
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/**
 * The keys a booking question's label goes by: `normalizeKey`'s, and the one made before accents
 * were read (every letter outside a–z a `_`: "Teléfono" → `tel_fono`), so a form key or a link
 * written then keeps matching.
 */
export function labelKeys(label: string): string[] {
  const before = label.trim().toLocaleLowerCase("en").replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const now = normalizeKey(label);
  return before === now || !before ? [now] : [now, before];
}

/** Keys of a form's name question besides `name` (the first of them the form has). */
const NAME_KEYS = ["name", "full_name", "fullname", "your_name"];

/**
 * The questions that hold a visitor's name and email for a booking form: the one keyed `name`
 * (else `full_name`, `fullname`, `your_name`); the one keyed `email`, else the form's first email question (among those `has` accepts).
 */
export function contactKeys(
  questions: Question[],
  has: (key: string) => boolean,
): { name?: string; email?: string } {
  const keyed = (key: string) => questions.find((q) => q.key === key && has(key))?.key;
  return {
    name: NAME_KEYS.map(keyed).find(Boolean),
    email: keyed("email") ?? questions.find((q) => q.type === "email" && has(q.key))?.key,
  };
}

/**
 * The booking form's prefill for a routed visitor: `name` and `email` from the questions keyed
 * so (or the form's first email question), and each booking question whose id or label matches
 * a question key as `q_<id>`. The booking page shows these as typed-in values; nothing is booked
 * until the visitor sends its form.
 */
export function prefillFor(
  questions: Question[],
  answers: Answers,
  bookingQuestions: { id: string; label: string; type: string; options?: string[] }[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const contact = contactKeys(questions, (key) => answers[key] !== undefined);
  for (const field of ["name", "email"] as const) {
    const answer = contact[field] && answers[contact[field]];
    if (typeof answer === "string") out[field] = answer;
  }
  for (const bq of bookingQuestions) {
    if (bq.type === "checkbox") continue;
    const match = questions.find((q) =>
      answers[q.key] !== undefined &&
      (q.key === normalizeKey(bq.id) || labelKeys(bq.label).includes(q.key))
    );
    if (!match) continue;
    const text = answerText(answers[match.key]);
    if (bq.type === "choice" && !(bq.options ?? []).includes(text)) continue;
    out[`q_${bq.id}`] = text;
  }
  return out;
}

/** An external destination's address, with the answers appended when the route says so. */
export function externalUrl(d: { url: string; appendAnswers: boolean }, answers: Answers): string {
  const u = new URL(d.url);
  if (d.appendAnswers) {
    for (const [k, a] of Object.entries(answers)) u.searchParams.set(k, answerText(a));
  }
  return u.toString();
}
