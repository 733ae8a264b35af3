/**
 * The `Intl` objects format.ts and format-spans.ts share: one per kind, locale and options, kept,
 * and the locale they fall back to.
 */
/**
 * One `Intl` object per kind, locale and options, kept: making one is the slow part (pages,
 * mails and messages share them). `limit` bounds a store against odd locales and options.
 */
export function keptIntl<T>(
  store: Map<string, T>,
  limit: number,
  locale: string,
  opts: object | undefined,
  make: (tag: string) => T,
): T {
  const key = locale + JSON.stringify(opts);
  let made = store.get(key);
  if (!made) {
    made = make(safeLocale(locale));
    if (store.size < limit) store.set(key, made);
  }
  return made;
}

/** The format used when no reader is known (logs, older callers). */
export const FORMAT_LOCALE = "en-GB";

/** `Intl` refuses malformed tags; the pseudo-locale formats as English. */
export function safeLocale(locale: string): string {
  if (locale === "en-XA") return "en";
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? FORMAT_LOCALE;
  } catch {
    return FORMAT_LOCALE;
  }
}

const numberFormats = new Map<string, Intl.NumberFormat>();
/** One `Intl.NumberFormat` per locale and options, kept. */
export function numberFormat(locale: string, opts?: Intl.NumberFormatOptions): Intl.NumberFormat {
  return keptIntl(numberFormats, 500, locale, opts, (tag) => new Intl.NumberFormat(tag, opts));
}
