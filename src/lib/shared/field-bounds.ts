import { normalizeLineBreaks } from "./text.ts";

/**
 * The one place that knows how long each kind of form field may legitimately be. Every form
 * reader (route actions, `formValues`, `readFields`) and the validators behind them take their
 * bound from here, so a reader can never cut a value its validator would accept (the team page
 * once cut 26-character member ids to 20 and matched nobody).
 *
 * A reader keeps one character more than the bound: an over-long value still reaches its
 * validator whole enough to be refused with a message, never silently shortened into a different
 * but valid-looking value.
 */
export const FIELD_MAX = {
  /** Record ids: ULIDs are 26 characters, prefixed ids (`msg_…`) about 30. */
  id: 64,
  /** URL tokens (single-use links, invitations, confirmations). */
  token: 128,
  /** A choice from a fixed list: a role, a mode, "1", "on". */
  choice: 32,
  /** A short code: a country, a holiday region (date-holidays has 10-character ones). */
  code: 32,
  /** A whole number as typed. */
  number: 16,
  /** An ISO date (`2026-11-23`) or a time (`09:30`), as typed. */
  date: 32,
  /** An IANA zone as typed or picked: the longest name is 32 characters. */
  timeZone: 64,
  /** An email address (RFC 5321 allows 320 with the local part; 254 in practice). */
  email: 320,
  /** A URL (a CalDAV server, a webhook endpoint, a page to return to). */
  url: 2000,
  /** A name, a title, a label: one line. */
  line: 200,
  /** Free text: a note, a description, a message. */
  text: 4000,
} as const;

export type FieldKind = keyof typeof FIELD_MAX;

/**
 * A form field as a string bounded for its kind; a File or a missing field becomes "". Line breaks
 * are one character first: a browser posts a textarea's as CRLF while its `maxlength` counts one,
 * so a text its field took was cut here, and refused as too long by its validator.
 */
export function readField(form: FormData, name: string, kind: FieldKind): string {
  const value = form.get(name);
  return typeof value === "string" ? normalizeLineBreaks(value).slice(0, FIELD_MAX[kind] + 1) : "";
}

/** The named fields, each bounded for its kind (see `readField`). */
export function readFields<K extends string>(
  form: FormData,
  spec: Record<K, FieldKind>,
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of Object.keys(spec) as K[]) out[name] = readField(form, name, spec[name]);
  return out;
}
