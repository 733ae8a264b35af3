/**
 * Languages: which one a reader gets, and a translator over one catalog of ICU messages
 * (FormatJS `intl-messageformat`, see ADR 015). Browser-safe and catalog-free: the server imports
 * every catalog (server/i18n.ts), the browser loads only its page's (shared/catalogs.ts).
 *
 * A *locale* is the full tag the reader's browser sent or they chose ("en-US", "de-AT"); its
 * *language* picks the catalog, the full tag drives `Intl` (dates, numbers, plural rules).
 */
import { setBounded } from "./bounded-map.ts";
import { type Formatters, formatToParts, IntlMessageFormat } from "intl-messageformat";
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import type en from "../messages/en.json";
import { fmt, numberFormat, pluralCategory } from "./format.ts";
import { type KeptAnswers, observeKept, replayKept } from "./written-formats.ts";

export type MessageKey = Extract<keyof typeof en, string>;
/** A catalog as translators write it: key → ICU source. */
export type SourceCatalog = Record<string, string>;
/**
 * A catalog as a translator reads it: each message its ICU source, or the source already parsed
 * (the browser's catalogs are parsed at build time, `catalog-compile.ts`, so pages ship and run
 * no parser).
 */
export type Catalog = Record<string, string | MessageFormatElement[]>;
export type MessageValues = Record<string, string | number | null | undefined>;

export const LANGUAGES = ["en", "de", "fr", "es"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LOCALE = "en";

/** Each language named in itself, as language pickers do (never translated). */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
};

/**
 * The pseudo-locale: English made accented, ~35 % longer and bracketed, so that a test sees
 * hard-coded English and text that cannot grow. Only ever chosen explicitly (`?lang=en-XA`).
 */
export const PSEUDO_LOCALE = "en-XA";

export function isLanguage(x: unknown): x is Language {
  return typeof x === "string" && (LANGUAGES as readonly string[]).includes(x);
}

/** A well-formed BCP 47 tag in canonical case ("de-at" → "de-AT"), or null. */
export function canonicalLocale(tag: string | null | undefined): string | null {
  const text = (tag ?? "").trim();
  if (!text || text.length > 35 || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(text)) return null;
  try {
    return Intl.getCanonicalLocales(text)[0] ?? null;
  } catch {
    return null;
  }
}

/** The catalog a locale reads from; null when we have none for it. */
export function languageOf(locale: string | null | undefined): Language | null {
  if (locale === PSEUDO_LOCALE) return "en";
  const lang = canonicalLocale(locale)?.split("-")[0].toLowerCase();
  return isLanguage(lang) ? lang : null;
}

/** The tags of an Accept-Language header, most wanted first (q=0 left out); bounded. */
export function acceptedLocales(header: string | null | undefined): string[] {
  if (!header) return [];
  const out: { tag: string; q: number; i: number }[] = [];
  header.slice(0, 500).split(",").slice(0, 20).forEach((part, i) => {
    const [rawTag, ...params] = part.trim().split(";");
    const tag = canonicalLocale(rawTag);
    if (!tag) return;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0) out.push({ tag, q, i });
  });
  return out.sort((a, b) => b.q - a.q || a.i - b.i).map((x) => x.tag);
}

/**
 * The locale a reader gets. In order: a language they or the host fixed (`chosen`, e.g. `?lang=`
 * or the event type's language), a locale stored for them (a booking's, a host's profile), their
 * browser's languages, English. A chosen bare language keeps the reader's region when their
 * browser names one for it ("de" + "de-AT,en" → "de-AT"), so dates stay as they know them.
 */
export function negotiateLocale(opts: {
  chosen?: (string | null | undefined)[];
  stored?: string | null;
  acceptLanguage?: string | null;
}): string {
  const accepted = acceptedLocales(opts.acceptLanguage);
  for (const raw of opts.chosen ?? []) {
    if (raw === PSEUDO_LOCALE) return PSEUDO_LOCALE;
    const tag = canonicalLocale(raw);
    const lang = languageOf(tag);
    if (!tag || !lang) continue;
    if (tag.includes("-")) return tag;
    return accepted.find((a) => languageOf(a) === lang && a.includes("-")) ?? tag;
  }
  const stored = canonicalLocale(opts.stored);
  if (stored && languageOf(stored)) return stored;
  if (opts.stored === PSEUDO_LOCALE) return PSEUDO_LOCALE;
  return accepted.find((a) => languageOf(a)) ?? DEFAULT_LOCALE;
}

/** The locale `Intl` formats with (the pseudo-locale formats as English). */
export function intlLocale(locale: string): string {
  return locale === PSEUDO_LOCALE ? "en" : locale;
}

export type Translator = {
  /** The reader's full tag, for `Intl` and `lang` attributes. */
  readonly locale: string;
  readonly lang: Language;
  t(key: MessageKey, values?: MessageValues): string;
  /**
   * A message with inline tags (`<strong>…</strong>`, `<link>…</link>`) as parts, for components
   * that render them as elements (never as HTML).
   */
  parts(key: MessageKey, values?: MessageValues): RichPart[];
  /** Whether the catalog has this key (for keys chosen at run time, e.g. refusal reasons). */
  has(key: string): boolean;
};
export type RichPart = { text: string; tag: string | null };

/** Formatted messages a translator keeps (see `t`): a page's worth and more. */
const MAX_FORMATTED = 200;
/** The longest question (key and values) whose answer is kept. */
const MAX_FORMATTED_ID = 160;

/**
 * A translator for `locale` over `catalog`; `fallback` (English) answers keys the catalog lacks.
 * Messages are parsed once per translator and key (the browser's come parsed, ADR 057) and
 * formatted with FormatJS's own `formatToParts`, without an `IntlMessageFormat` per message:
 * its constructor asks `Intl.NumberFormat.supportedLocalesOf`, which loads ICU's number data
 * (~50 ms on this box before a page could hydrate, four times that on a phone) even for text
 * with no number in it. `Intl` objects are made when a message first needs them.
 */
export function createTranslator(locale: string, catalog: Catalog, fallback?: Catalog): Translator {
  const lang = languageOf(locale) ?? "en";
  const pseudo = locale === PSEUDO_LOCALE;
  const formatLocale = intlLocale(locale);
  /**
   * `text`: the message when it is only text (most of a page's are), answered as it is: each
   * FormatJS format of one made an array of parts and a join, a good part of the ~60 KiB a cold
   * booking page spent translating (issue 26's RSS row).
   */
  type Compiled = { ast: MessageFormatElement[]; plain: Set<string>; text: string | null };
  const compiled = new Map<string, Compiled>();
  const numbers = countFormat(formatLocale);
  // format.ts's kept `Intl` objects, shared with the pages and mails that format dates.
  const formatters = {
    getNumberFormat: (locales: string, opts?: Intl.NumberFormatOptions) =>
      opts === undefined ? numbers : numberFormat(locales, opts),
    getDateTimeFormat: fmt,
    // FormatJS only asks it to select; the answer may come from the page (format.ts, ADR 058).
    getPluralRules: (locales: string, opts?: Intl.PluralRulesOptions) => ({
      select: (n: number) => pluralCategory(locales, n, opts?.type),
    }),
  } as unknown as Formatters;
  const formatOf = (key: string): Compiled | null => {
    let f = compiled.get(key);
    if (f) return f;
    const source = catalog[key] ?? fallback?.[key];
    if (source === undefined) return null;
    try {
      const ast = toAst(source);
      const shown = pseudo ? pseudoAst(ast) : ast;
      f = { ast: shown, plain: plainArguments(ast), text: textOnly(shown) };
    } catch {
      // A message that does not parse is shown as written (the catalog test reports it).
      const text = typeof source === "string" ? source : key;
      f = { ast: literal(text), plain: new Set(), text };
    }
    compiled.set(key, f);
    return f;
  };
  const partsOf = (f: Compiled, values?: Record<string, unknown>) =>
    formatToParts(f.ast, formatLocale, formatters, IntlMessageFormat.formats, values as never);
  /** Numbers shown as plain `{n}` are written the reader's way ("1.200"); plurals get numbers. */
  const cleanValues = (f: Compiled, values?: MessageValues) => {
    if (!values) return undefined;
    const out: Record<string, string | number> = {};
    for (const k in values) {
      const v = values[k];
      out[k] = typeof v === "number" && f.plain.has(k) ? numbers.format(v) : v ?? "";
    }
    return out;
  };
  /**
   * Formatted messages by key and values, bounded (the oldest leave first): a page asks the same
   * ones for every host (a month's day labels with their counts), and each FormatJS format was
   * ~2 KiB of garbage (issue 26's RSS row). A message's text depends on nothing else.
   */
  const formatted = new Map<string, { text: string; answers: KeptAnswers }>();
  const t = (key: MessageKey, values?: MessageValues): string => {
    const f = formatOf(key);
    if (!f) return key;
    if (f.text !== null) return f.text;
    let id: string = key;
    // Typed (a number and its digits as a string can read differently: plurals, grouping), and
    // each value's length first, so no value's text can make two questions one.
    for (const k in values) {
      const v = String(values[k]);
      id += `\u0001${k}\u0002${typeof values[k]}\u0002${v.length}:${v}`;
    }
    // Long values (a guest's words) are formatted each time: the memo stays small.
    const memo = id.length <= MAX_FORMATTED_ID;
    const known = memo ? formatted.get(id) : undefined;
    if (known !== undefined) {
      // The plural categories its first format asked, written into this page too.
      replayKept(known.answers);
      return known.text;
    }
    let made: { value: string; answers: KeptAnswers };
    try {
      made = observeKept(() =>
        partsOf(f, cleanValues(f, values)).map((p) => String(p.value)).join("")
      );
    } catch {
      const source = catalog[key];
      return typeof source === "string" ? source : key;
    }
    if (!memo) return made.value;
    setBounded(formatted, id, { text: made.value, answers: made.answers }, MAX_FORMATTED);
    return made.value;
  };
  const parts = (key: MessageKey, values?: MessageValues): RichPart[] => {
    const f = formatOf(key);
    if (!f) return [{ text: key, tag: null }];
    const tagged: Record<string, unknown> = { ...cleanValues(f, values) };
    for (const tag of RICH_TAGS) {
      tagged[tag] = (chunks: unknown[]) => ({ tag, text: chunks.map(String).join("") });
    }
    let list: { value: unknown }[];
    try {
      list = partsOf(f, tagged);
    } catch {
      return [{ text: t(key, values), tag: null }];
    }
    const merged: RichPart[] = [];
    for (const { value: p } of list) {
      const part: RichPart = typeof p === "object" && p !== null && "tag" in p
        ? p as RichPart
        : { text: String(p), tag: null };
      const last = merged.at(-1);
      if (last && last.tag === null && part.tag === null) last.text += part.text;
      else merged.push({ ...part });
    }
    return merged;
  };
  return {
    locale,
    lang,
    t,
    parts,
    has: (key) => key in catalog || (fallback !== undefined && key in fallback),
  };
}

/**
 * A number formatter for `locale` that writes 0–999 as their digits without asking ICU, as
 * `Intl.NumberFormat` does for every locale of our languages (the test beside this file checks
 * it), and makes the real one for anything else. A page's plural counts are almost all small,
 * and the first `Intl.NumberFormat` of a page loads ICU's number data.
 */
export function countFormat(locale: string): { format(n: number): string } {
  // A locale may ask for other digits ("-u-nu-arab"); those always go to ICU.
  const latinDigits = !/-u-/i.test(locale);
  return {
    format: (n) =>
      latinDigits && Number.isInteger(n) && n >= 0 && n < 1000
        ? String(n)
        : numberFormat(locale).format(n),
  };
}

/** Inline tags messages may use; anything else is an error the catalog test reports. */
export const RICH_TAGS = ["strong", "link", "code"] as const;

/** Names used as plain `{name}` arguments only (not as plural or select keys). */
function plainArguments(
  els: MessageFormatElement[],
  out = new Set<string>(),
  counted = new Set<string>(),
) {
  for (const el of els) {
    if (el.type === TYPE.argument) out.add(el.value);
    else if (el.type === TYPE.plural || el.type === TYPE.select) {
      counted.add(el.value);
      for (const o of Object.values(el.options)) plainArguments(o.value, out, counted);
    } else if (el.type === TYPE.tag) plainArguments(el.children, out, counted);
  }
  for (const name of counted) out.delete(name);
  return out;
}

/**
 * Text with none of ICU's syntax characters is one literal; anything else is parsed. Build-time
 * compilation (`catalog-compile.ts`) leaves exactly such messages as text, so a page never parses.
 */
export const ICU_SYNTAX = /[{}<']/;

function toAst(source: string | MessageFormatElement[]): MessageFormatElement[] {
  if (typeof source !== "string") return source;
  return ICU_SYNTAX.test(source) ? parse(source) : literal(source);
}

/** The text of a message that has nothing to format (FormatJS would answer the same), or null. */
function textOnly(ast: MessageFormatElement[]): string | null {
  let text = "";
  for (const el of ast) {
    if (el.type !== TYPE.literal) return null;
    text += el.value;
  }
  return text;
}

function literal(text: string): MessageFormatElement[] {
  return text ? [{ type: TYPE.literal, value: text }] : [];
}

// ---------------------------------------------------------------------------------------------
// Pseudo-localisation: literal text only (placeholders, plural and select keys stay intact).

const PLAIN = "abcdefghijklmnoprstuwyzABCDEGHIJKLNOPRSTUWYZ";
const ACCENTED = "áƀçðéƒĝĥíĵķļɱñöþŕšţûŵýžÅƁÇÐÉĜĤÎĴĶĻÑÖÞŔŠŢÛŴÝŽ";
const ACCENTS = new Map([...PLAIN].map((c, i) => [c, [...ACCENTED][i]]));

/**
 * "Pick a time" → "Þíçķ~ á ţíɱé~": accented, each word ~35 % longer (as German or French
 * words run longer than English ones), so layouts show where text cannot grow.
 */
export function pseudoText(text: string): string {
  return text.replace(/[A-Za-z]+/g, (word) => {
    const accented = [...word].map((c) => ACCENTS.get(c) ?? c).join("");
    return accented + "~".repeat(Math.ceil(word.length * 0.35));
  });
}

function pseudoElements(els: MessageFormatElement[]): MessageFormatElement[] {
  return els.map((el) => {
    if (el.type === TYPE.literal) return { ...el, value: pseudoText(el.value) };
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      const options: typeof el.options = {};
      for (const [k, o] of Object.entries(el.options)) {
        options[k] = { ...o, value: pseudoElements(o.value) };
      }
      return { ...el, options } as MessageFormatElement;
    }
    if (el.type === TYPE.tag) return { ...el, children: pseudoElements(el.children) };
    return el;
  });
}

/** Brackets mark where each message starts and ends, so cut-off text is visible. */
function pseudoAst(els: MessageFormatElement[]): MessageFormatElement[] {
  return [
    { type: TYPE.literal, value: "⟦" },
    ...pseudoElements(els),
    { type: TYPE.literal, value: "⟧" },
  ];
}

// ---------------------------------------------------------------------------------------------
// Messages that must travel as data (valibot issues, service refusals) before a translator is
// at hand: "key" or "key|{json values}".

export type MessageRef = string;

export function messageRef(key: MessageKey, values?: MessageValues): MessageRef {
  return values ? `${key}|${JSON.stringify(values)}` : key;
}

/** Translates a reference made by `messageRef`; any other text is returned as it is. */
export function translateRef(t: Translator, ref: string): string {
  const bar = ref.indexOf("|");
  const key = bar === -1 ? ref : ref.slice(0, bar);
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(key) || !t.has(key)) return ref;
  let values: MessageValues | undefined;
  if (bar !== -1) {
    try {
      values = JSON.parse(ref.slice(bar + 1));
    } catch {
      values = undefined;
    }
  }
  return t.t(key as MessageKey, values);
}

/** Every reference of a record of field messages (a form's errors), translated. */
export function translateRefs<K extends string>(
  t: Translator,
  refs: Partial<Record<K, string>>,
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [k, ref] of Object.entries(refs) as [K, string | undefined][]) {
    if (ref !== undefined) out[k] = translateRef(t, ref);
  }
  return out;
}
