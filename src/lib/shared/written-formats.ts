import { setBounded } from "./bounded-map.ts";

/**
 * The answers of format.ts's functions that the server's render gave, written into the page
 * (ADR 058). The browser hydrates from the same answers, so it makes no `Intl` objects in the
 * hydration task. The first `Intl` object of a document loads ICU's locale data: 46–105 ms on
 * this box, four times that on a phone. A question the page did not answer is computed as
 * before.
 */
let recording: Map<string, string> | null = null;
/** The browser's copy, read from the page once (`undefined` until then, `null` if none). */
let written: Map<string, string> | null | undefined;
/** `<html data-guessed-lang / -clock>`: a language and the clock it writes (app.html's mark). */
let guessed: { lang: string; clock: string } | null = null;
/** The element that carries them. */
export const FORMATS_ELEMENT_ID = "invito-formats";
/**
 * A page carries at most this many characters of answers (the booking page ~2,000). A long
 * dashboard table should not grow the page by more than the ICU load it saves; the browser
 * formats the rest.
 */
const MAX_RECORDED_CHARS = 16_000;
let recordedChars = 0;

/**
 * Server: record the answers of one render. A render is synchronous (as SvelteKit's own relative
 * paths assume), so no other request's answers come in between.
 */
export function recordFormats(): void {
  recording = new Map();
  recordedChars = 0;
}

/**
 * Server: the recorded answers as an inert JSON data block for the page (`""` when there are
 * none), and recording stops. `<` is escaped, so no answer can end the element.
 */
export function takeFormats(): string {
  const taken = recording;
  recording = null;
  if (!taken?.size) return "";
  const json = JSON.stringify(Object.fromEntries(taken)).replace(/</g, "\\u003c");
  return `<script type="application/json" id="${FORMATS_ELEMENT_ID}">${json}</script>`;
}

/** The page's document, as far as reading its formats goes. */
type PageDocument = {
  getElementById(id: string): { textContent: string | null } | null;
  documentElement: { dataset: Record<string, string | undefined> };
};

/**
 * Browser: reads the page's formats. The first format call does this from `document`; a test
 * passes its own page, or `null` for none.
 */
export function readWrittenFormats(
  doc = (globalThis as { document?: PageDocument }).document ?? null,
): void {
  written = null;
  guessed = null;
  if (!doc) return;
  try {
    const { guessedLang, guessedClock } = doc.documentElement.dataset;
    if (guessedLang && guessedClock) guessed = { lang: guessedLang, clock: guessedClock };
    const text = doc.getElementById(FORMATS_ELEMENT_ID)?.textContent;
    if (text) written = new Map(Object.entries(JSON.parse(text) as Record<string, string>));
  } catch {
    // A broken block costs only the Intl objects it would have saved.
  }
}

function writtenFormats(): Map<string, string> | null {
  if (written === undefined) readWrittenFormats();
  return written ?? null;
}

/** The clock the page says `tag` writes, if it says so (for `clockForLocale`). */
export function vouchedClock(tag: string): string | undefined {
  writtenFormats();
  return guessed?.lang === tag ? guessed.clock : undefined;
}

/**
 * Answers computed here, by key: a key names a function and all its arguments, so its answer
 * never changes, and pages ask the same questions again (the same month's day labels for every
 * host: on the server each made its `Intl` options, their key and the label again, ~50 KiB of a
 * cold booking page's garbage, issue 26's RSS row). Bounded: the oldest leave first.
 */
const computed = new Map<string, string>();
const MAX_COMPUTED = 2000;
const MAX_COMPUTED_KEY = 120;

/**
 * `compute()`, or the page's answer to the same question. `key` names the function and its
 * arguments.
 */
export function kept(key: string, compute: () => string): string {
  const answer = writtenFormats()?.get(key);
  if (answer !== undefined) {
    observing?.push([key, answer]);
    return answer;
  }
  // A long key holds what a visitor typed (a date as written): answered, not kept.
  const keep = key.length <= MAX_COMPUTED_KEY;
  let value = keep ? computed.get(key) : undefined;
  if (value === undefined) {
    value = compute();
    if (keep) {
      setBounded(computed, key, value, MAX_COMPUTED);
    }
  }
  observing?.push([key, value]);
  record(key, value);
  return value;
}

function record(key: string, value: string) {
  if (recording && recordedChars < MAX_RECORDED_CHARS && !recording.has(key)) {
    recording.set(key, value);
    recordedChars += key.length + value.length + 6;
  }
}

/** What `kept` answered while `observeKept` runs (a cache above it gives them again). */
export type KeptAnswers = readonly (readonly [string, string])[];
let observing: [string, string][] | null = null;
const NONE: KeptAnswers = Object.freeze([]);

/**
 * `fn()` and the answers `kept` gave while it ran. For a cache of what uses `kept` (a
 * translator's formatted messages ask it for plural categories): a later render answered from
 * that cache must still write those answers into its page (`replayKept`), or the browser would
 * make the `Intl` objects the page spared it — and the page would differ from a first render.
 */
export function observeKept<T>(fn: () => T): { value: T; answers: KeptAnswers } {
  const outer = observing;
  const seen: [string, string][] = [];
  observing = seen;
  try {
    return { value: fn(), answers: seen.length ? seen : NONE };
  } finally {
    observing = outer;
    if (outer) { for (const a of seen) outer.push(a); }
  }
}

/** Records answers `observeKept` saw, as `kept` would have on asking them again. */
export function replayKept(answers: KeptAnswers): void {
  for (const [key, value] of answers) {
    observing?.push([key, value]);
    record(key, value);
  }
}
