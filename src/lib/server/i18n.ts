/**
 * Every catalog, for the server: pages in the request's language, mails and calendar text in
 * their reader's (a booking's `guestLocale`, a host's `locale`), long after any request.
 */
import en from "../messages/en.json" with { type: "json" };
import de from "../messages/de.json" with { type: "json" };
import fr from "../messages/fr.json" with { type: "json" };
import es from "../messages/es.json" with { type: "json" };
import {
  canonicalLocale,
  createTranslator,
  DEFAULT_LOCALE,
  type Language,
  languageOf,
  negotiateLocale,
  PSEUDO_LOCALE,
  type SourceCatalog,
  type Translator,
} from "../shared/i18n.ts";

export const CATALOGS: Record<Language, SourceCatalog> = { en, de, fr, es };

const translators = new Map<string, Translator>();

/** The translator for a reader's locale; anything unknown or unsupported reads English. */
export function translator(locale: string | null | undefined): Translator {
  const tag = locale === PSEUDO_LOCALE
    ? PSEUDO_LOCALE
    : languageOf(locale)
    ? canonicalLocale(locale)!
    : DEFAULT_LOCALE;
  let t = translators.get(tag);
  if (!t) {
    const lang = languageOf(tag) ?? "en";
    t = createTranslator(tag, CATALOGS[lang], lang === "en" ? undefined : CATALOGS.en);
    // Locales come from browsers: bounded, like every other per-process table.
    if (translators.size >= 300) translators.clear();
    translators.set(tag, t);
  }
  return t;
}

/**
 * The request's translator before (or without) the `locale` hook: the one it set, else one from
 * `?lang=` and the browser's languages (answers refused early: 413, 429, a bad form action).
 */
export function earlyTranslator(req: Request, locals?: { t?: Translator }): Translator {
  if (locals?.t) return locals.t;
  let asked: string | null = null;
  try {
    asked = new URL(req.url).searchParams.get("lang");
  } catch {
    asked = null;
  }
  return translator(
    negotiateLocale({ chosen: [asked], acceptLanguage: req.headers.get("accept-language") }),
  );
}
