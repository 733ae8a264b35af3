/**
 * What text a person types may contain, decided once for every form (issue 10, #7).
 *
 * One-line text (names, titles, labels, short answers, a location) never holds a line break of
 * any kind — CR, LF, NEL, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR — nor any other
 * control character, nor the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make text display in another order than it is stored ("Trojan Source").
 * Those are how a guest's name used to start a fake "Confirm:" line in the host's mail.
 * Multi-line text (a note, a message) may hold line breaks and tabs, never the rest; mail
 * templates quote it (mail-templates/quote.ts), so it cannot pass for our own lines either.
 *
 * No text holds a lone UTF-16 surrogate either (half of a pair, which only a JSON `\ud800`
 * escape can send: a browser's form turns one into U+FFFD): it is not a character, and a JSON
 * answer carrying one (a list of bookings) is refused whole by strict parsers (serde_json).
 * The expressions below match it without the `u` flag, so `.source` works in any RegExp.
 *
 * Left alone: the bidi marks U+200E/U+200F/U+061C, which right-to-left names legitimately carry
 * and which reorder nothing.
 */

/**
 * Everything one line of typed text must not contain. The last two alternatives are a lone
 * surrogate: a high one not followed by a low one, a low one not preceded by a high one.
 */
export const NOT_ONE_LINE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Everything multi-line typed text must not contain (LF and tab are allowed; CR is normalised). */
export const NOT_MULTI_LINE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isOneLine(text: string): boolean {
  return !NOT_ONE_LINE.test(text);
}

/** CRLF and lone CR become LF, so a text has one kind of line break. */
export function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

export function isMultiLineText(text: string): boolean {
  return !NOT_MULTI_LINE.test(normalizeLineBreaks(text));
}

/**
 * Text stored before these rules (or from elsewhere) shown on one line: every character one
 * line must not hold becomes a space.
 */
export function oneLineText(text: string): string {
  return text.replace(new RegExp(NOT_ONE_LINE.source, "g"), " ").replace(/ {2,}/g, " ").trim();
}

/**
 * Characters that show nothing on their own: spaces, format characters (zero-width space and
 * joiners, the BOM, the soft hyphen, word joiner: Unicode's Cf), controls, and the filler
 * letters that render blank (Hangul fillers, braille blank, combining grapheme joiner).
 * Between visible letters they are legitimate (a ZWNJ in Persian, a ZWJ in an emoji).
 */
const INVISIBLE = /^[\s\p{Cf}\p{Cc}\u034f\u115f\u1160\u2800\u3164\uffa0]*$/u;

/**
 * Whether a text shows anything: a name of only a zero-width space is no name (it made a blank
 * row in a host's poll table), so a required field of only invisible characters is empty.
 */
export function hasVisibleText(text: string): boolean {
  return !INVISIBLE.test(text);
}
