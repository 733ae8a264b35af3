/**
 * Helpers every form module shares: field messages, the field kinds the schemas build on,
 * reading bounded form values and repeated rows.
 */
import * as v from "valibot";
import { hasVisibleText, isMultiLineText, isOneLine, normalizeLineBreaks } from "../text.ts";
import {
  type MessageKey,
  messageRef,
  type MessageValues,
  translateRef,
  type Translator,
} from "../i18n.ts";
import { type FieldKind, readField } from "../field-bounds.ts";

export type FieldErrors = Record<string, string>;

/**
 * First message per field, keyed by the field name; translated when a translator is given (the
 * schemas' messages are references, see `m`), else left as references.
 */
export function fieldErrors(issues: v.BaseIssue<unknown>[], t?: Translator): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join(".") ?? "form";
    out[key] ??= t ? translateRef(t, issue.message) : issue.message;
  }
  return out;
}

/** A schema message: a reference the page translates into the reader's language. */
export const m = (key: MessageKey, values?: MessageValues) => messageRef(key, values);

/** A checkbox: "on" from a form, or a boolean from editor values. */
export const checkbox = v.pipe(
  v.optional(v.union([v.boolean(), v.string()]), ""),
  v.transform((s) => s === true || s === "on" || s === "true" || s === "1"),
);

// Messages name no field: each is shown next to its field (and in the editor's list after the
// field's label), in the reader's language.
export const trimmed = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(min, min === 1 ? m("forms.required") : m("forms.min_chars", { min })),
    v.maxLength(max, m("forms.max_chars", { max })),
  );

export const intIn = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.regex(/^\d{1,6}$/, m("forms.whole_number")),
    v.transform(Number),
    v.minValue(min, m("forms.at_least", { min })),
    v.maxValue(max, m("forms.at_most", { max })),
  );

/** A whole number in [min, max]; empty means `empty` (0 for buffers, null for "no limit"). */
export const wholeOr = <E extends number | null>(empty: E, min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || /^-?\d{1,7}$/.test(s), m("forms.whole_number")),
    v.transform((s): number | E => (s === "" ? empty : Number(s))),
    v.check((n) => n === null || n >= min, m("forms.at_least", { min })),
    v.check((n) => n === null || n <= max, m("forms.at_most", { max })),
  );

/**
 * One-line text (shared/text.ts decides what that may hold, for every form). A required one of
 * only invisible characters (a zero-width space) is as empty as a blank one.
 */
export const oneLine = (min: number, max: number) =>
  v.pipe(
    trimmed(min, max),
    v.check(isOneLine, m("forms.one_line")),
    v.check((s) => min === 0 || hasVisibleText(s), m("forms.required")),
  );

/** Multi-line text: line breaks normalised to LF; no other control or direction characters. */
export const multiLine = (min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => normalizeLineBreaks(s).trim()),
    v.minLength(min, min === 1 ? m("forms.required") : m("forms.min_chars", { min })),
    v.maxLength(max, m("forms.max_chars", { max })),
    v.check(isMultiLineText, m("forms.bad_characters")),
  );

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

/** Issue path item for `rawCheck`: the key `key` inside `input`. */
export function at(input: unknown, key: string | number): v.IssuePathItem {
  return Array.isArray(input)
    ? { type: "array", origin: "value", input, key: key as number, value: input[key as number] }
    : {
      type: "object",
      origin: "value",
      input: input as Record<string, unknown>,
      key: String(key),
      value: (input as Record<string, unknown>)[String(key)],
    };
}

export const ticked = (s: string | undefined) => s === "on" || s === "true" || s === "1";

/** Rows of repeated fields `{prefix}{i}_{name}`, in index order (indexes 0…99). */
export function readRows<N extends string>(
  form: FormData,
  prefix: string,
  names: readonly N[],
  max: number,
): Partial<Record<N, string>>[] {
  // Three digits: a list of up to 100 rows (time off) must show its 101st to be refused as too
  // long; with two, rows from the 100th on were dropped without a word and the rest saved.
  const re = new RegExp(`^${prefix}(\\d{1,3})_(${names.join("|")})$`);
  const rows = new Map<number, Partial<Record<N, string>>>();
  for (const [key, value] of form) {
    const m = re.exec(key);
    if (!m || typeof value !== "string") continue;
    const i = Number(m[1]);
    const row: Partial<Record<N, string>> = rows.get(i) ?? {};
    row[m[2] as N] = value.slice(0, max);
    rows.set(i, row);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}

/** One atom of an address's local part: RFC 5322 `atext`, less `# ? % /` (see MAIL_ADDRESS). */
const ATOM = "[A-Za-z0-9!$&'*+=^_`{|}~-]+";

/**
 * An email address as mail servers take it: a dot-atom local part (RFC 5322), so apostrophes
 * (sean.o'brien@example.ie), `+tags`, `&` and `=` are in — valibot's `email()` refused the
 * apostrophe — and a domain of letters, digits and inner hyphens with a dot and a top level of
 * two letters or more. Refused: spaces, quotes, control characters, leading, trailing or doubled
 * dots, a domain without a dot, `# ? % /`, which mean something else in the `mailto:` links
 * and invitations an address ends up in, and a local part past the 64 characters RFC 5321 lets
 * a mail server take (the booking would be made and its mails never delivered).
 */
export const MAIL_ADDRESS = new RegExp(
  `^(?=[^@]{1,64}@)${ATOM}(?:\\.${ATOM})*@[\\da-z]+(?:[.-][\\da-z]+)*\\.[a-z]{2,}$`,
  "i",
);

/**
 * Whether typed text (trimmed) is an address by `MAIL_ADDRESS`: every door that takes an address
 * asks this, so one taken at one is taken at all. Each door keeps its own length bound and words.
 */
export const isMailAddress = (text: string): boolean => MAIL_ADDRESS.test(text);

/**
 * An address as a link carried it (a prefill): a `+` written into a link as it is — by hand, or
 * by a mail tool's merge field — arrives as a space, which no address holds, so spaces are read
 * back as the `+` they were when that makes an address ("jo news@…" → "jo+news@…"). Anything
 * else comes back unchanged, for the door's own check.
 */
export function linkedAddress(raw: string): string {
  const t = raw.trim();
  if (!t.includes(" ") || isMailAddress(t)) return raw;
  const plus = t.replaceAll(" ", "+");
  return isMailAddress(plus) ? plus : raw;
}

export const emailField = v.pipe(
  v.optional(v.string(), ""),
  v.transform((s) => s.trim()),
  v.minLength(1, m("forms.email_required")),
  v.maxLength(254, m("forms.email_too_long")),
  v.regex(MAIL_ADDRESS, m("forms.email_invalid")),
);

export const EmailForm = v.object({ email: emailField });

/**
 * Only the named fields, as strings bounded for their kind (shared/field-bounds.ts decides every
 * kind's bound): a File or a missing field becomes "" (safe to echo back).
 */
export function formValues<K extends string>(
  form: FormData,
  names: readonly K[],
  kind: FieldKind = "text",
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) out[name] = readField(form, name, kind);
  return out;
}

export function isHttpsUrl(text: string): boolean {
  if (!/^https:\/\/\S+$/i.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname !== "" && url.username === "" &&
      url.password === "";
  } catch {
    return false;
  }
}
